"""Several pairs in one diff (--pair repeated, --baseline-candidate), the usage table, the notes folded after
the headlines, the judge's reasons in diff.md, and one word-diff alignment for diff.md and diff.html."""

from __future__ import annotations

import json
import re

import pytest

from harness.compare import DiffOptions, build_diff
from harness.errors import ConfigError
from harness.models.base import Usage
from harness.records.schema import CallStats
from harness.report.diff_html import render_diff_html
from harness.report.diff_markdown import render_diff_md
from tests.compare.runs import chk, crit, manifest, rec, write_run

N = 12


def _records(candidate: str, *, worse: bool = False, words: int = 30, tokens: int = 100, latency: float = 1.0,
             cost: float | None = 0.002, judge_cost: float | None = 0.001) -> list:
    out = []
    for i in range(N):
        bad = worse and i < 8
        record = rec(f"c{i:03d}", candidate, reply=" ".join(["word"] * words),
                     checks={"apology_wording": chk(not bad), "next_step": chk(True), "no_contradiction": chk(True)},
                     judge={"empathy": crit(1 if bad else 5, reason=("curt, no apology" if bad else
                                                                     "apologises and names the order")),
                            "policy": crit(1.0)})
        record.responder = CallStats(usage=Usage(completion_tokens=tokens, cost_usd=cost), latency_s=latency + i / 100,
                                     calls=1)
        record.judging = CallStats(usage=Usage(cost_usd=judge_cost), calls=2)
        out.append(record)
    return out


@pytest.fixture
def multi(tmp_path):
    """One run, three candidates: v2 is worse and briefer, v3 the same as v1."""
    records = (_records("v1") + _records("v2", worse=True, words=6, tokens=20, latency=0.3, cost=None)
               + _records("v3"))
    return write_run(tmp_path / "multi", records, manifest(("v1", "v2", "v3")))


def test_several_pairs_each_their_own_family_as_in_a_diff_of_that_pair_alone(multi):
    both = build_diff(multi, options=DiffOptions(pairs=(("v1", "v2"), ("v1", "v3"))))
    assert [(c.candidate_a, c.candidate_b) for c in both.comparisons] == [("v1", "v2"), ("v1", "v3")]
    alone = build_diff(multi, options=DiffOptions(pair=("v1", "v2"))).comparisons[0]
    first = both.comparisons[0]
    assert [(r.name, r.verdict, r.p_holm) for r in first.rows] == [(r.name, r.verdict, r.p_holm) for r in alone.rows]
    assert first.holm_family == alone.holm_family and first.headline == alone.headline


def test_baseline_candidate_within_one_run_and_across_two(multi, tmp_path):
    within = build_diff(multi, options=DiffOptions(baseline_candidate="v1"))
    assert [(c.candidate_a, c.candidate_b) for c in within.comparisons] == [("v1", "v2"), ("v1", "v3")]
    other = write_run(tmp_path / "b", _records("v1") + _records("v2"), manifest(("v1", "v2")))
    across = build_diff(multi, other, DiffOptions(baseline_candidate="v2"))
    assert [(c.candidate_a, c.candidate_b) for c in across.comparisons] == [("v2", "v1"), ("v2", "v2")]
    with pytest.raises(ConfigError, match="give one of them"):
        build_diff(multi, options=DiffOptions(pair=("v1", "v2"), baseline_candidate="v1"))
    with pytest.raises(ConfigError, match="no records for candidate 'v9'"):
        build_diff(multi, options=DiffOptions(baseline_candidate="v9"))


def test_usage_per_pair_descriptive_with_unknown_cost(multi):
    report = build_diff(multi, options=DiffOptions(pairs=(("v1", "v2"),)))
    usage = report.comparisons[0].usage
    assert usage.n_cases == N
    assert usage.a.reply_words == 30 and usage.b.reply_words == 6
    assert usage.a.output_tokens == 100 and usage.b.output_tokens == 20
    assert usage.a.latency_p50_s == pytest.approx(1.055) and usage.b.latency_p90_s == pytest.approx(0.399)
    assert usage.a.responder_cost_per_case == pytest.approx(0.002) and usage.b.responder_cost_per_case is None
    assert usage.b.judge_cost_per_case == pytest.approx(0.001)
    md = render_diff_md(report)
    table = md[md.index("**Usage**"):md.index("<details><summary>Flips")]
    assert "| reply length (words, mean) | 30 | 6 | −24 | −80% |" in table
    assert "| cost per case: responder | $0.002 | unknown | — | — |" in table
    assert "Descriptive, not tested" in table and "p (Holm)" not in table
    assert json.loads(report.model_dump_json())["comparisons"][0]["usage"]["b"]["output_tokens"] == 20
    assert "Usage</h3>" in render_diff_html(report)


def test_notes_fold_after_the_headline_and_warnings_stay_on_top(multi):
    report = build_diff(multi, options=DiffOptions(pair=("v1", "v2")))
    report.notices.append("run A: verbosity: an informational note")
    report.warnings.append("judge model x also wrote candidate v2's replies: a real warning")
    md = render_diff_md(report)
    assert md.index("a real warning") < md.index("## v1 (A) → v2 (B)") < md.index("<summary>Notes (")
    assert md.index(report.comparisons[0].headline) < md.index("an informational note")
    assert "<details><summary>Notes (" in md
    html = render_diff_html(report)
    assert html.index("a real warning") < html.index("<h1>") < html.index("<p class=\"headline\">")
    assert html.index("<p class=\"headline\">") < html.index('<details class="notes"><summary>Notes (')
    assert html.index('<summary>Notes (') < html.index("an informational note")
    assert "an informational note" not in html[:html.index("<h1>")]


def test_self_judging_notice_is_a_warning(tmp_path):
    notice = ("judge model fake/judge also wrote candidate v2's replies: judges favour their own outputs, so v2's "
              "judge scores are likely inflated against the other candidates")
    man = manifest(("v1", "v2"))
    man.notices = [notice]
    run = write_run(tmp_path / "r", _records("v1") + _records("v2"), man)
    report = build_diff(run, options=DiffOptions(pair=("v1", "v2")))
    assert notice in report.warnings and notice not in report.notices


def test_several_pairs_page_lists_each_headline_with_a_link(multi):
    report = build_diff(multi, options=DiffOptions(baseline_candidate="v1"))
    html = render_diff_html(report)
    nav = html[html.index('<nav class="pairs"'):html.index("</nav>")]
    assert '<a href="#c0">' in nav and '<a href="#c1">' in nav and report.comparisons[1].headline in nav
    assert 'id="c0"' in html and 'id="c1"' in html
    md = render_diff_md(report)
    assert "**2 pairs compared**" in md and md.index("**2 pairs compared**") < md.index("## v1 (A) → v2 (B)")


def test_diff_md_quotes_the_judges_reasons_and_the_failing_checks_detail(multi):
    md = render_diff_md(build_diff(multi, options=DiffOptions(pair=("v1", "v2"))))
    assert "  - c000 5→1: A: “apologises and names the order” · B: “curt, no apology”" in md
    assert "  - c000 pass→fail: B: “because”" in md
    scores = md[md.index("Largest score drops"):]
    assert scores[:scores.index("</details>")].count("  - c0") == 3  # the first few, not all 8


def test_reasons_are_escaped_and_cut(tmp_path):
    from harness.compare.schema import CaseChange, CaseView, CriterionView, DiffRow, ReplyView, Verdicts
    from harness.report.diff_reasons import reason_line

    long = "**bold** [x](http://evil.example) <img src=x> " + "y" * 400
    side = ReplyView(reply="r", verdicts=Verdicts(criteria={"empathy": CriterionView(score=1, reason=long)}))
    row = DiffRow(kind="criterion", name="empathy", scale="1-5", n_cases=1)
    line = reason_line(row, CaseChange(case_id="c1", a=5, b=1, delta=-4), CaseView(case_id="c1", a=side, b=side))
    mdit = pytest.importorskip("markdown_it")
    rendered = mdit.MarkdownIt("commonmark").render(line)
    assert "<strong>" not in rendered and "<a " not in rendered and "<img" not in rendered and "…" in line
    assert line.count("y" * 150) == 2 and "y" * 201 not in line  # each side cut at 200 characters


def test_md_and_html_word_changes_align_the_same_words():
    from harness.report.word_diff import coarsened, reply_diff, to_html, to_markdown

    a = ("I'm so sorry about this, and I apologise for the trouble it has caused you. I will email you an "
         "update within 24 hours.")
    b = "Noted. We will look into it."
    diff = reply_diff(a, b)
    html, md = to_html(diff), to_markdown(coarsened(diff))
    # diff.html keeps "it" and "." and marks "will" as new in B; diff.md must not keep "will" in common.
    assert "<ins>Noted. We will look into</ins> it <del>" in html
    unmarked_md = re.sub(r"~~.*?~~|\*\*.*?\*\*", " ", md).split()
    assert "will" not in unmarked_md and "**Noted. We will look into**" in md
