"""A re-grading: run B replays run A's replies (``replies_from``) and grades them again.

Its replies are A's own, by construction, so a diff of A and B compares two gradings of the same replies:
a changed rubric, judge or check is what is being compared, not a reason to refuse the diff
(:func:`harness.compare.guard.require_comparable`). The diff says so at the top (:func:`regrade_text`),
naming what changed in the grading, criteria and checks added or removed included.

It holds only for the pairs in which B's candidate replays A's candidate of that pair
(:func:`stray_pairs` names the others: a pair of other candidates compares other replies, graded
differently, and is refused as before), and only while the replies are the same:
:func:`replies_differ` names the cases where they are not (A was written again since B replayed it).
Cases on one side only are named by the diff's case notice, as in any diff.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.compare.columns import RunData, Side
from harness.compare.guard import SHOWN_IDS, _criteria, _judge_model, changed_checks
from harness.records.schema import Manifest


def regraded(run_a: RunData, run_b: RunData) -> dict[str, str]:
    """B's candidates that replay a candidate of A: ``{candidate of B: the candidate of A it replays}``.

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


def stray_pairs(pairs: list[tuple[str, str]], regrade: dict[str, str]) -> list[tuple[str, str]]:
    """The pairs (candidate of A, candidate of B) that are not B re-grading that candidate of A."""
    return [(a, b) for a, b in pairs if regrade.get(b) != a]


def stray_text(stray: list[tuple[str, str]], regrade: dict[str, str]) -> str:
    """Why a re-grading's leniency does not cover these pairs, for the refusal's message."""
    named = ", ".join(f"A's {a} with B's {b}" for a, b in stray)
    replays = ", ".join(f"B's {b} replays A's {a}" for b, a in regrade.items())
    return f"B re-grades A's replies ({replays}), but this diff also pairs {named}, whose replies differ"


def grading_changes(a: Manifest, b: Manifest) -> list[str]:
    """What changed in the grading from A to B, as short phrases (empty: graded the same way)."""
    found = _rubric_changes(a, b)
    judge_a, judge_b = _judge_model(a), _judge_model(b)
    if judge_a != judge_b:
        found.append(f"judge {judge_a or 'none'} → {judge_b or 'none'}")
    changed = changed_checks(a.checks, b.checks)
    found += _named("check", changed, "changed")
    found += _named("check", sorted(set(b.checks) - set(a.checks)), "added (no row: graded in B only)")
    return found + _named("check", sorted(set(a.checks) - set(b.checks)), "removed (no row: graded in A only)")


def _rubric_changes(a: Manifest, b: Manifest) -> list[str]:
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
    found += _named("criterion", [n for n in crit_b if n not in crit_a], "added (no row: judged in B only)")
    return found + _named("criterion", [n for n in crit_a if n not in crit_b], "removed (no row: judged in A only)")


def _hash(criteria: dict, name: str) -> object:
    return (criteria.get(name) or {}).get("sha256")


def _named(what: str, names: list[str], how: str) -> list[str]:
    if not names:
        return []
    plural = {"criterion": "criteria", "check": "checks"}[what] if len(names) > 1 else what
    return [f"{plural} {', '.join(names)} {how}"]


def regrade_text(a: Manifest, b: Manifest, regrade: dict[str, str]) -> str:
    """The line a re-grading's diff opens with: what changed in the grading, and that the replies did not."""
    renamed = [f"B's {b_name} replays A's {a_name}" for b_name, a_name in regrade.items() if a_name != b_name]
    who = f"A's replies ({'; '.join(renamed)})" if renamed else "A's replies"
    changes = grading_changes(a, b)
    if not changes:
        return (f"B re-grades {who} with the same rubric, judge and checks: every difference below is the "
                f"grading's own variation (the judge's), not the replies")
    return f"B re-grades {who} with {'; '.join(changes)}: every difference below comes from the grading, not the replies"


def replies_differ(a: Side, b: Side, same_grade: list[str] = ()) -> str | None:
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
    return (f"{b.candidate} (B) re-grades {a.candidate}'s replies (A), but they differ on "
            f"{'case' if len(ids) == 1 else 'cases'} {', '.join(ids[:SHOWN_IDS])}{more}: run A was written "
            f"again since B replayed it, so the rows compare other replies too, not the grading alone")
