"""The scorecard's breakdown by agent turn (turn-level replay), and how scorecard.md and report.html show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.datasets.turns import REPLAY_CAVEAT
from harness.records.schema import CriterionResult
from harness.report.html import render_run_html
from harness.report.markdown import render_scorecard_md
from harness.scoring.reading import iter_scoring_records
from harness.scoring.scorecard import build_scorecard
from harness.scoring.stats import wilson_interval
from tests.scoring.factory import CRITERIA, check, judge_error, manifest, record, score


def at_turn(turn: int, case: str, candidate: str = "bot_v1", **fields):
    return record(f"{case}@t{turn}", candidate, **fields).model_copy(update={"turn_index": turn})


def replay_records():
    """Two threads; turn 10 sorts after turn 2 only if turns are ordered as numbers."""
    return [
        at_turn(1, "a", judge={"empathy": score(5)}, checks={"apology_wording": check(True)}),
        at_turn(1, "b", judge={"empathy": score(3)}, checks={"apology_wording": check(False)}),
        at_turn(2, "a", judge={"empathy": score(2)}, checks={"apology_wording": check(False)}),
        at_turn(2, "b", judge={"empathy": judge_error()}, checks={"apology_wording": check(True)}),
        at_turn(10, "b", judge={"empathy": CriterionResult(applicable=False)}, checks={"apology_wording": check(None)}),
        at_turn(1, "a", "bot_v2", judge={"empathy": score(4)}, checks={"apology_wording": check(True)}),
        at_turn(2, "a", "bot_v2", error="missing_recorded_reply"),
    ]


@pytest.fixture
def card():
    replay = manifest(notices=[REPLAY_CAVEAT])
    replay.dataset.update({"n_selected": 5, "n_cases": 2, "replay": "turns", "n_threads": 2})
    return build_scorecard(replay_records(), replay, CRITERIA)


def test_by_turn_figures(card):
    v1 = card.candidates["bot_v1"].by_turn
    assert list(v1) == ["1", "2", "10"]
    assert [v1[k].n_records for k in v1] == [2, 2, 1]
    assert v1["1"].criteria["empathy"].mean == 4 and v1["1"].criteria["empathy"].n == 2
    # A judge error and a not-applicable verdict count in no mean; the check that did not apply in no rate.
    assert v1["2"].criteria["empathy"].mean == 2 and v1["2"].criteria["empathy"].n == 1
    assert v1["10"].criteria["empathy"].n == 0 and v1["10"].checks["apology_wording"].n == 0
    rate = v1["1"].checks["apology_wording"]
    assert (rate.passed, rate.n, rate.rate) == (1, 2, 0.5)
    expected = wilson_interval(1, 2, 0.95)
    assert (rate.ci.lo, rate.ci.hi) == pytest.approx((expected.lo, expected.hi))
    v2 = card.candidates["bot_v2"]
    assert list(v2.by_turn) == ["1", "2"] and v2.by_turn["2"].n_records == 1 and not v2.by_turn["2"].criteria
    assert v2.case_errors_by_kind == {"missing_recorded_reply": 1}
    # The whole-run figures are unchanged by the breakdown.
    assert card.candidates["bot_v1"].criteria["empathy"].score.n == 3


def test_no_turn_index_no_breakdown():
    plain = build_scorecard([record("c1", judge={"empathy": score(4)})], manifest(), CRITERIA)
    assert plain.candidates["bot_v1"].by_turn == {}
    assert "By agent turn" not in render_scorecard_md(plain)
    assert "By agent turn" not in render_run_html(plain, [], {})


def test_slim_reader_keeps_turn_index(tmp_path: Path):
    records = replay_records()
    (tmp_path / "records.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))
    assert [r.turn_index for r in iter_scoring_records(tmp_path)] == [r.turn_index for r in records]
    slim = build_scorecard(iter_scoring_records(tmp_path), manifest(), CRITERIA)
    assert slim.candidates["bot_v1"].by_turn == build_scorecard(records, manifest(), CRITERIA).candidates[
        "bot_v1"].by_turn


def test_markdown_shows_turns_in_order_with_the_caveat(card):
    md = render_scorecard_md(card)
    assert "5 turn cases from 2 of 2 threads" in md
    start = md.index("### By agent turn")
    # Up to the breakdowns, if any (the fixture's cases have no persona or category: there are none).
    end = md.find("<details>", start)
    section = md[start:end if end >= 0 else len(md)]
    assert section.index(REPLAY_CAVEAT) < section.index("| turn |")
    labels = [line.split(" | ")[0].removeprefix("| ") for line in section.splitlines() if "· records" in line]
    assert labels == ["turn 1 · records", "turn 2 · records", "turn 10 · records"]
    assert "| turn 1 · empathy | 4.0 (2) | 4.0 (1) |" in md
    assert "| turn 2 · records | 2 | 1 |" in md
    # Both the notice at the top and the section say it.
    assert md.count("written in answer to the recorded agent, not to the candidate") == 2


def test_html_shows_turns_with_the_caveat(card):
    html = render_run_html(card, replay_records(), {})
    section = html[html.index("<h2>By agent turn</h2>"):]
    assert "written in answer to the recorded agent, not to the candidate" in section.split("<table")[0]
    assert section.index("turn 1 · records") < section.index("turn 2 · records") < section.index("turn 10 · records")
