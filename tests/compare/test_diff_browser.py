"""diff.html in a real headless Chromium when a compared pair has no changed case (the usual nightly shape).

A section without changed cases has no filters; the page script must wire the
sections that do, and throw nothing. Needs Debian's ``chromium`` and Playwright
for Python, as ``tests/report/test_browser.py``; the browser is never downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.compare import build_diff, write_diff
from harness.compare.diff import DiffOptions
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import needs_chromium

pytestmark = needs_chromium

N_CASES, N_BAD = 12, 6


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


def _records(candidate: str, bad: bool) -> list:
    out = []
    for i in range(N_CASES):
        worse = bad and i < N_BAD
        reply = "Calm down." if worse else "A courier will call you today."
        out.append(rec(f"c{i:02d}", candidate, reply=reply, persona=["angry", "abusive"][i % 2],
                       checks={"apology_wording": chk(True), "next_step": chk(not worse, reply),
                               "no_contradiction": chk(True)},
                       judge={"empathy": crit(2 if worse else 4), "policy": crit(1.0)}))
    return out


def _runs(tmp_path: Path) -> tuple[Path, Path]:
    """Run A and run B of one eval: bot-v2 unchanged (listed first), agent worse on half its cases in B."""
    run_a = write_run(tmp_path / "m1", _records("bot-v2", False) + _records("agent", False))
    run_b = write_run(tmp_path / "m2", _records("bot-v2", False) + _records("agent", True))
    return run_a, run_b


def _open(page, html: Path) -> None:
    page.goto(html.as_uri())
    page.wait_for_load_state("load")


def test_a_pair_without_changes_leaves_the_other_sections_working(tmp_path, page):
    run_a, run_b = _runs(tmp_path)
    html = write_diff(build_diff(run_a, run_b), tmp_path / "d12", ["html"])["html"]
    _open(page, html)
    assert page.locator("section.comparison").count() == 2
    assert "No case changed." in page.locator("#c0").inner_text()  # bot-v2, first
    shown = page.locator("#c1 .shown")
    assert shown.inner_text() == f"{N_BAD} of {N_BAD}"
    page.select_option("#c1-f-persona", "angry")
    assert shown.inner_text() == f"{N_BAD // 2} of {N_BAD}"
    row = page.locator("#c1 tr.case:visible").first
    row.click()
    assert row.get_attribute("aria-expanded") == "true"
    assert page.locator("#c1 tr.detail:visible").count() == 1
    assert page.errors == []


def test_a_diff_of_a_run_against_itself_throws_nothing(tmp_path, page):
    run_a, _ = _runs(tmp_path)
    html = write_diff(build_diff(run_a, run_a, DiffOptions(pair=("agent", "agent"))), tmp_path / "d11",
                      ["html"])["html"]
    _open(page, html)
    assert "No case changed." in page.locator("#c0").inner_text()
    assert page.errors == []
