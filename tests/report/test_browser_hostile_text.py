"""A support desk's real data in report.html and diff.html, in headless Chromium (review_data #3, #5 and the
50 KB complaint): a right-to-left override is shown and does not reorder what follows it, Arabic still reads
right to left, a record with no reply reads "no reply" and sorts after the graded ones whichever way, and a
very long reply opens folded behind a button that needs no network.

Debian's ``chromium`` driven by Playwright (tests/support/browser.py), never a downloaded browser.
"""

from __future__ import annotations

import pytest

from harness.compare import build_diff, write_diff
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, rec, write_run
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium

RLO = "\u202e"
ARABIC = "نعتذر عن التأخير. سنتواصل معك خلال 24 ساعة."
LONG = "Sorry about the router. " + "We are looking into it. " * 200 + "Calm down."

# The x of the first and of the last character of ``word`` in the first text node holding it: in a
# left-to-right run the first is left of the last; an override obeyed (or Arabic) puts it right of it.
EDGES_JS = """([selector, word]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(word);
    if (at < 0) continue;
    const x = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                       return r.getBoundingClientRect().left; };
    return [x(at), x(at + word.length - 1)];
  }
  return null;
}"""


def _records() -> list:
    spoof = f"Your file {RLO}gnp.exe is attached."
    out = [rec("c1", "bot", reply=spoof, checks={"next_step": chk(True)}),
           rec("c2", "bot", reply=ARABIC, checks={"next_step": chk(False)}),
           rec("c3", "bot", reply=LONG, checks={"next_step": chk(False, LONG, "Calm down.")}),
           rec("c4", "bot", error=True)]
    out += [rec(f"c{i}", "bot", reply="Sorry. A courier calls today.", checks={"next_step": chk(i % 2 == 0)})
            for i in range(5, 9)]
    return out


def _cases() -> dict:
    return {"c1": {"id": "c1", "turns": [{"role": "customer", "content": f"RTL override {RLO}gnp.exe and bidi"}]},
            "c2": {"id": "c2", "turns": [{"role": "customer", "content": ARABIC}]}}


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page




def _open(page, record: str):
    page.locator(f'[id="{record}"]').click()
    return page.locator(f'[id="{record}"] + tr.detail')


def test_an_override_is_shown_arabic_reads_right_to_left_and_no_reply_sorts_last(page, tmp_path):
    report = finalize_run(write_run(tmp_path / "run", _records(), cases=_cases())).report_html
    page.goto(report.as_uri())
    assert RLO not in page.evaluate("document.body.innerText")
    detail = _open(page, "c1.bot.0")
    marker = detail.locator(".turn .unseen")
    assert marker.is_visible() and marker.inner_text() == "⟨U+202E⟩"
    assert detail.locator(".reply .unseen").inner_text() == "⟨U+202E⟩"
    # "gnp.exe" after the override reads "gnp.exe", left to right: not "exe.png".
    first, last = page.evaluate(EDGES_JS, ['[id="c1.bot.0"] + tr.detail .turn', "gnp.exe"])
    assert first < last
    first, last = page.evaluate(EDGES_JS, ['[id="c1.bot.0"] + tr.detail .reply', "gnp.exe"])
    assert first < last

    arabic = _open(page, "c2.bot.0")
    assert arabic.locator(".reply").evaluate("e => e.textContent") == ARABIC  # kept as it is
    assert arabic.locator(".turn bdi").evaluate("e => e.textContent") == ARABIC
    first, last = page.evaluate(EDGES_JS, ['[id="c2.bot.0"] + tr.detail .reply', "نعتذر"])
    assert first > last  # still right to left

    errored = page.locator('[id="c4.bot.0"]')
    assert errored.locator("td").nth(4).inner_text() == "no reply"
    checks = page.locator("#records th button", has_text="checks")
    ids = lambda: page.locator("tr.rec").evaluate_all("rows => rows.map(r => r.id)")  # noqa: E731
    checks.click()  # ascending: the fewest failures first
    assert ids()[-1] == "c4.bot.0"
    checks.click()  # descending: the most failures first; a record graded on nothing is not among the best
    assert page.locator("#records th").nth(4).get_attribute("aria-sort") == "descending"
    assert ids()[-1] == "c4.bot.0" and ids()[0] != "c4.bot.0"
    page.select_option("#f-error", "*case")
    assert page.locator("#shown").inner_text() == "1 of 8"
    assert_quiet(page)


def test_a_long_reply_opens_folded_and_its_button_shows_the_rest(page, tmp_path):
    report = finalize_run(write_run(tmp_path / "run", _records(), cases=_cases())).report_html
    page.goto(report.as_uri())
    page.check("#lab-on")  # labelling: the panel goes below the reply's button, not between reply and button
    detail = _open(page, "c3.bot.0")
    assert detail.locator("div.fold + fieldset.lab-panel").count() == 1
    reply, button = detail.locator(".reply").first, detail.locator("button.fold-toggle").first
    assert button.inner_text() == f"show all {len(LONG):,} characters (1 highlighted passage in the rest)"
    assert button.get_attribute("aria-expanded") == "false"
    assert not reply.locator(".fold-rest").is_visible() and not reply.locator("mark").first.is_visible()
    assert len(reply.inner_text()) < 2100
    page.fill("#f-text", "calm down")  # the search still reads the folded rest
    assert page.locator("#shown").inner_text() == "1 of 8"
    button.click()
    assert button.inner_text() == "show less" and button.get_attribute("aria-expanded") == "true"
    assert reply.locator("mark.ev-fail").is_visible() and reply.inner_text() == LONG
    button.click()
    assert not reply.locator(".fold-rest").is_visible()
    assert_quiet(page)


def test_diff_html_shows_the_override_and_folds_a_long_reply(page, tmp_path):
    a = [rec("c1", reply=f"Your file {RLO}gnp.exe", checks={"next_step": chk(True)}),
         rec("c3", reply=LONG, checks={"next_step": chk(True)})]
    b = [rec("c1", reply=f"Your file {RLO}gnp.exe, sorry", checks={"next_step": chk(False)}),
         rec("c3", reply=LONG + " Bye.", checks={"next_step": chk(False)})]
    report = build_diff(write_run(tmp_path / "a", a, cases=_cases()), write_run(tmp_path / "b", b, cases=_cases()))
    html = write_diff(report, tmp_path / "diff", ["html"])["html"]
    page.goto(html.as_uri())
    page.locator("tr.case", has_text="c1").click()
    detail = page.locator("tr.case", has_text="c1").locator("+ tr.detail")
    assert detail.locator(".reply .unseen").first.is_visible()
    first, last = page.evaluate(EDGES_JS, ["tr.detail:not([hidden]) .turn", "gnp.exe"])
    assert first < last
    page.locator("tr.case", has_text="c3").click()
    long_detail = page.locator("tr.case", has_text="c3").locator("+ tr.detail")
    button = long_detail.locator("button.fold-toggle").first
    assert button.inner_text().startswith(f"show all {len(LONG):,} characters")
    assert not long_detail.locator(".fold-rest").first.is_visible()
    button.click()
    assert long_detail.locator(".fold-rest").first.is_visible()
    assert_quiet(page)
