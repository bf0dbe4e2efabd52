"""An eval's `feedback: [metadata.csat, metadata.thumbs=up]`: each key summarised, each check set against it."""

from __future__ import annotations

import json
import random

import pytest

from harness.datasets.schema import Case
from harness.scoring.feedback_keys import (checked_feedback, counted_value, feedback_values, key_kind, parse_key)
from harness.scoring.feedback_stats import auc, newcombe_interval, welch_interval
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import check, manifest, record, score


def _case(case_id: str, **metadata) -> Case:
    return Case(id=case_id, turns=[{"role": "customer", "content": "late"}], metadata=metadata)


def _manifest(keys: list[str], cases: list[Case], replay: str | None = None):
    found = manifest(("prod",))
    found.eval_spec = {"feedback": keys}
    found.dataset["feedback"] = json.loads(json.dumps(feedback_values(keys, cases)))  # as manifest.json holds it
    if replay:
        found.dataset["replay"] = replay
    return found


def _recorded(case_id: str, candidate: str = "prod", **kwargs):
    found = record(case_id, candidate, **kwargs)
    found.reply_source = "recorded"
    return found


# -- the statistics ------------------------------------------------------------------------------------------


def test_auc_is_mann_whitney_with_ties_half_and_matches_scipy() -> None:
    from scipy.stats import mannwhitneyu

    rng = random.Random(3)
    passed = [rng.choice([2, 3, 4, 5, 5]) for _ in range(40)]
    failed = [rng.choice([1, 2, 2, 3, 4]) for _ in range(30)]
    brute = sum(1.0 if p > f else 0.5 if p == f else 0.0 for p in passed for f in failed) / (40 * 30)
    area, ci = auc(passed, failed, 0.95)
    assert area == pytest.approx(brute)
    assert area == pytest.approx(mannwhitneyu(passed, failed).statistic / (40 * 30))
    assert ci is not None and ci.lo < area < ci.hi and 0 <= ci.lo and ci.hi <= 1


def test_auc_interval_is_delongs() -> None:
    # DeLong's variance by its definition (placement values over every pair), against the rank shortcut.
    passed, failed = [5, 4, 4, 3, 5, 2], [1, 3, 2, 4, 1]
    v10 = [sum(1.0 if p > f else 0.5 if p == f else 0.0 for f in failed) / len(failed) for p in passed]
    v01 = [sum(1.0 if p > f else 0.5 if p == f else 0.0 for p in passed) / len(passed) for f in failed]

    def var(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    se = (var(v10) / len(passed) + var(v01) / len(failed)) ** 0.5
    area, ci = auc(passed, failed, 0.95)
    assert ci.hi == pytest.approx(min(1.0, area + 1.959964 * se), abs=1e-5)
    assert ci.lo == pytest.approx(area - 1.959964 * se, abs=1e-5)


def test_newcombe_matches_his_worked_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    ci = newcombe_interval(56, 70, 48, 80, 0.95)
    assert ci.lo == pytest.approx(0.0524, abs=5e-4) and ci.hi == pytest.approx(0.3339, abs=5e-4)


def test_welch_matches_scipy() -> None:
    from scipy.stats import ttest_ind

    a, b = [5, 4, 4, 5, 3, 5, 4], [2, 3, 1, 4, 2, 2, 3, 1, 5]
    ci = welch_interval(a, b, 0.95)
    expected = ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert ci.lo == pytest.approx(expected.low) and ci.hi == pytest.approx(expected.high)
    assert welch_interval([5, 5, 5], [1, 1, 1], 0.95) is None  # no spread on either side: no interval


# -- the keys ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry, said", [
    ("csat", "feedback is a metadata field of the case"),
    ("persona", "feedback is a metadata field"),
    ("metadata.thumbs=", "name the value after '='"),
    ("metadata.cs at", "not a field name"),
])
def test_an_entry_that_is_no_metadata_field_is_refused(entry: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        checked_feedback([entry])


def test_a_field_named_twice_is_refused_at_its_index() -> None:
    # A key and its =value top box are two measures (review s23): only the same entry twice is refused.
    with pytest.raises(ValueError, match=r"1\n.*metadata.csat named twice \(as feedback\[0\]\)"):
        checked_feedback(["metadata.csat", "metadata.csat"])


def test_values_numbers_as_text_booleans_and_blanks() -> None:
    cases = [_case("a", csat="4", ok=True), _case("b", csat=4.0, ok=False), _case("c", csat=" ", ok="yes"),
             _case("d", csat="n/a")]
    stored = feedback_values(["metadata.csat", "metadata.ok"], cases)
    assert stored["metadata.csat"] == {"4": ["a", "b"], "n/a": ["d"]}  # blank: no value
    assert stored["metadata.ok"] == {"false": ["b"], "true": ["a"], "yes": ["c"]}
    assert key_kind(parse_key("metadata.csat"), stored["metadata.csat"]) == "number"
    assert key_kind(parse_key("metadata.csat=4"), stored["metadata.csat"]) == "category"


def test_the_counted_value_is_the_named_one_else_a_favourable_one_else_the_most_frequent() -> None:
    values = {"down": ["a", "b"], "up": ["c"]}
    assert counted_value(parse_key("metadata.thumbs"), values) == "up"
    assert counted_value(parse_key("metadata.thumbs=down"), values) == "down"
    assert counted_value(parse_key("metadata.tier"), {"gold": ["a", "b"], "silver": ["c"]}) == "gold"


# -- the scorecard -------------------------------------------------------------------------------------------


def _feedback_run(n: int = 30):
    """Replies that pass next_step draw CSAT 4-5, those that fail 1-3; empathy (a criterion) says nothing."""
    cases, records = [], []
    for i in range(n):
        good = i % 2 == 0
        csat = [4, 5][i % 4 // 2] if good else [1, 2, 3][i % 3]
        cases.append(_case(f"c{i}", csat=str(csat), thumbs="up" if good else "down"))
        records.append(_recorded(f"c{i}", judge={"empathy": score(5 if i % 3 else 2)},
                                 checks={"next_step": check(good), "apology_wording": check(i < 3)}))
    cases.append(_case("c_none"))
    records.append(_recorded("c_none", checks={"next_step": check(True)}))
    cases.append(_case("c_odd", csat="skipped"))
    records.append(_recorded("c_odd", checks={"next_step": check(False)}))
    return cases, records


def test_a_numeric_key_is_summarised_with_its_missing_and_odd_values() -> None:
    cases, records = _feedback_run()
    card = build_scorecard(records, _manifest(["metadata.csat"], cases))
    result = card.feedback.candidates["prod"].keys[0]
    summary = result.summary
    assert summary.kind == "number" and summary.n == 30 and summary.n_missing == 2
    assert summary.not_numeric == {"skipped": ["c_odd"]}
    assert sum(summary.distribution.values()) == 30 and list(summary.distribution) == ["1", "2", "3", "4", "5"]
    assert summary.mean.ci.lo < summary.mean.mean < summary.mean.ci.hi


def test_each_check_and_criterion_is_set_against_the_key() -> None:
    cases, records = _feedback_run()
    card = build_scorecard(records, _manifest(["metadata.csat"], cases))
    rows = {a.measure: a for a in card.feedback.candidates["prod"].keys[0].agreement}
    step = rows["next_step"]
    assert (step.n_passed, step.n_failed) == (15, 15)  # the case without csat and the "skipped" one left out
    assert step.difference == pytest.approx(step.passed - step.failed) and step.difference_ci.lo > 0
    assert step.auc == 1.0  # every passed reply drew a better score than every failed one
    empathy = rows["empathy"]
    assert empathy.kind == "criterion" and empathy.difference_ci.lo < 0 < empathy.difference_ci.hi
    assert rows["apology_wording"].too_few.startswith("too few to say: 3 passed, 27 failed")
    assert rows["apology_wording"].difference is None and rows["apology_wording"].auc is None
    assert list(rows)[0] == "next_step"  # the strongest agreement first


def test_a_categorical_key_compares_the_share_of_its_counted_value() -> None:
    cases, records = _feedback_run()
    card = build_scorecard(records, _manifest(["metadata.thumbs"], cases))
    result = card.feedback.candidates["prod"].keys[0]
    assert result.summary.kind == "category" and result.summary.counted_value == "up"
    assert result.summary.shares["up"].passed == 15 and result.summary.n_missing == 2
    step = next(a for a in result.agreement if a.measure == "next_step")
    assert (step.passed, step.failed, step.difference) == (1.0, 0.0, 1.0)
    assert step.difference_ci.lo > 0.7 and step.difference_ci.hi == 1.0


def test_a_model_candidate_is_left_out_and_said() -> None:
    cases, records = _feedback_run()
    found = _manifest(["metadata.csat"], cases)
    found.candidates.append({"name": "v2"})
    records += [record("c1", "v2", checks={"next_step": check(True)})]  # reply_source "model"
    card = build_scorecard(records, found)
    assert list(card.feedback.candidates) == ["prod"]
    assert "rates the reply the conversation recorded" in card.feedback.left_out["v2"]


def test_with_turn_replay_a_thread_is_one_unit_failing_when_any_turn_failed() -> None:
    cases, records = [], []
    for t in range(12):
        for turn in (1, 2):
            cases.append(_case(f"t{t}@t{turn}", csat=str(5 if t % 2 else 1)))
            failed_here = t % 2 == 0 and turn == 2  # the unhappy threads fail on their second turn only
            records.append(_recorded(f"t{t}@t{turn}", checks={"next_step": check(not failed_here)}))
    card = build_scorecard(records, _manifest(["metadata.csat"], cases, replay="turns"))
    fb = card.feedback.candidates["prod"]
    assert fb.unit == "thread" and fb.n_units == 12 and fb.keys[0].summary.n == 12
    step = fb.keys[0].agreement[0]
    assert (step.n_passed, step.n_failed, step.passed, step.failed) == (6, 6, 5.0, 1.0)


def test_a_run_without_feedback_keys_has_no_section_and_its_file_is_unchanged() -> None:
    cases, records = _feedback_run()
    found = manifest(("prod",))
    card = build_scorecard(records, found)
    assert card.feedback is None and "feedback" not in json.loads(card.model_dump_json())


def test_a_named_number_is_read_as_the_stored_values_write_it() -> None:
    cases = [_case(f"c{i}", csat=[5, "5", 4.0, "2"][i % 4]) for i in range(8)]
    assert counted_value(parse_key("metadata.csat=5.0"), feedback_values(["metadata.csat"], cases)["metadata.csat"]) \
        == "5"
    records = [_recorded(f"c{i}", checks={"next_step": check(i % 2 == 0)}) for i in range(8)]
    card = build_scorecard(records, _manifest(["metadata.csat=5.0"], cases))
    assert card.feedback.candidates["prod"].keys[0].summary.shares["5"].passed == 4
