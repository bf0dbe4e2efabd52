"""The preflight's model-name check: every name form the registry serves passes, nonsense does not."""

from __future__ import annotations

import textwrap

import pytest

from harness.errors import ConfigError
from harness.models.base import ModelSpec
from harness.records.store import iter_records
from harness.runner.preflight import check_model_name
from tests.cli.conftest import harness_cmd


@pytest.mark.parametrize("name", ["openai/gpt-4o-mini", "litellm/openai/served-model", "ollama/llama3.1",
                                  "litellm/anthropic/claude-haiku-4-5"])
def test_names_litellm_can_route_pass(name):
    check_model_name(ModelSpec(name=name, api_base="http://127.0.0.1:9/v1"))


@pytest.mark.parametrize("name", ["no-such-provider/x", "litellm/no-such-provider/x", "litellm/"])
def test_names_litellm_cannot_route_are_refused(name):
    with pytest.raises(ConfigError):
        check_model_name(ModelSpec(name=name))


def test_a_run_through_forced_litellm_reaches_the_server(tmp_path, openai_server):
    # The README's way to send an OpenAI-compatible server's calls through litellm.
    (tmp_path / "cases.jsonl").write_text(
        '{"id": "c1", "turns": [{"role": "customer", "content": "where is my parcel"}]}\n')
    (tmp_path / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: forced
        dataset: cases.jsonl
        candidates:
          - name: served
            model: litellm/openai/served-model
            api_base: {openai_server.base_url}
            prompt: "You are a support agent."
        checks: [apology_wording]
        """))
    done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path,
                       env={"LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    assert done.returncode == 0, done.stderr
    [record] = list(iter_records(tmp_path / "run"))
    assert record.reply and record.reply.startswith("echo:")
    assert [r.body["model"] for r in openai_server.requests] == ["served-model"]


ROUTED_EVAL = """\
    name: routed
    dataset: cases.jsonl
    candidates:
      - name: bot
        recorded: bot
    checks: [apology_wording]
    judge:
      model: support-model
      rubric: {rubric}
      deployments:
        - {{name: eu, model: openai/served-model, api_base: "http://127.0.0.1:9/v1",
           api_key_env: PREFLIGHT_TEST_EU_KEY}}
        - {{name: us, model: {second}, api_base: "http://127.0.0.1:9/v1"}}
    """


@pytest.mark.parametrize("second, env, expected", [
    # The README: "each deployment's model name must be one litellm can route (`deployments[1].model: …`)".
    ("no-such-provider-model-xyz", {"PREFLIGHT_TEST_EU_KEY": "sk-x"},
     "eval.yaml:13: judge.deployments[1].model: unknown model or provider 'no-such-provider-model-xyz'"),
    ("openai/served-model", {},
     "eval.yaml:12: judge.deployments[0].api_key_env: support-model: environment variable "
     "PREFLIGHT_TEST_EU_KEY is not set"),
])
def test_a_bad_deployment_is_named_by_its_own_line_and_field(tmp_path, monkeypatch, second, env, expected):
    # Both were placed at `judge.model` (the label's line), the first as "judge.model: deployments[1].model: …".
    from pathlib import Path

    monkeypatch.delenv("PREFLIGHT_TEST_EU_KEY", raising=False)
    rubric = Path(__file__).resolve().parents[2] / "rubrics" / "support-reply.yaml"
    (tmp_path / "cases.jsonl").write_text(
        '{"id": "c1", "turns": [{"role": "customer", "content": "where is my parcel"}], '
        '"recorded_replies": {"bot": "Sorry about that."}}\n')
    (tmp_path / "eval.yaml").write_text(textwrap.dedent(ROUTED_EVAL.format(rubric=rubric, second=second)))
    done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path,
                       env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", **env})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"harness: error: {expected}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_name_suggests_the_forms_the_readme_recommends():
    # The README says to use ollama_chat/ (or the /v1 form), never ollama/: the hint must not contradict it.
    with pytest.raises(ConfigError) as raised:
        check_model_name(ModelSpec(name="nosuchprov/x"))
    message = str(raised.value)
    assert "ollama_chat/llama3.1" in message and "ollama/" not in message
    assert "openai/gpt-4o-mini" in message
