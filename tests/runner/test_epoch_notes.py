"""Epochs that cannot vary are named: a fixed seed, temperature 0, the embedded model, the judge's temperature 0."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.config.evalfile import load_eval
from harness.runner.epoch_notes import epoch_notices


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"}]}) + "\n")
    (tmp_path / "r.yaml").write_text('id: r\nversion: "1"\ncriteria:\n'
                                     '  - {id: tone, question: "Kind?", scale: pass_fail, levels: {pass: y, fail: n}}\n')
    return tmp_path


def _notices(root, body: str) -> list[str]:
    (root / "e.yaml").write_text("dataset: d.jsonl\n" + textwrap.dedent(body))
    loaded = load_eval(root / "e.yaml")
    return epoch_notices(loaded, loaded.spec.candidates)


def test_a_fixed_seed_temperature_0_and_the_embedded_model_are_named(root):
    found = _notices(root, """\
        candidates:
          - {name: seeded, model: openai/a, prompt: "Hi.", epochs: 5, params: {temperature: 0.7, seed: 42}}
          - {name: greedy, model: openai/a, prompt: "Hi.", epochs: 3, params: {temperature: 0}}
          - {name: tiny, model: embedded/gemma-3-270m, prompt: "Hi.", epochs: 2, params: {temperature: 0.9}}
          - {name: sampled, model: openai/a, prompt: "Hi.", epochs: 5, params: {temperature: 0.7}}
          - {name: once, model: openai/a, prompt: "Hi.", params: {seed: 1}}
        """)
    assert len(found) == 3
    assert found[0].startswith("candidate seeded: epochs 5 send the same seed (42) with every sample: a provider "
                               "that honours seed and temperature gives every sample of a case the same answer")
    assert "pass^k" in found[0]
    assert found[1].startswith("candidate greedy: epochs 3 ask at temperature 0:")
    assert found[2].startswith("candidate tiny: epochs 2 ask the embedded model, which decodes with a fixed seed")


def test_judge_epochs_are_at_temperature_0_unless_the_params_say_otherwise(root):
    # The judge's params now reach its calls (its temperature 0 is a default under them): a panellist
    # sampling at 0.8 varies, one with no temperature, or an explicit 0, does not.
    found = _notices(root, """\
        candidates: [{name: v1, model: openai/a, prompt: "Hi."}]
        judge:
          rubric: r.yaml
          epochs: 3
          panel:
            - {name: j1, model: openai/j}
            - {name: j2, model: openai/k, params: {temperature: 0.8}}
            - {name: j3, model: openai/m, params: {temperature: 0.8, seed: 5}}
        """)
    assert [n.split(":")[0] for n in found] == ["judge panellist j1", "judge panellist j3"]
    assert "epochs 3 ask at temperature 0" in found[0]
    assert "send the same seed (5) with every sample" in found[1] and "temperature 0" not in found[1]


def test_one_judge_epoch_or_a_sampling_candidate_needs_no_notice(root):
    assert _notices(root, """\
        candidates: [{name: v1, model: openai/a, prompt: "Hi.", epochs: 4, params: {temperature: 1}}]
        judge: {model: openai/j, rubric: r.yaml}
        """) == []


def test_the_run_notes_them_at_start_and_above_the_scorecard(project, capsys):
    from harness.models.fake import register_fake
    from harness.runner.engine import RunOptions, run_eval

    register_fake("seeded", lambda messages, config: "We apologize, it ships today.")
    (project["dir"] / "eval.yaml").write_text(textwrap.dedent("""\
        name: seeded
        dataset: cases.jsonl
        candidates:
          - {name: bot, model: fake/seeded, prompt: "Be brief.", epochs: 2, params: {seed: 7}}
        """))
    run_eval(project["dir"] / "eval.yaml", RunOptions(out=project["dir"] / "out", use_cache=False))
    err = capsys.readouterr().err
    assert "harness: note: candidate bot: epochs 2 send the same seed (7) with every sample" in err
    md = (project["dir"] / "out" / "scorecard.md").read_text()
    assert md.index("candidate bot: epochs 2 send the same seed (7)") < md.index("## Scorecard")
