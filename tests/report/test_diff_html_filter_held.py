"""diff.html's check and criterion filters mean what the status says (fix_s23c): under "changed", "regressed" and
"improved" the cases that changed on that measure ("check flipped", "criterion changed"); under "unchanged" and
"reply text only" the cases it was graded on and held ("check held"); under "all" every case it was graded on
("check graded (held or flipped)"), so the list can confirm that a check held. Each option counts its cases under
the status; "all" counts the row's n_cases."""

from __future__ import annotations

import json
import re

import pytest

from harness.compare import build_diff, write_diff
from tests.compare.runs import chk, crit, rec, write_run
from tests.support.browser import needs_chromium

N = 20
NA = (5, 6, 7)  # next_step does not apply (on both sides)
NA_B = (8,)  # next_step does not apply on B only: left out of its row
NO_EMPATHY = (9,)  # empathy judged not applicable on A


def _side(b: bool) -> list:
    out = []
    for i in range(N):
        cid = f"c{i:03d}"
        if b and i == 10:
            out.append(rec(cid, error=True))  # a case error on B: graded on nothing
            continue
        worse, better = b and i < 2, b and i == 2  # c000-c001 fail next_step in B, c002 passes it
        passed = None if i in NA or (b and i in NA_B) else (not worse if i != 2 else better)
        judge = {"empathy": crit(None, applicable=False) if (not b and i in NO_EMPATHY) else crit(2 if i == 3 and b else 4)}
        out.append(rec(cid, reply="A courier will call you today.", checks={"next_step": chk(passed)}, judge=judge))
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("held")
    report = build_diff(write_run(root / "a", _side(False)), write_run(root / "b", _side(True)))
    return report, write_diff(report, root / "diff", ["html", "json"])


def _data(html: str) -> dict:
    return json.loads(re.search(r'id="diff-data">(.*?)</script>', html).group(1))["comparisons"][0]


def test_each_case_says_the_rows_it_was_not_graded_on(written):
    report, paths = written
    data = _data(paths["html"].read_text(encoding="utf-8"))
    rows = [tuple(r) for r in data["rows"]]
    assert {("check", "next_step"), ("criterion", "empathy")} <= set(rows)
    not_graded = {c["id"]: {rows[k] for k in c.get("x", [])} for c in data["cases"]}
    step, empathy = ("check", "next_step"), ("criterion", "empathy")
    assert {cid for cid, x in not_graded.items() if step in x} == {"c005", "c006", "c007", "c008", "c010"}
    assert {cid for cid, x in not_graded.items() if empathy in x} == {"c009", "c010"}
    by_row = {(r.kind, r.name): r.n_cases for r in report.comparisons[0].rows}
    for row in (step, empathy):  # the cases graded on a row are the row's n_cases
        assert sum(row not in x for x in not_graded.values()) == by_row[row]


@needs_chromium
def test_the_check_filter_keeps_the_cases_it_held_on_under_unchanged_and_all(written, browser):
    report, paths = written
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(paths["html"].as_uri())
    shown, said = page.locator("#c0 .shown"), page.locator("label[for=c0-f-check] .said")

    def options(kind: str) -> list[str]:  # the manifest's other rows graded no case: not offered
        return [o.inner_text() for o in page.locator(f"#c0-f-{kind} option").all()]

    assert shown.inner_text() == "4 of 4" and said.inner_text() == "check flipped"
    assert options("check") == ["any", "next_step (3)"] and options("criterion") == ["any", "empathy (1)"]
    page.select_option("#c0-f-check", "next_step")
    assert shown.inner_text() == "3 of 4"  # changed on next_step, as before
    page.select_option("#c0-f-status", "unchanged")  # 16 unchanged: 20 less c000-c003
    assert said.inner_text() == "check held"
    assert page.locator("label[for=c0-f-criterion] .said").inner_text() == "criterion held"
    # held on next_step: the unchanged cases less c005-c008 (not applicable) and c010 (case error)
    assert shown.inner_text() == "11 of 16" and options("check") == ["any", "next_step (11)"]
    assert "c005" not in page.locator("#c0 table.cases").inner_text()
    page.select_option("#c0-f-status", "all")
    assert said.inner_text() == "check graded (held or flipped)"
    n_cases = {r.name: r.n_cases for r in report.comparisons[0].rows}
    assert shown.inner_text() == f"{n_cases['next_step']} of 20" and options("check") == ["any", "next_step (15)"]
    page.select_option("#c0-f-flip", "down")  # a direction still asks for the change
    assert shown.inner_text() == "2 of 20"
    page.select_option("#c0-f-flip", "")
    page.select_option("#c0-f-check", "")
    page.select_option("#c0-f-criterion", "empathy")
    assert shown.inner_text() == f"{n_cases['empathy']} of 20"
    page.select_option("#c0-f-status", "reply")
    assert said.inner_text() == "check held"
    page.select_option("#c0-f-status", "regressed")
    assert said.inner_text() == "check flipped" and shown.inner_text() == "1 of 3"  # c003's empathy dropped
    assert errors == []
    page.close()
