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
A bound outside its scale (``min: 70`` for 70%) is refused: it could never
trip, or always would. Checks are refused when the file is read; criteria,
whose scale is the rubric's, by :func:`scale_problems`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.config.yamlfile import did_you_mean

ANY = "*"
SCALES = {"pass_fail": (0.0, 1.0), "1-5": (1.0, 5.0)}  # a criterion's scale: its lowest and highest value


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


class CheckThreshold(Threshold):
    """A check's bounds: a pass rate, and a drop in it, both in [0, 1]."""

    @field_validator("min")
    @classmethod
    def _a_rate(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 1:
            raise ValueError(scale_problem("pass_fail", "min"))
        return value

    @field_validator("max_regression")
    @classmethod
    def _a_rate_drop(cls, value: float | None) -> float | None:
        if value is not None and value > 1:
            raise ValueError(scale_problem("pass_fail", "max_regression"))
        return value


def scale_problem(scale: str, bound: str) -> str:
    """What a ``bound`` (``min`` or ``max_regression``) must be on ``scale``, as an error message."""
    if scale == "pass_fail":
        return ("a pass rate is in [0, 1]" if bound == "min"
                else "a drop in a pass rate is in [0, 1] (0.05 is five percentage points)")
    lowest, highest = SCALES[scale]
    return (f"a mean score on a {scale} criterion is in [{lowest:g}, {highest:g}]" if bound == "min"
            else f"a drop on a {scale} criterion is at most {highest - lowest:g} points")


class RobustnessGate(_Spec):
    """How far a check's pass rate, or a judge criterion's, may fall on perturbed complaints (an eval's
    ``perturb``); a criterion on a scale falls as a share of its scale (0.10 on 1-5: 0.4 points)."""

    max_drop: float = Field(ge=0, le=1, allow_inf_nan=False,
                            description="largest fall of any check's or criterion's pass rate (a scaled criterion's "
                                        "mean: as a share of its scale) under any kind of perturbation, paired with "
                                        "the originals (0.10: 10 points)")
    max_drop_criteria: float | None = Field(None, ge=0, le=1, allow_inf_nan=False,
                                            description="the judge criteria's own largest fall (default: max_drop; "
                                                        "1 leaves them ungated)")


class GatesSpec(_Spec):
    """Minimums and largest regressions per judge criterion and per check."""

    candidates: list[str] | None = Field(None, description="gate only these candidates (default: all)")
    significant_only: bool = Field(False, description="a regression fails only when its Holm-adjusted p < alpha")
    checks: dict[str, CheckThreshold] = Field(default_factory=dict)
    criteria: dict[str, Threshold] = Field(default_factory=dict)
    robustness: RobustnessGate | None = Field(None, description="with `perturb`: the largest fall of a check or "
                                                                "criterion on the perturbed variants")

    def threshold(self, kind: str, name: str) -> Threshold | None:
        """The threshold of check or criterion ``name`` (``kind`` is ``check`` or ``criterion``), else ``*``'s."""
        table = self.checks if kind == "check" else self.criteria
        return table.get(name) or table.get(ANY)

    @property
    def has_regressions(self) -> bool:
        return any(t.max_regression is not None for t in [*self.checks.values(), *self.criteria.values()])


def scale_problems(spec: GatesSpec, scales: dict[str, str]) -> list[tuple[tuple[str, str, str], str]]:
    """Each criterion bound outside its criterion's scale, as (``("criteria", name, bound)``, message).

    ``scales`` maps criterion id to its rubric scale (``1-5`` or ``pass_fail``); ``*`` is held to the
    scale of every criterion it covers. Names the rubric lacks are left to the gate name check.
    """
    found = []
    for name, threshold in spec.criteria.items():
        covered = [c for c in scales if c not in spec.criteria] if name == ANY else [name] if name in scales else []
        for bound in ("min", "max_regression"):
            value = getattr(threshold, bound)
            bad = next((c for c in covered if value is not None and not _on_scale(value, scales[c], bound)), None)
            if bad is not None:
                where = f" (`*` covers criterion {bad})" if name == ANY else ""
                found.append((("criteria", name, bound), scale_problem(scales[bad], bound) + where))
    return found


def _on_scale(value: float, scale: str, bound: str) -> bool:
    lowest, highest = SCALES.get(scale, (float("-inf"), float("inf")))
    return lowest <= value <= highest if bound == "min" else value <= highest - lowest


def unknown_names(spec: GatesSpec, candidates: list[str], checks: list[str],
                  criteria: list[str] | None) -> list[tuple[tuple[str, str | int], str]]:
    """Each candidate, check or criterion ``spec`` gates that the eval does not have, as (its place under
    ``gates``, a message ending with the closest name it does have). ``criteria`` None: not known (no
    rubric could be read), so criterion gates are left to the run."""
    found: list[tuple[tuple[str, str | int], str]] = []
    for index, name in enumerate(spec.candidates or []):
        if name not in candidates:
            found.append((("candidates", index), f"unknown candidate {name}{did_you_mean(name, candidates)} "
                                                 f"(in this eval: {', '.join(candidates)})"))
    for kind, table, known in (("checks", spec.checks, checks), ("criteria", spec.criteria, criteria)):
        if known is None:
            continue
        for name in table:
            if name != ANY and name not in known:
                what = "check" if kind == "checks" else "criterion"
                found.append(((kind, name), f"this run has no {what} {name!r}{did_you_mean(name, known)} "
                                            f"(it has: {', '.join(known) or 'none'})"))
    return found
