"""report.html in headless Chromium: the side-by-side view's case column shows the case's inputs (its complaint,
a long one clamped, the whole thread behind a summary, its metadata), the failed-check marks say what a case's own
check asks when pointed at, and an opened record's checks list says it beside the name (findings 5 and 19 of the
second migration review). Hostile text stays text."""

from __future__ import annotations

import pytest

from harness.checks.base import CheckResult
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium

LONG = "The parcel never came. " * 40
REGEX = {"name": "regex_d", "type": "regex", "value": r"\$\d+", "ignore_case": True, "applies_when": "always",
         "description": r"promptfoo: regex: \$\d+ <img src=x onerror=alert(1)>"}


def _cases() -> dict:
    return {
        "c0": {"id": "c0", "turns": [{"role": "customer", "content": "Hello"}, {"role": "agent", "content": "Hi!"},
                                     {"role": "customer", "content": "Where is order 1001?"}],
               "metadata": {"order_id": "1001", "shop": {"region": "EU"}}, "checks": [REGEX]},
        "c1": {"id": "c1", "turns": [{"role": "customer", "content": LONG}], "metadata": {"order_id": "<b>1002</b>"}},
    }


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    records = []
    for case_id in ("c0", "c1"):
        for k, name in enumerate(("alpha", "beta")):
            checks = {"apology": chk(k == 0)}
            if case_id == "c0":
                checks["regex_d"] = CheckResult(passed=False, detail="no match")
            records.append(rec(case_id, name, reply="We are on it.", checks=checks, judge={"empathy": crit(5)}))
    return finalize_run(write_run(tmp_path_factory.mktemp("inputs") / "run", records, cases=_cases())).report_html


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def test_the_case_column_shows_the_complaint_thread_and_metadata(page, report):
    page.goto(report.as_uri() + "#view=grid")
    first, second = page.locator("#grid tbody th.gcase").all()
    assert "customer: Where is order 1001?" in first.inner_text()
    assert "Hello" not in first.inner_text()  # earlier turns wait behind the summary
    assert first.locator(".gmeta").inner_text().split("\n") == ["order_id: 1001", "shop.region: EU"]
    thread = first.locator("details.gthread")
    assert thread.locator("summary").inner_text() == "whole thread (3 turns)"
    thread.locator("summary").click()
    assert thread.locator(".turn").all_inner_texts() == ["customer: Hello", "agent: Hi!",
                                                         "customer: Where is order 1001?"]
    long = second.locator(".gcomplaint")
    assert long.locator(".gfold.folded").count() == 1 and long.locator("button.fold-toggle").is_visible()
    assert second.locator(".gmeta").inner_text() == "order_id: <b>1002</b>"  # text, not markup
    assert_quiet(page)


def test_failed_marks_and_an_opened_record_say_what_a_case_check_asks(page, report):
    page.goto(report.as_uri() + "#view=grid")
    mark = page.locator("#grid tbody tr").first.locator("td").first.locator(".gmarks .asks")
    assert mark.inner_text() == "regex_d" and mark.get_attribute("title").startswith("promptfoo: regex: \\$\\d+ <img")
    page.click("#tab-list")
    page.locator("tr.rec").first.click()
    items = page.locator("#d0 .verdicts ul").first.locator("li").all_inner_texts()
    assert any(item.startswith("regex_d (promptfoo: regex: \\$\\d+ <img src=x onerror=alert(1)>): fail") for item in items)
    assert page.locator("#d0 img").count() == 0
    assert_quiet(page)


def test_the_case_column_fits_a_phone(browser, report):
    with watched_page(browser) as page:
        page.set_viewport_size({"width": 400, "height": 800})
        page.goto(report.as_uri() + "#view=grid")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        width = page.locator("#grid tbody th.gcase").first.evaluate("e => e.getBoundingClientRect().width")
        assert width <= 400 * 0.45
        assert_quiet(page)
