"""Running the real `harness` command in a subprocess against a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.openai_server import OpenAIServer

REPO = Path(__file__).resolve().parents[2]


def server_reply(body: dict) -> str:
    """Judge requests get valid judge JSON; responder requests get a support reply."""
    user = body["messages"][-1]["content"]
    if "Criterion `" in user:
        if '"pass" or "fail"' in user:
            return json.dumps({"reason": "Within policy.", "score": "pass"})
        return json.dumps({"reason": "Specific and calm.", "score": 4})
    return "I apologize for the delay. I have escalated your order and will update you within 24 hours."


def harness_cmd(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120,
                input: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HARNESS_CACHE_DIR": str(cwd / "cache"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "harness.cli.main", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=input)


def write_project(root: Path, base_url: str, n_cases: int = 6) -> Path:
    rows = []
    for i in range(n_cases):
        rows.append({"id": f"k{i}", "persona": ["angry", "abusive", "indecisive"][i % 3], "category": "retail",
                     "turns": [{"role": "customer", "content": f"order #{100 + i} is late!!! @shop"}],
                     "recorded_replies": {"bot-v1": "Sorry for any inconvenience."},
                     "context": {"max_refund": 30}})
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: served
        dataset: cases.jsonl
        candidates:
          - name: bot-v1
            recorded: bot-v1
          - name: served
            model: openai/test-model
            api_base: {base_url}
            prompt: "You are a support agent for {{{{ category }}}}."
            max_retries: 2
        checks: all
        judge:
          model: openai/test-judge
          api_base: {base_url}
          rubric: {REPO / 'rubrics' / 'support-reply.yaml'}
          criteria: [acknowledgement, policy_compliance]
          max_retries: 2
        """))
    return root / "eval.yaml"


@pytest.fixture
def served_project(tmp_path):
    with OpenAIServer(reply=server_reply) as server:
        eval_path = write_project(tmp_path, server.base_url)
        yield {"dir": tmp_path, "eval": eval_path, "server": server}


def last_line(text: str) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
