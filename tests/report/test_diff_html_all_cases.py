"""diff.html lists every case both sides hold, not only the changed ones (feat_alldiff: "LangSmith's experiment
comparison shows every example side by side, with the changed ones highlighted and a filter"): a status filter
(changed by default, regressed, improved, unchanged, reply text only, all; each with its count), a search over
case id, complaint and both replies, every row opening to the same side-by-side detail, a page of 200 rows at a
time. diff.json keeps what it held."""

from __future__ import annotations

import json
import re

import pytest

from harness.compare import build_diff, write_diff
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import needs_chromium

N = 230  # more than a page of rows (200)
REWORDED = (10, 12, 13, 14, 15, 16)  # the first 5 have a view in diff.json (word changes by Python), c016 not


def _side(b: bool) -> list:
    out = []
    for i in range(N):
        cid = f"c{i:03d}"
        worse, better = b and i < 3, b and i == 3  # c000-c002 regress, c003 improves
        reply = "Calm down." if worse else "A courier will call you today, sorry."
        if b and i in REWORDED:  # every measure the same
            reply = "A courier will phone you today, sorry."
        if b and i == 11:
            out.append(rec(cid, error=True))  # a case error on B
            continue
        passed = not worse if i != 3 else better
        out.append(rec(cid, reply=reply, persona=["angry", "abusive"][i % 2],
                       checks={"next_step": chk(passed, reply, "A courier will call you today")},
                       judge={"empathy": crit(2 if worse else 4, reason=f"reason {cid} {'B' if b else 'A'}")}))
    return out


def _cases() -> dict:
    return {f"c{i:03d}": {"id": f"c{i:03d}", "persona": ["angry", "abusive"][i % 2], "category": "billing",
                          "turns": [{"role": "customer", "content": f"complaint {i} about parcel{i}x"}]}
            for i in range(N)}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("alldiff")
    report = build_diff(write_run(root / "a", _side(False), cases=_cases()),
                        write_run(root / "b", _side(True), cases=_cases()))
    paths = write_diff(report, root / "diff", ["html", "json"])
    return report, paths


def _data(html: str) -> list[dict]:
    return json.loads(re.search(r'id="diff-data">(.*?)</script>', html).group(1))["comparisons"][0]["cases"]


def test_every_shared_case_is_listed_changed_first_with_counts(written):
    report, paths = written
    html = paths["html"].read_text(encoding="utf-8")
    data = _data(html)
    assert len(data) == N and [c["id"] for c in data[:4]] == ["c000", "c001", "c002", "c003"]
    assert [c["s"] for c in data[:4]] == ["c"] * 4 and {c["s"] for c in data[4:]} == {"u"}
    assert "Cases (230: 4 changed)" in html
    for label in ("changed (4)", "regressed (some measure worse in B) (3)", "improved (some measure better in B) (1)",
                  "unchanged on every measure (226)", "reply text changed only (6)", "all (230)"):
        assert label in html
    by_id = {c["id"]: c for c in data}
    assert by_id["c016"]["rc"] == 1 and by_id["c016"]["w"][1] == "A courier will phone you today, sorry."
    assert "w" not in by_id["c010"]  # its view in diff.json: the word changes written by Python
    assert "w" not in by_id["c020"]  # the same reply: no word changes to compute
    assert "parcel20x" in by_id["c020"]["t"]  # the complaint is searched
    assert "same on every measure" in html and "reply text changed; every measure the same" in html
    assert "case error on B: left out of every row" in html
    # diff.json keeps what it held: no unchanged case in it.
    saved = json.loads(paths["json"].read_text(encoding="utf-8"))["comparisons"][0]
    assert set(saved["groups"]) == {"c000", "c001", "c002", "c003"} and "c020" not in saved["cases"]


@needs_chromium
def test_the_status_filter_search_pages_and_an_unchanged_case_opens_side_by_side(written, browser):
    _, paths = written
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(paths["html"].as_uri())
    shown = page.locator("#c0 .shown")
    assert shown.inner_text() == "4 of 4" and page.locator("#c0 tr.case").count() == 4
    assert not page.locator("#c0-pager").is_visible()
    page.select_option("#c0-f-status", "regressed")
    assert shown.inner_text() == "3 of 3"
    page.select_option("#c0-f-status", "all")
    assert shown.inner_text() == "230 of 230" and page.locator("#c0 tr.case").count() == 200  # a page of rows
    assert "cases 1–200 of 230" in page.locator("#c0-pager").inner_text()
    page.locator("#c0-pager button[data-go=next]").click()
    assert page.locator("#c0 tr.case").count() == 30
    page.select_option("#c0-f-status", "changed")
    page.fill("#c0-f-text", "parcel120x")  # an unchanged case's complaint: counted under "all", not hidden silently
    assert shown.inner_text() == "0 of 4 (1 more match under “all”)"
    page.select_option("#c0-f-status", "all")
    assert shown.inner_text() == "1 of 230"
    page.fill("#c0-f-text", "phone")  # a word of B's replies only
    assert shown.inner_text() == "6 of 230"
    row = page.locator('#c0 tr.case[data-case="c016"]')
    row.focus()
    page.keyboard.press("Enter")
    assert row.get_attribute("aria-expanded") == "true"
    detail = page.locator("#c0 tr.detail:visible")
    text = detail.inner_text()
    assert "complaint 16 about parcel16x" in text and "reason c016 A" in text and "reason c016 B" in text
    assert "1 word removed, 1 added" in detail.locator("details.wdiff summary").inner_text()
    detail.locator("details.wdiff summary").click()
    assert detail.locator("del").inner_text() == "call" and detail.locator("ins").inner_text() == "phone"
    assert detail.locator("mark").count() >= 1  # evidence marked, as a changed case's
    row.focus()
    page.keyboard.press("Enter")
    assert row.get_attribute("aria-expanded") == "false"
    page.fill("#c0-f-text", "")
    page.locator("#c0 table.cases th button", has_text="case").click()
    page.locator("#c0 table.cases th button", has_text="case").click()  # descending
    assert page.locator("#c0 tr.case").first.get_attribute("data-case") == "c229"
    assert errors == []
    page.close()


def test_above_the_cap_the_page_lists_the_changed_cases_and_says_why(written, monkeypatch):
    import harness.report.diff_html as diff_html

    report, _ = written
    monkeypatch.setattr(diff_html, "MAX_LISTED", N - 1)
    html = diff_html.render_diff_html(report)
    assert "The pairs share 230 cases, more than the 229 diff.html lists in full" in html
    assert len(_data(html)) == 4 and "Changed cases (4)" in html and 'id="c0-f-status"' not in html


@needs_chromium
def test_each_pair_has_its_own_list(tmp_path, browser):
    def side(b: bool) -> list:
        return [rec(f"k{i}", candidate=cand, reply="Sorry." if b and cand == "v2" and i == 0 else "Hello.",
                    checks={"next_step": chk(not (b and cand == "v2" and i == 0))})
                for cand in ("v1", "v2") for i in range(3)]

    report = build_diff(write_run(tmp_path / "a", side(False)), write_run(tmp_path / "b", side(True)))
    assert len(report.comparisons) == 2
    html = write_diff(report, tmp_path / "diff", ["html"])["html"]
    text = html.read_text(encoding="utf-8")
    assert 'id="c0-store"' in text and 'id="c1-store"' in text
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    assert page.locator("#c0 .shown").inner_text() == "3 of 3"  # v1 → v1: nothing changed, the list shows all
    assert page.locator("#c1 .shown").inner_text() == "1 of 1"
    page.select_option("#c1-f-status", "all")
    assert page.locator("#c1 .shown").inner_text() == "3 of 3" and page.locator("#c0 .shown").inner_text() == "3 of 3"
    page.locator('#c1 tr.case[data-case="k0"]').click()
    assert "Sorry." in page.locator("#c1 tr.detail:visible").inner_text()
    assert errors == []
    page.close()
