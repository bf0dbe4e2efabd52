"""harness label --limit N: the closing count says what the session was asked for, not only what is left."""

from __future__ import annotations

import io
import json

from harness.cli.main import main

CASES = "".join(json.dumps({"id": f"l{i}", "persona": "angry", "category": "retail",
                            "turns": [{"role": "customer", "content": f"Order {i} is late."}],
                            "recorded_replies": {"bot": f"Sorry, I have reopened order {i}."}}) + "\n"
                for i in range(10))
EVAL = "name: lim\ndataset: cases.jsonl\ncandidates:\n  - name: bot\n    recorded: bot\nchecks: [no_contradiction]\n"


def _label(monkeypatch, capsys, answers: str, *more: str) -> list[str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    assert main(["label", "r", "--labels", "labels.jsonl", "--labeller", "ana", "--checks", "no_contradiction",
                 *more]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_closing_count_measures_against_the_limit(tmp_path, monkeypatch, capsys):
    # "--limit 4" ended with "labelled 4 (labels.jsonl); skipped 0; 6 left", as if the session had stopped short.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(CASES)
    (tmp_path / "eval.yaml").write_text(EVAL)
    assert main(["run", "eval.yaml", "--out", "r", "--no-cache", "--quiet"]) == 0
    capsys.readouterr()

    out = _label(monkeypatch, capsys, "p\ns\nf\np\np\np\n", "--limit", "3")
    # The skipped l1 is still to label (the next session asks it first): it counts as left.
    assert out[-2] == "label> labelled 3 (labels.jsonl); skipped 1; --limit 3 reached; 7 more left (run again to go on)"
    headers = [line for line in out if line.startswith("[")]
    assert headers[0] == "[1/10] l0 · bot · check no_contradiction (p/f) · label 1 of --limit 3"
    assert headers[1].endswith("· label 2 of --limit 3") and headers[2].endswith("· label 2 of --limit 3")
    assert len(headers) == 4  # l1 was skipped: the 4th reply gave the 3rd label

    out = _label(monkeypatch, capsys, "f\nq\n", "--limit", "4")  # stopped before the limit
    assert [line for line in out if line.startswith("[")][0].startswith("[1/7] l1 ")  # the 7 said above
    assert out[-2] == "label> labelled 1 (labels.jsonl); skipped 0; 3 left of --limit 4; 6 left in all"
    out = _label(monkeypatch, capsys, "p\nq\n")  # without --limit, as before
    assert out[-2] == "label> labelled 1 (labels.jsonl); skipped 0; 5 left"
    assert "label 1 of" not in "\n".join(out)
    out = _label(monkeypatch, capsys, "p\n" * 5, "--limit", "9")  # all done before the limit
    assert out[-2] == "label> labelled 5 (labels.jsonl); skipped 0; 0 left"
