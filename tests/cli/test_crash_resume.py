"""A run killed with kill -9 resumes to the same records, and finished cases call no model again."""

import json
import os
import re
import signal
import subprocess
import sys
import time

from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd, server_reply, write_project
from tests.support.openai_server import OpenAIServer


def request_key(body: dict) -> tuple[str, str]:
    """Which case × candidate a request was made for, read from the prompt it carries."""
    user = body["messages"][-1]["content"]
    order = re.search(r"order #(\d+)", json.dumps(body["messages"])).group(1)
    if "Criterion `" not in user:
        return order, "served"
    return order, "bot-v1" if "Sorry for any inconvenience." in user else "served"


def comparable(record) -> tuple:
    checks = {n: (c.passed, c.data) for n, c in record.checks.items()}
    judge = {n: (c.score, c.passed) for n, c in record.judge.items()}
    return record.case_id, record.candidate, record.reply, json.dumps(checks, sort_keys=True), json.dumps(judge)


def test_kill_9_then_resume_matches_an_uninterrupted_run(tmp_path):
    with OpenAIServer(reply=server_reply, latency_s=0.05) as server:
        write_project(tmp_path, server.base_url, n_cases=30)
        env = {**os.environ, "HARNESS_CACHE_DIR": str(tmp_path / "cache")}
        cmd = [sys.executable, "-m", "harness.cli.main", "run", "eval.yaml", "--out", "results/k", "--no-cache",
               "--quiet"]
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        records = tmp_path / "results/k/records.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline and (not records.exists() or records.read_text().count("\n") < 15):
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        finished = {(r.case_id, r.candidate) for r in iter_records(tmp_path / "results/k")}
        assert 15 <= len(finished) < 60
        seen_before = len(server.requests)

        resumed = harness_cmd("run", "eval.yaml", "--out", "results/k", "--resume", "--no-cache", "--quiet",
                              cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
        new_keys = {request_key(r.body) for r in server.requests[seen_before:]}
        finished_keys = {(cid.removeprefix("k"), cand) for cid, cand in finished}
        finished_keys = {(str(100 + int(i)), cand) for i, cand in finished_keys}
        assert not new_keys & finished_keys

        whole = harness_cmd("run", "eval.yaml", "--out", "results/whole", "--no-cache", "--quiet", cwd=tmp_path)
        assert whole.returncode == 0, whole.stderr

    killed = sorted(map(comparable, iter_records(tmp_path / "results/k")))
    straight = sorted(map(comparable, iter_records(tmp_path / "results/whole")))
    assert len(killed) == 60 and killed == straight
    a = json.loads((tmp_path / "results/k/scorecard.json").read_text())
    b = json.loads((tmp_path / "results/whole/scorecard.json").read_text())
    for card in (a, b):
        for key in ("run", "started_at", "finished_at", "generated_at"):
            card.pop(key, None)
    assert _without_timing(a) == _without_timing(b)


def _without_timing(value):
    """The scorecard minus wall-clock fields (latencies, timestamps), which differ between any two runs."""
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items()
                if "latency" not in k and not k.endswith("_at") and k not in {"run_dir", "path"}}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value
