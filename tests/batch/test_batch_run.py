"""Batch mode end to end against a loopback mock of OpenAI Batch and Anthropic Message Batches."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness.batch.state import load_state
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval, run_eval_async
from tests.support.batch_server import BatchServer

ROOT = Path(__file__).resolve().parents[2]
N_CASES = 4
CRITERIA = ["acknowledgement", "apology_quality"]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")


def write_eval(tmp_path: Path, server: BatchServer, *, judge: str = "anthropic") -> Path:
    judge_block = (f"  model: anthropic/claude-haiku-4-5\n  api_base: {server.anthropic_base}\n" if judge == "anthropic"
                   else f"  model: openai/judge-model\n  api_base: {server.openai_base}\n")
    text = f"""
dataset: {ROOT / 'datasets' / 'complaints.jsonl'}
limit: {N_CASES}
checks: [apology_wording]
candidates:
  - name: bot
    model: openai/gpt-4o-mini
    api_base: {server.openai_base}
    prompt: "You are a polite support agent."
    params: {{temperature: 0, max_tokens: 100}}
judge:
{judge_block}  rubric: {ROOT / 'rubrics' / 'support-reply.yaml'}
  criteria: [{', '.join(CRITERIA)}]
"""
    path = tmp_path / "eval.yaml"
    path.write_text(text)
    return path


def options(tmp_path: Path, **extra) -> RunOptions:
    return RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True, **extra)


def applicable_judge_calls(records) -> int:
    return sum(1 for r in records for c in r.judge.values() if c.applicable)


def test_two_stages_fill_the_cache_and_the_run_writes_every_record(tmp_path):
    with BatchServer(polls_to_finish=3) as server:
        result = run_eval(write_eval(tmp_path, server), options(tmp_path))
    records = list(iter_records(result.run_dir))
    assert len(records) == N_CASES and all(r.error is None for r in records)
    # Stage 1: one OpenAI batch with every responder call; stage 2: one Anthropic batch with every judge call.
    assert [b.api for b in server.batches] == ["openai", "anthropic"]
    assert len(server.of("openai")[0].requests) == N_CASES
    assert len(server.of("anthropic")[0].requests) == applicable_judge_calls(records)
    assert all(b.polls >= 3 for b in server.batches)  # in_progress, then finished
    for record in records:
        assert record.reply.startswith("reply to:") and record.responder.cache_hits == 1
        scored = [c for c in record.judge.values() if c.applicable]
        assert scored and all(c.error is None and c.score == 3 for c in scored)  # the mock's middle value
    # Judge requests asked for the answer as a forced tool call with the criterion's schema.
    params = server.of("anthropic")[0].requests[0]["params"]
    assert params["tool_choice"]["type"] == "tool" and params["max_tokens"] == 160
    assert params["system"] and all(m["role"] != "system" for m in params["messages"])
    state = load_state(result.run_dir)
    assert [(j.stage, j.api, j.status, j.provider_status) for j in state.jobs] == [
        (1, "openai", "collected", "completed"), (2, "anthropic", "collected", "ended")]
    assert (result.run_dir / "scorecard.json").exists()


def test_openai_line_body_matches_the_live_request(tmp_path):
    with BatchServer() as server:
        run_eval(write_eval(tmp_path, server, judge="openai"), options(tmp_path))
    first = server.of("openai")[0].requests[0]
    assert first["url"] == "/v1/chat/completions" and first["method"] == "POST"
    assert first["body"]["model"] == "gpt-4o-mini" and first["body"]["temperature"] == 0
    assert first["body"]["messages"][0] == {"role": "system", "content": "You are a polite support agent."}
    judge_line = server.of("openai")[1].requests[0]
    assert judge_line["body"]["response_format"]["type"] == "json_schema"


def test_a_failed_line_becomes_a_case_error_and_the_run_goes_on(tmp_path):
    complaints = [json.loads(x) for x in (ROOT / "datasets" / "complaints.jsonl").read_text().splitlines()[:N_CASES]]
    victim = complaints[1]["turns"][-1]["content"]

    def fail(body):
        return any(m.get("content") == victim for m in body.get("messages", []))

    with BatchServer(fail=fail) as server:
        result = run_eval(write_eval(tmp_path, server), options(tmp_path))
    records = {r.case_id: r for r in iter_records(result.run_dir)}
    bad = records[complaints[1]["id"]]
    assert bad.error is not None and bad.error.kind == "server_error" and "batch" in bad.error.message
    assert all(r.error is None for cid, r in records.items() if cid != complaints[1]["id"])
    assert result.errors == {"server_error": 1}
    # The failed request was not sent again live, and its case has no judge batch line.
    assert len(server.of("anthropic")[0].requests) == applicable_judge_calls(records.values())


def test_an_expired_batch_fails_its_unanswered_lines_and_retry_errors_resubmits_them(tmp_path):
    eval_path = None
    with BatchServer(expire=True) as server:
        eval_path = write_eval(tmp_path, server)
        first = run_eval(eval_path, options(tmp_path))
        records = list(iter_records(first.run_dir))
        expired = [r for r in records if r.error is not None]
        assert len(expired) == N_CASES // 2 and {r.error.kind for r in expired} == {"batch_expired"}
        assert load_state(first.run_dir).jobs[0].provider_status == "expired"
        server.expire = False
        again = run_eval(eval_path, options(tmp_path, resume=True, retry_errors=True))
        assert all(r.error is None for r in iter_records(again.run_dir))
        # Only the expired responder lines went out again.
        assert len(server.of("openai")[-1].requests) == N_CASES // 2


def test_resume_polls_the_submitted_batch_instead_of_resubmitting(tmp_path):
    with BatchServer(polls_to_finish=10_000) as server:
        eval_path = write_eval(tmp_path, server)

        async def interrupted():
            task = asyncio.create_task(run_eval_async(eval_path, options(tmp_path)))
            while not server.batches or server.batches[0].polls < 2:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(interrupted())
        state = load_state(tmp_path / "run")
        assert [(j.status, j.batch_id) for j in state.jobs] == [("submitted", server.batches[0].id)]
        server.polls_to_finish = 1
        result = run_eval(eval_path, options(tmp_path, resume=True))
    assert [b.api for b in server.batches] == ["openai", "anthropic"]  # the responder batch was not sent twice
    assert len(list(iter_records(result.run_dir))) == N_CASES


def test_batch_mode_refuses_no_cache(tmp_path):
    from harness.errors import ConfigError

    with BatchServer() as server:
        with pytest.raises(ConfigError, match="--no-cache"):
            run_eval(write_eval(tmp_path, server), options(tmp_path, use_cache=False))


def test_a_refused_submission_stops_with_one_line_and_keeps_the_state(tmp_path, monkeypatch):
    from harness.batch.requests import BatchAPIError

    with BatchServer() as server:
        eval_path = write_eval(tmp_path, server)
        text = eval_path.read_text().replace(server.openai_base, server.openai_base.replace("/v1", "/v0"))
        eval_path.write_text(text)
        with pytest.raises(BatchAPIError, match="POST .*/v0/files failed: HTTP 404"):
            run_eval(eval_path, options(tmp_path))
    assert load_state(tmp_path / "run").jobs[0].status == "submitting"


def test_the_cli_flag_runs_the_batch_stages(tmp_path, capsys):
    from harness.cli.main import main

    with BatchServer() as server:
        eval_path = write_eval(tmp_path, server)
        code = main(["run", str(eval_path), "--batch", "--quiet", "--out", str(tmp_path / "run"),
                     "--cache", str(tmp_path / "cache.sqlite")])
    assert code == 0
    assert [b.api for b in server.batches] == ["openai", "anthropic"]
    err = capsys.readouterr().err
    assert "stage 1 batch 1 (openai/gpt-4o-mini, 4 requests): submitted as batch_" in err
    assert len(list(iter_records(tmp_path / "run"))) == N_CASES


def test_a_batch_that_fails_as_a_whole_turns_each_of_its_cases_into_an_error(tmp_path):
    with BatchServer(reject=True) as server:
        result = run_eval(write_eval(tmp_path, server), options(tmp_path))
    records = list(iter_records(result.run_dir))
    assert len(records) == N_CASES and {r.error.kind for r in records} == {"batch_failed"}
    assert [b.api for b in server.batches] == ["openai"]  # no replies, so nothing to judge
    assert load_state(result.run_dir).jobs[0].provider_status == "failed"
