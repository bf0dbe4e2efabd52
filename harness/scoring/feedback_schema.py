"""The persisted shape of ``scorecard.json``'s ``feedback``: customer feedback keys and how far each check and
judge criterion agrees with them (an eval's ``feedback:``; :mod:`harness.scoring.feedback`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.scoring.schema import Interval, MeanStat, RateStat, _Model


class FeedbackSummary(_Model):
    """One key over a candidate's cases (threads, with turn-level replay)."""

    kind: Literal["number", "category"]
    n: int = Field(0, description="cases with a usable value (a number, for a numeric key)")
    n_missing: int = Field(0, description="cases without the field (or with a blank value)")
    mean: MeanStat | None = Field(None, description="numeric: the mean with its interval (the scorecard's method)")
    distribution: dict[str, int] | None = Field(
        None, description="numeric: cases per value, in numeric order (None past 20 different values)")
    not_numeric: dict[str, list[str]] = Field(
        default_factory=dict, description="numeric: values that are no number -> their case ids (counted missing)")
    counted_value: str | None = Field(None, description="categorical: the value whose share is compared")
    shares: dict[str, RateStat] = Field(
        default_factory=dict, description="categorical: each value's share (Wilson interval), most frequent first, "
                                          "at most 20; values are folded (case and surrounding spaces)")
    folded: dict[str, list[str]] = Field(
        default_factory=dict, description="categorical: a value that several spellings made -> those spellings "
                                          "as the cases wrote them (Up, UP -> up), most frequent first")
    look_alike: list[list[str]] = Field(
        default_factory=list, description="categorical: values that look like one answer written differently "
                                          "(up, 👍, yes), counted apart: one list per answer")


class FeedbackAgreement(_Model):
    """One check or criterion against one key: the feedback of replies that passed vs those that failed."""

    measure: str
    kind: Literal["check", "criterion"]
    n_passed: int = 0
    n_failed: int = 0
    passed: float | None = Field(None, description="mean feedback (numeric) or the counted value's share among "
                                                   "the replies that passed")
    failed: float | None = None
    difference: float | None = Field(None, description="passed - failed")
    difference_ci: Interval | None = Field(None, description="Welch t (numeric) or Newcombe hybrid score "
                                                             "(categorical) interval")
    auc: float | None = Field(None, description="P(feedback of a passed reply > a failed one), ties half; 0.5: "
                                                "no agreement")
    auc_ci: Interval | None = Field(None, description="DeLong interval, normal approximation; where DeLong's "
                                                      "variance is 0 (AUC 0 or 1: perfect separation), Newcombe's "
                                                      "score-type interval from Hanley-McNeil's variance; None when "
                                                      "every reply drew the same feedback")
    too_few: str | None = Field(None, description="why nothing is compared (a side under the minimum); then "
                                                  "difference and auc are None")


class FeedbackKeyResult(_Model):
    key: str = Field(description="as the eval file writes it (metadata.thumbs=up)")
    field: str
    summary: FeedbackSummary
    agreement: list[FeedbackAgreement] = Field(
        default_factory=list, description="criteria then checks; those with enough replies on each side first, "
                                          "by how far their AUC is from 0.5")


class CandidateFeedback(_Model):
    unit: Literal["case", "thread"] = Field("case", description="thread: with turn-level replay, a thread passes "
                                                                "a check when every turn it applied to passed")
    n_units: int = 0
    keys: list[FeedbackKeyResult] = Field(default_factory=list)


class FeedbackSection(_Model):
    """Present when the eval names ``feedback`` keys."""

    keys: list[str] = Field(default_factory=list)
    min_per_side: int = Field(10, description="replies each side needs before a difference or AUC is given")
    candidates: dict[str, CandidateFeedback] = Field(default_factory=dict)
    left_out: dict[str, str] = Field(default_factory=dict,
                                     description="candidate -> why it has no feedback section (a model's reply)")
