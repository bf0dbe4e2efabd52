"""Re-grading a run's replies: a `replies_from` candidate replays what a candidate of an earlier run said."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.cli.conftest import harness_cmd

ROWS = [{"id": f"c{i}", "turns": [{"role": "customer", "content": f"order #{i} is late"}],
         "recorded_replies": {"v1": "That's not true, it was delivered." if i == 1 else "Sorry! It ships today."}}
        for i in range(4)]


def write_project(root: Path) -> None:
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (root / "first.yaml").write_text(textwrap.dedent("""\
        name: first
        dataset: cases.jsonl
        candidates: [{name: v1, recorded: v1}]
        checks: [no_contradiction]
        """))


def records(run_dir: Path) -> dict[str, dict]:
    return {r["case_id"]: r for r in map(json.loads, (run_dir / "records.jsonl").read_text().splitlines())}


def test_a_run_is_regraded_with_new_checks_without_asking_anyone_again(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "first.yaml", "--out", "runs/first", "--quiet", cwd=tmp_path).returncode == 0
    # Only three of the four cases in the first run's records: c3 ends as a case error in the re-grade.
    lines = (tmp_path / "runs/first/records.jsonl").read_text().splitlines()
    (tmp_path / "runs/first/records.jsonl").write_text("\n".join(lines[:3]) + "\n")
    (tmp_path / "regrade.yaml").write_text(textwrap.dedent("""\
        name: regrade
        dataset: cases.jsonl
        candidates:
          - {name: v1-again, replies_from: runs/first, from_candidate: v1}
        checks:
          - no_contradiction
          - {name: says_sorry, type: contains, value: sorry}
        max_error_rate: 1  # c3 has no reply in the first run on purpose: its error is tested below
        """))
    done = harness_cmd("run", "regrade.yaml", "--out", "runs/regrade", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first, again = records(tmp_path / "runs/first"), records(tmp_path / "runs/regrade")
    for cid in ("c0", "c1", "c2"):
        assert again[cid]["reply"] == first[cid]["reply"] and again[cid]["candidate"] == "v1-again"
        assert again[cid]["checks"]["no_contradiction"] == first[cid]["checks"]["no_contradiction"]
    assert again["c1"]["checks"]["says_sorry"]["passed"] is False and again["c0"]["checks"]["says_sorry"]["passed"]
    assert again["c3"]["error"]["kind"] == "missing_recorded_reply" and "runs/first" in again["c3"]["error"]["message"]
    manifest = json.loads((tmp_path / "runs/regrade/manifest.json").read_text())
    source_run = {"eval_name": "first", "started_at": json.loads((tmp_path / "runs/first/manifest.json").read_text())
                  ["started_at"]}  # the run itself, wherever it is moved: a diff still finds it
    assert manifest["candidates"] == [{"name": "v1-again", "kind": "replayed", "replies_from": "runs/first",
                                       "candidate": "v1", "n_replies": 3, "model": None, "source_run": source_run}]
    # The same run diffed against its re-grade: the shared check agrees on every shared case.
    diff = harness_cmd("diff", "runs/first", "runs/regrade", "--pair", "v1=v1-again", "--out", "d", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    report = json.loads((tmp_path / "d" / "diff.json").read_text())
    assert report["comparable"] is True
    shared = next(r for r in report["comparisons"][0]["rows"] if r["name"] == "no_contradiction")
    assert shared["changes"] == [] and shared["n_cases"] == 3  # c3 has no reply in the re-grade


def test_a_bad_source_is_one_line_for_run_and_validate(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "first.yaml", "--out", "runs/first", "--quiet", cwd=tmp_path).returncode == 0
    cases = [("replies_from: runs/nowhere", "candidates[0].replies_from: run directory not found: runs/nowhere"),
             ("replies_from: cases.jsonl", "candidates[0].replies_from: not a run directory"),
             ("replies_from: runs/first", "candidates[0].replies_from: run runs/first has no candidate 'x' "
                                          "(it has: v1); name one with `from_candidate`"),
             ("replies_from: runs/first, from_candidate: v9",
              "candidates[0].from_candidate: run runs/first has no candidate 'v9' (it has: v1)"),
             ("recorded: v1, from_candidate: v1", "`from_candidate` goes with `replies_from`"),
             ("recorded: v1, replies_from: runs/first", "give exactly one of")]
    for fields, message in cases:
        (tmp_path / "bad.yaml").write_text(f"dataset: cases.jsonl\ncandidates:\n  - {{name: x, {fields}}}\n")
        for command in (["run", "bad.yaml", "--out", "runs/bad"], ["validate", "bad.yaml"]):
            done = harness_cmd(*command, cwd=tmp_path)
            assert done.returncode == 2 and message in done.stderr, (command, fields, done.stderr)
        assert not (tmp_path / "runs/bad").exists()


def test_a_regrade_keeps_the_notices_about_who_wrote_the_replies(tmp_path):
    from tests.cli.conftest import REPO, server_reply
    from tests.support.openai_server import OpenAIServer

    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    with OpenAIServer(reply=server_reply) as server:
        judge = (f"judge: {{model: openai/m, api_base: '{server.base_url}', "
                 f"rubric: '{REPO / 'rubrics' / 'support-reply.yaml'}', criteria: [acknowledgement]}}\n")
        (tmp_path / "first.yaml").write_text(
            "dataset: cases.jsonl\ncandidates:\n"
            f"  - {{name: bot, model: openai/m, api_base: '{server.base_url}', prompt: Be kind.}}\n" + judge)
        (tmp_path / "again.yaml").write_text(
            "dataset: cases.jsonl\ncandidates:\n  - {name: bot-again, replies_from: runs/first, from_candidate: bot}\n"
            + judge)
        for name in ("first", "again"):
            done = harness_cmd("run", f"{name}.yaml", "--out", f"runs/{name}", "--quiet", "--no-cache", cwd=tmp_path)
            assert done.returncode == 0, done.stderr
    notices = json.loads((tmp_path / "runs/again/scorecard.json").read_text())["notices"]
    assert any("openai/m also wrote candidate bot-again" in n for n in notices), notices
    manifest = json.loads((tmp_path / "runs/again/manifest.json").read_text())
    assert manifest["candidates"][0]["model"] == "openai/m"


def test_replies_to_another_version_of_the_dataset_are_flagged(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "first.yaml", "--out", "runs/first", "--quiet", cwd=tmp_path).returncode == 0
    rows = [dict(r) for r in ROWS]
    rows[0] = {**rows[0], "turns": [{"role": "customer", "content": "a different complaint now"}]}
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "again.yaml").write_text("dataset: cases.jsonl\ncandidates:\n"
                                         "  - {name: v1-again, replies_from: runs/first, from_candidate: v1}\n")
    assert harness_cmd("run", "again.yaml", "--out", "runs/again", "--quiet", cwd=tmp_path).returncode == 0
    notices = json.loads((tmp_path / "runs/again/scorecard.json").read_text())["notices"]
    assert any("replays the replies run runs/first got for another version of the dataset" in n for n in notices)
    # the same dataset: no such notice
    assert harness_cmd("run", "first.yaml", "--out", "runs/second", "--quiet", cwd=tmp_path).returncode == 0
    (tmp_path / "same.yaml").write_text("dataset: cases.jsonl\ncandidates:\n"
                                        "  - {name: v1-again, replies_from: runs/second, from_candidate: v1}\n")
    assert harness_cmd("run", "same.yaml", "--out", "runs/same", "--quiet", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "runs/same/scorecard.json").read_text())["notices"] == []
