"""report.html's error filter in headless Chromium: "a check crashed" finds the records a check crashed on
(their Error cell names it), "any error" counts them, and "any criterion's judge" does not (review #5: the
filter's "any error" showed 0 of 20 where the run counted 4 records in error)."""

from __future__ import annotations

import pytest

from harness.records.schema import CheckResult
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import chromium, needs_chromium

pytestmark = needs_chromium

CRASH = CheckResult(passed=None, detail="check crashed: ValueError: boom", data={"error": "check_crashed"})


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    records = []
    for i in range(4):
        checks = {"apology_wording": CRASH if i < 2 else chk(True), "next_step": chk(i != 3)}
        judge = {"empathy": crit(5), "policy": crit(None, error=True) if i == 3 else crit(1.0)}
        records.append(rec(f"c{i}", "alpha", checks=checks, judge=judge))
    records.append(rec("c9", "alpha", error=True))
    return finalize_run(write_run(tmp_path_factory.mktemp("crash") / "run", records)).report_html


def test_the_error_filter_finds_crashed_checks(report):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(report.as_uri())
        shown = page.locator("#shown")
        page.select_option("#f-error", "*")
        assert shown.inner_text() == "4 of 5"  # two crashes, a judge error, a case error
        page.select_option("#f-error", "*check")
        assert shown.inner_text() == "2 of 5"
        cells = page.locator("tr.rec:visible td:last-child").all_inner_texts()
        assert cells == ["check apology_wording crashed"] * 2
        page.select_option("#f-error", "*judge")
        assert shown.inner_text() == "1 of 5"  # c3's policy judge only: a crashed check is no criterion's
        page.select_option("#f-error", "*case")
        assert shown.inner_text() == "1 of 5"
        page.close()
