"""``gates.robustness: {max_drop: 0.10}``: no check or judge criterion may fall by more on perturbed complaints.

Judged on the point estimate of the paired difference (:mod:`harness.scoring.robustness`), under every
kind, for every check and criterion; a fall the variant makes by construction (injection_attempt on an
injected complaint) is left out. A check's and a pass/fail criterion's fall is in its pass rate (0.10: ten
points); a criterion on a scale falls as a share of its scale (its points over the scale's span, 4 on a 1-5
one: 0.10 is 0.4 points), so one number reads the same on every measure, as promptfoo's 0-1 assertion
scores do. ``max_drop_criteria`` sets the criteria's own limit (a judge's verdict is noisier than a
deterministic check's: a looser one is common; 1 leaves them ungated). A criterion whose scale the
scorecard does not know is left out. A candidate without pairs (recorded and replayed candidates answer
no variant) is not measured: it passes, with a warning, as a minimum that applied to no case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from harness.gates.outcome import GateResult
from harness.gates.spec import SCALES
from harness.scoring.notices import counted
from harness.scoring.robustness import BY_CONSTRUCTION

NAME = "max_drop robustness"
SHOWN = 5  # falls named in a failing gate's detail; the rest are counted
# Falls over fewer pairs than this (a single case's own criterion: 1 pair) are named after the others: a 100 pp
# fall over one pair is one verdict, and must not hide a 75 pp fall over forty.
FEW_PAIRS = 5


@dataclass(frozen=True)
class _Fall:
    """One measure's paired fall under one kind: ``drop`` as a share of its scale (a pass rate's: of 100 points)."""

    drop: float
    kind: str
    measure: str  # "check" or "criterion"
    name: str
    limit: float
    scale: str  # "pass_fail" for a check's and a pass/fail criterion's pass rate, else the criterion's ("1-5")
    shift: Any  # the scorecard's PairedShift

    @property
    def span(self) -> float:
        """The scale's highest less its lowest: 1 for a pass rate, 4 for a 1-5 criterion's mean."""
        lowest, highest = SCALES[self.scale]
        return highest - lowest

    def said(self) -> str:
        shift, pairs = self.shift, counted(self.shift.n, "pair")
        if self.scale == "pass_fail":
            return (f"{self.measure} {self.name} falls {max(self.drop, 0) * 100:.0f} pp on {self.kind} variants "
                    f"({shift.original:.0%} → {shift.variant:.0%} over {pairs})")
        return (f"{self.measure} {self.name} falls {max(self.drop, 0) * self.span:.2f} points ({max(self.drop, 0):.0%} "
                f"of its scale) on {self.kind} variants ({shift.original:.2f} → {shift.variant:.2f} over {pairs})")


def robustness_gate(candidate: str, scores, max_drop: float, scales: dict[str, str | None] | None = None,
                    max_drop_criteria: float | None = None) -> GateResult:
    """The gate on ``candidate``'s paired falls (``scores``: its CandidateScores; ``scales``: criterion -> scale,
    the scorecard's; ``max_drop_criteria`` None: ``max_drop``); a failing gate names every (kind, check or
    criterion) past its limit, largest first (those over fewer than :data:`FEW_PAIRS` pairs last); a criteria
    limit of 1 (``max_drop_criteria: 1``) leaves the criteria ungated."""
    criteria_limit = max_drop if max_drop_criteria is None else max_drop_criteria
    falls = list(_falls(scores.robustness, scales or {}, max_drop, criteria_limit))
    allowed = _allowed(falls, max_drop, criteria_limit)
    if not falls:
        only_constructed = any(shift.diff is not None for kind, row in scores.robustness.items()
                               for name, shift in row.checks.items() if (kind, name) in BY_CONSTRUCTION)
        why = ("the only checks paired fall by construction (†: injection_attempt on injected complaints), which "
               "no gate counts" if only_constructed else "no perturbed variant paired with its original")
        return GateResult(NAME, candidate, True, f"not measured: {why} (n/a; the largest drop allowed is "
                                                 f"{allowed.removesuffix(' allowed')})", measured=False)
    beyond = sorted((f for f in falls if f.drop > f.limit + 1e-9),
                    key=lambda f: (f.shift.n < FEW_PAIRS, -f.drop, f.kind, f.measure, f.name))
    if not beyond:
        largest = max(falls, key=lambda f: (f.drop - f.limit, f.drop))  # the nearest its limit
        return GateResult(NAME, candidate, True, f"largest fall: {largest.said()}, within the {allowed}", cases=[])
    more = f"; and {len(beyond) - SHOWN} more" if len(beyond) > SHOWN else ""
    return GateResult(NAME, candidate, False, f"{counted(len(beyond), 'fall')} beyond the {allowed}: "
                                              + "; ".join(f.said() for f in beyond[:SHOWN]) + more, cases=[])


def _falls(robustness: dict, scales: dict[str, str | None], max_drop: float, criteria_limit: float) -> Iterator[_Fall]:
    for kind, row in robustness.items():
        for name, shift in row.checks.items():
            if shift.diff is not None and (kind, name) not in BY_CONSTRUCTION:
                yield _Fall(-shift.diff, kind, "check", name, max_drop, "pass_fail", shift)
        for name, shift in row.criteria.items():
            scale = scales.get(name)
            if criteria_limit >= 1:  # max_drop_criteria: 1, the criteria not gated (a fall cannot pass 100%)
                break
            if shift.diff is not None and scale in SCALES:
                lowest, highest = SCALES[scale]
                yield _Fall(-shift.diff / (highest - lowest), kind, "criterion", name, criteria_limit, scale, shift)


def _allowed(falls: list[_Fall], max_drop: float, criteria_limit: float) -> str:
    """``10 pp allowed``, with the criteria's own limit when it differs and what it is on a scale's points."""
    criteria = [f for f in falls if f.measure == "criterion"]
    text = f"{max_drop * 100:.0f} pp allowed"
    if criteria_limit >= 1:
        return text + " a check; judge criteria not gated (their limit is 100%)"
    if criteria and criteria_limit != max_drop:
        text = f"{max_drop * 100:.0f} pp allowed a check, {criteria_limit * 100:.0f} pp a criterion"
    scaled = sorted({f.scale: f.span for f in criteria if f.scale != "pass_fail"}.items())
    if scaled:
        text += " (" + ", ".join(f"{criteria_limit * span:.2f} points on a {scale} criterion"
                                 for scale, span in scaled) + ")"
    return text
