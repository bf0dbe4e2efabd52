"""Run ``harness`` in this process and print where its CPU went, by component, as JSON on stderr.

Run: ``.venv/bin/python benchmarks/cpu_split.py run eval.yaml --out DIR ...`` (``bench_run.py --split``
does this for the first run of each round). Each component is the process CPU time (user + system)
spent inside one function, measured with ``time.process_time`` around it; the task loop's share
that is not the checks or the record writes is the model calls: cache, Model wrapper, HTTP client,
judge prompt and parsing, responder templates, and the event loop itself. A component whose
function no longer exists under that name is left out rather than guessed.
"""

from __future__ import annotations

import functools
import gc
import json
import resource
import sys
import time



def _wrap(owner: object, name: str, label: str, totals: dict[str, float]) -> None:
    original = getattr(owner, name, None)
    if original is None:
        return

    if getattr(original, "__code__", None) is not None and original.__code__.co_flags & 0x80:  # a coroutine function
        @functools.wraps(original)
        async def timed_async(*args, **kwargs):
            started = time.process_time()
            try:
                return await original(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.process_time() - started
        setattr(owner, name, timed_async)
        return

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - started
    setattr(owner, name, timed)


def main(argv: list[str]) -> int:
    import harness.cli.main as cli
    import harness.ci.nightly as nightly
    import harness.records.store as store
    import harness.runner.engine as engine
    import harness.runner.evaluate as evaluate
    import harness.runner.tally as tally

    imported = time.process_time()
    totals: dict[str, float] = {}
    # Awaits only for python checks of the user's (none here): timed start to end, it counts no other task.
    _wrap(evaluate, "run_checks_async", "checks", totals)
    _wrap(engine, "build_plan", "plan", totals)
    _wrap(engine, "finalize_run", "finalize_run", totals)
    _wrap(nightly, "gate_run", "gate_run", totals)
    _wrap(engine, "_execute", "execute", totals)
    _wrap(store.RecordWriter, "write", "record_writes", totals)
    _wrap(tally.RunTally, "fold", "tally", totals)
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    total = time.process_time()
    loop = totals.get("execute", 0.0) - totals.get("finalize_run", 0.0)
    split = {
        "start-up and imports": imported,
        "plan": totals.get("plan", 0.0),
        "task loop: checks": totals.get("checks", 0.0),
        "task loop: record writes": totals.get("record_writes", 0.0),
        "task loop: run tally (scorecard sums, report rows, outcomes)": totals.get("tally", 0.0),
        "task loop: model calls (cache, Model, HTTP, judge, templates, event loop)":
            loop - totals.get("checks", 0.0) - totals.get("record_writes", 0.0) - totals.get("tally", 0.0),
        "end of run: finalize_run (scorecard, report)": totals.get("finalize_run", 0.0),
        "end of run: gate_run (junit, summary, trends)": totals.get("gate_run", 0.0),
    }
    split["other (lazy imports, manifest, cases snapshot)"] = total - sum(split.values())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    split["total"] = total
    split["user"], split["system"] = usage.ru_utime, usage.ru_stime
    print("CPU-SPLIT " + json.dumps({k: round(v, 3) for k, v in split.items()}), file=sys.stderr)
    gc.freeze()  # as the harness command does before exiting (harness.cli.main.cli_entry)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
