"""scorecard.md and the terminal summary: notices first, the numbers, escaping, size."""

from __future__ import annotations

import io

from rich.console import Console

from harness.report.markdown import MAX_CHARS, md_escape, render_scorecard_md
from harness.report.terminal import print_summary
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import CRITERIA, NOTICE, manifest, record, sample_records, score


def _card(records=None, notices=None):
    return build_scorecard(records if records is not None else sample_records(), manifest(notices=notices), CRITERIA)


def test_notices_come_first_in_bold() -> None:
    text = render_scorecard_md(_card())
    assert text.startswith("> **⚠️ Warning:** **" + NOTICE)


def test_identity_and_numbers_appear() -> None:
    text = render_scorecard_md(_card())
    for expected in ("eval: smoke", "dddddddddddd", "support · v1", "judge: fake/judge", "2024-01-01T00:05:00",
                     "| measure | bot_v1 | bot_v2 |", "| empathy (mean 1-5) | 4.00 [1.00, 5.00] (2) | 3.00 [1.00, 5.00] (2) |",
                     "| apology_wording (pass rate) | 67% [21, 94] (3) | 50% [9, 91] (2) |",
                     "50% [9, 91] (2) · 1 n/a", "| case errors | 1 (rate_limit 1) | 0 |",
                     "2 (judge_output 1, timeout 1)", "$0.0300", "2.00 s / 2.80 s",
                     "<summary>By persona</summary>", "| abusive · empathy | 3.0 (1) | 4.0 (1) |",
                     "| angry · boundary | 100% (1) | — |", "| angry · apology_wording (check) | 100% (2) | 0% (1) |"):
        assert expected in text, expected


def test_breakdowns_leave_out_rows_without_values() -> None:
    text = render_scorecard_md(_card())
    assert "abusive · no_contradiction" not in text  # not applicable for every abusive record
    assert "shipping · empathy" not in text  # only an errored verdict


def test_no_notices_no_warning_and_no_records() -> None:
    text = render_scorecard_md(build_scorecard([], None))
    assert "Warning" not in text and "No records." in text


def test_data_cannot_break_tables_or_inject_html() -> None:
    evil = "<img src=x onerror=alert(1)>|x"
    text = render_scorecard_md(_card([record("c1", evil, persona=evil, judge={"empathy": score(4)})], [evil]))
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;\\|x" in text
    assert md_escape("a\nb|c") == "a b\\|c"


def test_long_runs_drop_breakdowns_to_fit_a_comment() -> None:
    records = [record(f"c{i}", persona=f"persona-{i}", category=f"category-{i}", judge={"empathy": score(3)})
               for i in range(400)]
    text = render_scorecard_md(_card(records))
    assert len(text) <= MAX_CHARS
    # The breakdowns that fit are kept, in order; the ones left out are named (all of them were dropped before).
    assert "<summary>By persona</summary>" in text and "<summary>By category</summary>" not in text
    assert "Breakdowns by category omitted" in text
    assert "| empathy (mean 1-5) |" in text


def test_terminal_summary_shows_notices_and_candidates() -> None:
    buffer = io.StringIO()
    print_summary(_card(), Console(file=buffer, width=140, color_system=None))
    out = buffer.getvalue()
    assert "Warning" in out and "tiny" in out
    assert "bot_v1" in out and "bot_v2" in out and "67% [21, 94] (3)" in out


def test_terminal_does_not_interpret_markup_in_data() -> None:
    buffer = io.StringIO()
    print_summary(_card([record("c1", "[bold red]x[/]")], ["[link=http://x]click[/link]"]),
                  Console(file=buffer, width=140, color_system=None))
    assert "[bold red]x[/]" in buffer.getvalue() and "[link=http://x]click[/link]" in buffer.getvalue()


def test_a_pass_fail_criterion_counts_its_not_applicable_cases() -> None:
    from harness.records.schema import CriterionResult

    records = [record("c1", judge={"empathy": score(4), "boundary": score(5)}),
               record("c2", judge={"empathy": score(4), "boundary": CriterionResult(applicable=False)}),
               record("c3", judge={"empathy": score(4), "boundary": CriterionResult(applicable=False)})]
    text = render_scorecard_md(_card(records))
    assert "| boundary (pass rate) | 100% [21, 100] (1) · 2 n/a |" in text


def test_a_1_5_criterion_shows_its_pass_rate_at_the_rubric_threshold() -> None:
    # scorecard.md showed only the mean; the pass rate the threshold decides was only in scorecard.json.
    text = render_scorecard_md(_card())
    rows = [line for line in text.splitlines() if line.startswith("| empathy")]
    assert rows == ["| empathy (mean 1-5) | 4.00 [1.00, 5.00] (2) | 3.00 [1.00, 5.00] (2) |",
                    "| empathy (pass rate, score ≥ 4) | 50% [9, 91] (2) | 50% [9, 91] (2) |"]
    three = {**CRITERIA, "empathy": {**CRITERIA["empathy"], "pass_threshold": 3}}
    card = build_scorecard([record(f"c{i}", judge={"empathy": score(3, threshold=3)}) for i in range(3)], manifest(), three)
    assert "| empathy (pass rate, score ≥ 3) | 100% [44, 100] (3) | — |" in render_scorecard_md(card)
    # a pass/fail criterion's row already is its pass rate: no second row
    assert "boundary (pass rate, score" not in text


def test_the_footer_describes_the_mean_interval_the_cells_show() -> None:
    # The footer said "Means use a Student t interval", but a 1-5 mean's interval is the t interval widened to
    # a Jeffreys-type one: three scores of 1 have a t interval of [1, 1] and read [1.00, 3.14].
    records = [record(f"c{i}", judge={"empathy": score(1)}) for i in range(3)]
    text = render_scorecard_md(_card(records))
    assert "| empathy (mean 1-5) | 1.00 [1.00, 3.14] (3) |" in text
    assert ("Means use a Student t interval, widened where it is narrower to a Jeffreys-type interval for scores "
            "bounded by their scale (so equal scores still leave doubt: three 1s read [1.00, 3.14]) and clipped "
            "to the scale; pass rates a Wilson interval.") in text
