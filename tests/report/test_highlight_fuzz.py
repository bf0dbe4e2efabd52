"""``highlight`` finds each piece's covering spans by bisection; the same marks as testing every span
against every piece (the plain procedure, kept here), on fuzzed replies and spans (overlapping, nested,
touching, empty, reaching outside the reply, reversed)."""

from __future__ import annotations

import random

from harness.checks.base import Span
from harness.report.html_parts import esc
from harness.report.html_records import highlight


def plain_highlight(reply: str, marks: list[tuple[Span, str]]) -> str:
    n = len(reply)
    cuts = sorted({0, n} | {min(max(p, 0), n) for span, _ in marks for p in (span.start, span.end)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        names = sorted({name for span, name in marks if span.start <= start and end <= span.end})
        piece = esc(reply[start:end])
        out.append(f'<mark title="{esc(", ".join(names))}" data-pass="{esc(" ".join(names))}">{piece}</mark>'
                   if names else piece)
    return "".join(out)


def test_bisected_marks_match_the_plain_procedure():
    rng = random.Random(7)
    alphabet = "ab <&>\"'é—🤬\n"
    for _ in range(3000):
        reply = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        marks = []
        for _ in range(rng.randint(0, 6)):
            start, end = rng.randint(-5, 35), rng.randint(-5, 35)
            if rng.random() < 0.8:
                start, end = min(start, end), max(start, end)
            marks.append((Span(start=start, end=end, text=""), rng.choice(["apology", "no_blame", "a<b", "x&y"])))
        assert highlight(reply, marks) == plain_highlight(reply, marks), (reply, marks)
