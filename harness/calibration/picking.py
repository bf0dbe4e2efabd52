"""Which of a run's replies ``harness label`` asks about: the doubtful ones first, shared among reviewers.

A person's time is best spent where the run's own verdict is most likely wrong, as a
LangSmith user fills an annotation queue from a filter on a feedback key. The *doubt*
options look at the run's verdict on what is being labelled (each criterion or check
asked about a reply, so ``--criteria acknowledgement --failing`` asks about the replies
the judge failed on acknowledgement), and keep a question when any one of them holds
(``--failing --borderline`` asks both kinds):

* ``failing``: the check fails, or the criterion is below its pass threshold;
* ``borderline``: the criterion is scored at its scale's middle (2.5-3.5 on 1-5, which
  also catches a 3.5 averaged over epochs or a panel), or its judge was unsure: a
  probability-weighted score in that band on 1-5, or a chance of pass between 25% and
  75% on pass/fail (``weighted_score``, when the judge model reported probabilities),
  or a pass/fail score split over epochs. A check is never borderline: it is
  deterministic;
* ``disagree``: the criterion and the check of the same name give opposite verdicts
  (the shipped rubric names ``acknowledgement`` and ``no_contradiction`` like the checks
  that test the same behaviour, so the run itself pairs them; either one labelled), or
  a judge panel's panellists split on the criterion's pass/fail.

``--from-diff`` keeps the cases a ``harness diff`` listed as changed and orders each question
by how *its own* verdict changed (the criterion or check being labelled, not the case's
others): pass→fail flips, then fail→pass flips, then other moves of its score; then the
questions whose verdict did not change on a changed case (its reply changed, so the verdict
that stayed may be the one that is wrong), the cases with a flip of some other verdict first
and the replies whose text alone changed last. ``--share K/N`` keeps a reviewer's share:
a reply's share is a hash of its case id and candidate, so two reviewers never get the
same reply whatever else each of them selects.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ConfigError
from harness.records.schema import CriterionResult, Manifest, Record

UNSURE = (0.25, 0.75)  # a pass/fail judge's chance of pass in this band: it was not sure
MIDDLE = (2.5, 3.5)  # the middle of a 1-5 scale (3, or an average that rounds to it)


UNCHANGED = 3  # the tier of a question whose own verdict did not change, on a case that changed


@dataclass(frozen=True)
class CaseChange:
    """How a diff says one case (of one candidate) changed: its strongest change and how many verdicts
    moved (``key``: :func:`_case_keys`), and each moved verdict's tier by (kind, name) (:func:`_tier`)."""

    key: tuple
    targets: dict[tuple[str, str], int] = field(default_factory=dict)

    def merged(self, other: CaseChange) -> CaseChange:
        """Both comparisons' changes of the case (a candidate on both sides of several): the stronger of each."""
        targets = dict(self.targets)
        for target, tier in other.targets.items():
            targets[target] = min(tier, targets.get(target, tier))
        return CaseChange(min(self.key, other.key), targets)


@dataclass(frozen=True)
class Picks:
    """What ``harness label`` keeps of a run's records, and in which order."""

    failing: bool = False
    borderline: bool = False
    disagree: bool = False
    share: tuple[int, int] | None = None  # (K, N): reviewer K of N
    diff_ranks: dict[tuple[str, str], CaseChange] | None = None  # (case_id, candidate) -> its change, from a diff
    scales: dict[str, str] = field(default_factory=dict)  # criterion -> "1-5" / "pass_fail"
    same_named: frozenset[str] = frozenset()  # criteria that have a check of the same name

    @property
    def doubt(self) -> bool:
        return self.failing or self.borderline or self.disagree

    def keeps(self, record: Record) -> bool:
        """``--from-diff`` and ``--share``: whether the record's reply is in this reviewer's queue at all."""
        if self.diff_ranks is not None and (record.case_id, record.candidate) not in self.diff_ranks:
            return False
        return self.share is None or in_share(record, *self.share)

    def doubtful(self, item) -> bool:
        """The doubt options: whether the run's verdict on the item's target is doubtful (any option given)."""
        if not self.doubt:
            return True
        record, kind, name = item.record, item.target.kind, item.target.name
        return bool(self.failing and is_failing(record, kind, name)
                    or self.borderline and kind == "criterion" and is_borderline(record, name, self.scales)
                    or self.disagree and is_disagreeing(record, name, self.same_named))

    def rank(self, item) -> tuple:
        """``--from-diff``'s sort key of a question: its own verdict's change first, then its case's."""
        change = (self.diff_ranks or {}).get((item.record.case_id, item.record.candidate))
        if change is None:
            return (UNCHANGED + 1,)
        return (change.targets.get((item.target.kind, item.target.name), UNCHANGED), *change.key)

    def order(self, items: list) -> list:
        """``items`` (in run order) by :meth:`rank` with ``--from-diff`` (a stable sort); as given otherwise."""
        return items if self.diff_ranks is None else sorted(items, key=self.rank)

    def changed(self, items: list) -> int:
        """How many of ``items`` ask about a verdict the diff saw change (the rest are asked after them)."""
        return sum(self.rank(item)[0] < UNCHANGED for item in items)


def picks_for(manifest: Manifest, run_dir: Path, targets: list, *, failing: bool, borderline: bool,
              disagree: bool, share: str | None, from_diff: Path | None) -> Picks:
    """The :class:`Picks` the options ask for, checked against the run (one-line errors naming the option)."""
    criteria = (manifest.rubric or {}).get("criteria") or {}
    scales = {name: str(entry.get("scale", "1-5")) for name, entry in criteria.items() if isinstance(entry, dict)}
    thresholds = {name: float(entry.get("pass_threshold") or 4) for name, entry in criteria.items()
                  if isinstance(entry, dict)}
    same_named = frozenset(set(criteria) & set(manifest.checks))
    panel = bool((manifest.judge or {}).get("panel"))
    if disagree and not any(t.name in same_named or panel and t.kind == "criterion" for t in targets):
        raise ConfigError(f"nothing labelled can disagree: run {run_dir} has no judge panel, and no criterion "
                          f"labelled has a check of the same name (criteria and checks that can: "
                          f"{', '.join(sorted(same_named)) or 'none'})", field="--disagree")
    ranks = None if from_diff is None else diff_ranks(from_diff, manifest, run_dir, thresholds)
    return Picks(failing, borderline, disagree, None if share is None else parse_share(share), ranks,
                 scales, same_named)


def words(args) -> str:
    """The pick options given, as typed: ``--failing --share 1/2``."""
    given = [name for name, on in (("--failing", args.failing), ("--borderline", args.borderline),
                                   ("--disagree", args.disagree)) if on]
    given += [f"--from-diff {args.from_diff}"] if args.from_diff is not None else []
    return " ".join(given + ([f"--share {args.share}"] if args.share is not None else []))


def _settled(verdict: CriterionResult) -> bool:
    return verdict.error is None and verdict.applicable and verdict.score is not None


def is_failing(record: Record, kind: str, name: str) -> bool:
    """The check fails, or the judge scored the criterion below its pass threshold."""
    if kind == "check":
        return name in record.checks and record.checks[name].passed is False
    verdict = record.judge.get(name)
    return verdict is not None and _settled(verdict) and verdict.passed is False


def is_borderline(record: Record, name: str, scales: dict[str, str]) -> bool:
    """The criterion is scored at its scale's middle, or its judge was unsure (see the module's words)."""
    verdict = record.judge.get(name)
    if verdict is None or not _settled(verdict):
        return False
    score, weighted = verdict.score or 0.0, verdict.weighted_score
    if scales.get(name, "1-5") == "pass_fail":  # a split over epochs, or a judge between pass and fail
        return 0.0 < score < 1.0 or weighted is not None and UNSURE[0] <= weighted <= UNSURE[1]
    return MIDDLE[0] <= score <= MIDDLE[1] or weighted is not None and MIDDLE[0] <= weighted <= MIDDLE[1]


def is_disagreeing(record: Record, name: str, same_named: frozenset[str]) -> bool:
    """The criterion and its same-named check give opposite verdicts, or the panel split on pass/fail."""
    verdict = record.judge.get(name)
    if verdict is None or not _settled(verdict):
        return False
    check = record.checks.get(name) if name in same_named else None
    if check is not None and check.passed is not None and verdict.passed is not None \
            and verdict.passed != check.passed:
        return True
    votes = {mine.passed for mine in (verdict.panel or {}).values() if _settled(mine) and mine.passed is not None}
    return len(votes) > 1


def parse_share(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ConfigError(f"give K/N, your share K of N reviewers, with 1 <= K <= N (e.g. 1/2); got {text!r}",
                          field="--share")
    return int(match.group(1)), int(match.group(2))


def share_key(case_id: str, candidate: str) -> int:
    """The number whose remainder by N names a reply's reviewer (report.html's queue reads it too)."""
    digest = hashlib.sha256(f"{case_id}\x1f{candidate}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def in_share(record: Record, k: int, n: int) -> bool:
    """Whether reviewer ``k`` of ``n`` labels ``record``: fixed by the case id and candidate alone."""
    return share_key(record.case_id, record.candidate) % n == k - 1


def diff_ranks(path: Path, manifest: Manifest, run_dir: Path, thresholds: dict[str, float]) -> dict:
    """(case_id, candidate) -> :class:`CaseChange` for every case the diff at ``path`` lists as changed, on this
    run's side."""
    file = path / "diff.json" if path.is_dir() else path
    report = _read_diff(file)
    sides = [side for side in ("a", "b") if _is_side(report.get(side), manifest, run_dir)]
    if not sides:
        names = " and ".join(str((report.get(s) or {}).get("run_dir")) for s in ("a", "b"))
        raise ConfigError(f"{file} compares {names}, not run {run_dir}: label one of its two runs",
                          field="--from-diff")
    ranks: dict[tuple[str, str], CaseChange] = {}
    for comparison in report.get("comparisons") or []:
        for side in sides:
            candidate = str(comparison.get(f"candidate_{side}"))
            for case_id, change in _case_changes(comparison, thresholds).items():
                known = ranks.get((case_id, candidate))
                ranks[(case_id, candidate)] = change if known is None else known.merged(change)
    return ranks


def _read_diff(file: Path) -> dict:
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no {file} (give the directory `harness diff A B --out DIR` wrote)",
                          field="--from-diff") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {file} as a diff ({exc})", field="--from-diff") from None
    if not isinstance(report, dict) or not isinstance(report.get("comparisons"), list):
        raise ConfigError(f"{file} is not a diff.json written by `harness diff` (no comparisons)",
                          field="--from-diff")
    return report


def _is_side(side: object, manifest: Manifest, run_dir: Path) -> bool:
    """The side is this run: the same eval and start time (the diff's run_dir is relative to where it ran)."""
    if not isinstance(side, dict):
        return False
    if side.get("started_at") and side.get("eval_name"):
        return side["started_at"] == manifest.started_at and side["eval_name"] == manifest.eval_name
    return Path(str(side.get("run_dir"))).resolve() == run_dir.resolve()


def _case_changes(comparison: dict, thresholds: dict[str, float]) -> dict[str, CaseChange]:
    """Per changed case: each moved verdict's tier, and the case's key: (0 worse flip, 1 better flip, 2 other
    change, 3 reply text only; fewest moved verdicts last)."""
    targets: dict[str, dict[tuple[str, str], int]] = {}
    for row in comparison.get("rows") or []:
        for change in row.get("changes") or []:
            moved = targets.setdefault(str(change.get("case_id")), {})
            target, tier = (str(row.get("kind")), str(row.get("name"))), _tier(row, change, thresholds)
            moved[target] = min(tier, moved.get(target, tier))
    for case_id in comparison.get("reply_changes") or []:
        targets.setdefault(str(case_id), {})
    return {case_id: CaseChange((min(moved.values(), default=UNCHANGED), -len(moved)), moved)
            for case_id, moved in targets.items()}


def _tier(row: dict, change: dict, thresholds: dict[str, float]) -> int:
    """A pass→fail flip (from A to B, whichever side is labelled) is 0, fail→pass 1, any other move 2; a 1-5
    criterion flips when it crosses its pass threshold."""
    a, b = change.get("a"), change.get("b")
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return 2
    if row.get("scale") == "pass_fail":
        if {a, b} - {0.0, 1.0}:
            return 2  # averaged over samples: a move, not a whole flip
        cut = 1.0
    elif row.get("kind") == "criterion":
        cut = thresholds.get(str(row.get("name")), 4.0)
    else:
        return 2
    if (a >= cut) != (b >= cut):
        return 0 if a >= cut else 1
    return 2
