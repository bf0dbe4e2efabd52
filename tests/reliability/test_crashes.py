"""Runs killed with SIGKILL at several points resume to the same records and scorecard, calling no finished case again.

Deterministic kill points come from ``crash_driver`` (half-way through a
record line; just before the atomic rename of the final manifest or the
scorecard); one more is a plain ``kill -9`` from outside at a random moment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import (comparable, request_key, served_reply, without_timing,
                                        write_recorded_eval, write_served_eval)
from tests.support.openai_server import OpenAIServer

N_CASES = 40
RUN = ["run", "eval.yaml", "--out", "results/k", "--no-cache", "--quiet"]


def driver(root: Path, point: str, count: int, *args: str, crash_file: str | None = None) -> int:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(root / "cache"), "CRASH_FILE": crash_file or ""}
    cmd = [sys.executable, "-m", "tests.reliability.crash_driver", point, str(count), *args]
    repo = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = f"{repo}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, timeout=120).returncode


def kill_after_records(root: Path, n: int, *args: str) -> int:
    """Start the real command and SIGKILL it from outside once records.jsonl holds ``n`` lines."""
    env = {**os.environ, "HARNESS_CACHE_DIR": str(root / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli.main", *args], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = root / "results/k/records.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if records.exists() and records.read_bytes().count(b"\n") >= n:
            break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    return proc.wait()


def finished_keys(root: Path) -> set[str]:
    return {r.case_id for r in iter_records(root / "results/k")}


class Segments:
    """Runs one step at a time and checks that no step asks a model about a case already finished."""

    def __init__(self, root: Path, server: OpenAIServer) -> None:
        self.root, self.server = root, server

    def step(self, action) -> int:
        finished, seen = finished_keys(self.root), len(self.server.requests)
        code = action()
        asked = {request_key(r.body)[0] for r in self.server.requests[seen:]}
        assert not asked & finished, sorted(asked & finished)
        return code


def test_killed_at_several_points_then_resumed_equals_an_uninterrupted_run(tmp_path):
    with OpenAIServer(reply=served_reply, latency_s=0.01) as server:
        write_served_eval(tmp_path, server.base_url, N_CASES, concurrency=4)
        whole = harness_cmd("run", "eval.yaml", "--out", "results/whole", "--no-cache", "--quiet", cwd=tmp_path)
        assert whole.returncode == 0, whole.stderr
        steps, resume = Segments(tmp_path, server), [*RUN, "--resume"]
        records = tmp_path / "results/k/records.jsonl"

        assert steps.step(lambda: driver(tmp_path, "record", 5, *RUN)) == -signal.SIGKILL
        assert not records.read_bytes().endswith(b"\n")  # a torn last line
        assert steps.step(lambda: driver(tmp_path, "record", 8, *resume)) == -signal.SIGKILL
        assert steps.step(lambda: kill_after_records(tmp_path, 20, *resume)) == -signal.SIGKILL
        code = steps.step(lambda: driver(tmp_path, "replace", 1, *resume, crash_file="scorecard.json"))
        assert code == -signal.SIGKILL and len(finished_keys(tmp_path)) == N_CASES
        assert not (tmp_path / "results/k/scorecard.json").exists()
        seen = len(server.requests)
        assert steps.step(lambda: harness_cmd(*resume, cwd=tmp_path).returncode) == 0
        assert len(server.requests) == seen  # the finished run only rebuilt its outputs

    run_dir = tmp_path / "results/k"
    assert records.read_bytes().endswith(b"\n") and not list(run_dir.glob(".*.tmp"))
    assert sorted(map(comparable, iter_records(run_dir))) == sorted(map(comparable, iter_records(
        tmp_path / "results/whole")))
    assert_same_scorecard(run_dir, tmp_path / "results/whole")
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "complete"


def assert_same_scorecard(a: Path, b: Path) -> None:
    cards = [json.loads((d / "scorecard.json").read_text()) for d in (a, b)]
    assert without_timing(cards[0]) == without_timing(cards[1])


def test_a_crash_while_rewriting_an_output_leaves_the_old_file_whole(tmp_path):
    write_recorded_eval(tmp_path, 30)
    assert harness_cmd(*RUN, cwd=tmp_path).returncode == 0
    run_dir = tmp_path / "results/k"
    for crash_file in ("manifest.json", "scorecard.json", "report.html"):
        before = (run_dir / crash_file).read_bytes()
        assert driver(tmp_path, "replace", 1, *RUN, "--resume", crash_file=crash_file) == -signal.SIGKILL
        assert (run_dir / crash_file).read_bytes() == before, crash_file
        json.loads((run_dir / "manifest.json").read_text())
        json.loads((run_dir / "scorecard.json").read_text())
    assert harness_cmd(*RUN, "--resume", cwd=tmp_path).returncode == 0
    assert not list(run_dir.glob(".*.tmp"))
