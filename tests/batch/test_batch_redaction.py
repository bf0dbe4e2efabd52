"""No secret in batch.json, in a batch notice or in a batch error line, even one a long message would cut in two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.batch.credentials import batch_key
from harness.batch.http import _detail
from harness.batch.requests import Failure
from harness.batch.state import load_state
from harness.models.base import ModelSpec
from harness.records.redaction import MASK, redact, register_secret_env
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from tests.support.batch_server import BatchServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "plain-secret-value-0123456789"  # not shaped like a key: only its variable's value gives it away
# Long enough that a message cut at 300 characters ends inside the secret.
ECHO = "x" * 260 + f" Incorrect API key provided: {SECRET}. Check your key."


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("MY_SERVER_KEY", SECRET)
    register_secret_env("MY_SERVER_KEY")


def fragments(text: str) -> list[str]:
    """Any 8-character piece of the secret found in ``text``."""
    return [SECRET[i:i + 8] for i in range(len(SECRET) - 7) if SECRET[i:i + 8] in text]


def write_eval(tmp_path: Path, server: BatchServer) -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(f"""
dataset: {ROOT / 'datasets' / 'complaints.jsonl'}
limit: 2
candidates:
  - name: bot
    model: openai/my-served-model
    api_base: {server.openai_base}
    api_key_env: MY_SERVER_KEY
    prompt: "You are a polite support agent."
judge:
  model: anthropic/claude-haiku-4-5
  api_base: {server.anthropic_base}
  api_key_env: MY_SERVER_KEY
  rubric: {ROOT / 'rubrics' / 'support-reply.yaml'}
  criteria: [acknowledgement]
""")
    return path


@pytest.mark.parametrize("failing", ["openai", "anthropic"])
def test_failed_lines_echoing_the_key_are_redacted_in_batch_json(tmp_path, failing):
    def fail(body) -> bool:  # judge requests carry a schema; the responder's do not
        judged = "tools" in body or "response_format" in body
        return judged if failing == "anthropic" else not judged

    with BatchServer(fail=fail, fail_message=ECHO) as server:
        result = run_eval(write_eval(tmp_path, server),
                          RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True))
    state = load_state(result.run_dir)
    assert state.failed and all(MASK in f["message"] for f in state.failed.values())
    assert not fragments((result.run_dir / "batch.json").read_text())
    assert not fragments("".join(r.model_dump_json() for r in iter_records(result.run_dir)))


def test_a_failure_is_redacted_before_it_is_cut_short():
    failure = Failure("server_error", "m: HTTP 500: " + ECHO + " " + "y" * 1000)
    assert MASK in failure.message and not fragments(failure.message) and len(failure.message) < 600
    assert not fragments(json.dumps(failure.to_dict()))


def test_failures_read_from_an_old_batch_json_are_redacted(tmp_path):
    (tmp_path / "batch.json").write_text(json.dumps({"failed": {"k": {"kind": "batch_error", "message": ECHO}}}))
    assert not fragments(load_state(tmp_path).failures()["k"].message)


def test_a_refused_request_is_redacted_before_it_is_cut_short():
    detail = _detail(json.dumps({"error": {"message": ECHO}}).encode())
    assert MASK in detail and not fragments(detail)


def test_the_providers_own_variable_is_redacted_once_a_batch_uses_it(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "plain-anthropic-value-987654321")
    assert batch_key(ModelSpec(name="anthropic/claude-haiku-4-5"), "ANTHROPIC_API_KEY") == \
        "plain-anthropic-value-987654321"
    assert redact("echo plain-anthropic-value-987654321") == f"echo {MASK}"


def test_notices_are_redacted(tmp_path, capsys):
    stray = json.dumps({"custom_id": f"{SECRET}", "response": None})
    with BatchServer(junk_lines=(stray,)) as server:
        run_eval(write_eval(tmp_path, server),
                 RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True))
    err = capsys.readouterr().err
    assert "is no request of this batch" in err and not fragments(err)
