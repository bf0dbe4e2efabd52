"""The manifest's status when the batch stage stops early: interrupted (Ctrl-C, a crash, a refusal), and --resume goes on."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.batch.openai_api import OpenAIBatchAPI
from harness.batch.requests import BatchAPIError
from harness.batch.state import load_state
from harness.records.schema import Manifest
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval, run_eval_async
from tests.batch.test_batch_run import N_CASES, write_eval
from tests.support.batch_server import BatchServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")


def options(tmp_path: Path, **extra) -> RunOptions:
    return RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True, **extra)


def status(tmp_path: Path) -> str:
    return Manifest.model_validate_json((tmp_path / "run" / "manifest.json").read_text()).status


def test_cancelling_while_polling_leaves_the_run_interrupted_and_resume_finishes_it(tmp_path):
    with BatchServer(polls_to_finish=10_000) as server:
        eval_path = write_eval(tmp_path, server)

        async def cancelled() -> None:
            task = asyncio.create_task(run_eval_async(eval_path, options(tmp_path)))
            while not server.batches or server.batches[0].polls < 2:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancelled())
        assert status(tmp_path) == "interrupted"
        server.polls_to_finish = 1
        result = run_eval(eval_path, options(tmp_path, resume=True))
    assert result.manifest.status == status(tmp_path) == "complete"
    assert len(list(iter_records(result.run_dir))) == N_CASES


def test_a_crash_in_the_batch_stage_leaves_the_run_interrupted_and_resume_finishes_it(tmp_path, monkeypatch):
    real = OpenAIBatchAPI.results

    async def crash(self, http, batch, requests):
        raise RuntimeError("a bug in reading results")

    monkeypatch.setattr(OpenAIBatchAPI, "results", crash)
    with BatchServer() as server:
        eval_path = write_eval(tmp_path, server)
        with pytest.raises(RuntimeError, match="a bug"):
            run_eval(eval_path, options(tmp_path))
        assert status(tmp_path) == "interrupted"
        assert load_state(tmp_path / "run").jobs[0].status == "submitted"
        monkeypatch.setattr(OpenAIBatchAPI, "results", real)
        result = run_eval(eval_path, options(tmp_path, resume=True))
    assert [b.api for b in server.batches] == ["openai", "anthropic"]  # the submitted batch was polled, not resent
    assert status(tmp_path) == "complete" and all(r.error is None for r in iter_records(result.run_dir))


def test_a_refused_submission_leaves_the_run_interrupted(tmp_path):
    with BatchServer() as server:
        eval_path = write_eval(tmp_path, server)
        eval_path.write_text(eval_path.read_text().replace(server.openai_base, server.openai_base + "/nowhere"))
        with pytest.raises(BatchAPIError, match="HTTP 404"):
            run_eval(eval_path, options(tmp_path))
    assert status(tmp_path) == "interrupted"


@pytest.mark.parametrize("sent, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_polling_stops_the_run_interrupted(tmp_path, sent, code):
    # Ctrl-C, or SIGTERM from a CI job's timeout or `docker stop` (that one left the run "running").
    with BatchServer(polls_to_finish=10_000) as server:
        eval_path = write_eval(tmp_path, server)
        env = {**os.environ, "HARNESS_BATCH_POLL_S": "0.05", "PYTHONPATH": str(ROOT)}
        # As from a terminal: Ctrl-C's default action. A suite started in the background by a non-interactive
        # shell (`make test &`) runs with SIGINT ignored, which Python children inherit and keep (so a nohup'd
        # run is not stopped by Ctrl-C): the run would never see the signal this test sends.
        process = subprocess.Popen(
            [sys.executable, "-m", "harness.cli.main", "run", str(eval_path), "--batch", "--quiet",
             "--out", str(tmp_path / "run"), "--cache", str(tmp_path / "cache.sqlite")],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while (not server.batches or server.batches[0].polls < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(sent)
        _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "interrupted; continue with --resume" in err and status(tmp_path) == "interrupted"
