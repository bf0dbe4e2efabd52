"""`harness validate` warns of epochs that repeat one answer (the notices a run prints at its start), each at
the `epochs` line it is about, and still passes."""

import json

import pytest

from harness.cli.main import main


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"}]}) + "\n")
    (tmp_path / "r.yaml").write_text('id: r\nversion: "1"\ncriteria:\n'
                                     '  - {id: tone, question: "Kind?", scale: pass_fail, levels: {pass: y, fail: n}}\n')
    return tmp_path


def test_fixed_epochs_are_warned_of_at_their_line(project, capsys):
    (project / "e.yaml").write_text(
        "dataset: d.jsonl\n"
        "candidates:\n"
        "  - {name: v1, model: openai/a, prompt: \"Hi.\", epochs: 3, params: {seed: 4}}\n"
        "  - matrix:\n"
        "      prompt: [\"Hi.\"]\n"
        "      model: [openai/x]\n"
        "    epochs: 2\n"
        "    params: {temperature: 0}\n"
        "judge:\n"
        "  model: openai/j\n"
        "  rubric: r.yaml\n"
        "  epochs: 2\n")
    assert main(["validate", "e.yaml"]) == 0
    warns = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warn  ")]
    assert [w.split(": candidate ")[0].split(": judge: ")[0] for w in warns] == [
        "warn  e.yaml:3: candidates[0].epochs", "warn  e.yaml:7: candidates[1].epochs", "warn  e.yaml:12: judge.epochs"]
    assert "candidate v1: epochs 3 send the same seed (4) with every sample" in warns[0]
    assert "candidate prompt1@openai:x: epochs 2 ask at temperature 0" in warns[1]
    assert "judge: epochs 2 ask at temperature 0" in warns[2]


def test_epochs_that_can_vary_are_not_warned_of(project, capsys):
    (project / "e.yaml").write_text(
        "dataset: d.jsonl\n"
        "candidates: [{name: v1, model: openai/a, prompt: \"Hi.\", epochs: 3, params: {temperature: 0.7}}]\n"
        "judge: {model: openai/j, rubric: r.yaml, epochs: 2, params: {temperature: 0.5}}\n")
    assert main(["validate", "e.yaml"]) == 0
    assert "warn" not in capsys.readouterr().err
