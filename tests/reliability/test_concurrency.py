"""Two runs into one results directory, and several processes on one model cache, corrupt nothing."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from harness.models.base import ModelResponse
from harness.models.cache import ResponseCache
from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import comparable, served_reply, write_recorded_eval, write_served_eval
from tests.support.openai_server import OpenAIServer

N_CASES = 200


def start(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(root / "cache")}
    return subprocess.Popen([sys.executable, "-m", "harness.cli.main", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen]) -> list[tuple[int, str]]:
    errs = [p.communicate(timeout=120)[1] for p in procs]
    return [(p.returncode, err) for p, err in zip(procs, errs)]


def test_a_second_run_into_the_same_directory_is_refused_cleanly(tmp_path):
    write_recorded_eval(tmp_path, N_CASES)
    for attempt in range(3):
        out = f"results/same{attempt}"
        results = finish([start(tmp_path, "run", "eval.yaml", "--out", out, "--quiet") for _ in range(2)])
        codes = sorted(code for code, _ in results)
        assert codes == [0, 2], results
        [refusal] = [err for code, err in results if code == 2]
        lines = [l for l in refusal.splitlines() if l.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"harness: error: {out}"), lines
        assert "another run is writing" in lines[0] or "already holds a run" in lines[0]
        keys = [r.key for r in iter_records(tmp_path / out)]
        assert len(keys) == len(set(keys)) == N_CASES


def test_two_resumes_at_once_leave_one_record_per_case(tmp_path):
    write_recorded_eval(tmp_path, N_CASES)
    assert harness_cmd("run", "eval.yaml", "--out", "results/r", "--quiet", cwd=tmp_path).returncode == 0
    records = tmp_path / "results/r/records.jsonl"
    whole = records.read_text().splitlines(keepends=True)
    records.write_text("".join(whole[: N_CASES // 4]))
    results = finish([start(tmp_path, "run", "eval.yaml", "--out", "results/r", "--resume", "--quiet")
                      for _ in range(2)])
    assert 0 in [code for code, _ in results] and {code for code, _ in results} <= {0, 2}, results
    keys = [r.key for r in iter_records(tmp_path / "results/r")]
    assert len(keys) == len(set(keys)) == N_CASES


def _hammer(path: str, worker: int, n: int) -> None:
    cache = ResponseCache(path)
    for i in range(n):
        key = f"k{i % 50}"  # every worker writes the same 50 keys, over and over
        cache.put(key, ModelResponse(text=f"answer {key}"), model="m")
        hit = cache.get(f"k{(i * 7 + worker) % 50}")
        assert hit is None or hit.text == f"answer k{(i * 7 + worker) % 50}"
    cache.close()


def test_processes_hammering_one_cache_file_corrupt_nothing(tmp_path):
    path = str(tmp_path / "models.sqlite")
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_hammer, args=(path, w, 400)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    cache = ResponseCache(path)
    assert len(cache) == 50 and all(cache.get(f"k{i}").text == f"answer k{i}" for i in range(50))


def test_two_runs_sharing_the_model_cache_then_a_third_calls_nothing(tmp_path):
    with OpenAIServer(reply=served_reply, latency_s=0.005) as server:
        write_served_eval(tmp_path, server.base_url, 60, concurrency=8)
        results = finish([start(tmp_path, "run", "eval.yaml", "--out", f"results/c{i}", "--quiet")
                          for i in range(2)])
        assert [code for code, _ in results] == [0, 0], results
        seen = len(server.requests)
        third = harness_cmd("run", "eval.yaml", "--out", "results/c2", "--quiet", cwd=tmp_path)
        assert third.returncode == 0 and len(server.requests) == seen
    with sqlite3.connect(tmp_path / "cache" / "models.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    runs = [sorted(map(comparable, iter_records(tmp_path / f"results/c{i}"))) for i in range(3)]
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) == 60
