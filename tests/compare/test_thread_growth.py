"""Thread datasets that grow between nightly runs: the turn cases a thread already had are still compared,
and a diff of a turn-by-turn run against a whole-thread run says why nothing pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main

THREADS = Path(__file__).resolve().parents[2] / "datasets" / "threads.jsonl"


def _eval(root: Path, name: str, data: str, replay: bool) -> Path:
    path = root / f"{name}.yaml"
    path.write_text(f"name: threads\ndataset: {root / data}\n" + ("replay: turns\n" if replay else "")
                    + "candidates:\n  - name: bot-v1\n    recorded: bot-v1\nchecks: all\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("growth")
    rows = [json.loads(line) for line in THREADS.read_text(encoding="utf-8").splitlines()[:3]]
    (root / "before.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    grown = json.loads(json.dumps(rows))
    grown[0]["turns"] += [{"role": "agent", "content": "We have refunded you today.", "author": "bot-v1"},
                          {"role": "customer", "content": "Finally. Thanks."}]
    (root / "after.jsonl").write_text("".join(json.dumps(r) + "\n" for r in grown), encoding="utf-8")
    for name, data, replay in (("A", "before.jsonl", True), ("B", "after.jsonl", True), ("W", "before.jsonl", False)):
        assert main(["run", str(_eval(root, name, data, replay)), "--out", str(root / name), "--quiet"]) == 0
    return root, rows[0]["id"]


def test_a_grown_thread_keeps_its_earlier_turns_in_the_diff(runs, capsys):
    root, thread = runs
    assert main(["diff", str(root / "A"), str(root / "B"), "--out", str(root / "d1")]) == 0
    err = capsys.readouterr().err
    assert "changed (same id, other content)" not in err
    report = json.loads((root / "d1" / "diff.json").read_text(encoding="utf-8"))
    row = report["comparisons"][0]["rows"][0]
    assert row["left_out"]["changed"] == 0 and row["left_out"]["unmatched"] == 1  # only the new turn is new
    assert f"{thread}@t" in " ".join(report["notices"])


def test_turn_by_turn_against_whole_threads_says_why_nothing_pairs(runs, capsys):
    root, _ = runs
    main(["diff", str(root / "A"), str(root / "W"), "--out", str(root / "d2")])
    err = capsys.readouterr().err
    assert ("run A replays threads turn by turn (replay: turns: one case per agent turn, ids like t001@t2) and "
            "run B grades each thread's final reply (ids like t001): their cases do not pair") in err
    assert main(["diff", str(root / "A"), str(root / "B"), "--out", str(root / "d3")]) == 0
    assert "replays threads turn by turn" not in capsys.readouterr().err
