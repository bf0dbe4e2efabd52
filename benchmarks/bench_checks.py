"""Throughput of the full deterministic check set, in replies per second on one core.

Run: ``.venv/bin/python benchmarks/bench_checks.py [--replies N] [--rounds R]``.
Replies are distinct (~300 characters, built from varied sentences with a
per-reply order number), so the per-reply analysis cache does not hide the
cost of reading a reply; it only lets the checks of one reply share it.
The target is 5,000 replies/second.
"""

from __future__ import annotations

import argparse
import random
import time

from harness.checks.base import CheckContext, registry
from harness.datasets.schema import Case

TARGET = 5000

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


def run_once(replies: list[str], case: Case) -> float:
    checks = list(registry().values())
    start = time.perf_counter()
    for reply in replies:
        ctx = CheckContext(case=case, reply=reply)
        for check in checks:
            check.run(ctx)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    case = make_case()
    best = 0.0
    for round_no in range(args.rounds):
        # Fresh replies each round: nothing is served from the analysis cache across rounds.
        replies = make_replies(args.replies, seed=round_no)
        rate = len(replies) / run_once(replies, case)
        best = max(best, rate)
    avg_len = sum(map(len, replies)) / len(replies)
    print(f"{len(registry())} checks, {args.replies} replies of ~{avg_len:.0f} chars: "
          f"{best:,.0f} replies/second (target {TARGET:,})")


if __name__ == "__main__":
    main()
