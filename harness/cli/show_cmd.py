"""``harness show RUN [CASE ...]``: a run's records in the terminal (see :mod:`harness.report.show`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path


def add_parser(sub) -> None:
    """Register the ``show`` sub-command."""
    show = sub.add_parser("show", help="a run's records in the terminal: one line each, or cases in full")
    show.add_argument("run_dir", type=Path, help="run directory")
    show.add_argument("cases", nargs="*", metavar="CASE",
                      help="case ids to show in full (shell patterns such as c01* work; a turn case matches by its "
                           "thread's id too); none: one line per record")
    show.add_argument("--candidates", help="comma-separated candidate names (default: all)")
    show.add_argument("--sample", type=int, metavar="N", help="only sample N (with epochs)")
    show.add_argument("--failing", action="store_true",
                      help="only records that failed a check or criterion, or erred (what run --failing reruns)")
    show.add_argument("--full", action="store_true", help="every selected record in full, even with no CASE")
    show.add_argument("--json", action="store_true", help="the selected records as JSON lines, with their thread")


def show(args: argparse.Namespace) -> int:
    from harness.datasets.selection import id_matches
    from harness.errors import ConfigError
    from harness.records.store import check_candidates, iter_records, read_manifest
    from harness.report import show as view
    from harness.report.html_records import RunOrder
    from harness.sampling.epochs import epoch_settings, has_epochs

    manifest = read_manifest(args.run_dir)  # not a run: one line naming why
    candidates = tuple(c.strip() for c in (args.candidates or "").split(",") if c.strip())
    check_candidates(args.run_dir, candidates, "--candidates")
    chosen = view.ShowFilter(cases=tuple(args.cases), candidates=candidates, sample=args.sample,
                             failing=args.failing)
    full = args.full or bool(args.cases)
    settings = epoch_settings(manifest.eval_spec)
    several = has_epochs(settings)
    if args.sample is not None:
        most = max([s.epochs for s in settings.values()] or [1])
        if not 0 <= args.sample < most:
            raise ConfigError(f"this run has samples 0 to {most - 1}" if most > 1 else
                              "this run has one sample per case (0): it has no epochs", field="--sample")
    cases = view.case_rows(args.run_dir)
    # Records in the order report.html and export list them (dataset order, then the eval's candidates),
    # not the order their calls finished: the kept lines are rendered as they stream past, then sorted.
    order = RunOrder(cases, [c["name"] for c in manifest.candidates if isinstance(c.get("name"), str)])
    lines: list[tuple[tuple, str]] = []
    out = sys.stdout
    # Verdicts in colour on a terminal, unless NO_COLOR is set (https://no-color.org); never in a pipe or file.
    color = out.isatty() and not os.environ.get("NO_COLOR")
    scales = view.criterion_scales(manifest.rubric)
    if not args.json:
        for line in view.notice_lines(manifest.notices):  # what the scorecard warns of, the same here
            out.write(line + "\n")
    total, shown, counts = 0, 0, Counter()
    unmatched = set(args.cases)
    for record in iter_records(args.run_dir):  # read once; only the kept lines are held, to be sorted
        total += 1
        if not chosen.keeps(record):
            continue
        unmatched -= {p for p in unmatched if id_matches(record.case_id, p)}
        shown += 1
        counts[view.verdict(record)] += 1
        if args.json:
            text = view.render_json(record, cases.get(record.case_id)) + "\n"
        elif full:
            text = view.render_record(record, cases.get(record.case_id), scales, several, color)
        else:
            text = view.list_line(record, several, color) + "\n"
        lines.append((order.key(record.key), text))
    lines.sort(key=lambda item: item[0])
    for i, (_, text) in enumerate(lines):
        out.write(("\n" if full and not args.json and i else "") + text)
    if args.cases and not shown:
        raise ConfigError(f"no record of {args.run_dir} matches {' '.join(args.cases)}"
                          + (" with the options given" if candidates or args.failing or args.sample is not None
                             else ""), field="CASE")
    if not args.json:
        out.write(("\n" if full and shown else "") + view.summary_line(shown, total, counts) + "\n")
    narrowed = bool(candidates or args.failing or args.sample is not None)
    for pattern in sorted(unmatched):  # a typo beside ids that matched: said, not silently dropped
        print(f"harness: warning: no record of {args.run_dir} matches {pattern}"
              + (" with the options given" if narrowed else ""), file=sys.stderr)
    return 0
