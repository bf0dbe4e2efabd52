"""The harness beside promptfoo, Inspect AI and DeepEval on one mock-server workload: wall time and CPU per call.

Run: ``.venv/bin/python benchmarks/bench_peers.py [--tools harness,promptfoo,inspect,deepeval]
[--cases 500] [--latency-ms 50] [--concurrency 32] [--rounds 3] [--warmup-cases 10]
[--install-only]``.

The workload is issue 5's comparison: ``--cases`` distinct cases (the shipped complaints, cycled
and tagged by ``bench_run.write_dataset``), each making 1 responder call and 1 LLM-judge call, at
``--concurrency`` calls in flight, against ``benchmarks/mock_openai_server.py`` on 127.0.0.1
(``--latency-ms`` fixed latency; a new server for every tool run, so its ``/stats`` count is that
run's). Each tool runs as a child process, timed from launch to exit (its own start-up included,
install excluded): wall time, and user+system CPU of the process and every descendant it waited
for (``os.wait4``, which on Linux sums the reaped process tree), plus any process of its session
still alive when it exits (its CPU is read from /proc and added, and it is killed; the report says
so). The mock server's CPU is never counted. Calls are the requests the server saw: a tool that
made more or fewer than 2 per case is reported as such. Figures are medians over ``--rounds``
(default 3; the tools take turns within a round, so load drifts hit them alike); the floor is
``calls × latency ÷ concurrency``. Before the rounds, each tool makes one untimed run over
``--warmup-cases`` cases (default 10), so each is timed as a user's second run would be: its
files in the page cache, promptfoo's config dir and results database already made (that dir
lasts for the invocation; everything else is new for every run).

How each tool is configured (files in ``benchmarks/peers/``):

- harness: ``bench_run.write_eval``'s eval file (one candidate, one-criterion judge, every check,
  concurrency 32), ``harness run --quiet`` with a new cache, as ``bench_run.py`` times it.
- promptfoo: ``promptfooconfig.yaml`` -- the ``openai:chat`` provider pointed at the mock, one
  ``llm-rubric`` assertion whose grading provider is also the mock; ``promptfoo eval --no-cache
  -j 32 --no-table --no-progress-bar -o results.json``; telemetry, update checks, sharing and remote
  generation off, its config dir (results database) in the invocation's temporary directory.
- Inspect AI: ``inspect_task.py`` -- ``generate()`` then ``model_graded_qa()`` (grader = the task's
  model); ``inspect eval --model openai/bench-model -M responses_api=false --max-connections 32 --display none``
  (its openai provider would use the Responses API, which the mock does not serve), logs in
  the temporary directory. Inspect sends no telemetry unless INSPECT_TELEMETRY names a hook.
- DeepEval: ``deepeval_run.py`` -- responder calls through the openai SDK (DeepEval does not call
  the model under test itself), then ``deepeval.evaluate`` with one GEval metric whose
  ``evaluation_steps`` are given (no steps-generation call), judged by DeepEval's GPTModel pointed
  at the mock, ``max_concurrent=32``, cache off, DEEPEVAL_TELEMETRY_OPT_OUT=YES.

Each peer's judge expects its own answer format, so the mock runs with ``--judge-style`` set to
that tool and each tool's rubric carries the mock's judge marker (``/stats`` counts the judge
calls too). The peers get the same system prompt the harness renders (polite-agent.jinja) and the
customer's turns as one user message (the harness sends them as separate messages). After each
run (untimed) the tool's own results are checked: promptfoo's results.json must pass every case,
Inspect's log must say success with every sample scored (it exits 0 even when the eval errored),
DeepEval's script exits non-zero unless every case got a score; a run that fails is reported, not
counted. The harness does more per case than the peers: every deterministic check on each reply,
then a scorecard and an HTML report. Every peer gets a trimmed environment (PATH, HOME, locale,
no proxy variables) with a fake key: OPENAI_API_KEY=sk-bench, OPENAI_BASE_URL=the mock.

Installs (on first use, outside the project's venv, never timed; pinned in ``PINS`` and printed):
``~/.cache/harness-bench-peers/`` (or ``$HARNESS_BENCH_PEERS``) holds ``node/`` (``npm install
promptfoo``; needs node >= 20.20), ``venv-inspect/`` and ``venv-deepeval/`` (``python -m venv`` +
``pip install``, one venv per tool so their dependencies never meet the project's). A pin change
reinstalls. A tool that fails to install or to run is reported on one line with the reason, and
the others still run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_run  # noqa: E402  (the harness side: dataset, eval file, server, timing)

ROOT = bench_run.ROOT
PEERS_DIR = Path(__file__).resolve().parent / "peers"
HOME = Path(os.environ.get("HARNESS_BENCH_PEERS", "~/.cache/harness-bench-peers")).expanduser()
TOOLS = ("harness", "promptfoo", "inspect", "deepeval")
# What is installed for each peer (bump to reinstall). promptfoo 0.121.x is the last line that
# runs on node 20 (0.122 wants node >= 22.22).
PINS = {
    "promptfoo": ["promptfoo@0.121.20"],
    "inspect": ["inspect-ai==0.3.285", "openai==3.54.0"],
    "deepeval": ["deepeval==4.3.1"],
}
MARKER = "[bench-judge]"  # the mock's default --judge-marker: marks a request as a judge call
FAKE_KEY = "sk-bench"
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL")


@dataclass
class Run:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    calls: int = 0
    judge_calls: int = 0
    other_requests: int = 0
    peak: int = 0  # the most calls the server was answering at once
    startup_s: float = 0.0  # launch to the server's first request
    leftovers: int = 0  # processes of the tool's session still alive at its exit (counted, then killed)
    error: str = ""


@dataclass
class Tool:
    name: str
    version: str = ""
    error: str = ""  # install failure: the tool is skipped
    runs: list[Run] = field(default_factory=list)


# ---------------------------------------------------------------- installs (never timed)

def _sh(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def _tail(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-3:])[-limit:] or "(no output)"


def _pinned(where: Path, pin: list[str]) -> bool:
    stamp = where / ".bench-pin"
    return stamp.exists() and stamp.read_text() == " ".join(pin)


def install(name: str) -> tuple[str, str]:
    """Install ``name`` into its cache directory if its pin changed; return (version, error)."""
    pin = PINS[name]
    if name == "promptfoo":
        where = HOME / "node"
        node = shutil.which("node")
        if not node or not shutil.which("npm"):
            return "", "node/npm not found"
        node_version = _sh([node, "--version"]).stdout.strip()
        major, minor = (int(x) for x in node_version.lstrip("v").split(".")[:2])
        if (major, minor) < (20, 20) or 21 <= major < 22 or (major == 22 and minor < 22):
            return "", f"promptfoo 0.121 needs node ^20.20 or >= 22.22, found {node_version}"
        if not _pinned(where, pin):
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir(parents=True)
            (where / "package.json").write_text('{"name": "harness-bench-peers", "private": true}\n')
            print(f"installing {' '.join(pin)} into {where} ...", flush=True)
            done = _sh(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *pin], cwd=where)
            if done.returncode:
                return "", f"npm install failed: {_tail(done.stderr)}"
            (where / ".bench-pin").write_text(" ".join(pin))
        package = where / "node_modules" / "promptfoo" / "package.json"
        if not package.exists():
            return "", f"{package} missing"
        return f"{json.loads(package.read_text())['version']} (node {node_version})", ""
    where = HOME / f"venv-{name}"
    if not _pinned(where, pin):
        shutil.rmtree(where, ignore_errors=True)
        where.parent.mkdir(parents=True, exist_ok=True)
        print(f"installing {' '.join(pin)} into {where} ...", flush=True)
        done = _sh([sys.executable, "-m", "venv", str(where)])
        if done.returncode:
            return "", f"venv failed: {_tail(done.stderr)}"
        done = _sh([str(where / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *pin])
        if done.returncode:
            return "", f"pip install failed: {_tail(done.stderr)}"
        (where / ".bench-pin").write_text(" ".join(pin))
    dist = {"inspect": "inspect-ai", "deepeval": "deepeval"}[name]
    done = _sh([str(where / "bin" / "python"), "-c",
                f"import importlib.metadata as m, platform; print(m.version({dist!r}), "
                f"'(python', platform.python_version() + ', openai', m.version('openai') + ')')"])
    if done.returncode:
        return "", f"{dist} not importable: {_tail(done.stderr)}"
    return done.stdout.strip(), ""


def harness_version() -> str:
    from importlib.metadata import version
    rev = _sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).stdout.strip()
    dirty = " + uncommitted changes" if _sh(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                                             "harness"]).stdout.strip() else ""
    try:
        own = version("support-eval-harness")
    except Exception:  # noqa: BLE001 - the version is only printed
        own = "?"
    return f"{own} ({rev}{dirty})"


# ---------------------------------------------------------------- the workload

def _rubric() -> str:
    """The harness judge's criterion (acknowledgement) as one rubric text, with the judge marker."""
    import yaml
    rubric = yaml.safe_load((ROOT / "rubrics" / "support-reply.yaml").read_text())
    criterion = next(c for c in rubric["criteria"] if c["id"] == "acknowledgement")
    levels = "; ".join(f"{k}: {v}" for k, v in criterion["levels"].items())
    return f"{MARKER} {criterion['question']} Score 1-5 ({levels}). A reply scoring 4 or 5 passes."


def write_peer_cases(cases: Path, out: Path) -> None:
    """Each case of ``bench_run.write_dataset`` as a system prompt (the polite-agent template the
    harness renders) and the conversation as one user message, plus the rubric."""
    import jinja2
    template = jinja2.Environment().from_string((ROOT / "evals" / "prompts" / "polite-agent.jinja").read_text())
    rubric = _rubric()
    context_defaults = {"refund_window_days": None, "max_refund": None, "max_credit": None, "currency": None,
                        "allowed_offers": [], "forbidden_offers": [], "escalation": None, "facts": []}
    with out.open("w") as sink:
        for line in cases.read_text().splitlines():
            case = json.loads(line)
            system = template.render(category=case.get("category"),
                                     context={**context_defaults, **(case.get("context") or {})})
            conversation = "\n".join(f"{'Customer' if t['role'] == 'customer' else 'Agent'}: {t['content']}"
                                     for t in case["turns"])
            sink.write(json.dumps({"id": case["id"], "system": system, "conversation": conversation,
                                   "rubric": rubric}) + "\n")


def start_mock(latency_ms: float, judge_style: str) -> tuple[subprocess.Popen, str]:
    """``bench_run.start_server`` with a peer's judge style (the harness uses bench_run's own)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "mock_openai_server.py"),
                             "--latency-ms", str(latency_ms), "--judge-style", judge_style,
                             "--judge-marker", MARKER], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()  # type: ignore[union-attr]
    return proc, f"http://127.0.0.1:{line[1]}/v1"


def peer_env(base_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENV}
    env.update({"OPENAI_API_KEY": FAKE_KEY, "OPENAI_BASE_URL": base_url, "NO_PROXY": "127.0.0.1,localhost", **extra})
    return env


def peer_command(name: str, work: Path, cases: Path, base_url: str, concurrency: int,
                 state: Path) -> tuple[list[str], dict]:
    """argv and extra environment of one peer run; ``state`` persists across the invocation's runs
    (promptfoo's config dir and results database, as a user's would between runs)."""
    if name == "promptfoo":
        shutil.copy(PEERS_DIR / "promptfoo_prompt.json", work / "prompt.json")
        tests = [{"vars": {"system": c["system"], "conversation": c["conversation"]}}
                 for c in map(json.loads, cases.read_text().splitlines())]
        (work / "tests.json").write_text(json.dumps(tests))
        config = string.Template((PEERS_DIR / "promptfooconfig.yaml").read_text()).substitute(
            prompt_file=work / "prompt.json", tests_file=work / "tests.json", base_url=base_url,
            concurrency=concurrency, rubric_json=json.dumps(json.loads(cases.read_text().splitlines()[0])["rubric"]))
        (work / "promptfooconfig.yaml").write_text(config)
        argv = [str(HOME / "node" / "node_modules" / ".bin" / "promptfoo"), "eval", "-c", str(work / "promptfooconfig.yaml"),
                "--no-cache", "-j", str(concurrency), "--no-table", "--no-progress-bar", "-o", str(work / "results.json")]
        env = {"PROMPTFOO_DISABLE_TELEMETRY": "1", "PROMPTFOO_DISABLE_UPDATE": "1", "PROMPTFOO_DISABLE_SHARING": "1",
               "PROMPTFOO_DISABLE_REMOTE_GENERATION": "1", "PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION": "1",
               "PROMPTFOO_CACHE_ENABLED": "false", "PROMPTFOO_CONFIG_DIR": str(state / "promptfoo-home")}
        return argv, env
    if name == "inspect":
        # A relative task path: inspect 0.3.285 on Python 3.11 fails on an absolute one (Path.glob).
        # responses_api=false: its openai provider defaults to the Responses API, which the mock
        # (like most OpenAI-compatible servers) does not serve; chat completions is what the others use.
        shutil.copy(PEERS_DIR / "inspect_task.py", work / "inspect_task.py")
        argv = [str(HOME / "venv-inspect" / "bin" / "inspect"), "eval", "inspect_task.py",
                "-T", f"dataset={cases}", "--model", "openai/bench-model", "-M", "responses_api=false",
                "--max-connections", str(concurrency), "--display", "none", "--log-dir", str(work / "inspect-logs")]
        return argv, {"INSPECT_LOG_DIR": str(work / "inspect-logs")}
    if name == "deepeval":
        argv = [str(HOME / "venv-deepeval" / "bin" / "python"), str(PEERS_DIR / "deepeval_run.py"),
                str(cases), base_url, str(concurrency)]
        return argv, {"DEEPEVAL_TELEMETRY_OPT_OUT": "YES", "DEEPEVAL_DISABLE_DOTENV": "1"}
    raise ValueError(name)


# ---------------------------------------------------------------- timing a process tree

def _session_leftovers(sid: int) -> list[tuple[int, float]]:
    """(pid, user+system CPU s) of live processes in session ``sid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # fields[3]: session id; [11], [12]: utime, stime
            found.append((int(entry.name), (int(fields[11]) + int(fields[12])) / ticks))
    return found


def timed_tree(argv: list[str], cwd: Path, env: dict[str, str], timeout_s: float) -> tuple[Run, str]:
    """Wall time and CPU of ``argv`` and its whole process tree; (run, stderr tail)."""
    out, err = (cwd / "stdout.txt").open("w"), (cwd / "stderr.txt").open("w")
    launched_at = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    err.close()
    run = Run(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime)
    run.startup_s = launched_at  # made relative once the server's stats are read
    leftovers = _session_leftovers(proc.pid)
    for pid, cpu in leftovers:
        run.cpu_s += cpu
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    run.leftovers = len(leftovers)
    stderr = (cwd / "stderr.txt").read_text(errors="replace")
    if expired.is_set():
        run.error = f"timed out after {timeout_s:.0f} s"
    elif proc.returncode != 0:
        run.error = f"exit {proc.returncode}: {_tail(stderr)}"
    return run, stderr


def verify(name: str, work: Path, cases: int) -> str:
    """Why the tool's own results say the run did not do the work (all cases scored), or ""."""
    if name == "promptfoo":
        stats = json.loads((work / "results.json").read_text())["results"]["stats"]
        if stats.get("successes") != cases:
            return f"promptfoo results: {stats.get('successes')} passed, {stats.get('failures')} failed, " \
                   f"{stats.get('errors')} errors of {cases}"
    elif name == "inspect":
        # Inspect exits 0 even when its eval ends in error: read the log's status.
        done = _sh([str(HOME / "venv-inspect" / "bin" / "python"), "-c",
                    "import glob, sys; from inspect_ai.log import read_eval_log; "
                    "h = read_eval_log(glob.glob(sys.argv[1] + '/*.eval')[0], header_only=True); "
                    "print(h.status, h.results.completed_samples if h.results else 0, "
                    "len(h.results.scores) if h.results else 0)", str(work / "inspect-logs")])
        status = done.stdout.split()
        if done.returncode or status[:3] != ["success", str(cases), "1"]:
            return f"inspect log: {done.stdout.strip() or _tail(done.stderr)} (status, completed samples, scorers)"
    return ""


def run_tool(name: str, args: argparse.Namespace, work: Path, cases: int) -> Run:
    """One timed run of ``name`` over ``cases`` cases against a new mock server."""
    bench_run.write_dataset(work / "cases.jsonl", cases)
    if name == "harness":
        server, base_url = bench_run.start_server(args.latency_ms)
        try:
            bench_run.write_eval(work / "eval.yaml", work / "cases.jsonl", base_url, bench_run.MODEL_NAMES["thin"],
                                 args.concurrency)
            argv = [*bench_run.HARNESS, "run", str(work / "eval.yaml"), "--quiet", "--cache",
                    str(work / "cache.sqlite"), "--out", str(work / "run")]
            try:
                timing = bench_run.timed(argv, work)
                run = Run(wall_s=timing.wall_s, cpu_s=timing.cpu_s, startup_s=timing.launched_at)
            except SystemExit as failed:
                run = Run(error=str(failed)[-300:])
            return _with_stats(run, base_url)
        finally:
            server.terminate()
            server.wait()
    write_peer_cases(work / "cases.jsonl", work / "peer-cases.jsonl")
    server, base_url = start_mock(args.latency_ms, name)
    try:
        argv, extra = peer_command(name, work, work / "peer-cases.jsonl", base_url, args.concurrency, args.state)
        run, _ = timed_tree(argv, work, peer_env(base_url, extra), args.timeout)
        if not run.error:
            try:
                run.error = verify(name, work, cases)
            except (OSError, ValueError, KeyError) as failed:
                run.error = f"its results could not be read: {failed}"
        return _with_stats(run, base_url)
    finally:
        server.terminate()
        server.wait()


def _with_stats(run: Run, base_url: str) -> Run:
    stats = bench_run.server_stats(base_url)
    run.calls = int(stats["requests"])
    run.judge_calls = int(stats.get("judge_requests", 0))
    run.other_requests = int(stats.get("other_requests", 0))
    run.peak = int(stats.get("max_in_flight", 0))
    run.startup_s = stats["first_request_at"] - run.startup_s if stats["first_request_at"] else 0.0
    if not run.error and not run.calls:
        run.error = "made no model call"
    return run


# ---------------------------------------------------------------- report

def report(args: argparse.Namespace, tools: list[Tool]) -> None:
    expected = 2 * args.cases
    floor = expected * args.latency_ms / 1000 / args.concurrency
    print(f"\ncases={args.cases} (x 1 responder + 1 judge call) latency={args.latency_ms:g} ms "
          f"concurrency={args.concurrency} rounds={args.rounds} (medians); floor {floor:.2f} s; "
          f"load before: {args.load_before}; load after: {_load()}")
    print("judge: calls the mock answered as a judge; peak: the most calls in flight at once (max over rounds); "
          "start-up: launch to the first call")
    medians: dict[str, dict[str, float]] = {}
    for tool in tools:
        good = [r for r in tool.runs if not r.error]
        if good:
            medians[tool.name] = {
                "wall": statistics.median(r.wall_s for r in good), "cpu": statistics.median(r.cpu_s for r in good),
                "calls": statistics.median(r.calls for r in good), "judge": statistics.median(r.judge_calls for r in good),
                "cpu_per_call": statistics.median(r.cpu_s / r.calls * 1000 for r in good if r.calls) if any(
                    r.calls for r in good) else float("nan"),
                "startup": statistics.median(r.startup_s for r in good),
                "peak": max(r.peak for r in good)}
    base = medians.get("harness")
    header = (f"{'tool':10s} {'version':44s} {'wall s':>7s} {'CPU s':>7s} {'calls':>6s} {'calls/case':>10s} "
              f"{'judge':>6s} {'peak':>5s} {'CPU ms/call':>11s} {'start-up s':>10s} {'wall÷harness':>12s} {'CPU/call÷harness':>16s}")
    print(header)
    print("-" * len(header))
    for tool in tools:
        if tool.error:
            print(f"{tool.name:10s} not installed: {tool.error}")
            continue
        m = medians.get(tool.name)
        if m is None:
            print(f"{tool.name:10s} {tool.version:44s} failed every round: {tool.runs[0].error if tool.runs else '?'}")
            continue
        ratio_wall = f"{m['wall'] / base['wall']:.1f}x" if base else "n/a"
        ratio_cpu = f"{m['cpu_per_call'] / base['cpu_per_call']:.1f}x" if base else "n/a"
        print(f"{tool.name:10s} {tool.version:44s} {m['wall']:7.2f} {m['cpu']:7.2f} {m['calls']:6.0f} "
              f"{m['calls'] / args.cases:10.2f} {m['judge']:6.0f} {m['peak']:5d} {m['cpu_per_call']:11.2f} {m['startup']:10.2f} "
              f"{ratio_wall:>12s} {ratio_cpu:>16s}")
    print()
    for tool in tools:
        if tool.error or not tool.runs:
            continue
        notes = []
        off = [r.calls for r in tool.runs if not r.error and r.calls != expected]
        if off:
            notes.append(f"NOT 2 calls per case: {off} calls in rounds that should have made {expected}")
        if any(r.other_requests for r in tool.runs):
            notes.append(f"requests to unserved paths: {[r.other_requests for r in tool.runs]}")
        if any(r.leftovers for r in tool.runs):
            notes.append(f"processes left running at exit (their CPU counted): {[r.leftovers for r in tool.runs]}")
        for r in tool.runs:
            if r.error:
                notes.append(f"a round failed: {r.error}")
        rounds = [(round(r.wall_s, 2), round(r.cpu_s, 2), r.calls) for r in tool.runs]
        print(f"  {tool.name}: rounds (wall s, CPU s, calls) {rounds}" + (f"; {'; '.join(notes)}" if notes else ""))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a tool run is killed")
    parser.add_argument("--warmup-cases", type=int, default=10,
                        help="an untimed run of each tool over this many cases first (0: none), so every tool is "
                             "timed warm: files in the page cache, promptfoo's database created")
    parser.add_argument("--install-only", action="store_true", help="install the peers and print their versions")
    args = parser.parse_args()
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        parser.error(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")

    tools = [Tool(name) for name in names]
    for tool in tools:
        if tool.name == "harness":
            tool.version = harness_version()
            continue
        started = time.perf_counter()
        try:
            tool.version, tool.error = install(tool.name)
        except Exception as failed:  # noqa: BLE001 - reported on its line; the other tools go on
            tool.error = f"{type(failed).__name__}: {failed}"[:300]
        state = f"not installed: {tool.error}" if tool.error else tool.version
        print(f"{tool.name}: {state} ({time.perf_counter() - started:.1f} s to check/install, not timed)", flush=True)
    if args.install_only:
        return
    # As bench_run does: time an installed harness, its bytecode compiled once.
    compileall.compile_dir(str(ROOT / "harness"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-peers-state-") as state:
        args.state = Path(state)
        if args.warmup_cases:
            for tool in tools:
                if not tool.error:
                    run = _one(tool.name, args, args.warmup_cases)
                    print(f"warm-up {tool.name} ({args.warmup_cases} cases, not counted): "
                          f"{run.error or f'wall {run.wall_s:.2f} s, {run.calls} calls'}", flush=True)
        args.load_before = _load()
        for number in range(args.rounds):
            for tool in tools:
                if tool.error:
                    continue
                run = _one(tool.name, args, args.cases)
                tool.runs.append(run)
                state_line = run.error or f"wall {run.wall_s:.2f} s, CPU {run.cpu_s:.2f} s, {run.calls} calls"
                print(f"round {number + 1} {tool.name}: {state_line}", flush=True)
    report(args, tools)


def _one(name: str, args: argparse.Namespace, cases: int) -> Run:
    with tempfile.TemporaryDirectory(prefix=f"bench-peers-{name}-") as tmp:
        try:
            return run_tool(name, args, Path(tmp), cases)
        except Exception as failed:  # noqa: BLE001 - reported on its line; the other tools go on
            return Run(error=f"{type(failed).__name__}: {failed}"[:300])


if __name__ == "__main__":
    main()
