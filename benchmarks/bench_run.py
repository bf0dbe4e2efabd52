"""End-to-end run against a mock OpenAI-compatible server: wall time and harness CPU per model call.

Run: ``.venv/bin/python benchmarks/bench_run.py [--cases 2000] [--latency-ms 50] [--concurrency 32]
[--rounds 3] [--provider thin|litellm] [--split]``.

Each round starts ``benchmarks/mock_openai_server.py`` in its own process, writes a dataset of
``--cases`` distinct cases (the shipped complaints, each copy tagged so no cache serves a repeat)
and an eval file with one model candidate and a one-criterion judge (2 model calls per case), then
times ``harness run`` as a child process: wall time, and user+system CPU of the whole process
(start-up, imports, checks, records, scorecard and report included), from ``os.wait4``. A second
``harness run`` into a new directory with the same cache is the fully cached rerun. Figures are
medians over the rounds; the machine is shared, so expect noise. ``--split`` runs both
``harness run`` of each round through ``benchmarks/cpu_split.py`` and prints their CPU by component
(start-up, plan, checks, model calls, end-of-run outputs), the cached rerun's too.

The floor is ``calls × latency ÷ concurrency``. Targets: wall within 1.2 × floor plus start-up,
under 2 ms of CPU per call, a cached rerun of 2,000 cases under 3 s. Start-up is measured from the
process launch to the mock server's first request (imports, eval file, dataset, plan: everything a
run does before it can call a model); the tail from the server's last answer to the process exit
(the last case's checks and record, then the scorecard, reports, gates).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The harness of the repository this script sits in (a git worktree of another revision works too).
HARNESS = [sys.executable, "-m", "harness.cli.main"]
MODEL_NAMES = {"thin": "openai/bench-model", "litellm": "litellm/openai/bench-model"}


@dataclass
class Timing:
    wall_s: float
    cpu_s: float
    split: dict[str, float] | None = None
    launched_at: float = 0.0  # time.time() when the child process was started
    exited_at: float = 0.0  # ... and when it had exited
    startup_s: float = 0.0  # launch to the mock server's first request (set for a run that made calls)
    tail_s: float = 0.0  # the server's last answer to the process's exit


def write_dataset(path: Path, count: int) -> None:
    """``count`` distinct cases cycled from datasets/complaints.jsonl."""
    source = [json.loads(line) for line in (ROOT / "datasets" / "complaints.jsonl").read_text().splitlines() if line]
    with path.open("w") as out:
        for i in range(count):
            case = dict(source[i % len(source)])
            case["id"] = f"bench-{i:06d}"
            turns = [dict(t) for t in case["turns"]]
            turns[-1]["content"] = f"{turns[-1]['content']} (ref B{i:06d})"
            case["turns"] = turns
            out.write(json.dumps(case) + "\n")


def write_eval(path: Path, dataset: Path, base_url: str, model: str, concurrency: int) -> None:
    path.write_text(f"""name: bench
dataset: {dataset}
concurrency: {concurrency}
candidates:
  - name: bench-bot
    model: {model}
    api_base: {base_url}
    prompt: {ROOT / "evals" / "prompts" / "polite-agent.jinja"}
    params: {{temperature: 0, max_tokens: 120}}
    concurrency: {concurrency}
checks: all
judge:
  model: {model}
  api_base: {base_url}
  rubric: {ROOT / "rubrics" / "support-reply.yaml"}
  criteria: [acknowledgement]
  concurrency: {concurrency}
""")


def start_server(latency_ms: float, distinct: bool = False) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "mock_openai_server.py"),
                             "--latency-ms", str(latency_ms), *(["--distinct-replies"] if distinct else [])],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()  # type: ignore[union-attr]
    return proc, f"http://127.0.0.1:{line[1]}/v1"


def server_stats(base_url: str) -> dict:
    """The mock server's request count and its first request's and last answer's time.time()."""
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats") as answer:
        return json.load(answer)


def server_requests(base_url: str) -> int:
    return server_stats(base_url)["requests"]


def timed(argv: list[str], cwd: Path) -> Timing:
    """Wall time and user+system CPU of one child process (and anything it waits for)."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    launched_at = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    exited_at = time.time()
    stderr = proc.stderr.read().decode()  # type: ignore[union-attr]
    if status != 0:
        raise SystemExit(f"harness run failed ({status}): {stderr[-2000:]}")
    split = next((json.loads(line.removeprefix("CPU-SPLIT ")) for line in stderr.splitlines()
                  if line.startswith("CPU-SPLIT ")), None)
    return Timing(wall, usage.ru_utime + usage.ru_stime, split, launched_at, exited_at)


def one_round(args: argparse.Namespace, work: Path) -> tuple[Timing, Timing, int, int]:
    server, base_url = start_server(args.latency_ms, args.distinct_replies)
    try:
        write_dataset(work / "cases.jsonl", args.cases)
        write_eval(work / "eval.yaml", work / "cases.jsonl", base_url, MODEL_NAMES[args.provider], args.concurrency)
        cache = work / "cache.sqlite"
        run = [*HARNESS, "run", str(work / "eval.yaml"), "--quiet", "--cache", str(cache)]
        first_run = [sys.executable, str(ROOT / "benchmarks" / "cpu_split.py"), *run[3:]] if args.split else run
        first = timed([*first_run, "--out", str(work / "run1")], work)
        stats = server_stats(base_url)
        calls = stats["requests"]
        first.startup_s = stats["first_request_at"] - first.launched_at
        first.tail_s = first.exited_at - stats["last_answer_at"]
        rerun = timed([*(first_run if args.split else run), "--out", str(work / "run2")], work)
        return first, rerun, calls, server_requests(base_url) - calls
    finally:
        server.terminate()
        server.wait()


def help_wall() -> float:
    """Wall time of ``harness --help`` (the floor every run pays to start)."""
    return timed([*HARNESS, "--help"], ROOT).wall_s


def report(args: argparse.Namespace, rounds: list[tuple[Timing, Timing, int, int]]) -> None:
    calls = rounds[0][2]
    floor = calls * args.latency_ms / 1000 / args.concurrency
    wall = statistics.median(r[0].wall_s for r in rounds)
    cpu = statistics.median(r[0].cpu_s for r in rounds)
    print(f"provider={args.provider} cases={args.cases} calls={calls} latency={args.latency_ms:g}ms "
          f"concurrency={args.concurrency} rounds={len(rounds)} (medians)")
    print(f"  run:    wall {wall:.2f} s   floor {floor:.2f} s   wall/floor {wall / floor if floor else float('nan'):.2f}"
          f"   calls/s {calls / wall:.0f}")
    print(f"          cpu {cpu:.2f} s   cpu/call {cpu / calls * 1000:.2f} ms   (target < 2 ms)")
    # Start-up: launch to the first model call reaching the server (imports, eval file, dataset, plan).
    startup = statistics.median(r[0].startup_s for r in rounds)
    tail = statistics.median(r[0].tail_s for r in rounds)
    calling = statistics.median(r[0].wall_s - r[0].startup_s - r[0].tail_s for r in rounds)
    target = 1.2 * floor + startup
    print(f"          start-up (launch to first call) {startup:.2f} s   calling {calling:.2f} s "
          f"({calling / floor if floor else float('nan'):.2f} x floor)   tail (last answer to exit) {tail:.2f} s")
    print(f"          target 1.2 x floor + start-up = {target:.2f} s: {'met' if wall <= target else 'not met'} "
          f"(by {target - wall:+.2f} s)")
    rerun_wall = statistics.median(r[1].wall_s for r in rounds)
    rerun_cpu = statistics.median(r[1].cpu_s for r in rounds)
    print(f"  cached rerun: wall {rerun_wall:.2f} s   cpu {rerun_cpu:.2f} s   new calls {rounds[0][3]}   (target < 3 s)")
    print(f"  all rounds (wall, cpu): {[(round(r[0].wall_s, 2), round(r[0].cpu_s, 2)) for r in rounds]}")
    for which, label in ((0, "run"), (1, "cached rerun")):
        splits = [r[which].split for r in rounds if r[which].split]
        if splits:
            print(f"  CPU by component, {label} (median s, per call ms):")
            for name in splits[0]:
                value = statistics.median(s.get(name, 0.0) for s in splits)
                print(f"    {name:78s} {value:6.2f} s  {value / calls * 1000:5.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description="harness run against a mock OpenAI-compatible server")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--provider", choices=sorted(MODEL_NAMES), default="thin")
    parser.add_argument("--distinct-replies", action="store_true",
                        help="the mock answers every case with a different reply (by default all are the same "
                             "text, so the checks' per-reply analysis is shared between cases)")
    parser.add_argument("--split", action="store_true", help="print each run's CPU by component (the rerun's too)")
    args = parser.parse_args()
    # Time the steady state of an installed harness: its bytecode compiled once. (With
    # PYTHONDONTWRITEBYTECODE set, as on the development machine, every run would compile the
    # package's sources again: ~0.2-0.3 s of start-up no user with a normal install pays.)
    compileall.compile_dir(str(ROOT / "harness"), quiet=1)
    print(f"harness --help: {help_wall():.2f} s wall")
    rounds = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
            rounds.append(one_round(args, Path(tmp)))
    report(args, rounds)


if __name__ == "__main__":
    main()
