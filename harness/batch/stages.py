"""Filling the response cache from provider batches, stage by stage, before a run's normal pass.

A stage is one pass of the run with every batchable model gated (see
:mod:`harness.batch.requests`): it lists the calls the response cache cannot
answer yet, sends them as one batch per model, waits for the batches, and puts
each answer in the cache. The first stage finds the responders' calls; once
their replies are cached, the second finds the judge's calls; a third picks up
judge questions asked again after an invalid answer. Stages stop when a pass
finds nothing new (or after ``MAX_STAGES``); then the normal run executes,
served from the cache, and writes the same records and scorecard as ever.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.batch.anthropic_api import AnthropicBatchAPI
from harness.batch.openai_api import OpenAIBatchAPI
from harness.batch.patience import patiently
from harness.batch.requests import BatchAPIError, BatchGate, BatchRequest, Failure, kept_message
from harness.batch.spool import SpooledFile, StageSpool, fits
from harness.batch.state import (BATCH_DIR, BatchJob, BatchState, drop_requests, iter_requests, load_state,
                                 read_requests, save_state)
from harness.errors import ConfigError, ResultsError, RunNotFinished
from harness.models.base import ModelResponse, ModelSpec
from harness.records.timestamps import now_iso

MAX_STAGES = 4
# The kind of case error for a request a finished batch left unanswered, by the batch's final status.
UNANSWERED = {"expired": "batch_expired", "failed": "batch_failed", "cancelled": "batch_cancelled",
              "canceled": "batch_cancelled"}
POLL_ENV = "HARNESS_BATCH_POLL_S"
KEEP_FILES_ENV = "HARNESS_KEEP_BATCH_FILES"  # "1": keep each batch's request file after its answers are collected
DEFAULT_POLL_S = 30.0


def batch_api_for(spec: ModelSpec) -> Any:
    """The batch API serving ``spec`` (OpenAI Batch for ``openai/…``, Message Batches for ``anthropic/…``), or None."""
    if spec.deployments:
        return None  # spread over deployments by the Router: run live
    prefix = spec.name.split("/", 1)[0]
    return {"openai": OpenAIBatchAPI, "anthropic": AnthropicBatchAPI}.get(prefix, lambda _s: None)(spec)


def default_poll_s() -> float:
    raw = os.environ.get(POLL_ENV, "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_POLL_S
    except ValueError:
        return DEFAULT_POLL_S


def _stderr(line: str) -> None:
    print(f"harness: batch: {line}", file=sys.stderr, flush=True)


@dataclass
class BatchOptions:
    poll_s: float = field(default_factory=default_poll_s)
    retry_failed: bool = False  # --retry-errors: send failed lines again
    notify: Callable[[str], None] = _stderr


@dataclass
class BatchRun:
    """One run's batch stages: its gate, its saved state and the batch API of each gated model."""

    plan: Any
    run_dir: Path
    done: set
    cache: Any
    options: BatchOptions
    state: BatchState = field(init=False)
    failures: dict[str, Failure] = field(init=False)
    gate: BatchGate = field(init=False)

    def __post_init__(self) -> None:
        self.apis: dict[str, Any] = {}  # model name -> its batch API
        batched = []
        for model in self.plan.models:
            api = batch_api_for(model.spec)
            if api is not None:
                api.check_credentials()  # also makes its key a secret, redacted from the failures read next
                self.apis[model.name] = api
                batched.append(model)
        self.state = load_state(self.run_dir)
        # A stage's batches are waited for together, but sent and read one at a time: each holds its whole
        # upload (up to 200 MB) or its results while it does, and a 100,000-case stage has 20 of them.
        self.heavy = asyncio.Lock()
        self.failures = {} if self.options.retry_failed else self.state.failures()
        self.gate = BatchGate(self.cache, self.failures, lambda spec: batch_api_for(spec) is not None)
        for model in batched:
            self.gate.install(model)

    async def run(self) -> BatchState:
        if not self.apis:
            self.options.notify("no model of this eval has a batch API (openai/…, anthropic/…): running live")
            return self.state
        # A resumed run: wait for what was already sent before looking for more.
        await asyncio.gather(*(self.finish(job) for job in self.state.open_jobs()))
        while self.state.stages < MAX_STAGES:
            files = await self.collect()
            if not files:
                break
            jobs = self.plan_jobs(self.state.stages + 1, files)
            await asyncio.gather(*(self.finish(job) for job in jobs))
        return self.state

    async def collect(self) -> list[SpooledFile]:
        """One gated pass over the cases still to do: the calls that would have to be made now, written to request
        files as they are found (see :mod:`harness.batch.spool`)."""
        from harness.runner.evaluate import evaluate_case

        spool = StageSpool(self.run_dir / BATCH_DIR, self.apis)
        tasks = todo(self.plan, self.done)  # shared by the workers: each task is taken by exactly one of them

        async def worker() -> None:
            for case, responder, sample in tasks:
                await evaluate_case(case, responder, [], self.plan.judge, sample)  # checks make no calls

        # ``concurrency`` workers, not a task per case up front: 100,000 waiting tasks cost memory and time.
        workers = [asyncio.ensure_future(worker()) for _ in range(max(1, self.plan.loaded.spec.concurrency))]
        self.gate.start_collecting(spool.add)
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for task in workers:
                task.cancel()  # none may go on calling once the gate lets calls through again
            self.gate.stop_collecting()
            spool.discard()
            raise
        self.gate.stop_collecting()
        return spool.close()

    def plan_jobs(self, stage: int, files: list[SpooledFile]) -> list[BatchJob]:
        """Make each request file of a stage (cut per model within its API's limits as it was written) a job under
        its final name; save them before sending."""
        jobs = []
        for spooled in files:
            index = len([j for j in self.state.jobs if j.stage == stage]) + 1
            job = BatchJob(stage=stage, index=index, api=self.apis[spooled.model].name, model=spooled.model,
                           n_requests=spooled.count, requests_file=f"{BATCH_DIR}/stage{stage}-{index}.jsonl")
            os.replace(spooled.path, self.run_dir / job.requests_file)
            self.state.jobs.append(job)
            jobs.append(job)
        self.save()
        return jobs

    async def finish(self, job: BatchJob) -> None:
        """Send ``job`` if it was not sent, wait for it, and move its answers into the cache."""
        api = self.apis.get(job.model)
        if api is None:
            raise ConfigError(f"{job.label} was sent to a model this eval no longer batches; start a new run")
        if not (self.run_dir / job.requests_file).is_file():  # read only when sending and reading answers: say so now
            raise ResultsError(f"{job.label}: its request file is missing (it is needed until its answers are "
                               "collected); restore it or start a new run", file=str(self.run_dir / job.requests_file))
        async with api.http(backoff_s=max(self.options.poll_s, 0.01)) as http:
            if job.status == "submitting":
                async with self.heavy:
                    await self.submit(api, http, job, iter_requests(self.run_dir, job))
            batch = await self.wait(api, http, job)
            async with self.heavy:
                requests = read_requests(self.run_dir, job)
                read = await self.patiently(lambda: api.results(http, batch, requests),
                                            f"{job.label}: downloading results")
                for notice in read.notices:
                    self.options.notify(f"{job.label}: {notice}")
                self.store(job, requests, read.answers, unreadable=len(read.notices))
        if os.environ.get(KEEP_FILES_ENV) != "1":
            drop_requests(self.run_dir, job)  # its answers are in the cache and its failures in batch.json

    async def submit(self, api: Any, http: Any, job: BatchJob, requests: Iterable[BatchRequest]) -> None:
        try:
            # The upload body is written beside the request file (the run's disk) and streamed from there.
            job.batch_id, job.input_file_id = await api.submit(http, requests,
                                                               folder=(self.run_dir / job.requests_file).parent)
        except BatchAPIError as exc:
            if not exc.transient:
                raise  # refused outright (a wrong key, a bad request): exit 2, as bad input
            raise RunNotFinished(f"{exc.problem}; nothing was submitted, the run is interrupted: continue with "
                                 "--resume") from None
        job.status, job.submitted_at = "submitted", now_iso()
        self.save()
        self.options.notify(f"{job.label}: submitted as {job.batch_id}")

    async def wait(self, api: Any, http: Any, job: BatchJob) -> dict[str, Any]:
        while True:
            status, finished, batch = await self.patiently(lambda: api.poll(http, job.batch_id), f"{job.label}: poll")
            if finished:
                reason = api.failure_reason(batch)
                job.reason = kept_message(reason) if reason else None
            if status != job.provider_status or finished:
                job.provider_status = status
                self.save()
                self.options.notify(f"{job.label}: {status}" + (f": {job.reason}" if finished and job.reason else ""))
            if finished:
                return batch
            await asyncio.sleep(self.options.poll_s)

    async def patiently(self, call: Callable[[], Any], what: str) -> Any:
        return await patiently(call, what=what, first_wait_s=self.options.poll_s, notify=self.options.notify)

    def store(self, job: BatchJob, requests: dict[str, BatchRequest],
              answers: dict[str, ModelResponse | Failure], unreadable: int = 0) -> None:
        unanswered = UNANSWERED.get(job.provider_status or "", "batch_error")
        why = (f"batch {job.provider_status}" + (f": {job.reason}" if job.reason else "")
               + (f"; unreadable result lines: {unreadable}" if unreadable else ""))
        for key, request in requests.items():
            answer = answers.get(key) or Failure(
                kind=unanswered, message=f"{request.model}: no answer in {job.batch_id} ({why})")
            if isinstance(answer, Failure):
                self.failures[key] = answer
                job.failed += 1
            else:
                self.cache.put(key, answer, model=request.model)
                job.succeeded += 1
        job.status, job.collected_at = "collected", now_iso()
        self.save()
        self.options.notify(f"{job.label}: {job.succeeded} answers cached, {job.failed} failed")

    def save(self) -> None:
        save_state(self.run_dir, self.state, self.failures)


def split_by_limits(api: Any, requests: list[BatchRequest]) -> list[list[BatchRequest]]:
    """``requests`` in order, cut into batches within ``api.limits``: at most so many requests and so many bytes
    as sent (a request bigger than the byte limit alone goes in a batch of its own, for the provider to judge).
    A stage cuts its files by the same rule (:func:`~harness.batch.spool.fits`) as it writes them."""
    chunks: list[list[BatchRequest]] = []
    chunk: list[BatchRequest] = []
    size = 0
    for request in requests:
        length = api.line_bytes(request)
        if not fits(api.limits, len(chunk), size, length):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(request)
        size += length
    return chunks + ([chunk] if chunk else [])


def todo(plan: Any, done: set) -> Iterator[tuple]:
    """The case × candidate × sample tasks the run has still to do (as the engine lists them), one at a time."""
    epochs = {c.name: c.epochs for c in plan.loaded.spec.candidates}
    return ((case, responder, sample) for case in plan.cases for responder in plan.responders
            for sample in range(epochs.get(responder.name, 1)) if (case.id, responder.name, sample) not in done)


async def prefill_from_batches(plan: Any, run_dir: Path, done: set, cache: Any,
                               options: BatchOptions | None = None) -> BatchState:
    """Run the batch stages of a run (see the module docstring); the gate stays on the plan's models."""
    if cache is None:
        raise ConfigError("batch mode fills the response cache: drop --no-cache", field="--batch")
    return await BatchRun(plan, run_dir, done, cache, options or BatchOptions()).run()
