"""A re-grading: one run replays the other's replies (``replies_from``) and grades them again.

Its replies are the other run's own, by construction, so a diff of the two compares two gradings of the same
replies: a changed rubric, judge or check is what is being compared, not a reason to refuse the diff
(:func:`harness.compare.guard.require_comparable`). The diff says so at the top (:func:`regrade_text`),
naming what changed in the grading, criteria and checks added or removed included. The re-grade is usually B
(``harness diff RUN REGRADE``); given first (``harness diff REGRADE RUN``) it is A, and the line says so
(:func:`find_regrade`).

It holds only for the pairs in which the re-grade's candidate replays the other side's candidate of that pair
(:func:`stray_pairs` names the others: a pair of other candidates compares other replies, graded
differently, and is refused as before), and only while the replies are the same:
:func:`replies_differ` names the cases where they are not (the source was written again since it was
replayed). Cases on one side only are named by the diff's case notice, as in any diff.

A verdict the re-grade read from the response cache repeats an earlier answer to the same prompt: unchanged,
it measures nothing of the judge. The line says how many there were (:func:`cache_counts`), so "no case
changed" is not taken for a stable judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.compare.columns import RunData, Side
from harness.compare.guard import SHOWN_IDS, _criteria, _judge_model, changed_checks
from harness.compare.schema import Regrading
from harness.records.schema import Manifest


@dataclass(frozen=True)
class Regrade:
    """A re-grading between the diff's sides: ``by`` the side that re-grades ("B" replays A's replies; "A" when
    the re-grade is given first), ``replays`` its candidates → the other side's candidate each replays."""

    by: str
    replays: dict[str, str]

    @property
    def of(self) -> str:
        """The side whose replies are re-graded."""
        return "A" if self.by == "B" else "B"

    def covers(self, name_a: str, name_b: str) -> bool:
        """True when the pair (candidate of A, candidate of B) is the re-grade's candidate and the one it replays."""
        mine, theirs = (name_b, name_a) if self.by == "B" else (name_a, name_b)
        return self.replays.get(mine) == theirs


def find_regrade(run_a: RunData, run_b: RunData) -> Regrade | None:
    """B re-grading A's replies, else A re-grading B's (the re-grade given first), else None."""
    found = regraded(run_a, run_b)
    if found:
        return Regrade("B", found)
    found = regraded(run_b, run_a)
    return Regrade("A", found) if found else None


def regraded(run_a: RunData, run_b: RunData) -> dict[str, str]:
    """B's candidates that replay a candidate of A: ``{candidate of B: the candidate of A it replays}``
    (:func:`find_regrade` also asks the other way round).

    B's manifest names the run by its eval and start time (``source_run``: the run, wherever the two were
    copied or moved since) and as its ``replies_from`` resolved it, relative to where B was run: that path is
    looked for from here, then from each folder above B (a run made from a project's root, diffed from there
    or from anywhere else); B's manifests written before ``source_run`` have only the path."""
    if run_a is run_b:
        return {}
    target = _resolved(run_a.path)
    identity = {"eval_name": run_a.manifest.eval_name, "started_at": run_a.manifest.started_at}
    found = {}
    for candidate in run_b.manifest.candidates:
        source = candidate.get("replies_from")
        if candidate.get("kind") != "replayed" or not isinstance(source, str) or not source:
            continue
        if candidate.get("source_run") == identity or target in _places(Path(source), run_b.path):
            found[str(candidate.get("name"))] = str(candidate.get("candidate") or candidate.get("name"))
    return found


def _places(source: Path, run_b: Path) -> set[Path | None]:
    """Where ``source`` (as B's manifest names it) may be: as written, or below a folder above B."""
    if source.is_absolute():
        return {_resolved(source)}
    above = _resolved(run_b)
    return {_resolved(source), *(_resolved(folder / source) for folder in (above.parents if above else ()))}


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve() if path.exists() else None
    except (OSError, ValueError):  # a name the system cannot look up
        return None


def stray_pairs(pairs: list[tuple[str, str]], regrade: Regrade) -> list[tuple[str, str]]:
    """The pairs (candidate of A, candidate of B) that are not the re-grade's candidate with the one it replays."""
    return [(a, b) for a, b in pairs if not regrade.covers(a, b)]


def stray_text(stray: list[tuple[str, str]], regrade: Regrade) -> str:
    """Why a re-grading's leniency does not cover these pairs, for the refusal's message."""
    named = ", ".join(f"A's {a} with B's {b}" for a, b in stray)
    by, of = regrade.by, regrade.of
    replays = ", ".join(f"{by}'s {mine} replays {of}'s {theirs}" for mine, theirs in regrade.replays.items())
    return f"{by} re-grades {of}'s replies ({replays}), but this diff also pairs {named}, whose replies differ"


def grading_changes(a: Manifest, b: Manifest, new: str = "B", old: str = "A") -> list[str]:
    """What changed in the grading from ``a`` (side ``old``'s manifest) to ``b`` (side ``new``'s), as short
    phrases (empty: graded the same way)."""
    found = _rubric_changes(a, b, new, old)
    judge_a, judge_b = _judge_model(a), _judge_model(b)
    if judge_a != judge_b:
        found.append(f"judge {judge_a or 'none'} → {judge_b or 'none'}")
    changed = changed_checks(a.checks, b.checks)
    found += _named("check", changed, "changed")
    found += _named("check", sorted(set(b.checks) - set(a.checks)), f"added (no row: graded in {new} only)")
    return found + _named("check", sorted(set(a.checks) - set(b.checks)), f"removed (no row: graded in {old} only)")


def _rubric_changes(a: Manifest, b: Manifest, new: str, old: str) -> list[str]:
    rubric_a, rubric_b = a.rubric or {}, b.rubric or {}
    found = []
    label_a, label_b = (f"{r.get('id')} v{r.get('version')}" if r else "none" for r in (rubric_a, rubric_b))
    if label_a != label_b:
        same_id = rubric_a and rubric_b and rubric_a.get("id") == rubric_b.get("id")
        found.append(f"rubric {label_a} → v{rubric_b.get('version')}" if same_id else f"rubric {label_a} → {label_b}")
    crit_a, crit_b = _criteria(a, own=False), _criteria(b, own=False)
    shared = [name for name in crit_a if name in crit_b]
    changed = [name for name in shared if _hash(crit_a, name) != _hash(crit_b, name)
               and _hash(crit_a, name) is not None and _hash(crit_b, name) is not None]
    if not changed and rubric_a.get("sha256") != rubric_b.get("sha256") and not all(
            _hash(crit, name) for crit in (crit_a, crit_b) for name in shared):
        found.append("rubric content changed (an older run records no hash per criterion)")
    found += _named("criterion", changed, "changed")
    found += _named("criterion", [n for n in crit_b if n not in crit_a], f"added (no row: judged in {new} only)")
    removed = [n for n in crit_a if n not in crit_b]
    return found + _named("criterion", removed, f"removed (no row: judged in {old} only)")


def _hash(criteria: dict, name: str) -> object:
    return (criteria.get(name) or {}).get("sha256")


def _named(what: str, names: list[str], how: str) -> list[str]:
    if not names:
        return []
    plural = {"criterion": "criteria", "check": "checks"}[what] if len(names) > 1 else what
    return [f"{plural} {', '.join(names)} {how}"]


def regrade_text(a: Manifest, b: Manifest, regrade: Regrade, cache: Regrading | None = None) -> str:
    """The line a re-grading's diff opens with: what changed in the grading (from the re-graded side's to the
    re-grade's), that the replies did not, and how many of the re-grade's verdicts the cache answered."""
    by, of = regrade.by, regrade.of
    new, old = (b, a) if by == "B" else (a, b)
    renamed = [f"{by}'s {mine} replays {of}'s {theirs}" for mine, theirs in regrade.replays.items() if mine != theirs]
    who = f"{of}'s replies ({'; '.join(renamed)})" if renamed else f"{of}'s replies"
    if by == "A":  # given first: the rows still read B − A, the original grading minus the re-grade
        who += " (the re-grade given first: what changed reads from B's grading to A's; the rows read B − A)"
    changes = grading_changes(old, new, by, of)
    every = cache is not None and cache.verdicts > 0 and cache.cached == cache.verdicts
    if not changes and every:  # the judge was never asked: the rows repeat earlier answers
        return (f"{by} re-grades {who} with the same rubric, judge and checks, and the judge was not asked again: "
                f"{_cached_share(cache)} came from the response cache, {_CACHED}")
    if not changes:
        text = (f"{by} re-grades {who} with the same rubric, judge and checks: every difference below is the "
                f"grading's own variation (the judge's), not the replies")
    else:
        text = (f"{by} re-grades {who} with {'; '.join(changes)}: every difference below comes from the grading, "
                f"not the replies")
    if cache is None or not cache.cached:
        return text
    return f"{text}; but {_cached_share(cache)} came from the response cache, {_CACHED}"


# Why a cached verdict is no measurement, and how to get one (harness run's flag).
_CACHED = ("each repeating an earlier answer to the same prompt: a verdict unchanged because it was cached measures "
           "nothing, the judge's variation included (run the re-grade again with harness run --no-cache to measure it)")


def _cached_share(cache: Regrading) -> str:
    """``all 45 of B's judge verdicts`` / ``30 of B's 45 judge verdicts (every one on tone)``."""
    share = f"all {cache.verdicts}" if cache.cached == cache.verdicts else f"{cache.cached} of the {cache.verdicts}"
    every = ""
    if cache.all_cached and cache.cached < cache.verdicts:
        every = f" (every one on {', '.join(cache.all_cached)})"
    return f"{share} of {cache.by}'s judge verdicts on the compared criteria{every}"


def cache_counts(regrade: Regrade, run: RunData, pairs: list[tuple[str, str]], criteria: list[str]) -> Regrading:
    """How many of the re-grade's verdicts on ``criteria`` (``run``, its candidates in ``pairs``) the response
    cache answered, and the criteria every verdict of which it answered."""
    names = {b if regrade.by == "B" else a for a, b in pairs}
    verdicts, cached = [0] * len(criteria), [0] * len(criteria)
    for columns in (run.rows[name] for name in names if name in run.rows):
        verdicts = [n + m for n, m in zip(verdicts, columns.verdicts)]
        cached = [n + m for n, m in zip(cached, columns.cached)]
    every = [name for name, n, hit in zip(criteria, verdicts, cached) if n and hit == n]
    return Regrading(by=regrade.by, verdicts=sum(verdicts), cached=sum(cached), all_cached=every)


def replies_differ(a: Side, b: Side, same_grade: list[str] = (), by: str = "B") -> str | None:
    """The warning for a re-graded pair whose replies are not the same on every case both sides answered:
    ``same_grade``, the cases whose reply text changed with no change in any measure (the diff found them), and
    those whose replies' lengths differ (the record pass keeps each reply's length, not its text). B then
    replayed another state of A's directory (A was run again since), so the pairing is wrong. None when they
    agree."""
    differ = set(same_grade)
    for case_id in a.case_ids:
        j = b.position.get(case_id)
        if j is None:
            continue
        i = a.position[case_id]
        n = min(int(a.sizes[i]), int(b.sizes[j]))
        lens_a = a.reply_lens[a.starts[i]:a.starts[i] + n]
        lens_b = b.reply_lens[b.starts[j]:b.starts[j] + n]
        answered = (lens_a >= 0) & (lens_b >= 0)
        if np.any(lens_a[answered] != lens_b[answered]):
            differ.add(case_id)
    if not differ:
        return None
    ids = sorted(differ)
    more = f", … ({len(ids)} in all)" if len(ids) > SHOWN_IDS else ""
    (mine, by_side), (theirs, of) = ((b, "B"), (a, "A")) if by == "B" else ((a, "A"), (b, "B"))
    return (f"{mine.candidate} ({by_side}) re-grades {theirs.candidate}'s replies ({of}), but they differ on "
            f"{'case' if len(ids) == 1 else 'cases'} {', '.join(ids[:SHOWN_IDS])}{more}: run {of} was written "
            f"again since {by_side} replayed it, so the rows compare other replies too, not the grading alone")
