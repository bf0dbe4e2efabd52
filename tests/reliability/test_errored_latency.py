"""A case whose responder calls all failed says so in its record: ``responder.calls`` is the error's attempts and
``latency_s`` the time spent on them, so the scorecard's latency percentiles count a provider that fails or
times out instead of showing only the fast answers."""

from __future__ import annotations

import json

from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer


def test_failed_calls_are_counted_with_their_time(tmp_path):
    with OpenAIServer(reply=served_reply, fault_rates={"server_error": 1.0}, latency_s=0.05) as server:
        write_served_eval(tmp_path, server.base_url, 4, max_retries=2)
        done = harness_cmd("run", "eval.yaml", "--out", "results/r", "--no-cache", "--quiet", cwd=tmp_path,
                           env={"HARNESS_RETRY_BACKOFF_S": "0.001"}, timeout=120)
    assert done.returncode == 3, done.stderr
    records = list(iter_records(tmp_path / "results/r"))
    assert len(records) == 4
    for record in records:
        assert record.error.kind == "server_error" and record.error.attempts == 3
        assert record.responder.calls == 3 and record.responder.latency_s >= 3 * 0.05
        assert record.responder.usage.prompt_tokens == 0 and record.responder.usage.cost_usd is None
    card = json.loads((tmp_path / "results/r/scorecard.json").read_text())
    responder = card["candidates"]["served"]["responder"]
    assert responder["calls"] == 12 and responder["latency"]["n"] == 4 and responder["latency"]["p50"] >= 0.15
