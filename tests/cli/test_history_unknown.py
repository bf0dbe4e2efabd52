"""harness history --eval NAME for an eval with no run in the index: an error naming the evals that have runs."""

from __future__ import annotations

import json

from harness.cli.main import main

CASES = "".join(json.dumps({"id": f"h{i}", "persona": "angry", "category": "retail",
                            "turns": [{"role": "customer", "content": f"Order {i} is late."}],
                            "recorded_replies": {"bot": "Sorry, I have reopened your order."}}) + "\n"
                for i in range(2))
EVAL = "name: {name}\ndataset: cases.jsonl\ncandidates:\n  - name: bot\n    recorded: bot\nchecks: [next_step]\n"


def test_an_eval_without_runs_is_an_error_naming_those_with_runs(tmp_path, monkeypatch, capsys):
    # It printed the table's header alone and exited 0: a typo read as "no runs yet".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(CASES)
    for name in ("support", "billing"):
        (tmp_path / f"{name}.yaml").write_text(EVAL.format(name=name))
        assert main(["run", f"{name}.yaml", "--out", f"results/{name}-1", "--no-cache", "--quiet"]) == 0
    capsys.readouterr()

    assert main(["history", "--eval", "suport"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "harness: error: --eval: no runs of eval 'suport' in results (evals with runs: billing, support)\n"
    assert main(["history", "--eval", "suport", "--charts", "charts"]) == 2
    assert not (tmp_path / "charts").exists()

    assert main(["history", "--eval", "support"]) == 0
    out, _ = capsys.readouterr()
    assert "support-1" in out and "billing-1" not in out
