"""A served project for reliability runs: N cases whose ids appear in every request made for them.

The responder and the judge are both served by the fault-injecting loopback
server (``tests/support/openai_server.py``); :func:`request_key` reads back,
from a request body alone, which case, role and criterion it was made for, so
tests can count calls per case from the server's request log.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from tests.cli.conftest import REPO

CRITERIA = ["acknowledgement", "policy_compliance"]
REPLY = "I apologize for the delay with your order. I have escalated it and will update you within 24 hours."
_CASE_ID = re.compile(r"\bcase (r\d+)\b")
_CRITERION = re.compile(r"Criterion `([a-z_]+)`")


def served_reply(body: dict) -> str:
    """Judge requests get valid judge JSON; responder requests get a support reply."""
    user = body["messages"][-1]["content"]
    if "Criterion `" in user:
        if '"pass" or "fail"' in user:
            return json.dumps({"reason": "Within policy.", "score": "pass"})
        return json.dumps({"reason": "Names the order.", "score": 4})
    return REPLY


def request_key(body: dict) -> tuple[str, str, str | None]:
    """(case id, "responder" or "judge", criterion or None) of one request."""
    text = json.dumps(body["messages"])
    case_id = _CASE_ID.search(text).group(1)
    criterion = _CRITERION.search(body["messages"][-1]["content"])
    return (case_id, "judge", criterion.group(1)) if criterion else (case_id, "responder", None)


def requests_by_key(requests) -> dict[tuple, list]:
    """The server's requests grouped by :func:`request_key`, each group in arrival order."""
    groups: dict[tuple, list] = defaultdict(list)
    for request in sorted(requests, key=lambda r: r.received_at):
        groups[request_key(request.body)].append(request)
    return groups


def write_cases(root: Path, n_cases: int) -> None:
    personas = ["angry", "abusive", "indecisive", "passive_aggressive"]
    rows = [{"id": f"r{i:04d}", "persona": personas[i % 4], "category": ["retail", "telecom"][i % 2],
             "turns": [{"role": "customer", "content": f"case r{i:04d}: order #{1000 + i} is late!!!"}],
             "recorded_replies": {"bot": REPLY}, "context": {"max_refund": 30}} for i in range(n_cases)]
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def write_recorded_eval(root: Path, n_cases: int) -> Path:
    """cases.jsonl and eval.yaml in ``root``: recorded replies only, so no model and no litellm import."""
    write_cases(root, n_cases)
    (root / "eval.yaml").write_text("name: recorded\ndataset: cases.jsonl\ncandidates:\n"
                                    "  - name: bot\n    recorded: bot\nchecks: all\n")
    return root / "eval.yaml"


def write_served_eval(root: Path, base_url: str, n_cases: int, *, timeout_s: float = 1.0,
                      max_retries: int = 2, max_attempts: int = 2, concurrency: int = 64, extra: str = "",
                      max_error_rate: float | None = 1) -> Path:
    """cases.jsonl and eval.yaml in ``root``: one served candidate, a served judge on two criteria.

    Faults are injected on purpose, so ``max_error_rate`` is 1 (the tests count the errors); None leaves it
    unset, for a test of the default."""
    # Indented as the lines of the text it goes into, which is dedented after it is filled in.
    tolerance = "" if max_error_rate is None else f"max_error_rate: {max_error_rate}\n        "
    write_cases(root, n_cases)
    (root / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: reliability
        dataset: cases.jsonl
        concurrency: {concurrency}
        {tolerance}candidates:
          - name: served
            model: openai/test-model
            api_base: {base_url}
            prompt: "You are a support agent for {{{{ category }}}}."
            concurrency: 64
            timeout_s: {timeout_s}
            max_retries: {max_retries}
        checks: [injection_attempt, apology_wording]
        judge:
          model: openai/test-judge
          api_base: {base_url}
          rubric: {REPO / 'rubrics' / 'support-reply.yaml'}
          criteria: [{', '.join(CRITERIA)}]
          concurrency: 64
          timeout_s: {timeout_s}
          max_retries: {max_retries}
          max_attempts: {max_attempts}
        """) + extra)
    return root / "eval.yaml"


def comparable(record) -> tuple:
    """A record minus what differs between any two runs (timestamps, latencies)."""
    checks = {n: (c.passed, c.data) for n, c in record.checks.items()}
    judge = {n: (c.score, c.passed, c.error.kind if c.error else None) for n, c in record.judge.items()}
    error = record.error.kind if record.error else None
    return (record.case_id, record.candidate, record.reply, error, json.dumps(checks, sort_keys=True),
            json.dumps(judge, sort_keys=True))


def without_timing(value):
    """A scorecard minus wall-clock fields (latencies, timestamps, paths), which differ between runs."""
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items()
                if "latency" not in k and not k.endswith("_at") and k not in {"run", "run_dir", "path"}}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


@pytest.fixture
def finished_run(tmp_path, monkeypatch) -> Path:
    """A recorded project as the working directory, with one finished run in ``results/first`` (no model)."""
    from harness.cli.main import main

    monkeypatch.chdir(tmp_path)
    write_recorded_eval(tmp_path, 3)
    assert main(["run", "eval.yaml", "--out", "results/first", "--no-cache", "--quiet"]) == 0
    return tmp_path
