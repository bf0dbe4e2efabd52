"""report.html's record rows as text: checks labelled beside criteria, n/a evidence apart, the criteria that
erred named, stable record ids, aligned summary headers, no criteria column in a checks-only eval."""

from __future__ import annotations

import json
import re

from harness.checks.base import Span
from harness.report.html import render_run_html
from harness.report.html_parts import BASE_CSS
from harness.report.html_records import highlight, record_anchor
from harness.scoring.scorecard import build_scorecard
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run


def _page(tmp_path, records) -> str:
    return finalize_run(write_run(tmp_path / "run", records)).report_html.read_text(encoding="utf-8")


def _records() -> list:
    reply = "Sorry. A courier will call."
    good = rec("c1", "alpha", reply=reply, checks={"next_step": chk(True, reply, "A courier")},
               judge={"empathy": crit(5), "policy": crit(1.0)})
    bad = rec("c1", "beta", reply=reply,
              checks={"next_step": chk(False), "no_contradiction": chk(None, reply, "Sorry")},
              judge={"empathy": crit(2), "policy": crit(None, error=True)})
    return [good, bad]


def test_the_side_by_side_note_labels_checks_apart_from_criteria(tmp_path):
    # "beta fails next_step, empathy" mixed a check with a criterion.
    page = _page(tmp_path, _records())
    assert "<h4>beta <span class=\"fail\">fails next_step (check), empathy</span></h4>" in page


def test_evidence_of_a_check_that_did_not_apply_is_not_a_pass():
    marks = [(Span(start=0, end=5, text="Sorry"), "no_contradiction"),
             (Span(start=7, end=9, text="A "), "next_step"), (Span(start=0, end=3, text="Sor"), "next_step")]
    html = highlight("Sorry. A courier.", marks, failing=[], na=["no_contradiction"])
    na_only = '<mark class="ev-na" title="no_contradiction (n/a)" data-pass="" data-na="no_contradiction">ry</mark>'
    assert na_only in html
    # a span a passing check also cites stays a pass, the n/a check named as such
    assert '<mark title="next_step, no_contradiction (n/a)" data-pass="next_step" data-na="no_contradiction">Sor' in html
    assert highlight("Sorry.", marks[:1]) == '<mark title="no_contradiction" data-pass="no_contradiction">Sorry</mark>.'
    assert "mark.ev-na { background: none;" in BASE_CSS


def test_the_criteria_cell_names_the_criteria_that_erred_and_rows_carry_their_errors(tmp_path):
    records = _records() + [rec("c2", "alpha", error=True)]
    page = _page(tmp_path, records)
    assert '<span class="fail">error: policy</span>' in page and "error(s)" not in page
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page).group(1))["records"]
    assert [row.get("errors") for row in data] == [None, ["policy"], ["*case"]]  # only erring rows carry the field
    assert '<option value="*case">the case (no reply)</option>' in page
    assert '<option value="policy">judge of policy</option>' in page


def test_each_record_has_a_stable_id_from_case_candidate_and_sample(tmp_path):
    assert record_anchor(("c1", "alpha", 0)) == "c1.alpha.0"
    # a dot or a space in a case id cannot make two records' ids meet
    assert record_anchor(("a.b", "c", 0)) != record_anchor(("a", "b.c", 0))
    assert record_anchor(("x y/z", "bot", 2)) == "x%20y%2Fz.bot.2"
    page = _page(tmp_path, _records())
    assert re.findall(r'<tr class="rec"[^>]* id="([^"]+)">', page) == ["c1.alpha.0", "c1.beta.0"]


def test_summary_headers_of_candidates_are_right_aligned_like_their_figures(tmp_path):
    page = _page(tmp_path, _records())
    assert '<th scope="col">measure</th><th scope="col" class="num">alpha</th>' in page
    assert "td.num, th.num { text-align: right; }" in BASE_CSS


def test_a_checks_only_eval_has_no_criteria_column_or_criterion_filter():
    records = [rec("c1", "bot", checks={"next_step": chk(True)})]
    page = render_run_html(build_scorecard(records, None, {}), records, None)
    assert 'id="f-criterion"' not in page and '<table id="records" class="no-criteria">' in page
    assert 'title="sort by criteria"' not in page and 'colspan="6"' in page
