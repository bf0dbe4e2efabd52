"""The preflight renders every case's system prompt once; each case's first call reuses that render."""

from __future__ import annotations

import pytest

import harness.candidates.responders as responders
from harness.candidates.responders import ModelResponder, render_system_prompt
from harness.config.evalfile import load_eval
from harness.errors import TemplateError
from harness.runner.engine import RunOptions, run_eval
from harness.runner.plan import build_plan


def _model_responder(plan) -> ModelResponder:
    return next(r for r in plan.responders if isinstance(r, ModelResponder))


def test_first_call_uses_the_preflight_render_and_later_calls_render_again(project, monkeypatch):
    plan = build_plan(load_eval("eval.yaml"))
    responder = _model_responder(plan)
    assert {id(case) for case in plan.cases} == set(responder.prerendered)
    expected = {case.id: render_system_prompt(responder.template, case) for case in plan.cases}

    renders = []
    real_render = responders.render_system_prompt
    monkeypatch.setattr(responders, "render_system_prompt",
                        lambda template, case: renders.append(case.id) or real_render(template, case))
    first = {case.id: responder.messages_for(case)[0].content for case in plan.cases}
    assert first == expected and renders == []  # served from the preflight, nothing rendered again
    assert responder.prerendered == {}
    again = {case.id: responder.messages_for(case)[0].content for case in plan.cases}
    assert again == expected and renders == [case.id for case in plan.cases]


def test_prerendered_prompts_are_capped(project, monkeypatch):
    monkeypatch.setattr(responders, "PRERENDERED_KEPT", 1)
    plan = build_plan(load_eval("eval.yaml"))
    responder = _model_responder(plan)
    assert list(responder.prerendered) == [id(plan.cases[0])]
    # The cases beyond the cap still get their own prompt.
    assert [responder.messages_for(c)[0].content for c in plan.cases] == [
        render_system_prompt(responder.template, c) for c in plan.cases]


def test_a_template_failing_on_one_case_names_that_case(project):
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace(
        "Max refund {{ context.max_refund }}.", "{{ context.max_refund + 1 }}"))
    with pytest.raises(TemplateError, match="fails on case 'c3'"):
        build_plan(load_eval("eval.yaml"))


def test_a_run_sends_the_same_prompts_as_before(project):
    run_eval("eval.yaml", RunOptions(out=project["dir"] / "run", candidates=["polite"]))
    sent = [messages[0].content for messages, _ in project["responder"].history]
    plan = build_plan(load_eval("eval.yaml"))
    responder = _model_responder(plan)
    assert sorted(sent) == sorted(render_system_prompt(responder.template, c) for c in plan.cases)


def test_renders_from_the_loaders_dumps_match_fresh_renders_for_every_candidate(project):
    """The loader's dumps feed one render each; a template that changes its data changes nothing else."""
    eval_file = project["dir"] / "eval.yaml"
    mutating = ("  - name: mutating\n    model: fake/responder\n"
                "    prompt: \"{% set _ = context.facts.append('added') %}{{ context.facts | join(';') }} "
                "{{ case.metadata }}\"\n")
    text = eval_file.read_text().replace("checks: all\n", mutating + "checks: all\n")
    eval_file.write_text(text.replace("candidates:\n", "candidates:\n" + mutating.replace("mutating", "first"), 1))
    plan = build_plan(load_eval("eval.yaml"))
    model_responders = [r for r in plan.responders if isinstance(r, ModelResponder)]
    assert [r.name for r in model_responders] == ["first", "polite", "mutating"]
    for responder in model_responders:
        assert {case.id: responder.prerendered[id(case)][1] for case in plan.cases} == {
            case.id: render_system_prompt(responder.template, case) for case in plan.cases}
    assert all("added" not in case.context.facts for case in plan.cases)
    assert plan.dataset.sha256 == build_plan(load_eval("eval.yaml")).dataset.sha256
