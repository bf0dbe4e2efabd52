"""The persisted calibration report (``calibration.json`` in a run directory).

Values that are undefined on the data (kappa when everyone used one category, a
true-pass rate with no human passes) are ``null``, never NaN. Where a rater gave
one answer to every reply, the estimate says so in ``why`` (kappa, weighted kappa
and Spearman's rho: they measure how the two answers vary together, and one does
not vary).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CALIBRATION_SCHEMA_VERSION = 2  # 2: an estimate may say `why` it is undefined
Metric = Literal["cohen_kappa", "weighted_kappa", "krippendorff_alpha", "spearman", "raw_agreement"]


class Estimate(BaseModel):
    """A statistic with its 95% percentile-bootstrap interval (over labelled replies)."""

    model_config = ConfigDict(extra="forbid")

    value: float | None = None
    low: float | None = None
    high: float | None = None
    why: str | None = Field(None, description="Why the statistic is n/a (value null), when a rater gave one "
                                              "answer to every reply: 'the judge passed every reply'.")

    @classmethod
    def of(cls, value: float, low: float = math.nan, high: float = math.nan) -> "Estimate":
        def clean(x: float) -> float | None:
            return None if x is None or math.isnan(x) else round(float(x), 4)

        return cls(value=clean(value), low=clean(low), high=clean(high))

    @classmethod
    def undefined(cls, why: str) -> "Estimate":
        """n/a, because ``why``."""
        return cls(why=why)


class Agreement(BaseModel):
    """How one judge criterion (or one check) agrees with the humans on the labelled replies."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["criterion", "check"]
    name: str
    scale: Literal["1-5", "pass_fail"]
    n: int = Field(description="Labelled replies with a verdict from both the judge/check and the humans.")
    n_labels: int = Field(description="Label lines for this target, all labellers.")
    unmatched: int = Field(0, description="Labels whose reply is not in the run, or has no verdict (error, n/a).")
    labellers: list[str] = Field(default_factory=list)
    cohen_kappa: Estimate = Field(description="On pass/fail (1-5 scales cut at the pass threshold).")
    weighted_kappa: Estimate | None = Field(None, description="Quadratic-weighted kappa on 1-5 scales.")
    krippendorff_alpha: Estimate = Field(description="Judge and humans' verdict as two raters; ordinal on 1-5.")
    spearman: Estimate
    raw_agreement: Estimate = Field(description="Share of identical verdicts on the criterion's scale.")
    true_pass_rate: Estimate = Field(description="P(judge passes | humans pass).")
    false_pass_rate: Estimate = Field(description="P(judge passes | humans fail).")
    leniency: Estimate = Field(description="Judge mean minus humans' mean on the scale (1/0 for pass/fail).")
    confusion: list[list[int]] = Field(description="Rows: humans' verdict; columns: judge's; in `categories` order.")
    categories: list[float]
    human_alpha: Estimate | None = Field(None, description="Krippendorff's alpha among the labellers, "
                                                           "when replies have several labels.")

    def metric(self, name: Metric) -> Estimate:
        """The estimate a gate reads; weighted kappa falls back to Cohen's on pass/fail scales."""
        found = getattr(self, name)
        return found if found is not None else self.cohen_kappa


class CalibrationGateSpec(BaseModel):
    """``judge.calibration`` in an eval file."""

    model_config = ConfigDict(extra="forbid")

    labels: str = Field(min_length=1, description="Human-label JSONL file for this eval's dataset.")
    metric: Metric = Field("weighted_kappa", description="Statistic held to `min` (weighted kappa falls back "
                                                         "to Cohen's kappa on pass/fail criteria).")
    min: float = Field(0.4, ge=-1, le=1, description="Criteria below this are marked uncalibrated.")
    bound: Literal["value", "low"] = Field("value", description="Hold the point estimate, or the interval's "
                                                                "lower bound, to `min`.")
    min_labels: int = Field(10, ge=1, description="Fewer labelled replies than this: uncalibrated.")
    required: bool = Field(False, description="An uncalibrated criterion fails the run (exit 1) as the gate "
                                              "`calibrated criterion NAME`; without it, a warning only.")


class GateOutcome(BaseModel):
    """The gate's verdict on every judged criterion of a run."""

    model_config = ConfigDict(extra="forbid")

    spec: CalibrationGateSpec
    uncalibrated: dict[str, str] = Field(default_factory=dict, description="criterion -> why")
    calibrated: list[str] = Field(default_factory=list)


class CalibrationReport(BaseModel):
    """Agreement of a run's judge criteria and checks with a human-label file."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = CALIBRATION_SCHEMA_VERSION
    run: str
    labels_file: str
    labels_sha256: str
    judge_model: str | None = None
    rubric: str | None = Field(None, description="rubric id@version")
    resamples: int
    seed: int
    criteria: list[Agreement] = Field(default_factory=list)
    checks: list[Agreement] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    gate: GateOutcome | None = Field(None, description="The eval file's agreement gate, when it has one.")
