"""report.html's loose ends (fix_left4b): a criterion of a single case is pooled in the score bars as scorecard.md
pools it, not drawn as a bar over one case; a run without personas (categories) has no persona (category)
column or filter; a perturbed variant names its original in the page's data (the side-by-side view puts it
under it: test_browser_variants_grid)."""

from __future__ import annotations

import json
import re

from harness.report.html import render_run_html, render_score_bars
from harness.report.html_columns import columns_css, record_columns
from harness.report.html_grid import page_cases
from harness.runner.outputs import finalize_run
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import chk, crit, rec, write_run
from tests.scoring.factory import CRITERIA, manifest, record, score

OWN = {**CRITERIA, "names_order": {"scale": "pass_fail", "pass_threshold": 4, "applies_when": "always",
                                   "case": True}}


def _own_criterion_card():
    """Three cases judged on empathy; c1 also on its own criterion, names_order (one verdict per candidate)."""
    records = []
    for candidate, ok in (("bot_v1", True), ("bot_v2", False)):
        own = {"names_order": score(5 if ok else 1)}
        records += [record("c1", candidate, judge={"empathy": score(5), **own}),
                    record("c2", candidate, judge={"empathy": score(4)}),
                    record("c3", candidate, judge={"empathy": score(3)})]
    return build_scorecard(records, manifest(), OWN)


def test_a_criterion_of_one_case_is_pooled_in_the_bars_not_drawn():
    bars = render_score_bars(_own_criterion_card())
    rows = re.findall(r"<tr>(.*?)</tr>", bars, re.S)
    own = [row for row in rows if "names_order" in row or "single cases" in row]
    # one row of words, as the summary's (and scorecard.md's): no bar, no [21, 100] interval of n = 1
    assert len(own) == 1 and "criteria of single cases (1, pooled)" in own[0] and "<svg" not in own[0]
    assert "1 of 1 passed" in own[0] and "0 of 1 passed" in own[0]
    assert "[21, 100]" not in bars and "[0, 79]" not in bars
    empathy = next(row for row in rows if row.startswith("<td>empathy</td>"))
    assert empathy.count("<svg") == 2  # a criterion of every case keeps its bars


def test_checks_of_single_cases_get_their_pooled_row_in_the_bars_too():
    records = [record(c, name, checks={"no_contradiction": chk(True), **({"own": chk(name == "bot_v1")}
                                                                          if c == "c1" else {})})
               for c in ("c1", "c2") for name in ("bot_v1", "bot_v2")]
    bars = render_score_bars(build_scorecard(records, manifest(), CRITERIA))
    assert "checks of single cases (1, pooled)" in bars and "own (check)" not in bars


def _page(tmp_path, personas=(None, None), categories=(None, None)):
    records = [rec(f"c{i}", name, reply="Sorry.", checks={"next_step": chk(i == 0)}, judge={"empathy": crit(5)},
                   persona=personas[i], category=categories[i])
               for i in range(2) for name in ("a", "b")]
    return finalize_run(write_run(tmp_path / "run", records)).report_html.read_text()


def _head(page: str) -> list[str]:
    head = re.search(r'<table id="records".*?</thead>', page, re.S).group(0)
    return re.findall(r'title="sort by ([^"]*)"', head)


def test_no_persona_or_category_column_or_filter_where_no_record_has_one(tmp_path):
    page = _page(tmp_path)
    assert _head(page) == ["case", "candidate", "checks", "criteria", "error"]
    body = page[page.index('<table id="records"'):]
    assert "(none)" not in body.split("</table>")[0]  # no column of "(none)"
    assert 'id="f-persona"' not in page and 'id="f-category"' not in page
    assert 'colspan="5"' in page and 'colspan="7"' not in page  # the detail rows span the columns there are


def test_a_column_some_record_fills_stays(tmp_path):
    page = _page(tmp_path, personas=("angry", None))
    assert _head(page) == ["case", "candidate", "persona", "checks", "criteria", "error"]
    assert re.search(r'<select id="f-persona"><option value="">all</option><option value="\(none\)">', page)
    assert 'id="f-category"' not in page


def test_the_rules_that_name_a_cell_by_place_follow_the_columns():
    css = columns_css(record_columns([], criteria=True))
    assert 'td:nth-child(3)::before { content: "checks: "; }' in css
    assert 'td:nth-child(5)::before { content: "error: "; }' in css and "persona" not in css
    assert "td:nth-child(n+3) { grid-column: 1 / -1; }" in css
    assert "body.lab-blind #records tr.rec > td:nth-child(4) { font-size: 0; }" in css
    full = columns_css(record_columns(["persona", "category"], criteria=False))
    assert 'td:nth-child(3)::before { content: "persona "; }' in full and "criteria" not in full
    assert 'td:nth-child(6)::before { content: "error: "; }' in full


def test_a_variant_names_its_original_and_kind_in_the_pages_data():
    cases = {"c.1": {"id": "c.1", "metadata": {"tier": "gold"}},
             "c.1~shout": {"id": "c.1~shout", "metadata": {"tier": "gold", "perturbation": "shout",
                                                           "perturbed_from": "c.1"}},
             # the metadata alone, not agreeing with the id, does not make a variant (as perturb.is_variant)
             "x": {"id": "x", "metadata": {"perturbation": "shout", "perturbed_from": "c.1"}}}
    data = page_cases(cases)
    assert data["c%2E1%7Eshout"] == {"meta": [["tier", "gold"]], "variant": ["c%2E1", "shout"]}
    assert "variant" not in data["x"] and data["c%2E1"] == {"meta": [["tier", "gold"]]}


def test_render_run_html_keeps_working_without_rows():
    page = render_run_html(_own_criterion_card(), [], {})
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["records"] == [] and "criteria of single cases (1, pooled)" in page


def test_the_browser_labelling_does_not_offer_another_cases_own_criterion():
    # c2 carries its own criterion names_order; c1 was never asked it, so its panel must not offer it (it did,
    # with no question to answer), as `harness label` asks it only where it was judged.
    from harness.report.html_records import RecordRenderer, RecordView
    from tests.compare.runs import crit, rec

    renderer = RecordRenderer(RecordView(criteria=["empathy", "names_order"], checks=[],
                                         scales={"empathy": "1-5", "names_order": "pass_fail"}))
    index = renderer.target_index
    c1 = rec("c1", judge={"empathy": crit(4)})
    c2 = rec("c2", judge={"empathy": crit(4), "names_order": crit(1)})
    assert renderer.label_fields(c1, []).get("skip") == [index[("criterion", "names_order")]]
    assert "skip" not in renderer.label_fields(c2, [])
