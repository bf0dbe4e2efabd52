"""`harness diff A B` where B re-grades A's replies (`replies_from: A`): the change in the grading is what is
compared, so it is neither refused nor under a "NOT comparable" banner; the diff opens with what changed.
Pairs that are not B re-grading A's candidate, and replies that are not A's after all, are still caught."""

from __future__ import annotations

import json

import pytest

from harness.compare import build_diff
from harness.compare.diff import DiffOptions
from harness.compare.guard import IncomparableRunsError
from harness.report.diff_html import render_diff_html
from harness.report.diff_markdown import render_diff_md
from tests.compare.runs import CRITERIA, chk, crit, manifest, rec, write_run

REPLIES = {"c1": "Sorry, refunded today.", "c2": "We apologize. It ships Monday.", "c3": "Read the FAQ."}


def _records(candidate: str, passed: dict[str, bool], replies: dict[str, str] = REPLIES) -> list:
    return [rec(cid, candidate, reply=reply, checks={"next_step": chk(passed[cid])},
                judge={"empathy": crit(4), "policy": crit(1 if passed[cid] else 0)}) for cid, reply in replies.items()]


def _regrade_manifest(source: str, *, name="bot", replays="bot", version="2", checks=None, criteria=None):
    man = manifest((name,), rubric_version=version, checks=checks or {"next_step": "3"})
    man.candidates = [{"name": name, "kind": "replayed", "replies_from": source, "candidate": replays,
                       "n_replies": 3, "model": "openai/m"}]
    if criteria is not None:
        man.rubric["criteria"] = criteria
    return man


def _runs(tmp_path, **changes):
    a = write_run(tmp_path / "runs" / "v1", _records("bot", {"c1": True, "c2": True, "c3": False}),
                  manifest(("bot",), checks={"next_step": "2"}))
    man = _regrade_manifest(str(a), **changes)
    b = write_run(tmp_path / "runs" / "v1-rescore",
                  _records(man.candidates[0]["name"], {"c1": True, "c2": False, "c3": False}), man)
    return a, b


def test_a_regrade_with_a_new_rubric_version_is_compared_and_says_what_changed(tmp_path):
    # Before: refused ("runs are not comparable: rubric version differs ..."), or with --allow-incomparable
    # shown under a "These sides are NOT comparable" banner, for exactly the change the user meant to make.
    a, b = _runs(tmp_path, criteria={"empathy": CRITERIA["empathy"], "tone": CRITERIA["policy"]})
    report = build_diff(a, b)
    assert report.comparable and report.warnings == []
    assert report.regrade == ("B re-grades A's replies with rubric support v1 → v2; criterion tone added (no row: "
                              "judged in B only); criterion policy removed (no row: judged in A only); check "
                              "next_step changed: every difference below comes from the grading, not the replies")
    assert report.differences  # still recorded: what the grading changed
    comparison = report.comparisons[0]
    assert comparison.setup == [] and comparison.prompt_diff is None  # the replies are A's: no responder change
    assert [r.name for r in comparison.rows] == ["empathy", "next_step"]
    step = next(r for r in comparison.rows if r.name == "next_step")
    assert [c.case_id for c in step.changes] == ["c2"]
    md, html = render_diff_md(report), render_diff_html(report)
    assert "**Re-grading:** B re-grades A's replies with rubric support v1 → v2" in md
    assert md.index("Re-grading") < md.index("- **A**") and "NOT comparable" not in md
    assert '<p class="regrade"><strong>Re-grading:</strong> B re-grades' in html
    assert json.loads(report.model_dump_json())["regrade"] == report.regrade


def test_a_regrade_is_found_from_the_path_b_recorded_relative_to_where_it_ran(tmp_path, monkeypatch):
    a, b = _runs(tmp_path)
    manifest_path = b / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data["candidates"][0]["replies_from"] = "runs/v1"  # as run from tmp_path: relative to there
    manifest_path.write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path.parent)  # diffed from elsewhere: found from a folder above B
    assert build_diff(a, b).regrade is not None


def test_the_same_grading_says_differences_are_the_graders_own_variation(tmp_path):
    a = write_run(tmp_path / "a", _records("bot", {"c1": True, "c2": True, "c3": False}))
    man = _regrade_manifest(str(a), version="1", checks=dict(manifest().checks))
    b = write_run(tmp_path / "b", _records("bot", {"c1": True, "c2": True, "c3": True}), man)
    report = build_diff(a, b)
    assert report.regrade.startswith("B re-grades A's replies with the same rubric, judge and checks")


def test_a_renamed_regrade_names_which_candidate_it_replays(tmp_path):
    a, b = _runs(tmp_path, name="bot-again")
    report = build_diff(a, b, DiffOptions(pair=("bot", "bot-again")))
    assert report.regrade.startswith("B re-grades A's replies (B's bot-again replays A's bot) with")


def test_a_pair_b_does_not_replay_is_still_refused(tmp_path):
    a = write_run(tmp_path / "a", _records("bot", {"c1": True, "c2": True, "c3": False})
                  + _records("other", {"c1": True, "c2": True, "c3": True}), manifest(("bot", "other")))
    b = write_run(tmp_path / "b", _records("bot", {"c1": True, "c2": False, "c3": False}), _regrade_manifest(str(a)))
    with pytest.raises(IncomparableRunsError, match=r"rubric version differs .*B's bot replays A's bot\), but this "
                                                    r"diff also pairs A's other with B's bot"):
        build_diff(a, b, DiffOptions(pair=("other", "bot")))
    assert build_diff(a, b, DiffOptions(pair=("bot", "bot"))).regrade is not None


def test_a_run_that_replays_another_run_is_no_regrade_of_this_one(tmp_path):
    a, _ = _runs(tmp_path)
    elsewhere = write_run(tmp_path / "elsewhere", _records("bot", {"c1": True, "c2": True, "c3": False}))
    c = write_run(tmp_path / "c", _records("bot", {"c1": True, "c2": True, "c3": True}),
                  _regrade_manifest(str(elsewhere)))
    with pytest.raises(IncomparableRunsError, match="rubric version differs"):
        build_diff(a, c)


def test_replies_that_are_not_as_replayed_are_a_warning(tmp_path):
    a, b = _runs(tmp_path)
    other = {**REPLIES, "c3": "Read the help centre."}  # A was run again since: c3's reply is not what B replayed
    write_run(a, _records("bot", {"c1": True, "c2": True, "c3": False}, other), manifest(("bot",),
                                                                                     checks={"next_step": "2"}))
    report = build_diff(a, b)
    assert any("differ on case c3: run A was written again since B replayed it" in w for w in report.warnings)


def test_the_terminal_says_it_is_a_regrading_when_the_diff_goes_to_files(tmp_path, capsys):
    # With --out the diff's text goes to files; the line a nightly log shows must still say what is compared.
    from harness.cli.main import main

    a, b = _runs(tmp_path, criteria={"empathy": CRITERIA["empathy"], "tone": CRITERIA["policy"]})
    code = main(["diff", str(a), str(b), "--out", str(tmp_path / "d")])
    assert code == 0
    assert "harness: re-grading: B re-grades A's replies with rubric support v1 → v2" in capsys.readouterr().err


def _moved_runs(tmp_path, started_at):
    # B's replies_from names a path that no longer leads to A (both runs copied elsewhere, e.g. CI artifacts).
    a = write_run(tmp_path / "runs" / "v1", _records("bot", {"c1": True, "c2": True, "c3": False}),
                  manifest(("bot",), checks={"next_step": "2"}))
    man = _regrade_manifest("somewhere/else/v1", criteria={"empathy": CRITERIA["empathy"]})
    man.candidates[0]["source_run"] = {"eval_name": "synthetic", "started_at": started_at}
    b = write_run(tmp_path / "runs" / "v1-rescore", _records("bot", {"c1": True, "c2": False, "c3": False}), man)
    return a, b


def test_a_regrade_is_known_by_its_source_runs_identity_after_the_runs_moved(tmp_path):
    a, b = _moved_runs(tmp_path, "2024-01-01T00:00:00+00:00")  # A's eval and start time
    report = build_diff(a, b)
    assert report.comparable and report.regrade and report.regrade.startswith("B re-grades A's replies")


def test_another_run_of_the_same_eval_is_not_taken_for_the_source(tmp_path):
    a, b = _moved_runs(tmp_path, "2024-02-02T00:00:00+00:00")  # B replayed a later run of that eval
    with pytest.raises(IncomparableRunsError):
        build_diff(a, b)
