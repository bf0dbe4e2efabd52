"""report.html in headless Chromium, for a run with perturbed variants (``perturb:``) and no personas or
categories: the side-by-side view puts each variant under its original (wherever the list has it), labelled
with its kind; the disagreement filter keeps a variant by its own candidates and shows its original with it;
cases and variants are counted apart; and with the persona and category columns dropped, the view's marks,
a phone's labels and blind labelling still find the checks and criteria cells."""

from __future__ import annotations

import pytest

from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium

CANDIDATES = ("recorded", "m1", "m2")
# c1~typos last, as a run without the case snapshot's order (or a dataset's own) could place it
ORDER = ("c1", "c1~shout", "c2", "c2~shout", "c1~typos")


def _case(case_id: str) -> dict:
    case = {"id": case_id, "turns": [{"role": "customer", "content": f"complaint of {case_id}"}]}
    if "~" in case_id:
        source, kind = case_id.split("~")
        case["metadata"] = {"perturbation": kind, "perturbed_from": source}
    return case


def _records() -> list:
    records = []
    for case_id in ORDER:
        for name in CANDIDATES:
            if "~" in case_id and name == "recorded":
                continue  # recorded replies answered the original only
            # the candidates disagree on c2 (recorded fails) and on c1~shout (m2 fails); agree elsewhere
            ok = not ((case_id == "c2" and name == "recorded") or (case_id == "c1~shout" and name == "m2"))
            records.append(rec(case_id, name, reply="Sorry, a courier calls today.",
                               checks={"next_step": chk(ok)}, judge={"empathy": crit(5)},
                               persona=None, category=None))
    return records


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = write_run(tmp_path_factory.mktemp("variants") / "run", _records(), cases={c: _case(c) for c in ORDER})
    return finalize_run(run).report_html


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def _shown(page) -> list[str]:
    return page.locator("#grid tbody tr:visible th").evaluate_all("ths => ths.map(t => t.firstChild.textContent)")


def test_each_variant_sits_under_its_original_labelled_with_its_kind(page, report):
    page.goto(report.as_uri() + "#view=grid")
    assert _shown(page) == ["c1", "c1~shout", "c1~typos", "c2", "c2~shout"]
    rows = page.locator("#grid tbody tr")
    assert rows.evaluate_all("trs => trs.map(t => t.classList.contains('variant'))") == [
        False, True, True, False, True]
    assert "↳ typos variant of c1" in rows.nth(2).locator("th").inner_text()
    assert "perturbed_from" not in rows.nth(2).locator("th").inner_text()  # the label says it
    # the recorded candidate has no record of a variant: its cell says so, not an empty box
    assert rows.nth(1).locator("td").first.inner_text() == "—"
    # marks found the checks cell though the list has no persona or category column
    assert "✗ next_step" in rows.nth(1).locator("td").nth(2).inner_text()
    assert "✓ all checks pass" in rows.nth(0).locator("td").nth(0).inner_text()
    assert page.locator("#grid-shown").inner_text() == "2 of 2"
    assert page.locator("#grid-variants").inner_text() == " · 3 of 3 variants"
    assert_quiet(page)


def test_disagreement_keeps_a_variant_by_its_own_candidates_with_its_original(page, report):
    page.goto(report.as_uri() + "#view=grid")
    page.check("#f-differ")
    # c1 agrees but its shout variant does not: c1 comes along, dimmed; c2 disagrees, its variant does not
    assert _shown(page) == ["c1", "c1~shout", "c2"]
    context = page.locator("#grid tbody tr:visible").evaluate_all(
        "trs => trs.map(t => t.classList.contains('context'))")
    assert context == [True, False, False]
    assert page.locator("#grid-shown").inner_text() == "1 of 2"
    assert page.locator("#grid-variants").inner_text() == " · 1 of 3 variants"
    page.uncheck("#f-differ")
    page.select_option("#f-candidate", "recorded")  # no record of any variant
    assert _shown(page) == ["c1", "c2"]
    assert page.locator("#grid-variants").inner_text() == " · 0 of 3 variants"
    assert_quiet(page)


def test_without_group_columns_the_phone_and_blind_labelling_find_their_cells(browser, report):
    with watched_page(browser) as page:
        page.set_viewport_size({"width": 400, "height": 800})
        page.goto(report.as_uri())
        assert page.locator("#records thead th").all_inner_texts() == [
            "case", "candidate", "checks", "criteria", "error"]
        first = page.locator("#records tr.rec").first
        before = first.locator("td").evaluate_all(
            "tds => tds.map(td => getComputedStyle(td, '::before').content)")
        assert before[2:] == ['"checks: "', '"criteria: "', '"error: "']
        page.evaluate("document.body.classList.add('lab-blind')")
        sizes = first.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td).fontSize)")
        assert sizes[2] == sizes[3] == "0px" and sizes[0] != "0px" and sizes[4] != "0px"
        assert_quiet(page)
