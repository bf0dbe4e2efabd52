"""The ``gates:`` section of an eval file: what a run must reach to pass.

    gates:
      candidates: [bot-v2]          # optional: gate only these candidates (default: all)
      significant_only: true        # a regression fails only when the paired test calls it significant
      checks:
        no_contradiction: {min: 0.9, max_regression: 0.05}
        "*": {max_regression: 0.10} # every check not named above
      criteria:
        empathy: {min: 3.5}         # a mean on 1-5 criteria, a pass rate on pass/fail ones
        "*": {max_regression: 0.5}

``min`` is absolute (a pass rate in [0, 1] for checks and pass/fail criteria,
a mean score for 1–5 criteria). ``max_regression`` is the largest drop allowed
against the baseline run, in the same units (0.05 = five percentage points).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

ANY = "*"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(_Spec):
    """The bounds one criterion or check must keep."""

    # Finite only: the manifest keeps the eval spec as JSON, where NaN and infinity become null,
    # and the gates are read back from it after the run.
    min: float | None = Field(None, allow_inf_nan=False,
                              description="absolute minimum: pass rate in [0, 1], or a mean score")
    max_regression: float | None = Field(None, ge=0, allow_inf_nan=False,
                                         description="largest drop allowed against the baseline")
    significant_only: bool | None = Field(None, description="overrides the gates' significant_only for this one")

    @model_validator(mode="after")
    def _something(self) -> "Threshold":
        if self.min is None and self.max_regression is None:
            raise ValueError("give `min`, `max_regression`, or both")
        return self


class GatesSpec(_Spec):
    """Minimums and largest regressions per judge criterion and per check."""

    candidates: list[str] | None = Field(None, description="gate only these candidates (default: all)")
    significant_only: bool = Field(False, description="a regression fails only when its Holm-adjusted p < alpha")
    checks: dict[str, Threshold] = Field(default_factory=dict)
    criteria: dict[str, Threshold] = Field(default_factory=dict)

    def threshold(self, kind: str, name: str) -> Threshold | None:
        """The threshold of check or criterion ``name`` (``kind`` is ``check`` or ``criterion``), else ``*``'s."""
        table = self.checks if kind == "check" else self.criteria
        return table.get(name) or table.get(ANY)

    @property
    def has_regressions(self) -> bool:
        return any(t.max_regression is not None for t in [*self.checks.values(), *self.criteria.values()])
