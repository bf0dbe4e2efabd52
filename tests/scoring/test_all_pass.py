"""The "all checks and criteria pass" figure: promptfoo's per-test pass/fail headline, with an interval."""

from __future__ import annotations

import json

from harness.report.markdown import render_scorecard_md
from harness.report.tables import ALL_PASS_LABEL, summary_rows
from harness.report.terminal import summary_table
from harness.scoring.scorecard import SCORECARD_SCHEMA_VERSION, build_scorecard, load_scorecard
from harness.records.schema import CriterionResult
from tests.scoring.factory import CRITERIA, check, manifest, record, sample_records, score


def _card(records):
    return build_scorecard(records, manifest(), CRITERIA)


def test_a_case_passes_only_when_every_check_and_criterion_passed():
    records = [
        record("c1", judge={"empathy": score(5)}, checks={"apology_wording": check(True), "x": check(None)}),
        record("c2", judge={"empathy": score(3)}, checks={"apology_wording": check(True)}),  # 3 < threshold 4
        record("c3", judge={"empathy": score(4)}, checks={"apology_wording": check(False)}),
        record("c4", judge={"empathy": score(4), "boundary": CriterionResult(applicable=False)}, checks={}),
    ]
    stat = _card(records).candidates["bot_v1"].all_pass
    assert (stat.passed, stat.n) == (2, 4)
    assert stat.ci is not None and stat.ci.lo < 0.5 < stat.ci.hi


def test_errors_are_counted_apart_neither_passed_nor_failed():
    card = _card(sample_records())
    v1 = card.candidates["bot_v1"]
    # c1 passes everything; c2 fails apology_wording; c3 has judge errors, c4 a case error: counted apart.
    assert (v1.all_pass.passed, v1.all_pass.n, v1.n_all_pass_errors) == (1, 2, 2)
    v2 = card.candidates["bot_v2"]
    assert (v2.all_pass.passed, v2.all_pass.n, v2.n_all_pass_errors) == (1, 2, 0)


def test_the_row_is_near_the_top_of_every_summary():
    card = _card(sample_records())
    rows = summary_rows(card)
    assert rows[1].label == ALL_PASS_LABEL and rows[1].section == "Records"
    assert rows[1].cells[0] == "50% [9, 91] (2) · 2 errored"
    md = render_scorecard_md(card)
    assert f"| {ALL_PASS_LABEL} | 50% [9, 91] (2) · 2 errored | 50% [9, 91] (2) |" in md
    assert md.index(ALL_PASS_LABEL) < md.index("**Checks**")
    assert ALL_PASS_LABEL in [str(cell) for cell in summary_table(card).columns[0]._cells]


def test_it_is_stricter_than_any_row():
    card = _card(sample_records())
    v1 = card.candidates["bot_v1"]
    rates = [s.pass_rate.rate for s in v1.checks.values() if s.pass_rate.rate is not None]
    rates += [s.pass_rate.rate for s in v1.criteria.values() if s.pass_rate.rate is not None]
    assert v1.all_pass.rate <= min(rates)


def test_a_schema_4_file_still_reads_without_the_row(tmp_path):
    card = _card(sample_records())
    data = json.loads(card.model_dump_json())
    data["schema_version"] = 4
    for candidate in data["candidates"].values():
        del candidate["all_pass"], candidate["n_all_pass_errors"]
    (tmp_path / "scorecard.json").write_text(json.dumps(data))
    old = load_scorecard(tmp_path)
    assert old.candidates["bot_v1"].all_pass is None
    assert all(row.label != ALL_PASS_LABEL for row in summary_rows(old))
    assert SCORECARD_SCHEMA_VERSION == 7


def test_variants_do_not_count():
    from harness.scoring.accumulate import CandidateAcc, IntervalOptions

    acc = CandidateAcc("bot_v1")
    acc.add(record("c1", judge={"empathy": score(5)}))
    acc.add_variant(record("c1", judge={"empathy": score(1)}), "shout")
    assert acc.result(IntervalOptions(), ["empathy"]).all_pass.passed == 1
