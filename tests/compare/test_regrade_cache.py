"""A re-grading's diff says how many of the re-grade's judge verdicts came from the response cache (a cached
verdict repeats an earlier answer: "no case changed" then measures nothing of the judge), and a re-grade given
first (`harness diff REGRADE RUN`) is known as one: "A re-grades B's replies"."""

from __future__ import annotations

import json

import pytest

from harness.compare import build_diff
from harness.compare.diff import DiffOptions
from harness.compare.guard import IncomparableRunsError
from harness.report.diff_html import render_diff_html
from harness.report.diff_markdown import render_diff_md
from tests.compare.runs import CRITERIA, crit, manifest, write_run
from tests.compare.test_regrade_diff import REPLIES, _records, _regrade_manifest, _runs


def _cached(records: list, criteria: tuple[str, ...]) -> list:
    for record in records:
        for name in criteria:
            record.judge[name] = record.judge[name].model_copy(update={"cache_hit": True})
    return records


def _same_grading(tmp_path, cached: tuple[str, ...]):
    a = write_run(tmp_path / "a", _records("bot", {"c1": True, "c2": True, "c3": False}))
    man = _regrade_manifest(str(a), version="1", checks=dict(manifest().checks))
    b = write_run(tmp_path / "b", _cached(_records("bot", {"c1": True, "c2": True, "c3": False}), cached), man)
    return a, b


def test_a_regrade_answered_from_the_cache_does_not_claim_to_measure_the_judge(tmp_path):
    # Before: "every difference below is the grading's own variation (the judge's)" and then "no case changed",
    # which reads as a perfectly stable judge, when every verdict was the cache repeating an earlier answer.
    a, b = _same_grading(tmp_path, ("empathy", "policy"))
    report = build_diff(a, b)
    assert report.regrade == (
        "B re-grades A's replies with the same rubric, judge and checks, and the judge was not asked again: all 6 "
        "of B's judge verdicts on the compared criteria came from the response cache, each repeating an earlier "
        "answer to the same prompt: a verdict unchanged because it was cached measures nothing, the judge's "
        "variation included (run the re-grade again with harness run --no-cache to measure it)")
    assert "own variation" not in report.regrade
    assert report.regrading.model_dump() == {"by": "B", "verdicts": 6, "cached": 6, "all_cached": ["empathy", "policy"]}
    saved = json.loads(report.model_dump_json())
    assert saved["regrading"]["cached"] == 6 and "--no-cache" in saved["regrade"]
    assert "all 6 of B's judge verdicts on the compared criteria came from the response cache" in render_diff_md(report)
    assert "came from the response cache" in render_diff_html(report)


def test_a_partly_cached_regrade_says_how_many_and_which_criteria(tmp_path):
    a, b = _same_grading(tmp_path, ("empathy",))
    report = build_diff(a, b)
    assert report.regrade.startswith("B re-grades A's replies with the same rubric, judge and checks: every "
                                     "difference below is the grading's own variation (the judge's), not the "
                                     "replies; but 3 of the 6 of B's judge verdicts on the compared criteria "
                                     "(every one on empathy) came from the response cache")
    assert report.regrading.all_cached == ["empathy"]


def test_a_regrade_the_judge_answered_anew_says_nothing_of_the_cache(tmp_path):
    a, b = _same_grading(tmp_path, ())
    report = build_diff(a, b)
    assert "cache" not in report.regrade and report.regrading.cached == 0 and report.regrading.verdicts == 6


def test_only_the_compared_criteria_and_paired_candidates_are_counted(tmp_path):
    # B judged tone too (no row: A never did) and A's verdicts came from the cache: neither is B's compared verdicts.
    a = write_run(tmp_path / "a", _cached(_records("bot", {"c1": True, "c2": True, "c3": False}), ("empathy",)))
    man = _regrade_manifest(str(a), criteria={**CRITERIA, "tone": CRITERIA["empathy"]})
    records = _records("bot", {"c1": True, "c2": True, "c3": False})
    for record in records:
        record.judge["tone"] = crit(5).model_copy(update={"cache_hit": True})
    b = write_run(tmp_path / "b", records, man)
    report = build_diff(a, b)
    assert (report.regrading.verdicts, report.regrading.cached) == (6, 0)
    assert "cache" not in report.regrade


def test_the_regrade_given_first_is_still_a_regrading(tmp_path):
    # Before: `harness diff REGRADE RUN` lost the framing and showed "setup changed: replies replayed from … →
    # recorded replies" for a pair whose replies are the same.
    a, b = _runs(tmp_path, criteria={"empathy": CRITERIA["empathy"], "tone": CRITERIA["policy"]})
    report = build_diff(b, a)
    assert report.comparable and report.warnings == []
    assert report.regrade == (
        "A re-grades B's replies (the re-grade given first: what changed reads from B's grading to A's; the rows "
        "read B − A) with rubric support v1 → v2; criterion tone added (no row: judged in A only); criterion "
        "policy removed (no row: judged in B only); check next_step changed: every difference below comes from "
        "the grading, not the replies")
    assert report.regrading.by == "A"
    comparison = report.comparisons[0]
    assert comparison.setup == [] and comparison.prompt_diff is None
    assert "**Re-grading:** A re-grades B's replies" in render_diff_md(report)


def test_the_regrade_given_first_counts_its_own_cached_verdicts(tmp_path):
    a, b = _same_grading(tmp_path, ("empathy", "policy"))
    report = build_diff(b, a)
    assert report.regrade.startswith("A re-grades B's replies (the re-grade given first")
    assert "all 6 of A's judge verdicts on the compared criteria came from the response cache" in report.regrade


def test_the_regrade_given_first_with_a_renamed_candidate_names_it(tmp_path):
    a, b = _runs(tmp_path, name="bot-again")
    report = build_diff(b, a, DiffOptions(pair=("bot-again", "bot")))
    assert report.regrade.startswith("A re-grades B's replies (A's bot-again replays B's bot) (the re-grade given")


def test_a_pair_the_regrade_given_first_does_not_replay_is_still_refused(tmp_path):
    a = write_run(tmp_path / "a", _records("bot", {"c1": True, "c2": True, "c3": False})
                  + _records("other", {"c1": True, "c2": True, "c3": True}), manifest(("bot", "other")))
    b = write_run(tmp_path / "b", _records("bot", {"c1": True, "c2": False, "c3": False}), _regrade_manifest(str(a)))
    with pytest.raises(IncomparableRunsError, match=r"A re-grades B's replies \(A's bot replays B's bot\), but this "
                                                    r"diff also pairs A's bot with B's other"):
        build_diff(b, a, DiffOptions(pair=("bot", "other")))


def test_replies_not_as_replayed_name_the_source_given_second(tmp_path):
    a, b = _runs(tmp_path)
    other = {**REPLIES, "c3": "Read the help centre."}
    write_run(a, _records("bot", {"c1": True, "c2": True, "c3": False}, other),
              manifest(("bot",), checks={"next_step": "2"}))
    report = build_diff(b, a)
    assert any("bot (A) re-grades bot's replies (B), but they differ on case c3: run B was written again since A "
               "replayed it" in w for w in report.warnings)


def test_the_terminal_line_names_the_cache_when_the_diff_goes_to_files(tmp_path, capsys):
    from harness.cli.main import main

    a, b = _same_grading(tmp_path, ("empathy", "policy"))
    assert main(["diff", str(a), str(b), "--out", str(tmp_path / "d")]) == 0
    err = capsys.readouterr().err
    assert "harness: re-grading: B re-grades A's replies" in err and "--no-cache" in err
    saved = json.loads((tmp_path / "d" / "diff.json").read_text())
    assert saved["regrading"] == {"by": "B", "verdicts": 6, "cached": 6, "all_cached": ["empathy", "policy"]}

