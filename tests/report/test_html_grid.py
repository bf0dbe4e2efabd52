"""report.html's side-by-side view (html_grid), as the page writes it: offered only when a run compares two or
more candidates, its header naming each candidate with its setup line, and the criteria the candidates of a case
disagree on in the rows' data (the view marks those cases). The browser side is test_browser_grid."""

from __future__ import annotations

import json
import re

from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, manifest, rec, write_run

SETUPS = {"alpha": "recorded bot-v1", "beta <b>": "recorded bot-v2"}


def _run(tmp_path, candidates=("alpha", "beta <b>")):
    records = []
    for i in range(3):
        for k, name in enumerate(candidates):
            # c1: the candidates' empathy verdicts differ (5 passes, 2 fails); their checks agree everywhere
            score = 2 if (i == 1 and k == 1) else 5
            records.append(rec(f"c{i}", name, reply=f"Sorry {i}", checks={"apology": chk(True, "Sorry", "Sorry")},
                               judge={"empathy": crit(score)}))
    man = manifest(candidates)
    man.candidates = [{"name": n, "kind": "recorded", "recorded": SETUPS.get(n, "x").split()[-1]} for n in candidates]
    return finalize_run(write_run(tmp_path / "run", records, man)).report_html.read_text()


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_two_candidates_get_a_side_by_side_view_headed_by_their_setups(tmp_path):
    page = _run(tmp_path)
    assert 'id="tab-grid"' in page and 'id="grid-view"' in page and 'id="f-differ"' in page
    head = re.search(r'<table id="grid".*?</thead>', page, re.S).group(0)
    # one column per candidate in the eval's order, each with the setup line the run's identity writes
    assert re.findall(r'data-candidate="([^"]*)"', head) == ["alpha", "beta &lt;b&gt;"]
    assert '<span class="setup">recorded bot-v1</span>' in head and "<b>beta &lt;b&gt;</b>" in head
    assert "<b>" not in head.replace("<b>alpha</b>", "").replace("<b>beta &lt;b&gt;</b>", "")  # names escaped


def test_criteria_the_candidates_disagree_on_are_in_the_rows_data(tmp_path):
    rows = _data(_run(tmp_path))["records"]
    assert [r.get("cflips") for r in rows] == [None, None, ["empathy"], ["empathy"], None, None]
    assert all(r["flips"] == [] for r in rows)  # the checks agree: the check filter's field is unchanged


def test_one_candidate_has_no_side_by_side_view(tmp_path):
    page = _run(tmp_path, ("alpha",))
    assert 'id="tab-grid"' not in page and 'id="grid-view"' not in page and 'id="records-view"' not in page
    assert '<table id="records"' in page
