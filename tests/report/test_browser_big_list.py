"""A big run's report.html in headless Chromium: its records are text until shown, a page of rows at a time
(html_store, html_list_js), yet every record is reachable: by link, by the filters, by the search; the side
by side view pages its cases likewise; and a judge error says how many calls it took."""

from __future__ import annotations

import pytest

from harness.report.html_list_js import PAGE
from harness.report.html_store import COMPACT_AT
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import needs_chromium, watched_page

pytestmark = needs_chromium

N = max(COMPACT_AT, 2 * PAGE + 50)  # three pages, and big enough to keep the shared parts apart


def _records() -> list:
    out = []
    for i in range(N):
        reply = f"We apologize for order {i}. A courier will call you today." + (" zebracrossing" if i == N - 7 else "")
        bad = i == N - 3  # one failing record, far down the list
        out.append(rec(f"c{i:04d}", "bot", reply=reply,
                       checks={"next_step": chk(not bad, reply, "A courier will call you today"),
                               "apology_wording": chk(True, reply, "We apologize")},
                       judge={"empathy": crit(2 if bad else 5)}))
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return finalize_run(write_run(tmp_path_factory.mktemp("big") / "run", _records())).report_html


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def test_the_page_holds_one_page_of_rows_and_no_detail_until_opened(page, report) -> None:
    page.goto(report.as_uri())
    assert page.locator("tr.rec").count() == PAGE
    assert page.locator("#shown").inner_text() == f"{N} of {N}"
    assert page.locator("#records .verdicts").count() == 0  # no detail in the page before a record is opened
    assert "page 1 of 3" in page.locator("#records-pager").inner_text()
    page.click("#records-pager button[data-go=next]")
    assert page.locator("tr.rec").first.get_attribute("id") == f"c{PAGE:04d}.bot.0"
    page.locator("tr.rec").first.click()
    assert page.locator("#records .verdicts").count() == 1
    assert "next_step" in page.locator("#records tr.detail:visible").inner_text()


def test_a_link_opens_a_record_beyond_the_first_page(page, report) -> None:
    target = f"c{N - 2:04d}.bot.0"
    page.goto(report.as_uri() + "#rec=" + target)
    row = page.locator(f'tr.rec[id="{target}"]')
    assert row.get_attribute("aria-expanded") == "true"
    assert "order " + str(N - 2) in page.locator("#records tr.detail:visible").inner_text()
    assert "page 3 of 3" in page.locator("#records-pager").inner_text()


def test_a_filter_finds_a_record_of_a_later_page_and_it_opens(page, report) -> None:
    page.goto(report.as_uri())
    page.select_option("#f-failing", "next_step")
    assert page.locator("#shown").inner_text() == f"1 of {N}"
    assert page.locator("#records-pager").is_hidden()
    row = page.locator("tr.rec")
    assert row.count() == 1 and row.get_attribute("id") == f"c{N - 3:04d}.bot.0"
    row.focus()
    page.keyboard.press("Enter")
    detail = page.locator("#records tr.detail:visible").inner_text()
    assert "next_step" in detail and "fail" in detail


def test_the_search_reads_every_record_not_only_the_page_shown(page, report) -> None:
    page.goto(report.as_uri())
    page.fill("#f-text", "zebracrossing")
    assert page.locator("#shown").inner_text() == f"1 of {N}"
    assert page.locator("tr.rec").get_attribute("id") == f"c{N - 7:04d}.bot.0"
    page.fill("#f-text", "courier")  # every record: the page is full again, counted over all
    assert page.locator("tr.rec").count() == PAGE and page.locator("#shown").inner_text() == f"{N} of {N}"


def test_a_sort_orders_every_record(page, report) -> None:
    page.goto(report.as_uri())
    page.click("#records thead th:nth-child(5) button")  # checks: fewest failing first ...
    page.click("#records thead th:nth-child(5) button")  # ... then most: the one failing record leads
    assert page.locator("tr.rec").first.get_attribute("id") == f"c{N - 3:04d}.bot.0"
