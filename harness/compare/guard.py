"""The comparability guard: two sides are compared only when they were graded the same way.

Scores move when the cases, the rubric, the judge or a check change, whatever
the candidates did; a diff across such a change would credit the candidate
with it. :func:`differences` names every such change between two manifests;
:func:`require_comparable` refuses them unless the user allows it.

Two runs of one rubric (same id and version) that judged different criteria of
it (a ``judge.criteria`` selection, or ``--criteria``) have different rubric
content hashes, which cover the selected criteria. They are compared on the
criteria both judged when each of those has the same definition on both sides:
the manifest records each criterion's own hash (``rubric.criteria.<id>.sha256``).
A criterion whose definition changed is a difference. A run made before
criteria had their own hash cannot tell a changed criterion from a subset, so
its rubric content hash is compared whole, as before.

A run without a judge (checks only) against a judged one is compared on the checks both ran
(``differences(..., unjudged_side=True)``, as ``harness diff`` asks): no criterion has a row, so the judge
moves no number shown, and :func:`unjudged_notice` names the criteria one side lacks. Runs sharing no
criterion and no check have nothing to compare: :func:`nothing_shared` refuses them, whatever the flags.

The dataset is compared case by case (:func:`case_changes`), not by its content hash: a case added to
or removed from the dataset, or not selected on one side, is on one side only; a case whose content
changed (same id, another complaint, persona, policy fact, …; the replies a dataset records for
versions are candidate output and do not count) is left out of every row. Both are named in a notice,
and the runs are compared on the cases both hold unchanged. A run without a case snapshot
(``cases.jsonl``) cannot be compared case by case: with another dataset content hash it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ResultsError
from harness.records.schema import Manifest

SHOWN_IDS = 5  # case ids a notice names before "… (N in all)"


class IncomparableRunsError(ResultsError):
    """The sides differ in what graded them; the message names every difference."""


def _short(value: object, limit: int) -> str:
    text = "none" if value is None else str(value)
    return text[:limit] + "…" if len(text) > limit + 4 else text


def _differs(what: str, a: object, b: object, hashed: bool = False) -> list[str]:
    """``what differs (A …, B …)``: a content hash cut to 12 characters, any other value kept whole
    (up to 80): two model names cut short (``openai/gpt-4…``) could read as one model."""
    limit = 12 if hashed else 80
    return [] if a == b else [f"{what} differs (A {_short(a, limit)}, B {_short(b, limit)})"]


def _rubric_field(manifest: Manifest, key: str) -> object:
    return (manifest.rubric or {}).get(key)


def _judge_model(manifest: Manifest) -> object:
    judge = manifest.judge or {}
    # A judge panel is its members (names, models, endpoints) and its aggregate: a change in any is a new judge.
    return judge.get("panel_key") or judge.get("name")


def judged(manifest: Manifest) -> bool:
    """True when the run had a judge (a rubric and a judge model): its criteria are measures a diff can compare."""
    return bool(manifest.rubric) or bool(manifest.judge)


def one_side_judged(a: Manifest, b: Manifest) -> bool:
    """True when exactly one of the runs had a judge: the other was graded by its checks only."""
    return judged(a) != judged(b)


def differences(a: Manifest, b: Manifest, unjudged_side: bool = False) -> list[str]:
    """Every way ``a`` and ``b`` were graded differently, as short phrases; empty when comparable.

    Compared: the rubric's id, version and content hash, the judge model, and
    the version of every check both sides ran (a case's own check aside: :func:`changed_checks`; a case's own
    criterion too: its definition is in the case, whose hash is compared case by case).
    Candidates, limits, run times and
    the cases may differ: the cases are compared one by one (:func:`case_changes`),
    and the runs on those both hold unchanged.

    With ``unjudged_side`` (``harness diff``), a run without a judge against a judged one is no difference:
    no criterion has a row (none was judged on both sides), so the judge cannot move any number the diff
    shows; the checks both ran are compared, and :func:`one_sided_criteria` names the criteria left out.
    A baseline for the gates keeps the strict reading: a gate on a criterion would have nothing to hold to.
    """
    found = []
    if not (unjudged_side and one_side_judged(a, b)):
        found += rubric_differences(a, b)
        found += _differs("judge model", _judge_model(a), _judge_model(b))
    for name in changed_checks(a.checks, b.checks):
        found += _differs(f"check {name} version", a.checks[name], b.checks[name])
    return found


def changed_checks(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """The checks both sides ran whose versions differ. A case's own check (:mod:`harness.datasets.case_checks`)
    is not one: it is part of its cases, so an edited or added one is a changed case (left out of the rows and
    named in a notice), never a reason to refuse; only the python file such checks run is compared."""
    from harness.datasets.case_checks import CASE_VERSION, is_case_version

    def differs(name: str) -> bool:
        then, now = a[name], b[name]
        if is_case_version(then) or is_case_version(now):
            files = [v for v in (then, now) if v.startswith(CASE_VERSION) and v != CASE_VERSION + "spec"]
            return len(files) == 2 and then != now  # both ran python files under this name, and one changed
        return then != now

    return [name for name in sorted(set(a) & set(b)) if differs(name)]


def rubric_differences(a: Manifest, b: Manifest) -> list[str]:
    """How the two rubrics differ: id, version, and content, criterion by criterion when both record it.

    Same id and version with different content hashes: each criterion both judged is compared by its own
    hash (``criterion empathy definition differs (A …, B …)``); criteria judged on one side only are not a
    difference (they have no row: :func:`one_sided_criteria`). A side without per-criterion hashes (an older
    run) has its content hash compared whole.
    """
    found = []
    for key, what in (("id", "rubric id"), ("version", "rubric version")):
        found += _differs(what, _rubric_field(a, key), _rubric_field(b, key))
    whole = _differs("rubric content hash", _rubric_field(a, "sha256"), _rubric_field(b, "sha256"), hashed=True)
    if found or not whole:
        return found + whole
    crit_a, crit_b = _criteria(a, own=False), _criteria(b, own=False)  # a case's own: part of its case
    shared = [name for name in crit_a if name in crit_b]
    hashes_a, hashes_b = ({name: (crit.get(name) or {}).get("sha256") for name in shared} for crit in (crit_a, crit_b))
    if not all(hashes_a.values()) or not all(hashes_b.values()):
        if set(crit_a) == set(crit_b):
            return whole
        older = [label for label, hashes in (("A", hashes_a), ("B", hashes_b)) if not all(hashes.values())]
        which = f"run {older[0]} records no hash" if len(older) == 1 else "neither run records a hash"
        return [whole[0] + f": the runs judged different criteria, and {which} per criterion (made by an older "
                           f"harness), so a criterion changed since cannot be told from a subset"]
    return [f"criterion {name} definition differs (A {_short(hashes_a[name], 12)}, B {_short(hashes_b[name], 12)})"
            for name in shared if hashes_a[name] != hashes_b[name]]


def _criteria(manifest: Manifest, own: bool = True) -> dict:
    """The criteria the run judged; ``own=False``: without the cases' own (:mod:`harness.datasets.case_criteria`)."""
    from harness.datasets.case_criteria import is_case_criterion

    criteria = _rubric_field(manifest, "criteria")
    criteria = criteria if isinstance(criteria, dict) else {}
    return criteria if own else {name: entry for name, entry in criteria.items() if not is_case_criterion(entry)}


def one_sided_criteria(a: Manifest, b: Manifest) -> str | None:
    """The notice naming the criteria judged in one run only (they have no row), or None."""
    if one_side_judged(a, b):
        return unjudged_notice(a, b)
    # A case's own criterion on one side only is a changed case (named in the cases' notice), not a criterion.
    crit_a, crit_b = _criteria(a, own=False), _criteria(b, own=False)
    only_a = [name for name in crit_a if name not in crit_b]
    only_b = [name for name in crit_b if name not in crit_a]
    if not only_a and not only_b:
        return None
    sides = [f"{', '.join(names)} in {label} only" for names, label in ((only_a, "A"), (only_b, "B")) if names]
    shared = sum(name in crit_b for name in crit_a)
    return (f"criteria not compared (judged in one run only, so they have no row): {'; '.join(sides)}; the diff "
            f"compares the {shared} criteri{'on' if shared == 1 else 'a'} both runs judged")


def unjudged_notice(a: Manifest, b: Manifest) -> str:
    """The notice for a run without a judge against a judged one: which side lacks the criteria, and what is
    compared instead (the checks both ran)."""
    label, other, graded = ("A", "B", b) if judged(b) else ("B", "A", a)
    names = list(_criteria(graded))
    shown = ", ".join(names) if names else "none recorded"
    shared = len(set(a.checks) & set(b.checks))
    compared = (f"the diff compares the {shared} check{'' if shared == 1 else 's'} both runs ran" if shared else
                "the runs ran no check in common either: nothing is compared")
    return (f"run {label} had no judge (checks only), so the criteria run {other} judged have no row: {shown}; "
            f"{compared}")


def nothing_shared(a: Manifest, b: Manifest) -> IncomparableRunsError:
    """The refusal for runs that share no criterion and no check: a diff of them would have no row at all,
    which ``--allow-incomparable`` cannot change."""
    def graded(manifest: Manifest) -> str:
        criteria = f"criteria {', '.join(_criteria(manifest)) or 'none'}" if judged(manifest) else "no judge"
        return f"{criteria}, checks {', '.join(sorted(manifest.checks)) or 'none'}"

    return IncomparableRunsError(f"runs are not comparable: they share no criterion or check, so a diff would "
                                 f"have no row (A: {graded(a)}; B: {graded(b)})")


def warning_text(found: list[str]) -> str:
    """The warning every output of an incomparable diff carries."""
    return ("These sides are NOT comparable: " + "; ".join(found) +
            ". Differences below may come from that change, not from the candidates.")


def require_comparable(a: Manifest, b: Manifest, allow: bool) -> list[str]:
    """The differences between ``a`` and ``b``; raises :class:`IncomparableRunsError` on any unless ``allow``."""
    found = differences(a, b, unjudged_side=True)
    if found and not allow:
        raise IncomparableRunsError("runs are not comparable: " + "; ".join(found) +
                                    " (pass --allow-incomparable to compare anyway, with a warning)")
    return found


def dataset_difference(a: Manifest, b: Manifest) -> list[str]:
    """``dataset content hash differs (A …, B …)``, or nothing: ``cases_sha256`` (what the cases ask, without the
    replies recorded for versions, which are candidate output) when both sides have it, else ``sha256``."""
    key = "cases_sha256" if a.dataset.get("cases_sha256") and b.dataset.get("cases_sha256") else "sha256"
    return _differs("dataset content hash", a.dataset.get(key), b.dataset.get(key), hashed=True)


@dataclass(frozen=True)
class CaseChanges:
    """How two runs' cases differ, id by id: ``shared`` ids hold the same content on both sides; the others
    are not compared (``changed``: same id, other content)."""

    shared: list[str] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def excluded(self) -> frozenset[str]:
        """The ids on both sides that must not be paired: their content changed."""
        return frozenset(self.changed)

    def notice(self, a: str = "A", b: str = "B") -> str | None:
        """The notice naming the cases not compared (``a``/``b``: how the sides are called), or None."""
        parts = [f"{_ids(ids)} in {label} only" for ids, label in ((self.only_a, a), (self.only_b, b)) if ids]
        if self.changed:
            parts.append(f"{_ids(self.changed)} changed (same id, other content), left out of every row")
        if not parts:
            return None
        n = len(self.shared)
        compared = (f"compared on the {n} case{'s' if n != 1 else ''} both runs hold unchanged" if n else
                    "the runs hold no case in common unchanged: nothing is compared")
        return f"cases not compared: {'; '.join(parts)}; {compared}"


def _ids(ids: list[str]) -> str:
    more = f", … ({len(ids)} in all)" if len(ids) > SHOWN_IDS else ""
    return f"{'case' if len(ids) == 1 else 'cases'} {', '.join(ids[:SHOWN_IDS])}{more}"


def case_changes(run_a: Path, run_b: Path, a: Manifest, b: Manifest) -> CaseChanges:
    """How the cases of the runs in ``run_a`` and ``run_b`` (manifests ``a`` and ``b``) differ, from their case
    snapshots. Raises :class:`IncomparableRunsError` when a run has no snapshot and the dataset content hashes
    differ: its cases cannot be told apart from changed ones."""
    from harness.datasets.perturb import run_kinds
    from harness.records.store import CASES

    found = dataset_difference(a, b)
    missing = [label for label, path in (("A", run_a), ("B", run_b)) if not (Path(path) / CASES).exists()]
    if missing and found:
        raise IncomparableRunsError(f"runs are not comparable: {found[0]}, and run {missing[0]} has no case snapshot "
                                    f"({CASES}) to compare the cases one by one")
    if missing:
        return CaseChanges()  # the same dataset: a case both ran is the same case
    # With the same dataset content a case both hold is the same case: only the ids need reading.
    return compare_cases(_snapshot(run_a, bool(found), run_kinds(a.dataset)),
                         _snapshot(run_b, bool(found), run_kinds(b.dataset)))


def compare_cases(a: dict[str, str | None], b: dict[str, str | None]) -> CaseChanges:
    """:class:`CaseChanges` of two ``{case id: content hash}`` maps, in their order (None: not hashed)."""
    both = [case_id for case_id in a if case_id in b]
    return CaseChanges(shared=[case_id for case_id in both if a[case_id] == b[case_id]],
                       only_a=[case_id for case_id in a if case_id not in b],
                       only_b=[case_id for case_id in b if case_id not in a],
                       changed=[case_id for case_id in both if a[case_id] != b[case_id]])


def _snapshot(run_dir: Path, hashed: bool, kinds: tuple[str, ...] = ()) -> dict[str, str | None]:
    """The run's cases by id (their content hash if ``hashed``), its perturbed variants left out: a diff compares
    the originals (see :func:`harness.compare.columns.read_rows`)."""
    from harness.datasets.perturb import perturbed_kind
    from harness.records.store import iter_case_rows

    return {row["id"]: case_hash(row) if hashed else None for row in iter_case_rows(run_dir)
            if not (kinds and perturbed_kind(row["id"], kinds))}


# Derived from the turns after a turn case, which its history does not hold: a thread that grew a turn between
# two runs leaves its earlier turn cases as they were (their history, replies and expectations).
_DERIVED_METADATA = ("n_agent_turns",)


def case_hash(row: dict) -> str:
    """One case's content hash, without the replies it records for versions (candidate output), as the
    dataset's ``cases_sha256`` is made, and without metadata derived from later turns of its thread."""
    from harness.datasets.digest import dataset_hashes

    metadata = row.get("metadata")
    if isinstance(metadata, dict) and any(key in metadata for key in _DERIVED_METADATA):
        row = {**row, "metadata": {k: v for k, v in metadata.items() if k not in _DERIVED_METADATA}}
    return dataset_hashes([row])[1]


def replay_mismatch(a: Manifest, b: Manifest) -> str | None:
    """The warning for two runs of which one replays threads turn by turn and the other grades whole threads:
    their case ids (``t001@t2`` against ``t001``) never pair, so nothing is compared; None otherwise."""
    turns = [(m.eval_spec or {}).get("replay") == "turns" for m in (a, b)]
    if turns[0] == turns[1]:
        return None
    by_turn, whole = ("A", "B") if turns[0] else ("B", "A")
    return (f"run {by_turn} replays threads turn by turn (replay: turns: one case per agent turn, ids like "
            f"t001@t2) and run {whole} grades each thread's final reply (ids like t001): their cases do not pair. "
            f"Run both the same way to compare them")
