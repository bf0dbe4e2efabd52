"""report.html of a turn-replay run in headless Chromium, as the threads review read it: a turn case's record opens
from its documented id however the address spells the ``@`` (``%40``, raw, or double-encoded as the page's
links used to write it); an opened turn case names its thread and "turn k of n" and links to the same
candidate's other turns; at 400 px a table wider than the screen says it scrolls sideways; the "By thread"
table stands beside "By agent turn"; the system prompt is folded and not read by the search."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.records.schema import Record
from harness.runner.engine import RunOptions, run_eval
from harness.runner.outputs import finalize_run
from tests.compare.runs import write_run
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium
ROOT = Path(__file__).resolve().parents[2]
T2 = "t001%40t2.bot-v1.0"  # the record of t001@t2 by bot-v1: its row's id


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("threads")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        patch.setenv("HARNESS_CACHE_DIR", str(out / "cache"))
        # In a thread of its own: the run's event loop cannot start inside Playwright's (the browser may be up).
        with ThreadPoolExecutor(1) as pool:
            run = pool.submit(run_eval, "evals/threads.yaml", RunOptions(out=out / "run")).result().run_dir
    return run / "report.html"


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def _opened(page) -> list[str]:
    return page.eval_on_selector_all('tr.rec[aria-expanded="true"]', "rows => rows.map(r => r.id)")


@pytest.mark.parametrize("fragment", [f"rec={T2}", T2, "rec=t001@t2.bot-v1.0", "t001@t2.bot-v1.0",
                                      "rec=t001%2540t2.bot-v1.0", "candidate=bot-v2&rec=t001%40t2.bot-v1.0"])
def test_a_turn_case_record_opens_from_its_id_however_the_at_sign_is_spelled(page, report, fragment):
    page.goto(f"{report.as_uri()}#{fragment}")
    assert _opened(page) == [T2]
    assert page.locator(f'tr.detail:visible h3:has-text("Thread t001")').count() == 1
    assert_quiet(page)


def test_the_pages_own_link_is_the_documented_form_and_opens_the_record_after_a_reload(page, report):
    page.goto(report.as_uri())
    page.locator(f'[id="{T2}"]').click()
    link = page.locator("tr.detail:visible a.anchor")
    assert link.get_attribute("href") == f"#rec={T2}"
    link.click()
    assert page.evaluate("location.hash") == f"#rec={T2}"
    page.reload()
    assert _opened(page) == [T2]
    assert_quiet(page)


def test_an_opened_turn_case_names_its_turn_and_links_to_the_threads_other_turns(page, report):
    page.goto(f"{report.as_uri()}#rec={T2}")
    detail = page.locator("tr.detail:visible")
    heading = detail.locator("h3").first.inner_text()
    assert heading.startswith("Thread t001 · turn 2 of ") and "Complaint" not in detail.inner_text()
    nav = detail.locator("nav.turns")
    assert "bot-v1" in nav.inner_text() and nav.locator('[aria-current="true"]').inner_text() == "2"
    nav.locator("a.turn-link", has_text="3").click()
    assert "t001%40t3.bot-v1.0" in _opened(page)
    assert page.evaluate("location.hash") == "#rec=t001%40t3.bot-v1.0"
    page.go_back()
    assert page.evaluate("location.hash") == f"#rec={T2}"
    assert_quiet(page)


def test_at_400px_a_table_wider_than_the_screen_says_it_scrolls(browser, report):
    with watched_page(browser) as page:
        page.set_viewport_size({"width": 400, "height": 800})
        page.goto(report.as_uri())
        heads = page.eval_on_selector_all("h2", "hs => hs.map(h => h.textContent)")
        assert heads.index("By agent turn") + 1 == heads.index("By thread")
        hint = "b => getComputedStyle(b, '::before').content"
        for title in ("Summary", "By agent turn", "By thread"):
            # Each table in a box of its own that scrolls (By agent turn was not: cut at the screen's edge).
            box = page.locator(f'xpath=//h2[.="{title}"]/following-sibling::div[contains(@class, "scroll")][1]')
            if title == "By agent turn":  # two candidates fit in 400 px; a third would scroll like the others
                assert box.locator("table").count() == 1
                continue
            assert box.evaluate("b => b.scrollWidth > b.clientWidth"), title
            assert "scroll sideways →" in box.evaluate(hint), title
            box.evaluate("b => { b.scrollLeft = b.scrollWidth; b.dispatchEvent(new Event('scroll')); }")
            assert "← scroll sideways" in box.evaluate(hint), title
        # A table that fits says nothing.
        page.set_viewport_size({"width": 1280, "height": 800})
        page.evaluate("window.dispatchEvent(new Event('resize'))")
        assert page.locator("#records").locator("xpath=..").evaluate(hint) in ("none", "normal")
        assert_quiet(page)


def test_the_system_prompt_is_folded_and_not_what_the_search_matches(page, tmp_path):
    prompt = "You are Zorblax support.\nNever promise refunds.\n\u202eevil"
    records = [Record(case_id=c, candidate="bot", reply=f"Sorry about {c}.", reply_source="model",
                      system_prompt=prompt) for c in ("c1", "c2")]
    run = finalize_run(write_run(tmp_path / "run", records)).report_html
    page.goto(run.as_uri())
    page.locator('[id="c1.bot.0"]').click()
    box = page.locator("tr.detail:visible details.sysprompt")
    assert box.locator("summary").inner_text() == "System prompt (3 lines)"
    assert not box.evaluate("d => d.open") and not box.locator(".prompt").is_visible()
    box.locator("summary").click()
    assert "⟨U+202E⟩evil" in box.locator(".prompt").inner_text()
    page.fill("#f-text", "zorblax")
    assert page.locator("#shown").inner_text().startswith("0 of")
    page.fill("#f-text", "about c2")
    assert page.locator("#shown").inner_text().startswith("1 of")
    assert_quiet(page)
