"""``harness show RUN [CASE ...]``: a run's records in the terminal (see :mod:`harness.report.show`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # imported where used: the CLI starts without them
    from harness.records.schema import Record
    from harness.report.html_records import RunOrder
    from harness.report.show import ShowFilter
    from harness.sampling.epochs import EpochSetting


def add_parser(sub) -> None:
    """Register the ``show`` sub-command."""
    show = sub.add_parser("show", help="a run's records in the terminal: one line each, or cases in full")
    show.add_argument("run_dir", type=Path, help="run directory")
    show.add_argument("cases", nargs="*", metavar="CASE",
                      help="case ids to show in full (shell patterns such as c01* work; a turn case matches by its "
                           "thread's id too); none: one line per record")
    show.add_argument("--candidates", help="comma-separated candidate names (default: all); the part before @, "
                                           "or any start one candidate has, will do")
    show.add_argument("--sample", type=int, metavar="N", help="only sample N (with epochs)")
    show.add_argument("--failing", action="store_true",
                      help="only records that failed a check or criterion, or erred (what run --failing reruns)")
    show.add_argument("--full", action="store_true", help="every selected record in full, even with no CASE")
    show.add_argument("--json", action="store_true", help="the selected records as JSON lines, with their thread")
    show.add_argument("--prompt", action="store_true",
                      help="in the full view, a model candidate's whole system prompt (default: its first lines)")


def show(args: argparse.Namespace) -> int:
    from harness.errors import ConfigError
    from harness.records.store import check_candidates, read_manifest
    from harness.report import show as view
    from harness.report.html_records import RunOrder
    from harness.sampling.epochs import epoch_settings, has_epochs

    manifest = read_manifest(args.run_dir)  # not a run: one line naming why
    from harness.cli.candidate_names import in_run

    candidates = in_run(args.run_dir, [c.strip() for c in (args.candidates or "").split(",") if c.strip()],
                        "--candidates")
    check_candidates(args.run_dir, candidates, "--candidates")
    from harness.datasets.selection import typed_id

    args.cases = [typed_id(case) for case in args.cases]  # an id pasted from diff.md holds a zero-width space
    chosen = view.ShowFilter(cases=tuple(args.cases), candidates=candidates, sample=args.sample,
                             failing=args.failing)
    full = args.full or bool(args.cases)
    settings = epoch_settings(manifest.eval_spec)
    if args.sample is not None:
        _check_sample(args.sample, settings)
    cases = view.case_rows(args.run_dir)
    # Records in the order report.html and export list them (dataset order, then the eval's candidates),
    # not the order their calls finished: the kept lines are rendered as they stream past, then sorted.
    order = RunOrder(cases, [c["name"] for c in manifest.candidates if isinstance(c.get("name"), str)])
    out = sys.stdout
    # Verdicts in colour on a terminal, unless NO_COLOR is set (https://no-color.org); never in a pipe or file.
    color = out.isatty() and not os.environ.get("NO_COLOR")
    from harness.report.case_about import eval_check_about

    render = _Render(args.json, full, cases, view.criterion_scales(manifest.rubric), has_epochs(settings), color,
                     args.prompt, eval_check_about(manifest.eval_spec))
    total, counts, unmatched, lines = _kept_records(args, chosen, order, render)
    shown = len(lines)
    narrowed = bool(candidates or args.failing or args.sample is not None)
    if args.cases and not shown:  # before any notice: an error comes alone
        raise ConfigError(f"no record of {args.run_dir} matches {' '.join(args.cases)}"
                          + (" with the options given" if narrowed else ""), field="CASE")
    if not args.json:
        for line in view.notice_lines(manifest.notices):  # what the scorecard warns of, the same here
            out.write(line + "\n")
    for i, text in enumerate(lines):
        out.write(("\n" if render.full and not render.as_json and i else "") + text)
    if not args.json:
        out.write(("\n" if full and shown else "") + view.summary_line(shown, total, counts) + "\n")
    if args.prompt and not full and not args.json:  # the list view has no prompt to widen
        print("harness: note: --prompt widens the system prompt of the full view: name a CASE, or add --full",
              file=sys.stderr)
    for pattern in sorted(unmatched):  # a typo beside ids that matched: said, not silently dropped
        print(f"harness: warning: no record of {args.run_dir} matches {pattern}"
              + (" with the options given" if narrowed else ""), file=sys.stderr)
    return 0


def _check_sample(sample: int, settings: dict[str, EpochSetting]) -> None:
    """Refuse a ``--sample`` the run does not have."""
    from harness.errors import ConfigError

    most = max([s.epochs for s in settings.values()] or [1])
    if not 0 <= sample < most:
        raise ConfigError(f"this run has samples 0 to {most - 1}" if most > 1 else
                          "this run has one sample per case (0): it has no epochs", field="--sample")


class _Render(NamedTuple):  # not a dataclass: importing dataclasses would slow every command's start
    """How ``show`` writes one record: as a JSON line, in full, or as one line."""

    as_json: bool
    full: bool
    cases: dict[str, Any]  # the run's cases by id
    scales: dict[str, str]  # the rubric's criterion scales
    several: bool  # the run has epochs
    color: bool
    whole_prompt: bool = False  # --prompt
    about: dict[str, str] = {}  # the eval file's checks that say what they ask (their `description`)

    def __call__(self, record: Record) -> str:
        from harness.report import show as view

        if self.as_json:
            return view.render_json(record, self.cases.get(record.case_id)) + "\n"
        if self.full:
            return view.render_record(record, self.cases.get(record.case_id), self.scales, self.several, self.color,
                                      self.whole_prompt, self.about)
        return view.list_line(record, self.several, self.color) + "\n"


def _kept_records(args: argparse.Namespace, chosen: ShowFilter, order: RunOrder, render: _Render
                  ) -> tuple[int, Counter, set[str], list[str]]:
    """The records read, the kept ones by verdict, the CASE patterns that matched none, and the kept records
    rendered, in report order (written by the caller, after any error)."""
    from harness.datasets.selection import id_matches
    from harness.records.store import iter_records
    from harness.report import show as view

    lines: list[tuple[tuple, str]] = []
    total, counts = 0, Counter()
    unmatched = set(args.cases)
    for record in iter_records(args.run_dir):  # read once; only the kept lines are held, to be sorted
        total += 1
        if not chosen.keeps(record):
            continue
        unmatched -= {p for p in unmatched if id_matches(record.case_id, p)}
        counts[view.verdict(record)] += 1
        lines.append((order.key(record.key), render(record)))
    lines.sort(key=lambda item: item[0])
    return total, counts, unmatched, [text for _, text in lines]
