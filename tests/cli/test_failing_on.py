"""run --failing RUN --failing-on NAME[,NAME...]: only the named checks' and criteria's failures count."""

from __future__ import annotations

import json

from harness.cli.main import main

GOOD = "I'm sorry your order is late. I have reopened it and will email you by Friday."
BAD = "That's not true, you must have made a mistake."
REPLIES = {"f1": GOOD, "f2": BAD, "f3": GOOD, "f4": BAD, "f5": None}  # f5: no recorded reply, a case error
EVAL = ("name: narrow\ndataset: cases.jsonl\ncandidates:\n  - name: bot\n    recorded: bot\n"
        "checks: [no_contradiction, follow_up, acknowledgement]\n"
        "max_error_rate: 1\n")  # f5 errs on purpose: the selection is tested, not the error share


def _project(root) -> None:
    rows = [{"id": case, "persona": "angry", "category": "retail",
             "turns": [{"role": "customer", "content": f"Order {case} is late. I paid twice."}],
             "recorded_replies": {"bot": reply} if reply else {}} for case, reply in REPLIES.items()]
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "eval.yaml").write_text(EVAL)


def _selected(out: str) -> tuple[int, dict]:
    dataset = json.loads(open(f"{out}/manifest.json").read())["dataset"]
    return dataset["n_selected"], dataset["selection"]


def test_failing_on_counts_only_the_named_failures(tmp_path, monkeypatch, capsys):
    # --failing counted any failing check: follow_up fails on most replies, so it re-ran every case.
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    main(["run", "eval.yaml", "--out", "r", "--no-cache", "--quiet"])
    records = [json.loads(line) for line in open("r/records.jsonl")]
    assert all(r["checks"]["follow_up"]["passed"] is False for r in records if r["error"] is None)

    assert main(["run", "eval.yaml", "--out", "all", "--failing", "r", "--no-cache", "--quiet"]) in (0, 1)
    assert _selected("all")[0] == 5  # the default: any failure, built-in checks included
    assert main(["run", "eval.yaml", "--out", "narrow", "--failing", "r", "--failing-on", "no_contradiction",
                 "--no-cache", "--quiet"]) in (0, 1)
    # f2 and f4 failed no_contradiction; f5 erred, so no_contradiction was never decided there.
    assert _selected("narrow") == (3, {"failing_in": "r", "failing_on": ["no_contradiction"]})
    assert sorted(r["case_id"] for r in map(json.loads, open("narrow/records.jsonl"))) == ["f2", "f4", "f5"]
    assert "selected by --failing r --failing-on no_contradiction" in open("narrow/scorecard.md").read()
    capsys.readouterr()


def test_failing_on_names_are_checked_against_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    main(["run", "eval.yaml", "--out", "r", "--no-cache", "--quiet"])
    capsys.readouterr()
    assert main(["run", "eval.yaml", "--failing", "r", "--failing-on", "no_contradicton,follow_up"]) == 2
    assert capsys.readouterr().err == (
        "harness: error: --failing-on: run r has no check or criterion no_contradicton (checks: "
        "no_contradiction, follow_up, acknowledgement; criteria: none)\n")
    assert main(["run", "eval.yaml", "--failing-on", "no_contradiction"]) == 2
    assert capsys.readouterr().err == ("harness: error: --failing-on: needs --failing RUN (the run whose "
                                       "failures it narrows)\n")
    assert main(["run", "eval.yaml", "--failing", "r", "--failing-on", "no_contradiction,"]) == 2
    assert "give check or criterion names separated by commas" in capsys.readouterr().err
    assert main(["estimate", "eval.yaml", "--failing", "r", "--failing-on", "no_contradiction"]) == 0  # as run
