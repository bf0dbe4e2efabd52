"""Throughput of the full deterministic check set, in replies per second on one core.

Run: ``.venv/bin/python benchmarks/bench_checks.py [--replies N] [--rounds R]``.
Three corpora: synthetic replies (~300 characters, built from varied sentences
with a per-reply order number) and the recorded replies of the shipped
``datasets/complaints.jsonl`` run against their own cases (each made distinct
by a per-copy reference so no cache serves a repeat); and those again with each
reply checked against its own new case (its complaint tagged with the same
reference), as in a run, where the per-case work (the complaint's specifics,
its injection scan) is paid for every reply. Every reply is new to
the per-reply analysis cache; it only lets the checks of one reply share it.
Rates are replies per second of process CPU time (the machine is shared, so
wall time is noisy), best of the rounds. Regex runs per reply counts the calls
of compiled-pattern methods (search, match, finditer, findall, ...) in one
more round under cProfile. The target is 5,000 replies/second. Last, the CPU
cost of importing the checks (``import harness.checks.builtin``, after the
pydantic models it needs) and of the first reply's one-off phrase indexing, in
fresh interpreters, best of three.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import time
from pathlib import Path

# Measure the tree this script is in, not whichever one the virtualenv's editable install points at
# (run from another checkout with the same venv, `import harness` would find that one).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.checks.base import CheckContext, registry  # noqa: E402
from harness.datasets.schema import Case  # noqa: E402

TARGET = 5000
COMPLAINTS = Path(__file__).resolve().parents[1] / "datasets" / "complaints.jsonl"

_SENTENCES = [
    "I'm so sorry your order #{n} hasn't arrived yet.",
    "We apologize for the delay with your Galaxy Buds.",
    "I understand how frustrating it is to wait this long.",
    "Unfortunately we can't refund orders after 30 days, but we can offer store credit.",
    "Could you DM us your order number and the email on the account?",
    "I'll escalate this to our delivery team and get back to you within 24 hours.",
    "You can track it here: https://ex.com/track/{n}",
    "As I already said, you need to contact the courier.",
    "That's not true, our records show you signed for it.",
    "We'll send a replacement today and keep you updated. ^JD",
    "Rest assured, your refund of ${n2} will arrive by Friday.",
    "You said \u201cthis is not my job\u201d and that was wrong of us \U0001f64f",
    "Thanks for your patience, @customer!",
]


def make_replies(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    replies = []
    for i in range(count):
        parts, length = [], 0
        while length < 280:
            sentence = rng.choice(_SENTENCES).format(n=10000 + i, n2=i % 200)
            parts.append(sentence)
            length += len(sentence) + 1
        replies.append(" ".join(parts))
    return replies


def make_case() -> Case:
    return Case(
        id="bench",
        turns=[{"role": "customer", "content": "My order #10042 for the Galaxy Buds never came!!! I paid $129.99 "
                                               "three weeks ago and I want a full refund NOW."}],
        persona="unreasonable demand",
        context={"refund_window_days": 30, "days_since_purchase": 45, "max_credit": 20,
                 "forbidden_offers": ["free upgrade"]},
        expectations={"escalation_expected": True, "question_expected": True},
    )


def recorded_pairs(count: int, seed: int = 7) -> list[tuple[Case, str]]:
    """``count`` (case, recorded reply) pairs from the shipped dataset, each reply made distinct."""
    pairs = []
    for line in COMPLAINTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        replies = row.pop("recorded_replies", {}) or {}
        case = Case.model_validate({k: v for k, v in row.items() if k in Case.model_fields})
        pairs += [(case, reply) for reply in replies.values()]
    rng = random.Random(seed)
    return [(case, f"{reply} (ref {seed}-{i})") for i, (case, reply) in
            enumerate(rng.choice(pairs) for _ in range(count))]


def distinct_case_pairs(count: int, seed: int = 7) -> list[tuple[Case, str]]:
    """As :func:`recorded_pairs`, but each reply checked against its own new case, as in a run.

    A run's cases are all different, so what the checks work out once per case
    (the complaint's specifics, its injection scan) is paid for every reply:
    each pair's complaint gets the same per-copy reference as its reply.
    """
    pairs = []
    for case, reply in recorded_pairs(count, seed):
        tag = reply[reply.rindex(" (ref "):]
        turns = [turn.model_dump() for turn in case.turns]
        turns[-1]["content"] += tag
        pairs.append((case.model_copy(update={"turns": [type(case.turns[0])(**t) for t in turns]}), reply))
    return pairs


def run_once(pairs: list[tuple[Case, str]]) -> float:
    """Process CPU seconds for running every check on every pair (CPU, not wall: the machine is shared)."""
    checks = list(registry().values())
    start = time.process_time()
    for case, reply in pairs:
        ctx = CheckContext(case=case, reply=reply)
        for check in checks:
            check.run(ctx)
    return time.process_time() - start


_REGEX_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


def regex_runs(pairs: list[tuple[Case, str]]) -> float:
    """Compiled-pattern scans (search, match, finditer, ...) per reply, counted with cProfile."""
    profile = cProfile.Profile()
    profile.enable()
    run_once(pairs)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    calls = sum(counts[1] for (_, _, name), counts in stats.items()
                if any(name == f"<method '{m}' of 're.Pattern' objects>" for m in _REGEX_METHODS))
    return calls / len(pairs)


def best_rate(make_pairs, rounds: int) -> tuple[float, float, float]:
    """Best replies per CPU second over ``rounds`` fresh corpora, the mean reply length, regex runs per reply."""
    best, lengths = 0.0, []
    for round_no in range(rounds):
        # Fresh replies each round: nothing is served from the analysis cache across rounds.
        pairs = make_pairs(round_no)
        best = max(best, len(pairs) / run_once(pairs))
        lengths = [len(reply) for _, reply in pairs]
    runs = regex_runs(make_pairs(rounds)[:1000])
    return best, sum(lengths) / len(lengths), runs


_IMPORT_PROBE = """
import time
import harness.checks.base
start = time.process_time()
import harness.checks.builtin
imported = time.process_time()
from harness.checks import phrases
phrases._index_pending()
print(imported - start, time.process_time() - imported)
"""


def import_cost(rounds: int = 3) -> tuple[float, float]:
    """CPU seconds to import the checks and to index their phrases on first use, best of ``rounds``."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}  # this tree, as above
    runs = [subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True, env=env)
            for _ in range(rounds)]
    costs = [tuple(map(float, run.stdout.split())) for run in runs]
    return min(c[0] for c in costs), min(c[1] for c in costs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    case = make_case()
    corpora = {
        "synthetic": lambda r: [(case, reply) for reply in make_replies(args.replies, seed=r)],
        "complaints.jsonl recorded": lambda r: recorded_pairs(args.replies, seed=r),
        "complaints.jsonl recorded, a new case per reply": lambda r: distinct_case_pairs(args.replies, seed=r),
    }
    for label, make_pairs in corpora.items():
        rate, avg_len, runs = best_rate(make_pairs, args.rounds)
        print(f"{label}: {len(registry())} checks, {args.replies} replies of ~{avg_len:.0f} chars: "
              f"{rate:,.0f} replies per CPU second, best of {args.rounds} (target {TARGET:,}); "
              f"{runs:.0f} regex runs per reply")
    imported, indexed = import_cost()
    print(f"import harness.checks.builtin: {imported * 1000:.0f} ms CPU; phrase index on the first reply: "
          f"{indexed * 1000:.0f} ms CPU (fresh interpreters, best of 3)")


if __name__ == "__main__":
    main()
