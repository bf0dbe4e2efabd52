"""diff.html's "word changes" toggle in headless Chromium: closed at first, it opens (click or keyboard) to the
marked deletions and insertions, drawn apart from the text around them, with text contrast >= 4.5:1 in the
light and the dark palette. Debian's ``chromium`` via Playwright (tests/support/browser.py)."""

from __future__ import annotations

import pytest

from harness.compare import build_diff, write_diff
from tests.report.test_browser_views import CONTRAST_JS
from tests.report.test_diff_word_changes import _runs
from tests.support.browser import needs_chromium

pytestmark = needs_chromium

# The first opaque background behind an element, as "r,g,b".
BACKGROUND_JS = """el => {
  for (; el; el = el.parentElement) {
    const c = getComputedStyle(el).backgroundColor, m = c.match(/[\\d.]+/g).map(Number);
    if (m.length < 4 || m[3] > 0.5) return m.slice(0, 3).join(",");
  }
  return "255,255,255";
}"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("worddiff")
    return write_diff(build_diff(*_runs(root)), root / "diff", ["html"])["html"]


def _marks_are_drawn_apart(toggle) -> None:
    deleted, inserted, text = toggle.locator("del").first, toggle.locator("ins").first, toggle.locator(".wdiff-text")
    assert deleted.is_visible() and inserted.is_visible()
    around = text.evaluate(BACKGROUND_JS)
    assert deleted.evaluate(BACKGROUND_JS) != around != inserted.evaluate(BACKGROUND_JS)
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")  # not colour alone
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_toggle_opens_to_visible_marks_with_contrast(browser, page_file, scheme):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.emulate_media(color_scheme=scheme)
    page.goto(page_file.as_uri())
    page.locator("tr.case", has_text="c1").click()
    toggle = page.locator("tr.detail:visible details.wdiff")
    assert toggle.count() == 1 and toggle.get_attribute("open") is None
    assert not toggle.locator("del").first.is_visible()  # collapsed by default
    toggle.locator("summary").click()
    assert toggle.get_attribute("open") is not None
    _marks_are_drawn_apart(toggle)
    # The replies changed with no change in any measure: open the case, then its word changes, by keyboard.
    page.locator("details.reply-change > summary", has_text="c2").click()
    listed = page.locator("details.reply-change[open] details.wdiff")
    listed.locator("summary").focus()
    page.keyboard.press("Enter")
    assert listed.get_attribute("open") is not None
    _marks_are_drawn_apart(listed)
    assert page.evaluate(CONTRAST_JS) == [], scheme
    page.screenshot(path=str(page_file.parent / f"word-diff-{scheme}.png"), full_page=True)
    assert errors == []
    page.close()
