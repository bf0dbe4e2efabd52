"""Review s23: the Customer feedback section says what was folded, what looks alike, and why an AUC has no
interval."""

from __future__ import annotations

from harness.report.feedback_html import render_feedback_html
from harness.report.feedback_md import render_feedback_md
from harness.scoring.feedback_schema import (CandidateFeedback, FeedbackAgreement, FeedbackKeyResult,
                                             FeedbackSection, FeedbackSummary)
from harness.scoring.schema import Interval, RateStat
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import manifest, sample_records


def _card(agreement: list[FeedbackAgreement]):
    card = build_scorecard(sample_records(), manifest())
    summary = FeedbackSummary(kind="category", n=24, counted_value="up",
                              shares={"up": RateStat(passed=10, n=24, rate=10 / 24),
                                      "<b>yes</b>": RateStat(passed=2, n=24, rate=2 / 24)},
                              folded={"up": ["up", "Up", "UP"]}, look_alike=[["up", "<b>yes</b>", "👍"]])
    result = FeedbackKeyResult(key="metadata.thumbs=up", field="metadata.thumbs", summary=summary,
                               agreement=agreement)
    card.feedback = FeedbackSection(keys=["metadata.thumbs=up"],
                                    candidates={"prod": CandidateFeedback(n_units=24, keys=[result])})
    return card


def _row(auc: float, ci: Interval | None) -> FeedbackAgreement:
    return FeedbackAgreement(measure="next_step", kind="check", n_passed=12, n_failed=12, passed=0.8, failed=0.0,
                             difference=0.8, difference_ci=Interval(lo=0.5, hi=0.95), auc=auc, auc_ci=ci)


def test_the_summary_says_what_was_counted_as_one_and_what_was_kept_apart() -> None:
    text = render_feedback_md(_card([]))
    assert "| counted as one (case, spaces) | up: up, Up, UP |" in text
    assert ("| counted apart, look alike | up, &lt;b&gt;yes&lt;/b&gt;, 👍 (one answer written differently? not "
            "merged) |") in text
    assert "Values told apart only by case or spaces are counted as one." in text


def test_html_escapes_the_folding_rows() -> None:
    html = render_feedback_html(_card([]))
    assert "counted apart, look alike" in html and "&lt;b&gt;yes&lt;/b&gt;" in html and "<b>yes" not in html


def test_a_perfect_auc_shows_its_interval() -> None:
    text = render_feedback_md(_card([_row(1.0, Interval(lo=0.83, hi=1.0))]))
    assert "| 1.00 [0.83, 1.00] (24) |" in text
    assert "at 0 or 1, where it has none, a score-type interval" in text


def test_an_auc_without_interval_says_why() -> None:
    # A scorecard made before the score-type interval: 1.00 with none.
    assert "| 1.00 (24; no interval: perfect separation) |" in render_feedback_md(_card([_row(1.0, None)]))
    assert "| 0.50 (24; no interval: every reply drew the same feedback) |" in render_feedback_md(
        _card([_row(0.5, None)]))
