"""A bad line in a provider's results costs its own case at most: the other answers are cached and the run goes on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.openai_api import OpenAIBatchAPI
from harness.batch.requests import Failure
from harness.batch.state import load_state
from harness.models.base import GenerateConfig, Message, ModelResponse, ModelSpec
from harness.records.schema import Manifest
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from tests.batch.test_batch_run import N_CASES, write_eval
from tests.support.batch_server import BatchServer

ROOT = Path(__file__).resolve().parents[2]
COMPLAINTS = [json.loads(x) for x in (ROOT / "datasets" / "complaints.jsonl").read_text().splitlines()[:N_CASES]]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")


def run(tmp_path: Path, server: BatchServer, capsys, **extra) -> tuple[dict, list[str]]:
    """The run's records by case id, and the batch notices it printed."""
    result = run_eval(write_eval(tmp_path, server),
                      RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True, **extra))
    notices = [line for line in capsys.readouterr().err.splitlines() if line.startswith("harness: batch:")]
    return {r.case_id: r for r in iter_records(result.run_dir)}, notices


def case_of(line: dict, index: int, server: BatchServer) -> bool:
    """True for the result line of the ``index``-th complaint's responder request (OpenAI's output)."""
    request = next((r for b in server.of("openai") for r in b.requests if r["custom_id"] == line.get("custom_id")),
                   None)
    victim = COMPLAINTS[index]["turns"][-1]["content"]
    return request is not None and any(m.get("content") == victim for m in request["body"]["messages"])


def manifest_status(tmp_path: Path) -> str:
    return Manifest.model_validate_json((tmp_path / "run" / "manifest.json").read_text()).status


def test_a_line_that_is_not_json_is_a_notice_and_every_answer_is_cached(tmp_path, capsys):
    with BatchServer(junk_lines=("this is not json {",)) as server:
        records, notices = run(tmp_path, server, capsys)
    assert len(records) == N_CASES and all(r.error is None for r in records.values())
    assert any("line 5: not JSON" in n for n in notices)  # after the 4 answers
    assert manifest_status(tmp_path) == "complete"


def test_a_cases_own_line_cut_short_fails_that_case_as_unanswered(tmp_path, capsys):
    server = BatchServer()
    server.mangle = lambda line: json.dumps(line)[:40] if case_of(line, 2, server) else line
    with server:
        records, notices = run(tmp_path, server, capsys)
    bad = records[COMPLAINTS[2]["id"]]
    assert bad.error is not None and bad.error.kind == "batch_error"
    assert "no answer in batch_" in bad.error.message and "unreadable result lines: 1" in bad.error.message
    assert all(r.error is None for cid, r in records.items() if cid != COMPLAINTS[2]["id"])
    assert [n for n in notices if "not JSON" in n] and manifest_status(tmp_path) == "complete"


def test_a_line_of_another_batch_is_a_notice(tmp_path, capsys):
    stray = json.dumps({"custom_id": "not-ours", "response": {"status_code": 200, "body": {}}})
    with BatchServer(junk_lines=(stray, '["a list"]', '{"custom_id": ["a", "list"]}')) as server:
        records, notices = run(tmp_path, server, capsys)
    assert all(r.error is None for r in records.values())
    assert sum("custom_id" in n for n in notices) >= 3


@pytest.mark.parametrize("mangle, field", [
    (lambda line: {**line, "response": {**line["response"], "status_code": "abc"}}, "response.status_code"),
    (lambda line: {**line, "response": {**line["response"], "status_code": 2.5}}, "response.status_code"),
    (lambda line: {**line, "response": "garbage"}, "response"),
    (lambda line: {**line, "error": "garbage", "response": None}, "error"),
])
def test_a_malformed_line_fails_its_case_only_and_retry_errors_sends_it_again(tmp_path, capsys, mangle, field):
    server = BatchServer()
    server.mangle = lambda line: mangle(line) if case_of(line, 1, server) else line
    with server:
        records, _ = run(tmp_path, server, capsys)
        bad = records[COMPLAINTS[1]["id"]]
        assert bad.error is not None and bad.error.kind == "batch_error"
        assert re.search(rf"line \d+: {re.escape(field)}:", bad.error.message) and "output file" in bad.error.message
        assert all(r.error is None for cid, r in records.items() if cid != COMPLAINTS[1]["id"])
        assert load_state(tmp_path / "run").jobs[0].succeeded == N_CASES - 1
        server.mangle = None
        again, _ = run(tmp_path, server, capsys, resume=True, retry_errors=True)
    assert len(again) == N_CASES and all(r.error is None for r in again.values())
    assert len(server.of("openai")[-1].requests) == 1  # only the malformed line's request went out again


def test_junk_anthropic_usage_keeps_the_answer_with_no_token_count(tmp_path, capsys):
    def junk_usage(line):
        line["result"]["message"]["usage"]["output_tokens"] = "n/a"
        return line

    with BatchServer(mangle=junk_usage) as server:
        server.mangle = lambda line: junk_usage(line) if "result" in line else line
        records, _ = run(tmp_path, server, capsys)
    assert len(records) == N_CASES and all(r.error is None for r in records.values())
    scored = [c for r in records.values() for c in r.judge.values() if c.applicable]
    assert scored and all(c.error is None for c in scored)


def test_a_malformed_anthropic_result_fails_its_case_only(tmp_path, capsys):
    seen: list[str] = []

    def garble_first(line):
        if "result" in line and not seen:
            seen.append(line["custom_id"])
            return {**line, "result": {"type": "succeeded", "message": {"content": "not a list"}}}
        return line

    with BatchServer(mangle=garble_first) as server:
        records, _ = run(tmp_path, server, capsys)
    errors = [c.error for r in records.values() for c in r.judge.values() if c.error is not None]
    assert len(errors) == 1 and errors[0].kind == "batch_error" and "result.message.content" in errors[0].message
    assert all(r.error is None for r in records.values())
    assert manifest_status(tmp_path) == "complete"


REQUEST_KEY = "k" * 64


def request(config: GenerateConfig | None = None):
    from harness.batch.requests import BatchRequest

    return BatchRequest(key=REQUEST_KEY, model="m", config=config or GenerateConfig(),
                        messages=(Message(role="user", content="hi"),))


@pytest.mark.parametrize("result", [
    "garbage", {"type": "succeeded", "message": "garbage"}, {"type": "succeeded", "message": {"content": [1, 2]}},
    {"type": "succeeded", "message": {"content": [{"type": "text", "text": 3}]}},
    {"type": "errored", "error": "garbage"}, {"type": ["a"]}])
def test_anthropic_lines_in_no_documented_shape_are_failures(result):
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    lines = f'{json.dumps({"custom_id": REQUEST_KEY, "result": result})}\n'.encode()
    read = api.read_lines(lines, "results", {REQUEST_KEY: request()})
    assert isinstance(read.answers[REQUEST_KEY], Failure) and read.answers[REQUEST_KEY].kind in (
        "batch_error", "empty_response")


def test_anthropic_junk_usage_counts_nothing():
    api = AnthropicBatchAPI(ModelSpec(name="anthropic/claude-haiku-4-5"))
    result = {"type": "succeeded", "message": {"content": [{"type": "text", "text": "hello"}], "stop_reason": [],
                                               "usage": {"input_tokens": -3, "output_tokens": "n/a"}}}
    answer = api.parse(result, request())
    assert isinstance(answer, ModelResponse) and answer.text == "hello" and answer.finish_reason is None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (0, 0)


@pytest.mark.parametrize("line", [
    {"response": {"status_code": "200", "body": {}}}, {"response": {"status_code": True, "body": {}}},
    {"response": [], "error": None}, {"response": None, "error": ["x"]}, {"response": None, "error": None}])
def test_openai_lines_in_no_documented_shape_are_failures(line):
    api = OpenAIBatchAPI(ModelSpec(name="openai/gpt-4o-mini"))
    read = api.read_lines(f'{json.dumps({"custom_id": REQUEST_KEY, **line})}\n'.encode(), "output file f",
                          {REQUEST_KEY: request()})
    assert isinstance(read.answers[REQUEST_KEY], Failure) and read.answers[REQUEST_KEY].kind == "batch_error"
    assert not read.notices
