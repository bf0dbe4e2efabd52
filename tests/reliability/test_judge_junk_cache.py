"""Junk judge answers are not cached: ``--resume --retry-errors`` and reruns ask the judge again.

The judge first answers junk (not JSON, a score off the scale, a key given twice), so every
criterion ends as ``judge_output``; with the server healthy again, ``--resume --retry-errors``
on the same cache must reach it, and a fresh run afterwards is served the accepted answers.
"""

from __future__ import annotations

import json
from collections import Counter

from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import CRITERIA, request_key, served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer

# The junk of each case's judge answers; the last case is judged well (a run whose every record
# ended in an error fails its completion gate, exit 3, which is not what this test is about).
JUNK = ["this is not JSON", json.dumps({"reason": "x", "score": 9}),
        '{"reason": "x", "score": "pass", "score": "fail"}', None]
N_CASES, N_JUNK = len(JUNK), len(JUNK) - 1
ENV = {"HARNESS_RETRY_BACKOFF_S": "0.001"}


class JudgeRules:
    """Junk judge answers (one kind per case) until ``healthy`` is set; responder replies as served."""

    def __init__(self) -> None:
        self.healthy = False

    def __call__(self, body: dict) -> str:
        case_id, role, _ = request_key(body)
        junk = JUNK[int(case_id[1:])]
        if role == "judge" and not self.healthy and junk is not None:
            return junk
        return served_reply(body)


def judge_errors(run_dir) -> Counter:
    """How many criteria of the run ended in each error kind (None: graded)."""
    return Counter(v.error.kind if v.error else None for r in iter_records(run_dir) for v in r.judge.values())


def roles(requests) -> list[str]:
    return sorted(request_key(r.body)[1] for r in requests)


def test_junk_judge_answers_are_asked_again_by_retry_errors_and_reruns(tmp_path):
    rules = JudgeRules()
    with OpenAIServer(reply=rules) as server:
        write_served_eval(tmp_path, server.base_url, N_CASES, max_retries=0, max_attempts=2)
        run = ["run", "eval.yaml", "--cache", "c.sqlite", "--quiet"]
        first = harness_cmd(*run, "--out", "runs/junk", cwd=tmp_path, env=ENV)
        assert first.returncode == 0, first.stderr
        assert judge_errors(tmp_path / "runs/junk") == {"judge_output": N_JUNK * len(CRITERIA), None: len(CRITERIA)}
        asked = len(server.requests)
        judged = (N_JUNK * 2 + 1) * len(CRITERIA)  # each junk answer asked twice (max_attempts), the good once
        assert roles(server.requests) == ["judge"] * judged + ["responder"] * N_CASES

        rules.healthy = True
        retried = harness_cmd(*run, "--out", "runs/junk", "--resume", "--retry-errors", cwd=tmp_path, env=ENV)
        assert retried.returncode == 0, retried.stderr
        # The judge is asked again (once per criterion); the responder's valid replies come from the cache.
        assert roles(server.requests[asked:]) == ["judge"] * N_JUNK * len(CRITERIA)
        assert judge_errors(tmp_path / "runs/junk") == {None: N_CASES * len(CRITERIA)}
        asked = len(server.requests)

        fresh = harness_cmd(*run, "--out", "runs/fresh", cwd=tmp_path, env=ENV)
        assert fresh.returncode == 0, fresh.stderr
        assert len(server.requests) == asked  # the accepted answers are cached
        assert judge_errors(tmp_path / "runs/fresh") == {None: N_CASES * len(CRITERIA)}
