"""``--baseline RUN|accepted``: which earlier run a new run is held against.

``accepted`` is the run last marked with ``harness accept`` for the same eval,
looked up in the index of the results directory the new run goes into;
``accepted-if-any`` is the same, or no baseline while none is accepted (the
first night of a nightly job).
:func:`check_comparable` refuses, before the run makes a call, a baseline its
regression gates could not use: graded another way (rubric, judge, a check's
version), or sharing no gated candidate or no case with the run (a case whose
content changed since is not shared; cases added or removed are no reason).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from harness.errors import ConfigError, ResultsError
from harness.history.index import accepted_run
from harness.records.schema import Manifest
from harness.records.store import MANIFEST, iter_case_rows, read_manifest

ACCEPTED = "accepted"
ACCEPTED_IF_ANY = "accepted-if-any"  # the first night of a nightly: no baseline until one is accepted


def resolve_baseline(raw: str | Path | None, results_dir: Path, eval_name: str) -> Path | None:
    """The baseline run directory, checked to hold a run. Raises a UserError (exit 2) when it cannot be used.

    ``accepted-if-any`` is ``accepted`` when the eval has an accepted run, else None (no baseline).
    """
    if raw is None:
        return None
    if str(raw) in (ACCEPTED, ACCEPTED_IF_ANY):
        found = accepted_run(results_dir, eval_name)
        if found is None and str(raw) == ACCEPTED_IF_ANY:
            return None
        if found is None:
            raise ConfigError(f"no accepted baseline for eval {eval_name!r} in {results_dir}/ (mark one with: "
                              f"harness accept RUN; on a first night, --baseline {ACCEPTED_IF_ANY} runs without "
                              f"one)", field="--baseline")
        if not (found / MANIFEST).exists():
            raise ResultsError(f"the accepted baseline of eval {eval_name!r} is gone (no manifest.json): accept "
                               f"another run with: harness accept RUN", file=str(found), field="--baseline")
        return found
    path = Path(raw)
    if not (path / MANIFEST).exists():
        raise ResultsError("not a run directory (no manifest.json)", file=str(path), field="--baseline")
    return path


def check_comparable(baseline: Path, manifest: Manifest, case_ids: list[str], candidates: list[str],
                     gated: list[tuple[str, str]] | None = None, cases: Iterable | None = None) -> None:
    """Refuse ``baseline`` for a run that will have ``manifest``, ``case_ids``, gated ``candidates`` and
    ``gated`` measures (``(kind, name)`` a max_regression holds) when its regression gates could compare
    nothing: a ResultsError naming the baseline (exit 2). Cases added or removed since are no reason: the
    gates compare the cases both runs share. With ``cases`` (the run's cases, models or snapshot rows), a
    baseline whose every shared case changed content is refused too."""
    from harness.compare.guard import differences

    before = read_manifest(baseline)
    found = differences(before, manifest)
    if found:
        raise _refused(baseline, f"not comparable with this run (A: the baseline, B: this run): {'; '.join(found)}; "
                                 f"hold the run to a baseline graded the same way, or run without --baseline")
    names = [c.get("name") for c in before.candidates]
    if not any(name in names for name in candidates):
        raise _refused(baseline, f"has none of the gated candidates ({', '.join(candidates)}; it has: "
                                 f"{', '.join(map(str, names))}): nothing would be compared")
    _check_shared_cases(baseline, case_ids)
    if cases is not None:
        _check_unchanged_cases(baseline, before, manifest, cases)
    if gated:
        _check_shared_measures(baseline, gated)


def _check_shared_measures(baseline: Path, gated: list[tuple[str, str]]) -> None:
    """Refuse a baseline that graded none of the ``gated`` measures (its scorecard's criteria and checks)."""
    from harness.scoring.scorecard import load_scorecard

    try:
        card = load_scorecard(baseline)
    except (OSError, ValueError, ResultsError):
        return  # no readable scorecard: the gates say what they could compare after the run
    held = {("criterion", name) for name in card.criteria} | {("check", name) for name in card.checks}
    if held.isdisjoint(gated):
        names = ", ".join(f"{kind} {name}" for kind, name in gated[:4]) + (", …" if len(gated) > 4 else "")
        raise _refused(baseline, f"graded none of the measures this run's max_regression gates hold ({names}): "
                                 f"nothing would be compared")


def _check_shared_cases(baseline: Path, case_ids: list[str]) -> None:
    """Refuse a baseline whose case snapshot holds none of ``case_ids`` (a run without a snapshot is let be)."""
    held = [row["id"] for row in iter_case_rows(baseline)]
    if held and set(case_ids).isdisjoint(held):
        raise _refused(baseline, f"shares no case with this run: it has {_some(held)}, this run selects "
                                 f"{_some(case_ids)}: nothing would be compared")


def _check_unchanged_cases(baseline: Path, before: Manifest, manifest: Manifest, cases: Iterable) -> None:
    """Refuse a baseline whose cases shared with this run all changed content (same id, other complaint, …)."""
    from harness.compare.guard import case_hash, compare_cases, dataset_difference

    if not dataset_difference(before, manifest):
        return  # the same dataset content: a case both hold is the same case
    rows = [case if isinstance(case, dict) else json.loads(case.model_dump_json()) for case in cases]
    held = {row["id"]: case_hash(row) for row in iter_case_rows(baseline)}
    changes = compare_cases(held, {row["id"]: case_hash(row) for row in rows})
    if changes.changed and not changes.shared:
        raise _refused(baseline, f"every case it shares with this run changed since (same id, other content: "
                                 f"{_some(changes.changed)}), and a changed case is not compared: nothing would "
                                 f"be compared")


def _some(ids: list[str], shown: int = 3) -> str:
    more = ", …" if len(ids) > shown else ""
    return f"{len(ids)} case{'s' if len(ids) != 1 else ''} ({', '.join(ids[:shown])}{more})"


def _refused(baseline: Path, problem: str) -> ResultsError:
    return ResultsError(problem, file=str(baseline), field="--baseline")


def first_night_note(results_dir: Path, eval_name: str) -> str:
    """The note of a run given ``accepted-if-any`` while its eval has no accepted run."""
    return (f"max_regression gates were skipped: eval {eval_name!r} has no accepted baseline in {results_dir}/ yet "
            f"(a first night; accept a run with: harness accept RUN)")
