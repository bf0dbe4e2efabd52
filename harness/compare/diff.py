"""``build_diff``: compare two runs (or two candidates of one run) measure by measure and case by case.

Steps: read both manifests, refuse incomparable sides (unless allowed), stream
both runs' records once (keeping only what the rows read), pair the
candidates, build one row per criterion and check from the paired cases,
Holm-adjust each pair's rows together (one family per pair), list the cases
whose reply changed with no change in any measure, attach the side-by-side
views of each row's largest drops and rises and of the first of those replies
(every changed case stays listed, with its values, in its rows' ``changes``),
and sum up each pair in one headline: its verdicts and which way its cases moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import harness
from harness.compare.align import case_notices, pair_sides, paired_clusters, unpaired_notice
from harness.compare.pairs import parse_pair  # noqa: F401 (re-exported: harness.compare and callers import it here)
from harness.compare.pairs import chosen_pairs, diff_pairs, promote_warnings
from harness.compare.columns import Measure, RunData, Side, open_run, read_rows, side
from harness.compare.coverage import coverage_notice, run_coverage
from harness.compare.guard import (IncomparableRunsError, nothing_shared, one_side_judged, one_sided_criteria,
                                   replay_mismatch, require_comparable, warning_text)
from harness.compare.regrade import (Regrade, cache_counts, find_regrade, regrade_text, replies_differ, stray_pairs,
                                     stray_text)
from harness.compare.lengths import length_notices
from harness.compare.rows import TOO_FEW, StatOptions, apply_family, build_row
from harness.compare.schema import Comparison, DiffReport, DiffRow, Flips, OneSidedMeasure, RunInfo
from harness.compare.setup import setup_changes
from harness.compare.usage import pair_usage
from harness.compare.views import (VIEWS_PER_DIRECTION, attach_case_views, attach_groups, case_groups, case_snapshots,
                                   changed_cases, reply_only_changes, viewed_cases)
from harness.report.diff_cells import row_label
from harness.datasets.turns import thread_of
from harness.errors import ConfigError
from harness.gc_pause import cycle_collector_paused
from harness.records.timestamps import now_iso


@dataclass(frozen=True)
class DiffOptions:
    """What to compare and how: ``pair`` is ``(candidate in A, candidate in B)``."""

    pair: tuple[str, str] | None = None
    pairs: tuple[tuple[str, str], ...] = ()  # --pair given several times: each its own comparison and Holm family
    baseline_candidate: str | None = None  # --baseline-candidate: this candidate of A against every other one
    allow_incomparable: bool = False
    stats: StatOptions = StatOptions()
    views_per_direction: int = VIEWS_PER_DIRECTION  # per row: side-by-side views of its largest drops and rises
    primary: tuple[str, ...] | None = None  # --primary: the criteria and checks each pair's Holm family holds


def parse_primary(text: str) -> tuple[str, ...]:
    """``"empathy, next_step"`` → ``("empathy", "next_step")``; no name at all is a :class:`ConfigError`."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise ConfigError(f"expected comma-separated criterion or check names, got {text!r}", field="--primary")
    return names


def check_primary(primary: tuple[str, ...] | None, measures: list[Measure]) -> frozenset[str] | None:
    """The ``--primary`` names as a set, once each is a row of this diff (a criterion or check both runs
    have); a :class:`ConfigError` naming the first that is not, with the closest row name."""
    if primary is None:
        return None
    from harness.config.yamlfile import did_you_mean

    known = list(dict.fromkeys(m.name for m in measures))
    for name in primary:
        if name not in known:
            raise ConfigError(f"no criterion or check {name!r} in both runs{did_you_mean(name, known)} (rows: "
                              f"{', '.join(known) or 'none'})", field="--primary")
    return frozenset(primary)


def _run_info(run: RunData) -> RunInfo:
    m = run.manifest
    rubric = f"{m.rubric.get('id')} v{m.rubric.get('version')}" if m.rubric else None
    return RunInfo(run_dir=str(run.path), eval_name=m.eval_name, started_at=m.started_at,
                   dataset_sha256=m.dataset.get("sha256"), rubric=rubric,
                   judge_model=(m.judge or {}).get("name"), selection=run_coverage(m))


def _criteria(run_a: RunData, run_b: RunData) -> dict[str, str]:
    """Criterion name → scale, in A's rubric order, for criteria both rubrics define."""
    crit_a = (run_a.manifest.rubric or {}).get("criteria") or {}
    crit_b = (run_b.manifest.rubric or {}).get("criteria") or {}
    return {name: _scale((info or {}).get("scale")) for name, info in crit_a.items() if name in crit_b}


def _scale(scale: object) -> str:
    return scale if scale in ("pass_fail", "1-5") else "other"


def _checks(run_a: RunData, run_b: RunData) -> list[str]:
    return sorted(set(run_a.manifest.checks) & set(run_b.manifest.checks))


def _measures(run_a: RunData, run_b: RunData) -> list[Measure]:
    """The diff's rows: the criteria both rubrics define (A's order), then the checks both runs ran."""
    return ([Measure("criterion", name, scale) for name, scale in _criteria(run_a, run_b).items()]
            + [Measure("check", name, "pass_fail") for name in _checks(run_a, run_b)])


def _coverage_notes(run_a: RunData, run_b: RunData) -> list[str]:
    note = coverage_notice(run_a.manifest, run_b.manifest, run_a is run_b)
    return [note] if note else []


def _one_sided_notes(run_a: RunData, run_b: RunData) -> list[str]:
    criteria = one_sided_criteria(run_a.manifest, run_b.manifest)
    only_a = sorted(set(run_a.manifest.checks) - set(run_b.manifest.checks))
    only_b = sorted(set(run_b.manifest.checks) - set(run_a.manifest.checks))
    notes = [criteria] if criteria else []
    notes += [f"check {name} ran on side A only; it has no row" for name in only_a]
    return notes + [f"check {name} ran on side B only; it has no row" for name in only_b]


def one_sided_measures(run_a: RunData, run_b: RunData) -> list[OneSidedMeasure]:
    """The criteria and checks one side lacks, for ``diff.json`` (the notices say the same in words)."""
    a, b = run_a.manifest, run_b.manifest
    why = "no judge" if one_side_judged(a, b) else "not judged"
    crit_a, crit_b = ((m.rubric or {}).get("criteria") or {} for m in (a, b))
    found = [OneSidedMeasure(kind="criterion", name=name, missing_in=lacking, why=why)
             for has, other, lacking in ((crit_a, crit_b, "B"), (crit_b, crit_a, "A"))
             for name in has if name not in other]
    return found + [OneSidedMeasure(kind="check", name=name, missing_in=lacking, why="not run")
                    for has, other, lacking in ((a.checks, b.checks, "B"), (b.checks, a.checks, "A"))
                    for name in sorted(has) if name not in other]


THREAD_UNIT_NOTICE = ("Turn-level replay: the turn cases of one thread are not independent, so every interval, "
                      "test and detectable effect here resamples and counts threads (n in the rows: turn cases, "
                      "then threads); values and changed cases are per turn case.")


def _by_thread(data_a: RunData, data_b: RunData) -> bool:
    """True when either side replayed threads turn by turn (``replay: turns``): threads are then the unit."""
    return any((run.manifest.eval_spec or {}).get("replay") == "turns" for run in (data_a, data_b))


def _comparison(a: Side, b: Side, measures: list[Measure], stats: StatOptions, by_thread: bool) -> Comparison:
    pairing = pair_sides(a, b)
    units = {case_id: thread_of(case_id) for case_id in pairing.case_ids} if by_thread else None
    rows = [build_row(m.kind, m.name, m.scale, *paired_clusters(pairing, index), stats, units)
            for index, m in enumerate(measures)]
    usage = pair_usage(a, b, pairing.in_a, pairing.in_b, sum(m.kind == "criterion" for m in measures))
    return Comparison(candidate_a=a.candidate, candidate_b=b.candidate, rows=rows, usage=usage)


def _attach_setup(comparison: Comparison, data_a: RunData, data_b: RunData, regrade: Regrade | None) -> None:
    if regrade is not None and regrade.covers(comparison.candidate_a, comparison.candidate_b):
        return  # one side replays the other's replies: the responder is the same (the opening line says so)
    comparison.setup, comparison.prompt_diff = setup_changes(
        data_a.manifest.candidates, comparison.candidate_a, data_b.manifest.candidates, comparison.candidate_b)


def build_diff(run_a: str | Path, run_b: str | Path | None = None, options: DiffOptions = DiffOptions()) -> DiffReport:
    """Compare run ``run_a`` with ``run_b`` (or with itself, which needs ``options.pair``).

    Raises :class:`~harness.compare.guard.IncomparableRunsError` when the sides
    were graded differently and ``options.allow_incomparable`` is false, and a
    :class:`~harness.errors.UserError` for a missing run or candidate.
    """
    with cycle_collector_paused():
        return _build_diff(run_a, run_b, options)


def _build_diff(run_a: str | Path, run_b: str | Path | None, options: DiffOptions) -> DiffReport:
    data_a = open_run(run_a)
    data_b = data_a if run_b is None or Path(run_b).resolve() == data_a.path.resolve() else open_run(run_b)
    chosen = chosen_pairs(options)
    if data_b is data_a and not chosen and options.baseline_candidate is None:
        raise ConfigError("comparing within one run needs --pair LEFT=RIGHT (or --baseline-candidate NAME)",
                          field="--pair")
    # A re-grading (one side replays the other's replies) compares gradings: checked pair by pair below.
    regrade = find_regrade(data_a, data_b)
    found = require_comparable(data_a.manifest, data_b.manifest, options.allow_incomparable or bool(regrade))
    measures = _measures(data_a, data_b)
    if not measures:
        raise nothing_shared(data_a.manifest, data_b.manifest)
    primary = check_primary(options.primary, measures)  # before reading a record: a typo costs nothing
    read_rows(data_a, measures)
    if data_b is not data_a:
        read_rows(data_b, measures)
    comparisons = []
    by_thread = _by_thread(data_a, data_b)
    pairs = diff_pairs(data_a, data_b, chosen, options.baseline_candidate)
    regrading = _regrading(found, regrade, pairs, options.allow_incomparable)
    for name_a, name_b in pairs:
        a, b = side(data_a, name_a, "A"), side(data_b, name_b, "B")
        comparisons.append((_comparison(a, b, measures, options.stats, by_thread), a, b))
    for comparison, _, _ in comparisons:  # one family per pair: its verdicts never depend on the other pairs
        family = apply_family(comparison.rows, options.stats.alpha, options.stats.min_effect, primary)
        comparison.holm_family, comparison.holm_tested = family.size, family.tested
    for comparison, _, _ in comparisons:
        _attach_setup(comparison, data_a, data_b, regrade)
    for (comparison, _, _), replies in zip(comparisons, reply_only_changes(comparisons)):
        comparison.reply_changes = replies
        comparison.flips = flips(comparison)
        comparison.headline = headline(comparison)
    per_direction = options.views_per_direction
    cases = case_snapshots(data_a, data_b, {c for comparison, _, _ in comparisons
                                            for c in viewed_cases(comparison, per_direction)})
    groups = case_groups(data_a, data_b, {c for comparison, _, _ in comparisons for c in changed_cases(comparison)})
    for comparison, a, b in comparisons:
        attach_case_views(comparison, a, b, cases, per_direction)
        attach_groups(comparison, groups)
    report = _report(data_a, data_b, found, [c for c, _, _ in comparisons], options, regrading)
    if regrading and regrade is not None:
        _attach_regrade(report, regrade, (data_a, data_b), pairs, measures)
        report.warnings += [w for c, a, b in comparisons if (w := replies_differ(a, b, c.reply_changes, regrade.by))]
    report.warnings += [unshared_warning(c) for c, _, _ in comparisons if c.shares_no_case]
    mismatch = replay_mismatch(data_a.manifest, data_b.manifest)
    if mismatch:
        report.warnings.append(mismatch)
    report.notices += length_notices(data_a, data_b, [(a, b) for _, a, b in comparisons], report.same_run)
    if by_thread:
        report.notices.append(THREAD_UNIT_NOTICE)
    report.notices += _pairing_notes(data_a, data_b, bool(chosen) or options.baseline_candidate is not None)
    report.notices += case_notices(data_a, data_b)
    report.notices += [identical_notice(c.candidate_a) for c, _, _ in comparisons
                       if report.same_run and c.candidate_a == c.candidate_b]
    promote_warnings(report)
    return report


def _attach_regrade(report: DiffReport, regrade: Regrade, runs: tuple[RunData, RunData],
                    pairs: list[tuple[str, str]], measures: list[Measure]) -> None:
    """The re-grading's opening line, with how many of the re-grade's verdicts the response cache answered."""
    criteria = [m.name for m in measures if m.kind == "criterion"]
    report.regrading = cache_counts(regrade, runs[1] if regrade.by == "B" else runs[0], pairs, criteria)
    report.regrade = regrade_text(runs[0].manifest, runs[1].manifest, regrade, report.regrading)


def _regrading(found: list[str], regrade: Regrade | None, pairs: list[tuple[str, str]], allow: bool) -> bool:
    """True when every pair is a re-grading of the other side's candidate (the diff then compares gradings); raises
    :class:`IncomparableRunsError` when the sides were graded differently and some pair is not (without
    ``allow``): its replies differ, so the grading's change would be credited to them."""
    if regrade is None:
        return False
    stray = stray_pairs(pairs, regrade)
    if stray and found and not allow:
        raise IncomparableRunsError("runs are not comparable: " + "; ".join(found) + f" ({stray_text(stray, regrade)}"
                                    "; pass --allow-incomparable to compare anyway, with a warning)")
    return not stray


def identical_notice(candidate: str) -> str:
    """The notice for a candidate compared with itself in one run: nothing can differ."""
    return (f"identical sides: A and B are the same candidate ({candidate}) of the same run, so every difference "
            f"is 0 by construction; the intervals show what this n could detect, not a measured change")


def _pairing_notes(data_a: RunData, data_b: RunData, named: bool) -> list[str]:
    """Without ``--pair`` or ``--baseline-candidate``: the candidates of one run only, which no comparison shows."""
    if named:
        return []
    note = unpaired_notice(data_a.candidates(), data_b.candidates(), data_a.rows, data_b.rows)
    return [note] if note else []


def unshared_warning(comparison: Comparison) -> str:
    """The warning for a pair whose sides share no graded case: its rows are not measured, not unchanged."""
    left_out = comparison.rows[0].left_out
    both = left_out.case_error + left_out.judge_error + left_out.not_applicable  # every shared case, left out
    why = [f"{left_out.unmatched} cases are on one side only"] if left_out.unmatched else []
    why += [f"{left_out.changed} changed between the runs (same id, other content)"] if left_out.changed else []
    why += [f"the {both} cases on both sides have an error or no verdict on one side"] if both else []
    reasons = f" ({'; '.join(why)})" if why else ""
    return (f"{comparison.candidate_a} (A) → {comparison.candidate_b} (B): not measured: the sides share no "
            f"graded case{reasons}, so no row has a difference to test")


def measured_nothing(report: DiffReport) -> bool:
    """True when no compared pair shares a graded case: every row of the diff is unmeasured."""
    return bool(report.comparisons) and all(c.shares_no_case for c in report.comparisons)


def _report(data_a: RunData, data_b: RunData, found: list[str], comparisons: list[Comparison],
            options: DiffOptions, regrading: bool = False) -> DiffReport:
    from harness.calibration.gate import saved_gate_notices

    notices = list(dict.fromkeys([*data_a.manifest.notices, *data_b.manifest.notices,
                                  *saved_gate_notices(data_a.path), *saved_gate_notices(data_b.path)]))
    return DiffReport(harness_version=harness.__version__,
                      created_at=now_iso(),
                      a=_run_info(data_a), b=_run_info(data_b), same_run=data_a is data_b,
                      # A re-grading's differences are what it compares, said in its opening line, not a warning.
                      comparable=regrading or not found, differences=found,
                      warnings=[warning_text(found)] if found and not regrading else [],
                      notices=notices + _coverage_notes(data_a, data_b) + _one_sided_notes(data_a, data_b),
                      one_sided=one_sided_measures(data_a, data_b), confidence=options.stats.confidence,
                      alpha=options.stats.alpha, n_resamples=options.stats.n_resamples, seed=options.stats.seed,
                      min_effect=options.stats.min_effect.as_dict() if options.stats.min_effect else {},
                      primary=list(options.primary or ()), comparisons=comparisons)


def flips(comparison: Comparison) -> Flips:
    """Which way the pair's cases moved: its rows' changes counted per case and measure."""
    changes = [(row, change) for row in comparison.rows for change in row.changes]
    return Flips(worse=sum(c.delta < 0 for _, c in changes), better=sum(c.delta > 0 for _, c in changes),
                 cases_changed=len({c.case_id for _, c in changes}),
                 whole_flips=all(row.scale == "pass_fail" and {c.a, c.b} == {0.0, 1.0} for row, c in changes))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def movement_text(moved: Flips) -> str:
    """``12 pass→fail and 4 fail→pass flips over 5 cases``: which way the cases moved, whatever the verdicts
    (a row can show "no detectable change" while its cases moved one way)."""
    if not moved.cases_changed:
        return "no case changed on any measure"
    cases = _plural(moved.cases_changed, "case", "cases")
    if moved.whole_flips:
        flipped = "flip" if moved.worse + moved.better == 1 else "flips"
        return f"{moved.worse} pass→fail and {moved.better} fail→pass {flipped} over {cases}"
    return f"{moved.worse} worse and {moved.better} better in B over {cases} (counted per case and measure)"


def reply_changes_text(count: int) -> str:
    return f"{_plural(count, 'reply', 'replies')} changed text with no change in any measure"


EXPLORATORY = " (exploratory, p unadjusted)"


def headline(comparison: Comparison) -> str:
    """The pair in one line: the rows with a verdict, then those that looked changed before the Holm
    correction (or how many rows showed no detectable change); which way the cases moved; how many replies
    changed with no change in any measure; which rows had too few cases to show any change, and which were
    not measured. Or that nothing was measured."""
    if comparison.shares_no_case:
        return "not measured: the sides share no graded case"
    rows = comparison.rows
    # Primary rows first; an exploratory row's verdict comes from its unadjusted p and says so.
    ordered = sorted(rows, key=lambda r: r.exploratory)
    parts = [f"{row_label(r)} {r.verdict}{EXPLORATORY if r.exploratory else ''}" for r in ordered
             if r.verdict in ("improved", "regressed")]
    parts += [f"{row_label(r)} {r.verdict_note}{EXPLORATORY if r.exploratory else ''}" for r in ordered
              if r.verdict_note and r.verdict != "not measured" and r.verdict_note != TOO_FEW]
    quiet = sum(r.verdict == "no detectable change" and not r.verdict_note for r in rows)
    if not parts and quiet:
        parts.append("no detectable change on any row" if quiet == len(rows) else
                     f"no detectable change on {quiet} of {len(rows)} rows")
    sections = [", ".join(parts)] if parts else []
    if rows:
        sections.append(movement_text(flips(comparison)))
    if comparison.reply_changes:
        sections.append(reply_changes_text(len(comparison.reply_changes)))
    sections += _named_rows(rows, [r for r in rows if r.verdict_note == TOO_FEW], TOO_FEW)
    sections += _named_rows(rows, [r for r in rows if r.verdict == "not measured"],
                            "not measured (no case graded on both sides)")
    return "; ".join(sections)


def _named_rows(rows: list[DiffRow], named: list[DiffRow], what: str) -> list[str]:
    """``["what on any row"]`` when every row is ``named``, ``["what: a, b (check)"]`` for some, else ``[]``."""
    if not named:
        return []
    return [f"{what} on any row" if len(named) == len(rows) else f"{what}: {', '.join(map(row_label, named))}"]
