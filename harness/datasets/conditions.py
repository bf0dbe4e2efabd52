"""When a rubric criterion or an eval-file check applies to a case.

A criterion (``applies_when`` in a rubric) or a custom check (``applies_when`` in
an eval file) that does not apply to a case is recorded as not applicable, never
as a pass or a fail. The conditions read the case's ``expectations`` and, where
an expectation is not given, its persona.
"""

from __future__ import annotations

from typing import Literal

from harness.datasets.personas import normalize_persona
from harness.datasets.schema import Case

AppliesWhen = Literal["always", "question_expected", "boundary_required", "escalation_expected"]


def applies(condition: AppliesWhen, case: Case) -> bool:
    """Whether ``condition`` holds for ``case``.

    ``question_expected``: the expectation says so, or (not given) the persona is indecisive.
    ``boundary_required``: the expectation says so, or (not given) the persona is abusive or
    an unreasonable demand. ``escalation_expected``: the expectation says so.
    """
    if condition == "always":
        return True
    exp = case.expectations
    if condition == "question_expected":
        return bool(exp.question_expected) or (
            exp.question_expected is None and normalize_persona(case.persona) == "indecisive")
    if condition == "boundary_required":
        return bool(exp.boundary_required) or (
            exp.boundary_required is None and normalize_persona(case.persona) in {"abusive", "unreasonable_demand"})
    return bool(exp.escalation_expected)
