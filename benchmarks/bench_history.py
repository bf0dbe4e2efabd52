"""Benchmark: reading the run index (``<results>/index.sqlite``) for ``harness history`` and the runs page.

Builds a results directory of ``--runs`` synthetic runs (five evals; two candidates, six checks and three judged
criteria each; four gates per run, a third of the runs failing one; every eighth run a ``--limit`` run; one
accepted run per eval; an empty directory per run), written straight into the index through the harness's own
``connect`` (so it gets whatever schema and indexes the harness creates). Then times, median of ``--rounds``:

- ``history_rows``: the listing's read (``harness history``), every run and one eval's;
- ``load_index_runs``: the runs page's read (the same rows plus each run's files);
- ``write_index_html``: the whole page (read, ``stat`` calls, render, write), as every ``harness run`` refreshes it.

    .venv/bin/python benchmarks/bench_history.py [--runs 200 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.history.index import connect  # noqa: E402
from harness.history.table import history_rows  # noqa: E402
from harness.report.history_data import load_index_runs  # noqa: E402
from harness.report.history_html import write_index_html  # noqa: E402

EVALS = ["support", "billing", "returns", "nightly", "smoke"]
CANDIDATES = ["bot", "bot-v2"]
CHECKS = ["next_step", "apology_wording", "no_contradiction", "pii", "tone", "length"]
CRITERIA = ["helpfulness", "empathy", "accuracy"]


def build(results: Path, n_runs: int) -> None:
    """``n_runs`` runs in ``results/index.sqlite`` and a directory each (no files in it)."""
    results.mkdir(parents=True)
    with connect(results) as conn:
        for i in range(n_runs):
            _add_run(conn, results, i)


def _add_run(conn, results: Path, i: int) -> None:
    run, eval_name = f"run-{i:05d}", EVALS[i % len(EVALS)]
    (results / run).mkdir()
    selection = {"limit": 10} if i % 8 == 7 else None
    manifest = {"eval_name": eval_name, "candidates": [{"name": c} for c in CANDIDATES],
                "dataset": {"sha256": "0" * 64, "n_cases": 50, "n_selected": 10 if selection else 50,
                            **({"selection": selection} if selection else {})},
                "eval_spec": {"limit": None}}
    failed = i % 3 == 0
    conn.execute("INSERT INTO runs (run, eval_name, started_at, finished_at, status, n_records, n_errors, error_rate,"
                 " manifest, gates_passed, exit_code) VALUES (?, ?, ?, ?, 'complete', 100, ?, ?, ?, ?, ?)",
                 (run, eval_name, f"2026-01-01T00:00:{i:05d}", f"2026-01-01T00:01:{i:05d}", i % 4, (i % 4) / 100,
                  json.dumps(manifest), int(not failed), 1 if failed else 0))
    figures = [(run, c, "check", name, "rate", v, v - 0.1, v + 0.05, 50, v)
               for c in CANDIDATES for k, name in enumerate(CHECKS) for v in [0.5 + ((i + k) % 5) / 10]]
    figures += [(run, c, "criterion", name, "score", s, s - 0.3, s + 0.3, 50, (s - 1) / 4)
                for c in CANDIDATES for k, name in enumerate(CRITERIA) for s in [3 + ((i + k) % 3) / 2]]
    conn.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", figures)
    gates = [(run, f"min check {name}", "bot-v2", int(not (failed and k == 0)), f"{name}: 80.0% vs 90.0%")
             for k, name in enumerate(CHECKS[:4])]
    conn.executemany("INSERT INTO gates VALUES (?, ?, ?, ?, ?)", gates)
    if i < len(EVALS):
        conn.execute("INSERT OR REPLACE INTO accepted VALUES (?, ?, '2026-01-01')", (eval_name, run))


def timed(rounds: int, call) -> float:
    """Median wall milliseconds of ``call()`` over ``rounds`` (after one warm-up call)."""
    call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'runs':>6}  {'history_rows':>12}  {'one eval':>9}  {'page data':>9}  {'page':>9}   (median ms)")
    for n in args.runs:
        with tempfile.TemporaryDirectory() as tmp:
            results = Path(tmp) / "results"
            build(results, n)
            listing = timed(args.rounds, lambda: history_rows(results))
            one = timed(args.rounds, lambda: history_rows(results, "support"))
            data = timed(args.rounds, lambda: load_index_runs(results))
            page = timed(args.rounds, lambda: write_index_html(results))
        print(f"{n:>6}  {listing:>12.1f}  {one:>9.1f}  {data:>9.1f}  {page:>9.1f}")


if __name__ == "__main__":
    main()
