"""The persisted shape of ``gates.json``: what a run was held to, as the command that ran it decided.

:func:`harness.gates.outcome.write_outcome` writes it and ``read_outcome``
reads it through :class:`GatesFile`; the JSON Schema ships as
``harness/schemas/gates.schema.json``. Readers refuse a ``schema_version``
newer than :data:`GATES_SCHEMA_VERSION`; a file written before the field
existed is version 1. Version 2 added ``crashed_checks`` and ``partial_baseline``
(version 1 told them only in ``notes``' words, which :func:`read_outcome` still reads).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

GATES_SCHEMA_VERSION = 2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GateEntry(_Model):
    """One gate on one candidate (``candidate`` None: the run's own, e.g. its completion)."""

    name: str = Field(description="e.g. 'min check no_contradiction', 'max regression criterion empathy', "
                                  "'run completed within max_error_rate', 'baseline usable'")
    candidate: str | None = None
    passed: bool = Field(description="false only for a failed gate (a gate not measured passes)")
    detail: str = Field(description="the figures behind the verdict, or why nothing was measured")
    cases: list[str] = Field(default_factory=list, description="the cases behind a failed regression, worst first")
    measured: bool = Field(True, description="false: nothing to hold the bound to (a warning, not a pass)")
    status: Literal["passed", "failed", "not_measured"] | None = Field(
        None, description="passed, failed or not_measured (derived from passed and measured; absent in files "
                          "written before it)")


class GatesFile(_Model):
    """Every gate of a run, its completion, the baseline, the notes, and the exit code they add up to."""

    schema_version: int = 1  # absent: a file written before the field existed (the writer always sets it)
    gates: list[GateEntry]
    complete: bool = Field(description="the run finished, graded something, and erred within max_error_rate")
    completion: str = Field(description="the completion in words")
    baseline: str | None = Field(None, description="the run directory the max_regression gates were held to")
    notes: list[str] = Field(default_factory=list, description="what was not evaluated, and why (the pytest "
                                                               "plugin warns with these)")
    crashed_checks: list[str] = Field(default_factory=list, description="the checks that crashed on some record "
                                                                        "(each has a note saying on how many)")
    partial_baseline: str | None = Field(None, description="how the baseline ran only some cases (e.g. '--cases: 2 "
                                                           "of 8 cases'); null when it ran them all or none was used")
    passed: bool
    exit_code: Literal[0, 1, 2, 3] = Field(description="0 passed, 1 a gate failed, 2 the baseline could not be "
                                                       "used, 3 incomplete")
