"""The eval file's judge panel: what loads, what the plan builds, and errors naming file, line and field."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.config.evalfile import load_eval
from harness.errors import ConfigError
from harness.judges.panel import PanelJudge
from harness.models.fake import clear_fakes, register_fake
from harness.models.logprobs import LogprobModel
from harness.runner.manifest import build_manifest
from harness.runner.plan import build_plan

DATASET = '{"id": "a", "turns": [{"role": "customer", "content": "hi"}], "recorded_replies": {"v1": "hello"}}\n'
HEAD = """\
name: p
dataset: data.jsonl
candidates:
  - name: v1
    recorded: v1
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.jsonl").write_text(DATASET)
    (tmp_path / "rubric.yaml").write_text(textwrap.dedent("""\
        id: r
        version: "1"
        criteria:
          - id: tone
            question: Is it polite?
            scale: pass_fail
            levels: {pass: yes, fail: no}
        """))
    register_fake("a", lambda messages, config: json.dumps({"reason": "ok", "score": "pass"}))
    register_fake("b", lambda messages, config: json.dumps({"reason": "ok", "score": "fail"}))
    yield tmp_path
    clear_fakes()


def write(project, judge: str):
    path = project / "eval.yaml"
    path.write_text(HEAD + textwrap.dedent(judge))
    return path


def error_of(path) -> str:
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    return str(info.value)


def test_a_panel_loads_and_builds_a_panel_judge_with_a_manifest_record(project):
    path = write(project, """\
        judge:
          rubric: rubric.yaml
          aggregate: majority
          panel:
            - model: fake/a
            - model: fake/b
              name: second
              max_retries: 1
        """)
    loaded = load_eval(path)
    assert [p.label for p in loaded.spec.judge.panel] == ["fake/a", "second"]
    plan = build_plan(loaded)
    assert isinstance(plan.judge, PanelJudge) and plan.judge.aggregate == "majority"
    assert [m.name for m in plan.judge_models] == ["fake/a", "fake/b"]
    judge = build_manifest(plan).judge
    assert judge["name"] == "panel (majority): fake/a, second"
    assert judge["panel_key"] == "majority: fake/a=fake/a, second=fake/b"
    assert judge["panel"][1]["max_retries"] == 1 and judge["panel"][1]["logprobs"] is False


def test_a_single_judge_still_loads_unchanged(project):
    loaded = load_eval(write(project, """\
        judge:
          model: fake/a
          rubric: rubric.yaml
        """))
    plan = build_plan(loaded)
    assert not isinstance(plan.judge, PanelJudge) and plan.judge.model.name == "fake/a"
    assert build_manifest(plan).judge["name"] == "fake/a"


def test_judges_on_providers_with_logprobs_ask_for_them_unless_params_say_no(project):
    loaded = load_eval(write(project, """\
        judge:
          rubric: rubric.yaml
          panel:
            - model: openai/judge-a
              api_base: http://127.0.0.1:9/v1
            - model: openai/judge-b
              api_base: http://127.0.0.1:9/v1
              params: {logprobs: false}
        """))
    plan = build_plan(loaded)
    first, second = (p.judge.model for p in plan.judge.panellists)
    assert isinstance(first, LogprobModel) and not isinstance(second, LogprobModel)
    assert [m["logprobs"] for m in build_manifest(plan).judge["panel"]] == [True, False]


@pytest.mark.parametrize("judge, line, field, problem", [
    ("""\
        judge:
          rubric: rubric.yaml
        """, 7, "judge", "give `model` (one judge) or `panel`"),
    ("""\
        judge:
          rubric: rubric.yaml
          model: fake/a
          api_base: http://x
          panel:
            - model: fake/a
            - model: fake/b
        """, 7, "judge", "with `panel`, give `model`, `api_base` inside each panellist"),
    ("""\
        judge:
          rubric: rubric.yaml
          panel:
            - model: fake/a
        """, 9, "judge.panel", "at least 2"),
    ("""\
        judge:
          rubric: rubric.yaml
          panel:
            - model: fake/a
            - model: fake/a
        """, 9, "judge.panel", "two panellists are named fake/a: give each a distinct `name`"),
    ("""\
        judge:
          rubric: rubric.yaml
          panel:
            - model: fake/a
            - modle: fake/b
        """, 10, "judge.panel[1].modle", "unknown field"),
    ("""\
        judge:
          rubric: rubric.yaml
          aggregate: median
          model: fake/a
        """, 7, "judge", "`aggregate` applies to a judge `panel` only"),
    ("""\
        judge:
          rubric: rubric.yaml
          aggregate: mode
          panel:
            - model: fake/a
            - model: fake/b
        """, 8, "judge.aggregate", "mean"),
])
def test_panel_mistakes_name_file_line_and_field(project, judge, line, field, problem):
    message = error_of(write(project, judge))
    assert message.startswith(f"{project / 'eval.yaml'}:{line}: {field}: "), message
    assert problem in message


def test_an_unknown_panellist_model_is_located_in_the_panel(project):
    loaded = load_eval(write(project, """\
        judge:
          rubric: rubric.yaml
          panel:
            - model: fake/a
            - model: fake/nobody
        """))
    with pytest.raises(ConfigError) as info:
        build_plan(loaded)
    assert "judge.panel[1]" in str(info.value) and "fake/nobody" in str(info.value)


def test_judge_epochs_apply_to_every_panellist(project):
    from harness.sampling.judge_epochs import EpochJudge

    plan = build_plan(load_eval(write(project, """\
        judge:
          rubric: rubric.yaml
          epochs: 3
          reducer: median
          panel:
            - model: fake/a
            - model: fake/b
        """)))
    judges = [p.judge for p in plan.judge.panellists]
    assert all(isinstance(j, EpochJudge) and j.epochs == 3 and j.reducer == "median" for j in judges)
    assert [j.model.name for j in judges] == ["fake/a", "fake/b"]


def test_the_shipped_panel_example_validates():
    from pathlib import Path

    from harness.cli.validation import validate_paths

    repo = Path(__file__).resolve().parents[2]
    found = dict(validate_paths([repo / "evals" / "panel.yaml"]))
    assert list(found.values()) == ["eval panel, 2 candidates"], found
    loaded = load_eval(repo / "evals" / "panel.yaml")
    assert [p.label for p in loaded.spec.judge.panel] == ["qwen", "llama", "mistral"]
    assert loaded.spec.judge.aggregate == "median"
