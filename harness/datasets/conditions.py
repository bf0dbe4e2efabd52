"""When a rubric criterion or an eval-file check applies to a case.

A criterion (``applies_when`` in a rubric) or a custom check (``applies_when`` in
an eval file) that does not apply to a case is recorded as not applicable, never
as a pass or a fail. The conditions read the case's ``expectations`` and, where
an expectation is not given, its persona. ``final_turn`` reads where a turn case stands in its thread: a
criterion about the conversation as a whole (did it end resolved, did the agent de-escalate) is asked once per
thread, at its last agent turn, where the judge sees the whole conversation.
"""

from __future__ import annotations

from typing import Literal

from harness.datasets.personas import normalize_persona
from harness.datasets.schema import Case

AppliesWhen = Literal["always", "question_expected", "boundary_required", "escalation_expected", "final_turn"]


def applies(condition: AppliesWhen, case: Case) -> bool:
    """Whether ``condition`` holds for ``case``.

    ``question_expected``: the expectation says so, or (not given) the persona is indecisive.
    ``boundary_required``: the expectation says so, or (not given) the persona is abusive or
    an unreasonable demand. ``escalation_expected``: the expectation says so.
    """
    if condition == "always":
        return True
    if condition == "final_turn":  # a case that is no turn case is a thread graded at its final reply
        turn, total = case.metadata.get("turn_index"), case.metadata.get("n_agent_turns")
        return turn is None or total is None or turn == total
    exp = case.expectations
    if condition == "question_expected":
        return bool(exp.question_expected) or (
            exp.question_expected is None and normalize_persona(case.persona) == "indecisive")
    if condition == "boundary_required":
        return bool(exp.boundary_required) or (
            exp.boundary_required is None and normalize_persona(case.persona) in {"abusive", "unreasonable_demand"})
    return bool(exp.escalation_expected)
