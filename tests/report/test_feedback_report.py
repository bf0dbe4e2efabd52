"""scorecard.md's and report.html's "Customer feedback": the rows, the words, and escaped data."""

from __future__ import annotations

from harness.report.feedback_html import render_feedback_html
from harness.report.feedback_md import render_feedback_md
from harness.report.html import render_run_html
from harness.report.markdown import render_scorecard_md
from harness.scoring.feedback_schema import (CandidateFeedback, FeedbackAgreement, FeedbackKeyResult,
                                             FeedbackSection, FeedbackSummary)
from harness.scoring.schema import Interval, MeanStat, RateStat
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import manifest, sample_records


def _card(section: FeedbackSection):
    card = build_scorecard(sample_records(), manifest())
    card.feedback = section
    return card


def _section(value: str = "up") -> FeedbackSection:
    csat = FeedbackKeyResult(key="metadata.csat", field="metadata.csat", summary=FeedbackSummary(
        kind="number", n=40, n_missing=2, mean=MeanStat(mean=3.5, ci=Interval(lo=3.1, hi=3.9), n=40),
        distribution={"1": 5, "5": 35}, not_numeric={"n/a": ["c7"]}), agreement=[
        FeedbackAgreement(measure="apology_wording", kind="check", n_passed=20, n_failed=20, passed=4.2, failed=2.8,
                          difference=1.4, difference_ci=Interval(lo=0.6, hi=2.2), auc=0.8,
                          auc_ci=Interval(lo=0.66, hi=0.94)),
        FeedbackAgreement(measure="empathy", kind="criterion", n_passed=30, n_failed=10, passed=3.5, failed=3.4,
                          difference=0.1, difference_ci=Interval(lo=-0.7, hi=0.9), auc=0.52),
        FeedbackAgreement(measure="no_contradiction", kind="check", n_passed=4, n_failed=36, passed=3.0, failed=3.6,
                          too_few="too few to say: 4 passed, 36 failed"),
        FeedbackAgreement(measure="follow_up", kind="check", n_passed=0, n_failed=40, failed=3.5,
                          too_few="never passed")])
    thumbs = FeedbackKeyResult(key=f"metadata.thumbs={value}", field="metadata.thumbs", summary=FeedbackSummary(
        kind="category", n=40, counted_value=value, shares={value: RateStat(passed=30, n=40, rate=0.75)}), agreement=[
        FeedbackAgreement(measure="apology_wording", kind="check", n_passed=20, n_failed=20, passed=0.9, failed=0.6,
                          difference=0.3, difference_ci=Interval(lo=0.04, hi=0.52), auc=0.65)])
    return FeedbackSection(keys=["metadata.csat", f"metadata.thumbs={value}"],
                           candidates={"bot_v1": CandidateFeedback(n_units=42, keys=[csat, thumbs])},
                           left_out={"bot_v2": "a model's replies"})


def test_markdown_rows_read_passed_failed_difference_auc_and_in_words() -> None:
    text = render_feedback_md(_card(_section()))
    assert "| mean | 3.50 [3.10, 3.90] (40) |" in text
    assert "| missing | 2 (1 no value, 1 not a number: 'n/a': c7) |" in text
    assert "| apology_wording | 4.20 (20) | 2.80 (20) | +1.40 [+0.60, +2.20] | 0.80 [0.66, 0.94] (40) | " \
           "higher when passed |" in text
    assert "| empathy | 3.50 (30) | 3.40 (10) | +0.10 [-0.70, +0.90] | 0.52 (40) | no clear difference |" in text
    assert "too few to say (under 10 a side)" in text
    assert "_Nothing to compare: follow_up (never passed)._" in text
    assert "| apology_wording | 90% (20) | 60% (20) | +30 pts [+4, +52] |" in text
    assert "bot_v2 left out: a model's replies" in text


def test_a_check_sharing_a_criterion_name_is_marked_as_the_check() -> None:
    section = _section()
    section.candidates["bot_v1"].keys[0].agreement[0].measure = "empathy"
    card = _card(section)
    card.checks = [*card.checks, "empathy"]
    assert "| empathy (check) | 4.20 (20)" in render_feedback_md(card)


def test_the_section_is_in_the_scorecard_and_the_report_in_bold_where_the_interval_leaves_out_zero() -> None:
    card = _card(_section())
    assert "### Customer feedback" in render_scorecard_md(card)
    page = render_run_html(card, sample_records(), {})
    assert '<h2 id="feedback">Customer feedback</h2>' in page
    assert "<strong>+1.40 [+0.60, +2.20]</strong>" in page and "<strong>+0.10" not in page


def test_a_hostile_value_is_escaped_in_both() -> None:
    card = _card(_section(value="<img src=x onerror=alert(1)>|`x`"))
    page = render_feedback_html(card)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    text = render_feedback_md(card)
    assert "<img" not in text and "\\|" in text


def test_no_keys_no_section() -> None:
    card = build_scorecard(sample_records(), manifest())
    assert render_feedback_md(card) == "" and render_feedback_html(card) == ""
    assert "Customer feedback" not in render_scorecard_md(card)


def test_the_summary_table_heads_each_key_with_its_figure_and_strongest_link() -> None:
    from harness.report.tables import summary_rows

    rows = {row.label: row for row in summary_rows(_card(_section()))}
    assert rows["metadata.csat"].section == "Customer feedback"
    assert rows["metadata.csat"].cells == ["3.50 [3.10, 3.90] (40)", "—"]  # bot_v2 was left out
    assert rows["metadata.csat: strongest link (AUC, 0.5 none)"].cells == [
        "apology_wording 0.80 [0.66, 0.94] (40)", "—"]
    assert rows["metadata.thumbs=up"].cells[0].startswith("up 75%")
    assert "metadata.csat" not in {row.label for row in summary_rows(build_scorecard(sample_records(), manifest()))}


def test_a_difference_without_an_interval_reads_by_the_auc() -> None:
    # Every reply that passed drew 5 and every one that failed 1: Welch's t has no interval, the AUC does.
    section = _section()
    section.candidates["bot_v1"].keys[0].agreement[0] = FeedbackAgreement(
        measure="next_step", kind="check", n_passed=24, n_failed=22, passed=5.0, failed=1.0, difference=4.0,
        auc=1.0, auc_ci=Interval(lo=0.91, hi=1.0))
    text = render_feedback_md(_card(section))
    assert "| next_step | 5.00 (24) | 1.00 (22) | +4.00 | 1.00 [0.91, 1.00] (46) | higher when passed (by the AUC) |" \
        in text
