"""A run of many cases under mixed provider faults loses nothing, retries within bounds, and reruns only errors.

Both the responder and the judge are served by the loopback server at the
fault rates below (override with ``RELIABILITY_FAULT_RATES``, a JSON object,
and ``RELIABILITY_CASES``). Everything is asserted from two independent
sources: the records the harness wrote and the request log of the server.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from harness.records.store import iter_records
from harness.gates.tolerance import record_has_error as has_error
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import CRITERIA, requests_by_key, served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer

N_CASES = int(os.environ.get("RELIABILITY_CASES", "500"))
DEFAULT_RATES = {
    "rate_limit": 0.04, "rate_limit_retry_after": 0.04, "server_error": 0.03, "unavailable": 0.02,
    "unavailable_retry_after": 0.02,
    "drop": 0.02, "slow": 0.01, "malformed": 0.03, "bad_body": 0.02, "empty": 0.02, "content_filter": 0.02,
}
FAULT_RATES = json.loads(os.environ.get("RELIABILITY_FAULT_RATES", "null")) or DEFAULT_RATES
RETRY_AFTER_S = 0.3
MAX_RETRIES, MAX_ATTEMPTS = 2, 2
# The error kind a call ends with when its last request met this fault.
KIND_OF_FAULT = {"rate_limit": "rate_limit", "rate_limit_retry_after": "rate_limit", "server_error": "server_error",
                 "unavailable": "server_error", "unavailable_retry_after": "server_error", "drop": "connection",
                 "slow": "timeout", "bad_body": "server_error",
                 "empty": "empty_response", "content_filter": "content_filter", "malformed": "judge_output"}
FAST_RETRIES = {"HARNESS_RETRY_BACKOFF_S": "0.001", "COLUMNS": "250"}


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    """Run once under faults, then ``--resume --retry-errors`` with the faults switched off."""
    root = tmp_path_factory.mktemp("faults")
    with OpenAIServer(reply=served_reply, fault_rates=FAULT_RATES, retry_after_s=RETRY_AFTER_S, slow_s=3.0,
                      seed=4) as server:
        write_served_eval(root, server.base_url, N_CASES, max_retries=MAX_RETRIES, max_attempts=MAX_ATTEMPTS)
        first = harness_cmd("run", "eval.yaml", "--out", "results/f", "--no-cache", cwd=root, env=FAST_RETRIES,
                            timeout=300)
        first_requests = list(server.requests)
        first_records = list(iter_records(root / "results/f"))
        first_lines = (root / "results/f/records.jsonl").read_text().splitlines()
        first_card = json.loads((root / "results/f/scorecard.json").read_text())
        server.fault_rates = {}
        second = harness_cmd("run", "eval.yaml", "--out", "results/f", "--resume", "--retry-errors", "--no-cache",
                             "--quiet", cwd=root, env=FAST_RETRIES, timeout=300)
        retry_requests = server.requests[len(first_requests):]
    yield {"root": root, "first": first, "second": second, "requests": first_requests, "records": first_records,
           "lines": first_lines, "card": first_card, "retry_requests": retry_requests}


def test_every_case_ends_with_a_result_or_an_explicit_error(fault_run):
    assert fault_run["first"].returncode == 0, fault_run["first"].stderr
    records = fault_run["records"]
    keys = [r.key for r in records]
    assert len(keys) == len(set(keys)) == N_CASES
    for record in records:
        assert (record.reply is None) == (record.error is not None)
        for verdict in record.judge.values():
            assert (verdict.score is not None) != (verdict.error is not None)


def test_retries_are_bounded(fault_run):
    for (case_id, role, _), requests in requests_by_key(fault_run["requests"]).items():
        bound = MAX_RETRIES + 1 if role == "responder" else MAX_ATTEMPTS * (MAX_RETRIES + 1)
        assert len(requests) <= bound, (case_id, role, [r.fault for r in requests])


def test_retry_after_is_honoured(fault_run):
    gaps = []
    for requests in requests_by_key(fault_run["requests"]).values():
        for before, after in zip(requests, requests[1:]):
            if before.fault in ("rate_limit_retry_after", "unavailable_retry_after"):
                gaps.append(after.received_at - before.received_at)
    assert gaps, "no 429 or 503 with Retry-After was retried: raise their rates"
    assert min(gaps) >= RETRY_AFTER_S - 0.02, sorted(gaps)[:5]


def test_each_error_is_the_fault_that_ended_its_call(fault_run):
    groups = requests_by_key(fault_run["requests"])
    for record in fault_run["records"]:
        last = groups[(record.case_id, "responder", None)][-1].fault
        if record.error is not None:
            assert record.error.kind in (KIND_OF_FAULT.get(last), "timeout"), (record.case_id, last, record.error)
            continue
        assert last in (None, "malformed"), (record.case_id, last)  # a cut-off reply is still a reply
        for criterion in CRITERIA:
            last = groups[(record.case_id, "judge", criterion)][-1].fault
            error = record.judge[criterion].error
            assert (error is None) == (last is None), (record.case_id, criterion, last, error)
            if error is not None:
                assert error.kind in (KIND_OF_FAULT[last], "timeout"), (record.case_id, criterion, last, error)


def test_scorecard_and_summary_count_errors_by_kind(fault_run):
    records = fault_run["records"]
    case_kinds = Counter(r.error.kind for r in records if r.error)
    judge_kinds = Counter(v.error.kind for r in records for v in r.judge.values() if v.error)
    if FAULT_RATES is DEFAULT_RATES:  # at these rates every stage ends some calls in errors
        assert case_kinds and judge_kinds and len(case_kinds + judge_kinds) >= 4, (case_kinds, judge_kinds)
    [scores] = fault_run["card"]["candidates"].values() if isinstance(fault_run["card"]["candidates"], dict) \
        else fault_run["card"]["candidates"]
    assert scores["case_errors_by_kind"] == dict(case_kinds)
    assert scores["judge_errors_by_kind"] == dict(judge_kinds)
    summary = fault_run["first"].stdout
    for kind, n in [*case_kinds.items(), *judge_kinds.items()]:
        assert f"{kind} {n}" in summary, (kind, n, summary)
    assert f"{sum(case_kinds.values())} errors" in fault_run["first"].stderr


def test_retry_errors_reruns_only_the_errored_cases(fault_run):
    assert fault_run["second"].returncode == 0, fault_run["second"].stderr
    errored = {r.case_id for r in fault_run["records"] if has_error(r)}
    rerun = {key[0] for key in requests_by_key(fault_run["retry_requests"])}
    assert rerun == errored
    after = list(iter_records(fault_run["root"] / "results/f"))
    assert sorted(r.key for r in after) == sorted(r.key for r in fault_run["records"])
    assert not any(has_error(r) for r in after)
    kept = [line for line, r in zip(fault_run["lines"], fault_run["records"]) if not has_error(r)]
    assert (fault_run["root"] / "results/f/records.jsonl").read_text().splitlines()[:len(kept)] == kept
