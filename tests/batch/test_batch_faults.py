"""Polling and downloading a submitted batch through faults: transient ones are waited out, a refusal stops the
run with exit code 3 (not 2: the input was not wrong), interrupted, and --resume polls the same batch."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from aiohttp import web

from harness.batch import patience
from harness.batch.requests import BatchAPIError
from harness.batch.state import load_state
from harness.errors import RunNotFinished
from harness.records.schema import Manifest
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from tests.batch.test_batch_run import N_CASES, write_eval
from tests.support.batch_server import BatchServer


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setenv("HARNESS_BATCH_POLL_S", "0.01")
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")


class FaultyServer(BatchServer):
    """The batch mock, answering its batch polls (GET /batches/{id}) with the next of ``poll_faults`` while any
    are left, and its results downloads with the next of ``download_faults``: a status, "drop" (the connection
    closed with no answer) or "html" (a 200 that is not JSON)."""

    def __init__(self, *, poll_faults=(), download_faults=(), **kwargs) -> None:
        super().__init__(**kwargs)
        self.poll_faults = list(poll_faults)
        self.download_faults = list(download_faults)
        self.faults_served = 0

    @web.middleware
    async def _note(self, request: web.Request, handler):
        path = request.path
        queue = (self.download_faults if path.endswith("/content") or path.endswith("/results")
                 else self.poll_faults if request.method == "GET" and "/batches/" in path else None)
        if queue:
            self.faults_served += 1
            return _fault(request, queue.pop(0))
        return await super()._note(request, handler)


def _fault(request: web.Request, fault):
    if fault == "drop":
        request.transport.close()
        return web.Response(status=500)
    if fault == "html":
        return web.Response(text="<html>maintenance</html>", content_type="text/html")
    return web.json_response({"error": {"message": f"injected {fault}"}}, status=fault)


def options(tmp_path: Path, **extra) -> RunOptions:
    return RunOptions(out=tmp_path / "run", cache_path=tmp_path / "cache.sqlite", batch=True, **extra)


def status(tmp_path: Path) -> str:
    return Manifest.model_validate_json((tmp_path / "run" / "manifest.json").read_text()).status


def test_polls_ride_out_5xx_429_dropped_connections_and_non_json_answers(tmp_path, capsys):
    faults = [503, 503, 429, 502, "drop", "html", 500, 504, 503, 503, 503, 503]  # more than one poll's 6 attempts
    downloads = [503, "drop", 502, 503, 503, 503, 503]  # more than the 6 attempts of one download
    with FaultyServer(poll_faults=faults, download_faults=downloads) as server:
        result = run_eval(write_eval(tmp_path, server), options(tmp_path))
        assert server.faults_served == len(faults) + len(downloads)
    records = list(iter_records(result.run_dir))
    assert len(records) == N_CASES and all(r.error is None for r in records)
    assert result.manifest.status == "complete"
    err = capsys.readouterr().err
    assert re.search(r"\(openai/gpt-4o-mini, 4 requests\): poll: openai/gpt-4o-mini batch: GET \S+/v1/batches/batch_"
                     r"\w+ failed: HTTP 503: injected 503; retrying in 0 s \(failing for 0 s; gives up after 26 h\)",
                     err)
    assert "answered with something that is not JSON; retrying" in err and "HTTP 429: injected 429" in err
    assert re.search(r"downloading results: .* failed: HTTP 503: injected 503; retrying", err)


@pytest.mark.parametrize("refusal", [401, 403, 404])
def test_a_refused_poll_stops_with_exit_3_interrupted_and_resume_polls_the_same_batch(tmp_path, capsys, refusal):
    from harness.cli.main import main

    with FaultyServer(poll_faults=[503, refusal]) as server:
        eval_path = write_eval(tmp_path, server)
        argv = ["run", str(eval_path), "--batch", "--quiet", "--out", str(tmp_path / "run"),
                "--cache", str(tmp_path / "cache.sqlite")]
        assert main(argv) == 3
        err = capsys.readouterr().err
        assert f"HTTP {refusal}: injected {refusal}: the provider refuses to report on this batch" in err
        assert "continue with --resume" in err and status(tmp_path) == "interrupted"
        assert load_state(tmp_path / "run").jobs[0].status == "submitted"
        assert main(argv + ["--resume"]) == 0
    assert [b.api for b in server.batches] == ["openai", "anthropic"]  # the responder batch was not sent twice
    assert status(tmp_path) == "complete" and len(list(iter_records(tmp_path / "run"))) == N_CASES


def test_an_outage_longer_than_a_batch_can_take_stops_the_run_resumable(tmp_path, monkeypatch):
    monkeypatch.setattr(patience, "PATIENCE_S", 0.3)
    with FaultyServer(poll_faults=[503] * 10_000) as server:
        with pytest.raises(RunNotFinished, match="HTTP 503: injected 503: still failing after 0 s"):
            run_eval(write_eval(tmp_path, server), options(tmp_path))
        assert server.faults_served > 3
    assert status(tmp_path) == "interrupted"


def test_a_submission_the_service_cannot_take_for_now_is_not_bad_input(tmp_path, monkeypatch):
    from harness.batch.openai_api import OpenAIBatchAPI

    async def busy(self, http, requests, folder=None):
        raise BatchAPIError("openai/gpt-4o-mini batch: POST /v1/files failed: HTTP 503: busy", status=503,
                            transient=True)

    monkeypatch.setattr(OpenAIBatchAPI, "submit", busy)
    with BatchServer() as server:
        with pytest.raises(RunNotFinished, match="nothing was submitted"):
            run_eval(write_eval(tmp_path, server), options(tmp_path))
    assert status(tmp_path) == "interrupted" and load_state(tmp_path / "run").jobs[0].status == "submitting"


def test_patiently_backs_off_up_to_the_cap_and_says_so(monkeypatch):
    slept: list[float] = []
    lines: list[str] = []

    async def no_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(patience.asyncio, "sleep", no_sleep)
    calls = iter([BatchAPIError("x: HTTP 503", transient=True)] * 12 + ["done"])

    async def call():
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert asyncio.run(patience.patiently(call, what="poll", first_wait_s=30, notify=lines.append)) == "done"
    assert slept[:5] == [30, 60, 120, 240, 480] and set(slept[5:]) == {patience.MAX_WAIT_S}
    assert len(lines) == 12 and lines[0].startswith("poll: x: HTTP 503; retrying in 30 s")
