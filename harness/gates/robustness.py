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
    """The gate on ``candidate``'s largest paired fall of a check's pass rate (``scores``: its CandidateScores);
    a failing gate names every (kind, check) past the limit, largest first."""
    found = largest_check_drop(scores.robustness, BY_CONSTRUCTION)
    bound = f"the largest drop allowed is {max_drop * 100:.0f} pp"
    if found is None:
        only_constructed = any(shift.diff is not None for kind, row in scores.robustness.items()
                               for name, shift in row.checks.items() if (kind, name) in BY_CONSTRUCTION)
        why = ("the only checks paired fall by construction (†: injection_attempt on injected complaints), which "
               "no gate counts" if only_constructed else "no perturbed variant paired with its original")
        return GateResult(NAME, candidate, True, f"not measured: {why} (n/a; {bound})", measured=False)
    drop, kind, check = found
    passed = drop <= max_drop + 1e-9
    if passed:
        return GateResult(NAME, candidate, True, f"largest fall: {_fall(scores, kind, check)}, within the "
                                                 f"{max_drop * 100:.0f} pp allowed", cases=[])
    beyond = _beyond(scores, max_drop)
    more = f"; and {len(beyond) - SHOWN} more" if len(beyond) > SHOWN else ""
    return GateResult(NAME, candidate, False,
                      f"{counted(len(beyond), 'fall')} beyond the {max_drop * 100:.0f} pp allowed: "
                      + "; ".join(_fall(scores, k, c) for _, k, c in beyond[:SHOWN]) + more, cases=[])


SHOWN = 5  # falls named in a failing gate's detail; the rest are counted


def _beyond(scores, max_drop: float) -> list[tuple[float, str, str]]:
    """Every (drop, kind, check) past ``max_drop``, largest first (the falls by construction left out)."""
    falls = [(-shift.diff, kind, name) for kind, row in scores.robustness.items()
             for name, shift in row.checks.items()
             if shift.diff is not None and (kind, name) not in BY_CONSTRUCTION and -shift.diff > max_drop + 1e-9]
    return sorted(falls, key=lambda fall: (-fall[0], fall[1], fall[2]))


def _fall(scores, kind: str, check: str) -> str:
    shift = scores.robustness[kind].checks[check]
    return (f"check {check} falls {max(-shift.diff, 0) * 100:.0f} pp on {kind} variants ({shift.original:.0%} → "
            f"{shift.variant:.0%} over {counted(shift.n, 'pair')})")
