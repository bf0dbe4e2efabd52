"""diff.html after the analyst review (/tmp/review_analyst/REPORT.md #3, #4, #6, #7, #9, #10): chart dots
coloured by the verdict, every changed case listed (views capped), pass/fail shown as pass/fail and checks
marked in "what changed", failing evidence apart, a search box, sortable columns, no page overflow at 800 px.
"""

from __future__ import annotations

import json
import re

import pytest

from harness.compare import build_diff, write_diff
from harness.compare.diff import DiffOptions
from harness.records.schema import CriterionResult
from harness.report.html_parts import difference_svg, dot_kind
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import chromium, needs_chromium

N = 40


def _policy(passed: bool) -> CriterionResult:  # a pass/fail criterion as the judge stores it: 1/0
    return CriterionResult(score=1.0 if passed else 0.0, passed=passed, reason="policy reason")


def _records(worse: int) -> list:
    """``worse`` cases (c000..) lose next_step, their policy verdict and two empathy points in B."""
    out = []
    for i in range(N):
        bad = i < worse
        reply = "Calm down. We will refund $189." if bad else "A courier will call you today."
        out.append(rec(f"c{i:03d}", reply=reply, persona=["angry", "abusive"][i % 2],
                       checks={"next_step": chk(not bad, reply, "A courier will call you today"),
                               "policy_promises": chk(not bad, reply, "We will refund $189"),
                               "apology_wording": chk(True)},
                       judge={"empathy": crit(2 if bad else 4), "policy": _policy(not bad)}))
    return out


def _cases() -> dict:
    return {f"c{i:03d}": {"id": f"c{i:03d}", "persona": ["angry", "abusive"][i % 2], "category": "billing",
                          "turns": [{"role": "customer", "content": f"complaint {i}"}]} for i in range(N)}


@pytest.fixture
def diff(tmp_path):
    run_a = write_run(tmp_path / "a", _records(0), cases=_cases())
    run_b = write_run(tmp_path / "b", _records(30), cases=_cases())
    report = build_diff(run_a, run_b, DiffOptions(views_per_direction=3))
    return report, write_diff(report, tmp_path / "diff", ["html", "json"])


def test_chart_dots_are_coloured_by_the_verdict_not_by_the_interval():
    # Review #3: an interval clear of zero drew a green dot on a row the table calls not significant.
    assert dot_kind("no detectable change", 0.02, 0.21) == "excludes zero"
    assert dot_kind("no detectable change", -1.0, -1.0) == "excludes zero"  # 3 cases all moved: not a finding
    assert dot_kind("improved", 0.02, 0.21) == "improved" and dot_kind("regressed", -0.3, -0.1) == "regressed"
    assert dot_kind("no detectable change", -0.1, 0.2) == ""
    svg = difference_svg(0.11, 0.02, 0.21, bound=1.0, verdict="no detectable change")
    assert 'data-dot="excludes zero"' in svg and "#1e8449" not in svg and 'fill="#fff"' in svg
    assert 'fill="#1e8449"' in difference_svg(0.11, 0.02, 0.21, bound=1.0, verdict="improved")


def test_every_changed_case_is_listed_and_pass_fail_reads_pass_fail(diff):
    report, paths = diff
    html = paths["html"].read_text()
    comparison = report.comparisons[0]
    assert len(comparison.cases) < 30  # views capped in diff.json (3 per direction per row) ...
    # ... but every case both sides hold has its row, the 30 changed first (review #4), each with its detail
    # (feat_alldiff: the unchanged ones too, read from the runs when the page is written).
    assert html.count('<tr class="case"') == 40 and html.count('<tr class="detail" id="c0-d') == 40
    assert "All 30 changed cases are listed" in html and "Cases (40: 30 changed)" in html
    assert comparison.groups["c029"] == ["abusive", "billing"]  # persona of a case without a view: from the snapshot
    data = json.loads(re.search(r'id="diff-data">(.*?)</script>', html).group(1))["comparisons"][0]["cases"]
    assert {c["s"] for c in data[:30]} == {"c"} and {c["id"] for c in data[:30]} == {f"c{i:03d}" for i in range(30)}
    assert [c["id"] for c in data[30:]] == [f"c{i:03d}" for i in range(30, 40)] and {c["s"] for c in data[30:]} == {"u"}
    assert not any(c.get("noview") for c in data)  # every case opens side by side
    # Review #6: checks are marked and read pass->fail; the pass/fail criterion reads pass->fail, not 1->0.
    assert "▼ next_step (check)</span> <span class=\"muted\">pass→fail</span>" in html
    assert "▼ policy</span> <span class=\"muted\">pass→fail</span>" in html
    assert "▼ empathy</span> <span class=\"muted\">4→2</span>" in html
    assert "1→0" not in html
    detail = html[html.index('class="verdicts"'):]
    assert '<td><span class="pass">pass</span> — policy reason</td><td><span class="fail">fail</span> — policy reason' \
        in detail
    # Review #7: the failing check's evidence is marked apart from the passing check's.
    assert '<mark class="ev-fail" title="policy_promises (fails)"' in html
    assert '<mark title="next_step" data-pass="next_step">A courier will call you today</mark>' in html


@needs_chromium
def test_the_page_lists_filters_searches_and_sorts_every_changed_case(diff, tmp_path):
    report, paths = diff
    with chromium() as browser:
        for width in (1400, 800):
            page = browser.new_page(viewport={"width": width, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(paths["html"].as_uri())
            # Review #10: nothing pushes the page wider than the window; wide tables scroll in their box.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(tmp_path / f"diff-{width}.png"), full_page=True)
            page.close()
            assert errors == []
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(paths["html"].as_uri())
        shown = page.locator(".shown")
        assert shown.inner_text() == "30 of 30"
        page.select_option("#c0-f-check", "next_step")
        page.select_option("#c0-f-flip", "down")
        assert shown.inner_text() == "30 of 30"  # the counter counts every case that got worse, not the viewed
        page.select_option("#c0-f-persona", "abusive")
        assert shown.inner_text() == "15 of 30"
        page.select_option("#c0-f-persona", "")
        page.select_option("#c0-f-check", "")
        page.select_option("#c0-f-flip", "")
        # Review #9: a search box (case id or text) and sortable columns.
        page.fill("#c0-f-text", "c027")
        assert shown.inner_text() == "1 of 30"
        row = page.locator("tr.case:visible").first
        row.focus()
        page.keyboard.press("Enter")  # a case outside diff.json's views opens side by side all the same
        detail = page.locator("tr.detail:visible")
        assert "complaint 27" in detail.inner_text() and "policy reason" in detail.inner_text()
        assert "5 words removed, 5 added" in detail.locator("details.wdiff summary").inner_text()  # computed by the page
        page.fill("#c0-f-text", "")
        first = lambda: page.locator("tr.case").first.locator("td").first.inner_text()  # noqa: E731
        page.locator("table.cases th button", has_text="case").click()
        assert first() == "c000"
        page.locator("table.cases th button", has_text="case").press("Enter")  # keyboard: descending
        assert first() == "c029"
        assert page.locator("table.cases th").first.get_attribute("aria-sort") == "descending"
        assert shown.inner_text() == "30 of 30"
        # Review #7: a picker shows one check's evidence only (keyboard usable: a select).
        page.locator("table.cases th button", has_text="case").click()
        page.locator("tr.case").first.click()  # c000: it has a view
        page.select_option("#c0-f-evidence", "next_step")
        marks = page.locator("tr.detail:visible mark")
        backgrounds = {marks.nth(i).get_attribute("title"): marks.nth(i).evaluate(
            "m => getComputedStyle(m).backgroundColor") for i in range(marks.count())}
        assert backgrounds["next_step"] != "rgba(0, 0, 0, 0)"
        assert backgrounds["policy_promises (fails)"] == "rgba(0, 0, 0, 0)"
        page.close()


def test_a_page_written_from_diff_json_alone_lists_the_changed_cases_as_before(diff, tmp_path):
    from harness.compare import load_diff
    from harness.report.diff_html import render_diff_html

    report, paths = diff
    html = render_diff_html(load_diff(paths["json"]))  # no runs at hand: no unchanged case to list
    assert html.count('<tr class="case"') == 30 and "Changed cases (30)" in html and 'id="c0-f-status"' not in html
    data = json.loads(re.search(r'id="diff-data">(.*?)</script>', html).group(1))["comparisons"][0]["cases"]
    assert sum(1 for c in data if c.get("noview")) == 30 - len(report.comparisons[0].cases)


def test_what_changed_sorts_by_the_largest_drop_then_by_all_drops(tmp_path):
    # HTML review #9: every pass->fail scored -1, so a case with one failed check tied one with three.
    def run(path, failing: dict[str, int]):
        names = ["next_step", "policy_promises", "apology_wording"]
        return write_run(path, [rec(cid, checks={n: chk(i >= failing.get(cid, 0)) for i, n in enumerate(names)})
                                for cid in ("one", "three")])

    report = build_diff(run(tmp_path / "a", {}), run(tmp_path / "b", {"one": 1, "three": 3}))
    page = write_diff(report, tmp_path / "diff", ["html"])["html"].read_text(encoding="utf-8")
    rank = dict(re.findall(r'<tr class="case"[^>]*><td>(\w+)</td>.*?<td data-sort="([-\d.e]+)">', page))
    assert float(rank["three"]) < float(rank["one"]) < 0  # ascending sort puts the three drops first
