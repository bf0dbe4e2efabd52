"""Building, writing and reading scorecards from hand-made records."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from harness.errors import ResultsError
from harness.scoring.scorecard import (SCHEMA_PATH, build_scorecard, export_schema, load_scorecard,
                                       scorecard_json_schema, write_scorecard)
from tests.scoring.factory import CRITERIA, NOTICE, manifest, sample_records


@pytest.fixture
def card():
    return build_scorecard(iter(sample_records()), manifest(), CRITERIA)


def test_identity_notices_and_order(card) -> None:
    # The manifest's notices first, then the lost-work one (a record of bot_v1 ended in a rate limit).
    assert card.notices[0] == NOTICE and len(card.notices) == 2
    assert card.notices[1].startswith("errors: 1 of 6 records (17%) ended in an error")
    assert card.run.eval_name == "smoke" and card.run.dataset_sha256 == "d" * 64
    assert (card.run.rubric_id, card.run.rubric_version, card.run.judge_model) == ("support", "1", "fake/judge")
    assert list(card.candidates) == ["bot_v1", "bot_v2"]
    assert list(card.criteria) == ["empathy", "boundary"]
    assert card.n_records == 6


def test_judge_errors_are_excluded_from_scores_and_counted_by_kind(card) -> None:
    v1 = card.candidates["bot_v1"]
    empathy = v1.criteria["empathy"]
    assert (empathy.score.mean, empathy.score.n) == (4.0, 2)  # 5 and 3; the errored c3 is not a zero
    assert (empathy.pass_rate.passed, empathy.pass_rate.n) == (1, 2)
    assert empathy.n_errors == 1 and empathy.errors_by_kind == {"judge_output": 1}
    assert v1.judge_errors_by_criterion == {"empathy": 1, "boundary": 1}
    assert v1.judge_errors_by_kind == {"judge_output": 1, "timeout": 1}


def test_not_applicable_criteria_and_checks_are_excluded(card) -> None:
    v1 = card.candidates["bot_v1"]
    boundary = v1.criteria["boundary"]
    assert (boundary.score.n, boundary.n_not_applicable, boundary.score.ci) == (1, 1, None)
    contradiction = v1.checks["no_contradiction"]
    assert (contradiction.pass_rate.passed, contradiction.pass_rate.n, contradiction.n_not_applicable) == (1, 2, 1)
    assert contradiction.pass_rate.ci is not None


def test_case_errors_counted_apart(card) -> None:
    v1 = card.candidates["bot_v1"]
    assert (v1.n_records, v1.n_case_errors, v1.case_errors_by_kind) == (4, 1, {"rate_limit": 1})
    assert v1.checks["apology_wording"].pass_rate.n == 3  # the errored record has no checks at all


def test_breakdowns(card) -> None:
    v1 = card.candidates["bot_v1"]
    assert set(v1.by_persona) == {"angry", "abusive"}
    angry = v1.by_persona["angry"]
    assert angry.n_records == 3
    assert (angry.criteria["empathy"].mean, angry.criteria["empathy"].n) == (5.0, 1)
    assert (angry.checks["apology_wording"].passed, angry.checks["apology_wording"].n) == (2, 2)
    shipping = v1.by_category["shipping"]
    assert shipping.criteria["empathy"].n == 0 and shipping.criteria["empathy"].mean is None
    assert card.candidates["bot_v2"].by_persona["abusive"].criteria["empathy"].mean == 4.0


def test_usage_cost_latency_cache_and_apology_forms(card) -> None:
    v1, v2 = card.candidates["bot_v1"], card.candidates["bot_v2"]
    assert v1.responder.prompt_tokens == 30 and v1.responder.completion_tokens == 15
    assert v1.responder.cost_usd == pytest.approx(0.03)
    assert v2.responder.cost_usd is None  # no record knew a cost
    assert (v1.responder.latency.n, v1.responder.latency.p50) == (3, 2.0)
    assert v2.responder.cache_hits == 1 and v2.responder.latency.n == 1  # the cached call has no latency
    assert v1.apology_forms == {"apologize": 2, "non_apology": 1}
    assert v1.judging.prompt_tokens == 300


def test_no_records_and_no_manifest() -> None:
    card = build_scorecard([], None)
    assert (card.run, card.candidates, card.notices, card.n_records) == (None, {}, [], 0)
    card = build_scorecard([], manifest())
    assert card.candidates["bot_v1"].n_records == 0
    assert card.candidates["bot_v1"].responder.latency is None


def test_bootstrap_option(card) -> None:
    boot = build_scorecard(sample_records(), manifest(), CRITERIA, interval_method="bootstrap")
    assert boot.interval_method == "bootstrap"
    empathy = boot.candidates["bot_v1"].criteria["empathy"].score
    # The percentile bootstrap of (5, 3) alone is [3, 5], as if two scores pinned the mean to what they span;
    # a 1-5 mean is widened to its Jeffreys-type interval (finding: zero or tiny widths on tiny samples).
    assert empathy.mean == 4.0 and 1.0 <= empathy.ci.lo < 3.0 and empathy.ci.hi == 5.0
    assert boot == build_scorecard(sample_records(), manifest(), CRITERIA, interval_method="bootstrap")


def test_json_has_no_nan_and_validates_against_shipped_schema(card) -> None:
    data = json.loads(card.model_dump_json())
    json.dumps(data, allow_nan=False)
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_shipped_schema_is_up_to_date(tmp_path: Path) -> None:
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == scorecard_json_schema()
    written = export_schema(tmp_path / "s.json")
    assert written.read_bytes() == SCHEMA_PATH.read_bytes()


def test_write_then_load_round_trips(card, tmp_path: Path) -> None:
    path = write_scorecard(tmp_path, card)
    assert path == tmp_path / "scorecard.json"
    assert load_scorecard(path) == card
    assert load_scorecard(tmp_path) == card
    assert [p.name for p in tmp_path.iterdir()] == ["scorecard.json"]  # no temp file left behind


def test_newer_schema_version_is_refused(card, tmp_path: Path) -> None:
    data = card.model_dump(mode="json") | {"schema_version": 99}
    (tmp_path / "scorecard.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultsError, match="schema_version 99 is newer"):
        load_scorecard(tmp_path / "scorecard.json")


@pytest.mark.parametrize("text", ["{not json", "[1]", '{"schema_version": 1, "candidates": 3}'])
def test_corrupt_or_invalid_scorecard_is_a_results_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "scorecard.json").write_text(text, encoding="utf-8")
    with pytest.raises(ResultsError):
        load_scorecard(tmp_path)


def test_missing_scorecard_is_a_results_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no scorecard"):
        load_scorecard(tmp_path)


def test_mean_interval_is_clipped_to_the_scale(card) -> None:
    empathy = card.candidates["bot_v1"].criteria["empathy"].score  # t interval of (5, 3) is about [-8.7, 16.7]
    assert (empathy.ci.lo, empathy.ci.hi) == (1.0, 5.0)
    unbounded = build_scorecard(sample_records(), manifest(), None).candidates["bot_v1"].criteria["empathy"].score
    assert unbounded.ci.lo < 0 and unbounded.ci.hi > 16
