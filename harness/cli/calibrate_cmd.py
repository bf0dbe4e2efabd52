"""``harness calibrate --labels FILE RUN``: agreement of a run's judge and checks with human labels."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    """Register the ``calibrate`` sub-command."""
    cal = sub.add_parser("calibrate", help="measure a run's judge criteria and checks against human labels")
    cal.add_argument("run_dir", help="run directory")
    cal.add_argument("--labels", required=True, help="human-label JSONL file (see README: Trustworthy judges)")
    cal.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    cal.add_argument("--seed", type=int, default=20240607)
    cal.add_argument("--panellist", metavar="NAME", help="with a judge panel: calibrate this panellist's own verdicts "
                                                         "instead of the panel's aggregate")


def calibrate(args: argparse.Namespace) -> int:
    from harness.calibration.calibrate import CalibrationOptions, calibrate_run, write_calibration
    from harness.calibration.render import render_markdown
    from harness.errors import ConfigError

    if args.resamples < 0:
        raise ConfigError("must not be negative", field="--resamples")
    report = calibrate_run(args.run_dir, args.labels, CalibrationOptions(resamples=args.resamples, seed=args.seed,
                                                                         panellist=args.panellist))
    json_path, md_path = write_calibration(args.run_dir, report)
    sys.stdout.write(render_markdown(report))
    print(f"calibration: {md_path}")
    print(f"json:        {json_path}")
    rows = report.criteria + report.checks
    if not any(row.n for row in rows):
        # Nothing was measured: a report of n/a rows is no calibration, and a script must not read it as one.
        why = "; ".join(n for n in report.notices if "unmatched" in n or "ignored" in n) or "see the notices above"
        print(f"error: {args.labels}: no label matched a reply of the run with a verdict ({why})", file=sys.stderr)
        return 2
    return 0
