"""Benchmark: ``harness diff`` of two 100,000-record runs: wall time, CPU and peak memory of the whole command.

Writes two run directories (manifest, case snapshot, records, and the
scorecard every finished run has) of ``n`` records each: ``n / 2`` cases × two
candidates, six checks with evidence and five judged criteria per record, about
2% case errors and 3% judge errors (the records of ``bench_scorecard.py``). Run B is run A with about ``--changed`` of
its records graded differently, as a new candidate version would be, so each
row has thousands of changed cases (all listed in ``diff.json``; each row's
largest drops and rises shown side by side).
Then times ``harness diff A B --out DIR`` (md, json and html) as a child
process: wall, user+system CPU and peak RSS, from ``os.wait4``.

    .venv/bin/python benchmarks/bench_diff.py [--records 100000] [--changed 0.1] [--rounds 1] [--no-scorecard]

``--no-scorecard`` leaves the scorecards out, as in runs from before the
verbosity probe: the diff then computes each side's probe from the records.

Targets (issue 5): under 10 s and under 1 GB peak memory for 100,000 records, streaming.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_scorecard import CHECKS, CRITERIA, synth_record

from harness.records.schema import HashedRef, Manifest
from harness.records.store import RECORDS
from harness.scoring.reading import iter_scoring_records
from harness.scoring.scorecard import build_scorecard, write_scorecard

ROOT = Path(__file__).resolve().parents[1]
DISTINCT = 2000  # synthesised records, reused with fresh case ids (parsing cost is the same)


@dataclass
class Timing:
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


def manifest(name: str, n_cases: int) -> Manifest:
    """A complete run's manifest; both sides share dataset, rubric, judge and check versions (comparable)."""
    return Manifest(harness_version="bench", eval_name="bench-diff", eval_file=HashedRef(path="bench.yaml", sha256="e"),
                    eval_spec={"name": "bench-diff"},
                    dataset={"path": "bench.jsonl", "sha256": "d" * 64, "n_cases": n_cases, "n_selected": n_cases},
                    rubric={"id": "bench", "version": 1, "sha256": "r" * 64, "criteria": CRITERIA},
                    judge={"name": "bench-judge"}, candidates=[{"name": "bot_v1"}, {"name": "bot_v2"}],
                    checks={check: "1" for check in CHECKS}, started_at=f"2026-01-0{1 + (name == 'b')}T00:00:00+00:00",
                    finished_at="2026-01-01T01:00:00+00:00", status="complete")


def write_cases(run_dir: Path, n_cases: int) -> None:
    complaint = "My order #A1234 still has not arrived and nobody answers my emails. I want a refund today."
    with open(run_dir / "cases.jsonl", "w", encoding="utf-8") as handle:
        for index in range(n_cases):
            handle.write(json.dumps({"id": f"case-{index:06d}", "persona": "angry", "category": "shipping",
                                     "turns": [{"role": "customer", "content": complaint}]}) + "\n")


def write_runs(work: Path, n: int, changed: float, scorecards: bool = True) -> tuple[Path, Path]:
    """Runs ``a`` and ``b`` under ``work``: the same records, except ``changed`` of B's drawn afresh."""
    templates = [synth_record(i, random.Random(7 + i)).model_dump(mode="json") for i in range(DISTINCT)]
    redrawn = [synth_record(i, random.Random(10_007 + i)).model_dump(mode="json") for i in range(DISTINCT)]
    pick = random.Random(11)
    runs = (work / "a", work / "b")
    for run in runs:
        run.mkdir()
        (run / "manifest.json").write_text(manifest(run.name, n // 2).model_dump_json(indent=2))
        write_cases(run, n // 2)
    with open(runs[0] / RECORDS, "w", encoding="utf-8") as out_a, open(runs[1] / RECORDS, "w", encoding="utf-8") as out_b:
        for index in range(n):
            case = {"case_id": f"case-{index // 2:06d}"}
            out_a.write(json.dumps(templates[index % DISTINCT] | case, ensure_ascii=False) + "\n")
            row_b = redrawn[index % DISTINCT] if pick.random() < changed else templates[index % DISTINCT]
            out_b.write(json.dumps(row_b | case, ensure_ascii=False) + "\n")
    for run in runs if scorecards else ():
        write_scorecard(run, build_scorecard(iter_scoring_records(run), manifest(run.name, n // 2), CRITERIA))
    return runs


def timed(argv: list[str]) -> Timing:
    """Wall time, user+system CPU and peak RSS of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"harness diff failed ({status}): {proc.stderr.read().decode()[-2000:]}")  # type: ignore
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)  # ru_maxrss: KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description="harness diff over two large synthetic runs")
    parser.add_argument("--records", type=int, default=100_000, help="records per run")
    parser.add_argument("--changed", type=float, default=0.1, help="share of B's records graded differently")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-scorecard", action="store_true", help="runs without scorecard.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        work = Path(tmp)
        run_a, run_b = write_runs(work, args.records, args.changed, scorecards=not args.no_scorecard)
        size = (run_a / RECORDS).stat().st_size
        rounds = [timed([sys.executable, "-m", "harness.cli.main", "diff", str(run_a), str(run_b),
                         "--out", str(work / "diff")]) for _ in range(args.rounds)]
        outputs = {p.name: p.stat().st_size for p in sorted((work / "diff").iterdir())}
        with open(work / "diff" / "diff.json", encoding="utf-8") as handle:
            report = json.load(handle)
    changes = [len(row["changes"]) for c in report["comparisons"] for row in c["rows"]]
    views = sum(len(c["cases"]) for c in report["comparisons"])
    print(f"records:   {args.records:,} per run ({size / 2**20:.1f} MiB of JSONL each), "
          f"{args.changed:.0%} of B's records graded differently, "
          f"{'no scorecards' if args.no_scorecard else 'with scorecards'}")
    print(f"diff:      {len(report['comparisons'])} comparisons, {len(changes)} rows, "
          f"{sum(changes):,} case changes listed, {views:,} cases side by side")
    print("outputs:   " + ", ".join(f"{name} {bytes_ / 2**20:.1f} MiB" for name, bytes_ in outputs.items()))
    print(f"harness diff (medians of {len(rounds)}): wall {statistics.median(r.wall_s for r in rounds):.2f} s   "
          f"cpu {statistics.median(r.cpu_s for r in rounds):.2f} s   "
          f"peak RSS {statistics.median(r.peak_rss_mib for r in rounds):.0f} MiB   (targets: < 10 s, < 1 GB)")
    print(f"  all rounds (wall, cpu, MiB): {[(round(r.wall_s, 2), round(r.cpu_s, 2), round(r.peak_rss_mib)) for r in rounds]}")


if __name__ == "__main__":
    main()
