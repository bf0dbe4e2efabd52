"""Benchmark: build a scorecard from a 100,000-record run while streaming its records.jsonl.

Synthesises realistic records (reply text, six checks with evidence, five
judged criteria with reasons, some errors) into a temporary run directory,
then times ``build_scorecard(iter_scoring_records(run_dir), ...)`` (the slim reader a run's scorecard
uses; the full ``iter_records`` for comparison) and measures peak
memory twice: Python allocations during the build (tracemalloc, a second
pass, since tracing slows it down) and the process's peak RSS.

    .venv/bin/python benchmarks/bench_scorecard.py [n_records]

Targets: well under 1 GB and under 10 s for 100,000 records.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# Measure the tree this script is in, not whichever one the virtualenv's editable install points at
# (run from another checkout with the same venv, `import harness` would find that one).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.checks.base import CheckResult, Span  # noqa: E402
from harness.models.base import Usage  # noqa: E402
from harness.records.schema import CallStats, CriterionResult, ErrorInfo, Record  # noqa: E402
from harness.records.store import RECORDS, iter_records  # noqa: E402
from harness.scoring.reading import iter_scoring_records  # noqa: E402
from harness.scoring.scorecard import build_scorecard  # noqa: E402

CHECKS = ("apology_wording", "no_contradiction", "positive_language", "boundary_setting", "policy_promises",
          "next_step")
CRITERIA = {name: {"scale": "1-5", "pass_threshold": 4, "applies_when": "always"}
            for name in ("acknowledgement", "apology_quality", "empathy", "tone", "resolution")}
PERSONAS = ("angry", "genuine_grievance", "unreasonable_demand", "passive_aggressive", "indecisive", "abusive")
CATEGORIES = ("billing", "shipping", "refund", "account", "product", "other")
REPLY = ("I apologize for the delay with order #A1234. I understand how frustrating it is to wait. "
         "I have issued a replacement that ships today and you will get tracking within 24 hours. ") * 3


def synth_record(index: int, rng: random.Random) -> Record:
    """One plausible record; about 2% case errors and 3% judge errors."""
    base = dict(case_id=f"case-{index // 2:06d}", candidate=("bot_v1", "bot_v2")[index % 2],
                persona=rng.choice(PERSONAS), category=rng.choice(CATEGORIES))
    if rng.random() < 0.02:
        return Record(**base, error=ErrorInfo(kind=rng.choice(("rate_limit", "timeout")), message="failed"))
    return Record(**base, reply=REPLY, reply_source="model", checks=_checks(rng), judge=_judge(rng),
                  responder=_stats(rng, 1, 0.0004), judging=_stats(rng, len(CRITERIA), None))


def _checks(rng: random.Random) -> dict[str, CheckResult]:
    span = Span(start=0, end=11, text=REPLY[:11])
    return {name: CheckResult(passed=rng.choice((True, True, False, None)), evidence=[span], detail="matched",
                              data={"form": rng.choice(("apologize", "sorry", "none"))}) for name in CHECKS}


def _judge(rng: random.Random) -> dict[str, CriterionResult]:
    out = {}
    for name in CRITERIA:
        if rng.random() < 0.03:
            out[name] = CriterionResult(error=ErrorInfo(kind="judge_output", message="junk", attempts=3))
        else:
            score = rng.randint(1, 5)
            out[name] = CriterionResult(score=score, passed=score >= 4, reason="The reply names the order. " * 3)
    return out


def _stats(rng: random.Random, calls: int, cost: float | None) -> CallStats:
    return CallStats(usage=Usage(prompt_tokens=rng.randint(200, 900), completion_tokens=rng.randint(40, 200),
                                 cost_usd=cost), latency_s=rng.lognormvariate(0, 0.5), calls=calls,
                     cache_hits=int(rng.random() < 0.1) * calls)


def write_run(run_dir: Path, n: int, distinct: int = 2000) -> int:
    """Write ``n`` records to ``run_dir/records.jsonl``; returns its size in bytes.

    ``distinct`` records are synthesised and reused with fresh case ids, which
    keeps the set-up quick without changing what the reader has to parse.
    """
    rng = random.Random(7)
    templates = [synth_record(index, rng).model_dump(mode="json") for index in range(distinct)]
    with open(run_dir / RECORDS, "w", encoding="utf-8") as handle:
        for index in range(n):
            row = templates[index % distinct] | {"case_id": f"case-{index // 2:06d}"}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return (run_dir / RECORDS).stat().st_size


def timed_parse(run_dir: Path, reader=iter_scoring_records) -> float:
    """Reading and validating the records alone: the floor under any scorecard build."""
    start = time.perf_counter()
    for _ in reader(run_dir):
        pass
    return time.perf_counter() - start


def timed_build(run_dir: Path, reader=iter_scoring_records) -> float:
    start = time.perf_counter()
    build_scorecard(reader(run_dir), None, CRITERIA)
    return time.perf_counter() - start


def traced_peak(run_dir: Path) -> int:
    tracemalloc.start()
    build_scorecard(iter_scoring_records(run_dir), None, CRITERIA)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(n: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        size = write_run(run_dir, n)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        parse_seconds = timed_parse(run_dir)
        seconds = timed_build(run_dir)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        peak = traced_peak(run_dir)
        full_seconds = timed_build(run_dir, iter_records)
        full_parse_seconds = timed_parse(run_dir, iter_records)
    print(f"records:            {n:,} ({size / 2**20:.1f} MiB of JSONL)")
    print(f"build_scorecard:    {seconds:.2f} s ({n / seconds:,.0f} records/s), slim reader (iter_scoring_records)")
    print(f"  of which parsing: {parse_seconds:.2f} s (iter_scoring_records alone)")
    print(f"  full reader:      {full_seconds:.2f} s, of which parsing {full_parse_seconds:.2f} s (iter_records)")
    print(f"traced peak (py):   {peak / 2**20:.1f} MiB during the build")
    print(f"process peak RSS:   {rss_after / 1024:.1f} MiB (grew {(rss_after - rss_before) / 1024:.1f} MiB in build)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
