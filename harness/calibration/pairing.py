"""Pairing human labels with a run's verdicts: one :class:`Paired` set per criterion or check.

A labelled reply is found by ``(case_id, candidate)`` or by ``(case_id, reply text)``
among the run's first samples. The humans' verdict on a reply is the lower median
of its labels (so a 1-1 split on pass/fail counts as fail: calibration should not
flatter the judge). Verdicts the run does not have (an error, a criterion that did
not apply, a check that returned n/a) leave the label unmatched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from harness.calibration.labels import HumanLabel
from harness.records.schema import Record

ItemKey = tuple[str, str]  # (case_id, candidate)


@dataclass
class Paired:
    """Judge (or check) verdicts and the humans' verdicts on the same replies, in the same order."""

    kind: str
    name: str
    judge: list[float] = field(default_factory=list)
    human: list[float] = field(default_factory=list)
    by_labeller: dict[str, dict[ItemKey, float]] = field(default_factory=dict)
    n_labels: int = 0
    unmatched: int = 0


class RecordIndex:
    """The run's first-sample records, looked up by candidate or by reply text."""

    def __init__(self, records: list[Record]) -> None:
        self.by_candidate: dict[ItemKey, Record] = {}
        self.by_reply: dict[tuple[str, str], Record] = {}
        for record in records:
            if record.sample == 0:
                self.by_candidate[(record.case_id, record.candidate)] = record
                if record.reply is not None:
                    self.by_reply.setdefault((record.case_id, record.reply.strip()), record)

    def find(self, label: HumanLabel) -> Record | None:
        if label.candidate is not None:
            return self.by_candidate.get((label.case_id, label.candidate))
        return self.by_reply.get((label.case_id, (label.reply or "").strip()))


def unfound_notices(labels: list[HumanLabel], index: RecordIndex) -> list[str]:
    """Why labels found no reply in the run, one notice per reason: candidates the run does not have,
    cases it did not run, reply texts none of its replies has ([] when every label found its reply)."""
    candidates = {candidate for _, candidate in index.by_candidate}
    cases = {case_id for case_id, _ in index.by_candidate}
    other_candidates: dict[str, int] = defaultdict(int)
    other_cases: dict[str, int] = defaultdict(int)
    other_replies = 0
    for label in labels:
        if index.find(label) is not None:
            continue
        if label.candidate is not None and label.candidate not in candidates:
            other_candidates[label.candidate] += 1
        elif label.case_id not in cases:
            other_cases[label.case_id] += 1
        else:
            other_replies += 1
    notices = []
    if other_candidates:
        named = ", ".join(sorted(other_candidates))
        notices.append(f"{sum(other_candidates.values())} labels name candidates the run does not have ({named}; "
                       f"the run has {', '.join(sorted(candidates)) or 'none'}): they are unmatched. Label by "
                       "`reply` text instead of `candidate` to match the same replies under another name")
    if other_cases:
        shown = sorted(other_cases)
        more = f", ... and {len(shown) - 5} more" if len(shown) > 5 else ""
        notices.append(f"{sum(other_cases.values())} labels name cases the run did not run "
                       f"({', '.join(shown[:5])}{more}): they are unmatched")
    if other_replies:
        notices.append(f"{other_replies} labels give a reply text (or a case and candidate) none of the run's "
                       "replies has: they are unmatched")
    return notices


def verdict(record: Record, kind: str, name: str) -> float | None:
    """The run's verdict on ``record`` for a criterion (its score) or a check (1/0); None if it has none."""
    if kind == "check":
        result = record.checks.get(name)
        return None if result is None or result.passed is None else float(result.passed)
    result = record.judge.get(name)
    if result is None or not result.applicable or result.score is None:
        return None
    return float(result.score)


def pair_labels(labels: list[HumanLabel], index: RecordIndex) -> list[Paired]:
    """One :class:`Paired` per labelled target, criteria first, each in first-seen order."""
    groups: dict[tuple[str, str], dict[ItemKey, list[HumanLabel]]] = defaultdict(lambda: defaultdict(list))
    unmatched: dict[tuple[str, str], int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    judged: dict[tuple[tuple[str, str], ItemKey], float] = {}
    for label in labels:
        target = label.target
        counts[target] += 1
        record = index.find(label)
        found = None if record is None else verdict(record, *target)
        if found is None:
            unmatched[target] += 1
            continue
        item = (record.case_id, record.candidate)
        groups[target][item].append(label)
        judged[(target, item)] = found
    return [_paired(target, groups.get(target, {}), judged, counts[target], unmatched[target])
            for target in sorted(counts, key=lambda t: t[0] != "criterion")]


def _paired(target, items, judged, n_labels: int, unmatched: int) -> Paired:
    paired = Paired(kind=target[0], name=target[1], n_labels=n_labels, unmatched=unmatched)
    for item, item_labels in items.items():
        paired.judge.append(judged[(target, item)])
        paired.human.append(lower_median([label.label for label in item_labels]))
        for label in item_labels:
            paired.by_labeller.setdefault(label.labeller, {})[item] = label.label
    return paired


def lower_median(values: list[float]) -> float:
    """The lower of the two middle values (the middle one for an odd count)."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
