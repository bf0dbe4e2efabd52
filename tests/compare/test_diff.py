"""build_diff on synthetic runs: planted regressions, exclusions, clusters, the guard, the schema."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

from harness.compare import DiffOptions, IncomparableRunsError, build_diff, load_diff, write_diff
from harness.compare.guard import differences
from harness.errors import ConfigError, ResultsError
from harness.schemas import schema_of
from tests.compare.runs import chk, crit, manifest, rec, write_run

N = 60


def _baseline(rng):
    """Per case: A's verdicts, with realistic spread."""
    return [{"apology": bool(rng.random() < 0.7), "next": i < 20 or bool(rng.random() < 0.5),
             "empathy": int(rng.integers(2, 6)), "policy": bool(rng.random() < 0.8)} for i in range(N)]


def _records(base, candidate="bot", *, plant_next=False, plant_empathy=False, noise=True):
    out = []
    for i, v in enumerate(base):
        apology, empathy, policy = v["apology"], v["empathy"], v["policy"]
        if noise:  # symmetric noise: as many cases move up as down
            apology = (not apology) if i in (3, 8) and apology != (i == 8) else apology
            empathy = empathy + (1 if i in (5, 15) and empathy < 5 else -1 if i in (6, 16) and empathy > 1 else 0)
        next_step = v["next"] and not (plant_next and i < 20)
        empathy = max(1, empathy - 2) if plant_empathy and 30 <= i < 50 else empathy
        out.append(rec(f"c{i:03d}", candidate, reply=f"reply {i}",
                       checks={"apology_wording": chk(apology), "next_step": chk(next_step),
                               "no_contradiction": chk(True)},
                       judge={"empathy": crit(empathy), "policy": crit(1.0 if policy else 0.0)}))
    return out


@pytest.mark.parametrize("plant", ["next_step", "empathy"])
def test_planted_regression_is_flagged_and_nothing_else(tmp_path, plant):
    base = _baseline(np.random.default_rng(42))
    run_a = write_run(tmp_path / "a", _records(base, noise=False))
    run_b = write_run(tmp_path / "b", _records(base, plant_next=plant == "next_step", plant_empathy=plant == "empathy"))
    report = build_diff(run_a, run_b)
    rows = {row.name: row for row in report.comparisons[0].rows}
    assert {name for name, row in rows.items() if row.verdict != "no detectable change"} == {plant}
    row = rows[plant]
    assert row.verdict == "regressed" and row.p_holm < 0.05 and row.ci.hi < 0
    true_effect = -20 / N if plant == "next_step" else np.mean([-min(2, base[i]["empathy"] - 1) for i in range(30, 50)
                                                                 ]) * 20 / N
    assert row.ci.lo <= true_effect <= row.ci.hi
    assert all(r.p_holm >= 0.05 for name, r in rows.items() if name != plant)
    assert row.test == ("mcnemar_exact" if plant == "next_step" else "wilcoxon_signed_rank")
    if plant == "next_step":
        assert row.pass_to_fail == 20 and row.fail_to_pass == 0
        assert {c.case_id for c in row.changes} == {f"c{i:03d}" for i in range(20)}


def test_errors_and_non_applicable_cases_are_left_out_consistently(tmp_path):
    a = [rec("c1", checks={"next_step": chk(True)}, judge={"empathy": crit(4)}, error=True),
         rec("c2", checks={"next_step": chk(True)}, judge={"empathy": crit(4), "policy": crit(1)}),
         rec("c3", checks={"next_step": chk(None)}, judge={"empathy": crit(None, applicable=False)}),
         rec("c4", checks={"next_step": chk(True)}, judge={"empathy": crit(5)})]
    b = [rec("c1", checks={"next_step": chk(False)}, judge={"empathy": crit(1)}),
         rec("c2", checks={"next_step": chk(False)}, judge={"empathy": crit(None, error=True), "policy": crit(0)}),
         rec("c3", checks={"next_step": chk(False)}, judge={"empathy": crit(3)}),
         rec("c4", checks={"next_step": chk(True)}, judge={"empathy": crit(2)}),
         rec("c5", checks={"next_step": chk(True)}, judge={"empathy": crit(2)})]
    report = build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b))
    rows = {row.name: row for row in report.comparisons[0].rows}
    empathy, next_step = rows["empathy"], rows["next_step"]
    assert (empathy.n_cases, empathy.left_out.case_error, empathy.left_out.judge_error,
            empathy.left_out.not_applicable, empathy.left_out.unmatched) == (1, 1, 1, 1, 1)
    assert empathy.value_a == 5 and empathy.value_b == 2
    # c2's judge error touches only the empathy row; the check row keeps it.
    assert (next_step.n_cases, next_step.left_out.case_error, next_step.left_out.judge_error) == (2, 1, 0)
    assert next_step.pass_to_fail == 1 and next_step.value_a == 1.0 and next_step.value_b == 0.5
    assert rows["policy"].n_cases == 1  # c2 only: the others have no policy verdict


def test_several_samples_per_case_form_one_cluster(tmp_path):
    a = [rec(f"c{i}", sample=s, checks={"next_step": chk(True)}, judge={"empathy": crit(4)})
         for i in range(10) for s in range(3)]
    b = [rec(f"c{i}", sample=s, checks={"next_step": chk(s > 0 or i % 2 == 0)}, judge={"empathy": crit(3 + (i % 2))})
         for i in range(10) for s in range(3)]
    report = build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b))
    rows = {row.name: row for row in report.comparisons[0].rows}
    assert rows["next_step"].n_cases == 10 and rows["next_step"].n_samples_a == 30
    assert rows["next_step"].test == "wilcoxon_signed_rank"  # case rates, not single pairs
    assert rows["next_step"].difference == pytest.approx(-5 / 30)
    assert rows["empathy"].difference == pytest.approx(-0.5)
    view = report.comparisons[0].cases["c1"]
    assert view.a.n_samples == 3 and view.turns[0]["content"] == "complaint c1"


def test_pair_within_one_run_and_candidate_errors(tmp_path):
    records = _records(_baseline(np.random.default_rng(1)), "v1", noise=False) + \
        _records(_baseline(np.random.default_rng(1)), "v2", plant_next=True)
    run = write_run(tmp_path / "run", records)
    report = build_diff(run, options=DiffOptions(pair=("v1", "v2")))
    assert report.same_run and report.comparisons[0].candidate_b == "v2"
    assert {r.name for r in report.comparisons[0].rows if r.verdict == "regressed"} == {"next_step"}
    with pytest.raises(ConfigError, match="--pair"):
        build_diff(run)
    with pytest.raises(ResultsError, match="candidates: v1, v2"):
        build_diff(run, options=DiffOptions(pair=("v1", "v3")))


@pytest.mark.parametrize("change,phrase", [
    # The dataset's hash is no longer one: its cases are compared one by one (tests/compare/test_case_changes.py).
    ({"rubric_version": "2"}, "rubric version differs (A 1, B 2)"),
    ({"judge": "openai/gpt-4o"}, "judge model differs (A fake/judge, B openai/gpt-4o)"),
    # Model names are not cut: at 12 characters this read "openai/gpt-4…".
    ({"judge": "openai/gpt-4o-mini"}, "judge model differs (A fake/judge, B openai/gpt-4o-mini)"),
    ({"checks": {"apology_wording": "4", "next_step": "2", "no_contradiction": "1"}},
     "check apology_wording version differs (A 3, B 4)"),
])
def test_guard_refuses_and_names_what_differs(tmp_path, change, phrase):
    records = _records(_baseline(np.random.default_rng(2)))
    run_a = write_run(tmp_path / "a", records)
    run_b = write_run(tmp_path / "b", records, manifest(**change))
    assert differences(manifest(), manifest(**change)) == [phrase]
    with pytest.raises(IncomparableRunsError, match="not comparable") as info:
        build_diff(run_a, run_b)
    assert phrase in str(info.value)
    report = build_diff(run_a, run_b, DiffOptions(allow_incomparable=True))
    assert not report.comparable and phrase in report.warnings[0]
    paths = write_diff(report, tmp_path / "out")
    for path in paths.values():
        assert "NOT comparable" in path.read_text()


def test_diff_json_matches_its_shipped_schema_and_round_trips(tmp_path):
    base = _baseline(np.random.default_rng(4))
    report = build_diff(write_run(tmp_path / "a", _records(base)), write_run(tmp_path / "b", _records(base, plant_next=True)))
    paths = write_diff(report, tmp_path / "out", ["json"])
    data = json.loads(paths["json"].read_text())
    jsonschema.validate(data, schema_of("diff"))
    assert data["schema_version"] == 10 and load_diff(paths["json"]) == report
    data["schema_version"] = 99
    paths["json"].write_text(json.dumps(data))
    with pytest.raises(ResultsError, match="newer"):
        load_diff(paths["json"])


def test_side_by_side_views_are_capped_per_row_while_changes_stay_complete(tmp_path):
    base = [{"apology": True, "next": True, "empathy": 3, "policy": True} for _ in range(N)]
    a = _records(base, noise=False)
    b = _records(base, plant_next=True, noise=False)  # next_step: c000..c019 pass -> fail
    for i, record in enumerate(b):
        if 30 <= i < 45:  # empathy: 15 rises, the largest (+2) on c040..c044
            record.judge["empathy"] = crit(5 if i >= 40 else 4)
    report = build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b),
                        DiffOptions(views_per_direction=3))
    comparison = report.comparisons[0]
    rows = {row.name: row for row in comparison.rows}
    assert [c.case_id for c in rows["next_step"].changes] == [f"c{i:03d}" for i in range(20)]
    assert len(rows["empathy"].changes) == 15 and rows["empathy"].verdict == "improved"
    # Views: next_step's 3 largest drops and empathy's 3 largest rises, ties by ascending case id both ways
    # (rises took the highest ids, c042..c044, while drops took the lowest).
    assert sorted(comparison.cases) == ["c000", "c001", "c002", "c040", "c041", "c042"]
    assert comparison.cases["c041"].b.verdicts.criteria["empathy"].score == 5
    paths = write_diff(report, tmp_path / "out")
    html = paths["html"].read_text()
    # Every changed case has a row (review #4: the list was capped at the viewed cases, its counter too).
    # Written with the runs at hand, the page lists every shared case, each openable side by side (feat_alldiff);
    # written from diff.json alone, the 35 changed ones: the 6 with a view carry it, the others open to their values.
    assert "All 35 changed cases are listed" in html and "showing <span class=\"shown\" aria-live=\"polite\">35 of 35" in html
    below = sum(1 for c in comparison.reply_changes if c in comparison.cases)  # opened under the list, as before
    assert html.count('<tr class="case"') == N and html.count('class="sbs"><div><h3>A:') == N + below
    from harness.report.diff_html import render_diff_html
    alone = render_diff_html(load_diff(paths["json"]))
    assert "All 35 changed cases are listed" in alone and "embedded for the 6 cases" in alone
    assert alone.count('<tr class="case"') == 35 and "showing <span class=\"shown\" aria-live=\"polite\">35 of 35" in alone
    assert alone.count('class="sbs"><div><h3>A:') == 6 + below
    assert comparison.groups["c010"] == [None, None] and comparison.groups["c000"] == ["angry", "billing"]
    data = json.loads(paths["json"].read_text())
    assert sum(len(row["changes"]) for row in data["comparisons"][0]["rows"]) == 35
    assert "pass→fail 20: c000, c001" in paths["md"].read_text() and "… and 8 more (see diff.json)" in paths["md"].read_text()
    # With the default cap every case of a small diff has its view, and the page has no "more" note (the note
    # above the list now says where the unchanged cases are: every case is listed, feat_alldiff).
    full = build_diff(tmp_path / "a", tmp_path / "b")
    assert len(full.comparisons[0].cases) == 35
    page = write_diff(full, tmp_path / "full", ["html"])["html"].read_text()
    assert "are embedded for the" not in page and "the 25 cases that changed on no measure" in page


def test_lines_the_slim_decoder_rejects_are_read_by_the_full_reader(tmp_path):
    records = _records(_baseline(np.random.default_rng(5)))
    run_a = write_run(tmp_path / "a", records)
    run_b = write_run(tmp_path / "b", records)
    lines = (run_b / "records.jsonl").read_text().splitlines(keepends=True)
    first = json.loads(lines[0])
    first["checks"]["next_step"]["passed"] = 1 - first["checks"]["next_step"]["passed"]  # lax: 0/1 for a boolean
    first["judge"]["empathy"]["score"] = str(first["judge"]["empathy"]["score"] % 5 + 1)  # lax: a number as text
    (run_b / "records.jsonl").write_text(json.dumps(first) + "\n" + "".join(lines[1:]))
    rows = {row.name: row for row in build_diff(run_a, run_b).comparisons[0].rows}
    assert [c.case_id for c in rows["next_step"].changes] == ["c000"]
    assert [c.case_id for c in rows["empathy"].changes] == ["c000"]
    (run_b / "records.jsonl").write_text("".join(lines[:3]) + '{"case_id": "c003", "candidate": 7}\n')
    with pytest.raises(ResultsError, match="invalid record") as info:
        build_diff(run_a, run_b)
    assert info.value.line == 4


def test_a_detectable_effect_beyond_the_scale_reads_none_at_this_n():
    # With 5 cases the floor gave ±120 pp (and ±600 pp on n/a-heavy checks): no figure a rate can have.
    from harness.compare.rows import detectable_effect
    from harness.compare.schema import DiffRow
    from harness.report.diff_cells import fmt_mde

    tiny = detectable_effect(np.zeros(5), 1.0, 0.05, "pass_fail")
    assert tiny is not None and tiny > 1
    assert fmt_mde(DiffRow(kind="check", name="x", scale="pass_fail", n_cases=5, mde=tiny)) == "none at this n"
    assert fmt_mde(DiffRow(kind="check", name="x", scale="pass_fail", n_cases=80, mde=0.2)) == "±20 pp"
    assert fmt_mde(DiffRow(kind="criterion", name="y", scale="1-5", n_cases=5, mde=4.5)) == "none at this n"
    assert fmt_mde(DiffRow(kind="criterion", name="y", scale="1-5", n_cases=50, mde=0.5)) == "±0.50"
