"""report.html's side-by-side view in headless Chromium: a row per case (turn cases titled by their thread) and
a column per candidate, cells with the reply (long ones folded), marks and a link to the record; disagreeing
cases marked and filterable; the list's filters apply; the view lives in the address; it fits a phone with the
scroll hint, keeps contrast in the dark palette, prints without its controls, and loads nothing."""

from __future__ import annotations

import pytest

from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.report.test_browser_views import CONTRAST_JS
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium

CANDIDATES = ("alpha", "beta", "gamma")
LONG = " More words here." * 80


def _records() -> tuple[list, dict]:
    records, cases = [], {}
    for i in range(5):
        case_id = f"c{i}" if i < 3 else f"t1@t{i - 2}"
        if i >= 3:
            cases[case_id] = {"id": case_id, "turns": [{"role": "customer", "content": "where is it"}],
                              "metadata": {"thread_id": "t1", "turn_index": i - 2, "n_agent_turns": 2}}
        for k, name in enumerate(CANDIDATES):
            reply = f"Sorry about order {i}. A courier will call you today." + (LONG if i == 1 and k == 0 else "")
            bad = k == 1 and i in (0, 3)  # beta misses the next step on c0 and t1@t1: the check disagrees there
            checks = {"next_step": chk(not bad, reply, "A courier will call you today")}
            judge = {"empathy": crit(2 if (k == 2 and i == 2) else 5)}  # c2: only the judge disagrees
            records.append(rec(case_id, name, reply=reply, checks=checks, judge=judge,
                               error=(i == 4 and k == 2)))
    return records, cases


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    records, cases = _records()
    return finalize_run(write_run(tmp_path_factory.mktemp("grid") / "run", records, cases=cases)).report_html


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def _shown(page) -> list[str]:
    return page.locator("#grid tbody tr:visible th").evaluate_all("ths => ths.map(t => t.firstChild.textContent)")


def test_a_row_per_case_a_column_per_candidate(page, report):
    page.goto(report.as_uri())
    assert not page.locator("#grid-view").is_visible()  # the list is the page's first view
    page.click("#tab-grid")
    assert page.locator("#records-view").is_hidden() and "view=grid" in page.evaluate("location.hash")
    assert _shown(page) == ["c0", "c1", "c2", "t1@t1", "t1@t2"]
    assert page.locator("#grid thead th").all_inner_texts()[1:] == list(CANDIDATES)
    c0 = page.locator("#grid tbody tr").first
    assert c0.locator("td").count() == 3 and "⇄ differ: next_step" in c0.locator("th").inner_text()
    assert "✗ next_step" in c0.locator("td").nth(1).inner_text()
    assert "✓ all checks pass" in c0.locator("td").nth(0).inner_text()
    assert "empathy 5" in c0.locator("td").nth(0).inner_text()
    assert "Thread t1 · turn 1 of 2" in page.locator("#grid tbody tr").nth(3).locator("th").inner_text()
    assert "differ: empathy" in page.locator("#grid tbody tr").nth(2).locator("th").inner_text()
    assert "No reply" in page.locator("#grid tbody tr").nth(4).locator("td").nth(2).inner_text()
    long_cell = page.locator("#grid tbody tr").nth(1).locator("td").first
    fold = long_cell.locator("button.fold-toggle")
    assert fold.inner_text().startswith("show all") and long_cell.locator(".gfold.folded").count() == 1
    fold.click()
    assert long_cell.locator(".gfold.folded").count() == 0
    assert_quiet(page)


def test_the_disagreement_filter_and_the_lists_filters_choose_the_cases(page, report):
    page.goto(report.as_uri() + "#view=grid")
    page.check("#f-differ")
    assert _shown(page) == ["c0", "c2", "t1@t1"]
    assert "differ=1" in page.evaluate("location.hash")
    page.uncheck("#f-differ")
    page.select_option("#f-failing", "next_step")  # a case shows when one of its records fails it
    assert _shown(page) == ["c0", "t1@t1"]
    assert page.locator("#grid-shown").inner_text() == "2 of 5"
    page.select_option("#f-failing", "")
    page.fill("#f-text", "order 2.")
    assert _shown(page) == ["c2"]
    page.fill("#f-text", "")
    page.select_option("#f-error", "*")
    assert _shown(page) == ["t1@t2"]
    page.goto(report.as_uri() + "#view=grid&differ=1&failing=next_step")  # the view and its filter in a link
    page.reload()
    assert page.locator("#grid-view").is_visible() and _shown(page) == ["c0", "t1@t1"]
    assert_quiet(page)


def test_a_cell_opens_its_record_in_the_list(page, report):
    page.goto(report.as_uri() + "#view=grid")
    page.locator("#grid tbody tr").first.locator("td").nth(1).locator("a.anchor").click()
    assert page.locator("#records-view").is_visible() and page.locator("#grid-view").is_hidden()
    assert page.locator("tr.rec#c0\\.beta\\.0").get_attribute("aria-expanded") == "true"
    assert page.evaluate("location.hash") == "#rec=c0.beta.0"
    page.go_back()
    assert page.locator("#grid-view").is_visible()  # Back returns to the side-by-side view
    assert_quiet(page)


def test_phone_dark_mode_and_print(browser, report):
    with watched_page(browser, color_scheme="dark") as page:
        page.set_viewport_size({"width": 400, "height": 800})
        page.goto(report.as_uri() + "#view=grid")
        box = page.locator("#grid-view .scroll")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth") and "more" in box.get_attribute("class")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400  # the table scrolls, not the page
        assert page.evaluate(CONTRAST_JS) == []
        page.emulate_media(media="print")
        assert not page.locator("#tab-grid").is_visible() and not page.locator("#f-differ").is_visible()
        assert page.locator("#grid tbody tr").first.is_visible()
        assert page.pdf()[:4] == b"%PDF"
        assert_quiet(page)
