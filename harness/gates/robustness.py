"""``gates.robustness: {max_drop: 0.10}``: a check's pass rate may not fall by more on perturbed complaints.

Judged on the point estimate of the paired difference (:mod:`harness.scoring.robustness`), under every
kind, for every check; a fall the variant makes by construction (injection_attempt on an injected
complaint) is left out. A candidate without pairs (recorded and replayed candidates answer no variant)
is not measured: it passes, with a warning, as a minimum that applied to no case.
"""

from __future__ import annotations

from harness.gates.outcome import GateResult
from harness.scoring.notices import counted
from harness.scoring.robustness import BY_CONSTRUCTION, largest_check_drop

NAME = "max_drop robustness"


def robustness_gate(candidate: str, scores, max_drop: float) -> GateResult:
    """The gate on ``candidate``'s largest paired fall of a check's pass rate (``scores``: its CandidateScores)."""
    found = largest_check_drop(scores.robustness, BY_CONSTRUCTION)
    bound = f"the largest drop allowed is {max_drop * 100:.0f} pp"
    if found is None:
        return GateResult(NAME, candidate, True, f"not measured: no perturbed variant paired with its original "
                                                 f"(n/a; {bound})", measured=False)
    drop, kind, check = found
    shift = scores.robustness[kind].checks[check]
    passed = drop <= max_drop + 1e-9
    verb = "within" if passed else "beyond"
    return GateResult(NAME, candidate, passed,
                      f"check {check} falls {max(drop, 0) * 100:.0f} pp on {kind} variants ({shift.original:.0%} → "
                      f"{shift.variant:.0%} over {counted(shift.n, 'pair')}), {verb} the {max_drop * 100:.0f} pp allowed",
                      cases=[])
