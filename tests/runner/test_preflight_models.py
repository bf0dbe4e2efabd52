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
