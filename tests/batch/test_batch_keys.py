"""Which key a batch request carries, and to which host: the one a live call for the same model would send."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.openai_api import OpenAIBatchAPI
from harness.errors import MissingCredentialError
from harness.models.base import ModelSpec
from harness.models.litellm_provider import PLACEHOLDER_KEY
from harness.runner.engine import RunOptions, run_eval
from tests.support.batch_server import BatchServer

ROOT = Path(__file__).resolve().parents[2]
OPENAI_CANARY = "sk-realOpenAIkey-CANARY-0123456789"
ANTHROPIC_CANARY = "sk-ant-realAnthropicKey-CANARY-0123456789"


@pytest.fixture(autouse=True)
def real_keys(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_CANARY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_CANARY)


def write_eval(tmp_path: Path, server: BatchServer, key_line: str = "") -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(f"""
dataset: {ROOT / 'datasets' / 'complaints.jsonl'}
limit: 2
candidates:
  - name: bot
    model: openai/my-served-model
    api_base: {server.openai_base}
{key_line}    prompt: "You are a polite support agent."
judge:
  model: anthropic/claude-haiku-4-5
  api_base: {server.anthropic_base}
{key_line.replace('    ', '  ')}  rubric: {ROOT / 'rubrics' / 'support-reply.yaml'}
  criteria: [acknowledgement]
""")
    return path


def run(tmp_path: Path, server: BatchServer, key_line: str = "") -> None:
    run_eval(write_eval(tmp_path, server, key_line),
             RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True))


def test_a_custom_api_base_gets_the_placeholder_key_not_the_providers_real_one(tmp_path):
    with BatchServer() as server:
        run(tmp_path, server)
    assert [b.api for b in server.batches] == ["openai", "anthropic"]
    openai = [s for s in server.seen if not s.path.startswith("/v1/messages")]
    anthropic = [s for s in server.seen if s.path.startswith("/v1/messages")]
    assert openai and {s.authorization for s in openai} == {f"Bearer {PLACEHOLDER_KEY}"}
    assert anthropic and {s.x_api_key for s in anthropic} == {PLACEHOLDER_KEY}
    assert not any(s.x_api_key for s in openai) and not any(s.authorization for s in anthropic)


def test_api_key_env_is_sent_to_a_custom_api_base(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_SERVER_KEY", "my-own-server-key-42")
    with BatchServer() as server:
        run(tmp_path, server, key_line="    api_key_env: MY_SERVER_KEY\n")
    assert {s.authorization for s in server.seen if not s.path.startswith("/v1/messages")} == {
        "Bearer my-own-server-key-42"}
    assert {s.x_api_key for s in server.seen if s.path.startswith("/v1/messages")} == {"my-own-server-key-42"}


def test_an_unset_api_key_env_is_refused_rather_than_replaced_by_the_providers_key(monkeypatch):
    monkeypatch.delenv("MY_SERVER_KEY", raising=False)
    for api in (OpenAIBatchAPI, AnthropicBatchAPI):
        spec = ModelSpec(name=f"{api.name}/m", api_base="http://127.0.0.1:9/v1", api_key_env="MY_SERVER_KEY")
        with pytest.raises(MissingCredentialError, match="MY_SERVER_KEY is not set"):
            api(spec).check_credentials()


@pytest.mark.parametrize("api, header, value", [
    (OpenAIBatchAPI, "Authorization", f"Bearer {OPENAI_CANARY}"),
    (AnthropicBatchAPI, "x-api-key", ANTHROPIC_CANARY)])
def test_the_providers_own_host_gets_the_providers_key(api, header, value):
    http = api(ModelSpec(name=f"{api.name}/m")).http(backoff_s=0)
    assert http.headers_for(http.base_url + "/x")[header] == value


def test_the_key_goes_only_to_the_configured_host_whatever_results_url_names(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_SERVER_KEY", "my-own-server-key-42")
    with BatchServer(results_host="localhost") as server:
        run(tmp_path, server, key_line="    api_key_env: MY_SERVER_KEY\n")
    results = [s for s in server.seen if s.path.endswith("/results")]
    assert results and all(s.host == "localhost" and s.x_api_key is None for s in results)
    others = [s for s in server.seen if s.path.startswith("/v1/messages") and s not in results]
    assert others and all(s.x_api_key == "my-own-server-key-42" for s in others)


def test_a_redirect_to_another_host_does_not_carry_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_SERVER_KEY", "my-own-server-key-42")
    with BatchServer(redirect_results=True) as server:
        run(tmp_path, server, key_line="    api_key_env: MY_SERVER_KEY\n")
    results = [s for s in server.seen if s.path.endswith("/results")]
    assert [s.host for s in results] == ["127.0.0.1", "localhost"]
    assert [s.x_api_key for s in results] == ["my-own-server-key-42", None]
