"""A long list's page number lives in report.html's address, with its filters, search and sort: a reload, Back
and Forward, and a link opened fresh land on the page the reader was on (in the list and side by side)."""

from __future__ import annotations

import pytest

from harness.report.html_list_js import PAGE
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, rec, write_run
from tests.support.browser import needs_chromium, watched_page

pytestmark = needs_chromium

N = PAGE + 30  # cases: with two candidates, three pages of records and two of cases side by side


def _records() -> list:
    out = []
    for i in range(N):
        for bot in ("alpha", "beta"):
            reply = f"We apologize for order {i}. A courier will call you today."
            out.append(rec(f"c{i:04d}", bot, reply=reply, checks={"next_step": chk(i % 2 == 0, reply)}))
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return finalize_run(write_run(tmp_path_factory.mktemp("pages") / "run", _records())).report_html


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def _first(page) -> str:
    return page.locator("#records tr.rec").first.get_attribute("id")


def _said(page, pager: str = "#records-pager") -> str:
    return page.locator(pager).inner_text()


def test_the_page_turned_is_in_the_address_and_back_forward_walk_it(page, report) -> None:
    page.goto(report.as_uri())
    page.click("#records-pager button[data-go=next]")
    assert page.evaluate("location.hash") == "#page=2"
    page.click("#records-pager button[data-go=next]")
    assert page.evaluate("location.hash") == "#page=3" and "page 3 of 3" in _said(page)
    page.go_back()
    assert "page 2 of 3" in _said(page) and _first(page) == f"c{PAGE // 2:04d}.alpha.0"
    page.go_back()
    assert "page 1 of 3" in _said(page) and page.evaluate("location.hash") == ""
    page.go_forward()
    assert "page 2 of 3" in _said(page)
    page.reload()
    assert "page 2 of 3" in _said(page) and _first(page) == f"c{PAGE // 2:04d}.alpha.0"


def test_a_shared_link_restores_filters_search_sort_and_page(browser, page, report) -> None:
    page.goto(report.as_uri())
    page.select_option("#f-failing", "next_step")  # the odd cases: N records of 2N
    page.fill("#f-text", "courier")
    page.click("#records thead th:nth-child(1) button")  # case, ascending
    page.click("#records thead th:nth-child(1) button")  # ... descending
    page.click("#records-pager button[data-go=next]")
    address = page.url
    assert "page=2" in address and "failing=next_step" in address and "q=courier" in address
    with watched_page(browser) as fresh:
        fresh.goto(address)
        assert "page 2 of 2" in _said(fresh) and fresh.locator("#shown").inner_text() == f"{N} of {2 * N}"
        assert fresh.input_value("#f-text") == "courier" and fresh.input_value("#f-failing") == "next_step"
        assert _first(fresh) == _first(page)
        assert fresh.locator("#records thead th:nth-child(1)").get_attribute("aria-sort") == "descending"
        assert not fresh.events["errors"]


def test_a_filter_change_goes_back_to_page_one_and_a_page_past_the_end_shows_the_last(browser, report) -> None:
    with watched_page(browser) as page:
        page.goto(report.as_uri() + "#page=99")
        assert "page 3 of 3" in _said(page)
        page.goto(report.as_uri() + "#page=3")
        page.select_option("#f-candidate", "beta")
        assert "page=" not in page.evaluate("location.hash") and "page 1 of 2" in _said(page)
        page.goto(report.as_uri() + "#page=x")
        assert "page 1 of 3" in _said(page) and not page.events["errors"]


def test_side_by_side_keeps_its_own_page_in_the_address(browser, page, report) -> None:
    page.goto(report.as_uri())
    page.click("#tab-grid")
    page.click("#grid-pager button[data-go=last]")
    assert page.evaluate("location.hash") == "#view=grid&page=2"
    assert "page 2 of 2" in _said(page, "#grid-pager")
    with watched_page(browser) as fresh:
        fresh.goto(page.url)
        assert "page 2 of 2" in _said(fresh, "#grid-pager")
        assert fresh.locator("#grid tbody tr").first.locator("th").inner_text().startswith(f"c{PAGE:04d}")
    page.go_back()
    assert "page 1 of 2" in _said(page, "#grid-pager") and page.locator("#grid-view").is_visible()
