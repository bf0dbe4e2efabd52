"""diff.html's script computes the word changes of a case opened from the full case list
(harness.report.diff_word_diff_js): it must write exactly what Python's word_changes writes for the same two
replies, over plain rewordings, long replies (autojunk, the cut), hostile text, scripts without spaces,
emoji sequences, combining marks and spacing-only changes."""

from __future__ import annotations

import json
import random

import pytest

from harness.compare.schema import CaseView, ReplyView
from harness.report.diff_case_detail import word_changes
from harness.report.diff_word_diff_js import WORD_DIFF_JS
from harness.report.html_text import visible
from tests.support.browser import needs_chromium

pytestmark = needs_chromium

BASE = "I apologize for the delay with order #A1234. I understand how frustrating it is to wait. "
WORDS = ("the", "a", "order", "refund", "sorry", "courier", "today", ",", ".", "we'll", "8:30", "1,250.00", "café",
         "naïve", "👍🏽", "🇫🇷", "👨‍👩‍👧", "कि", "كَتَبَ", "退款", "ありがとう", "ขอบคุณ", "<b>", "&amp;", "'", '"')


def _fuzz(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    a = [rng.choice(WORDS) for _ in range(rng.randint(1, 400))]
    b = list(a)
    for _ in range(rng.randint(1, 30)):
        at = rng.randrange(len(b) + 1)
        op = rng.random()
        if op < 0.4 and b:
            b.pop(min(at, len(b) - 1))
        elif op < 0.7:
            b.insert(at, rng.choice(WORDS))
        elif b:
            b[min(at, len(b) - 1)] = rng.choice(WORDS)
    sep = lambda: rng.choice([" ", " ", " ", "", "\n", "  "])  # noqa: E731
    return "".join(w + sep() for w in a), "".join(w + sep() for w in b)


PAIRS = [
    (BASE * 3, BASE.replace("I apologize for", "Sorry about") * 3),
    ("Sorry about order 1. A courier will call you today.",
     "Sorry about order 1. Calm down, a courier *may* call you <b>tomorrow</b>."),
    ("Thanks for waiting — we've refunded the $20 fee.", "Thanks for your patience — we've refunded the $20 fee."),
    ("same words\nhere", "same  words here"),  # spacing only
    ("Hello, world", "Hello; world"),  # punctuation only
    ("Your file \u202egnp.exe", "Your file \u202egnp.exe, sorry"),
    ("我们已经为您退款。", "我们已经为您全额退款了。"),
    ("word " * 4000, "word " * 3990 + "other " * 20),  # long: the cut
    (" ".join(f"w{i}" for i in range(5000)), " ".join(f"w{i}" for i in range(5000) if i % 7)),
] + [_fuzz(seed) for seed in range(60)]


def _python(a: str, b: str) -> str:
    view = CaseView.model_construct(case_id="x", a=ReplyView.model_construct(reply=a),
                                    b=ReplyView.model_construct(reply=b))
    return word_changes(view)


@pytest.mark.parametrize("chunk", range(0, len(PAIRS), 20))
def test_the_page_writes_the_same_word_changes_as_python(browser, chunk):
    pairs = PAIRS[chunk:chunk + 20]
    page = browser.new_page()
    page.set_content(f"<script>{WORD_DIFF_JS} window.WD = WD;</script>")
    got = page.evaluate("pairs => pairs.map(p => WD.wordChanges(p[0], p[1]))",
                        json.loads(json.dumps([[visible(a), visible(b)] for a, b in pairs])))
    for (a, b), html in zip(pairs, got):
        assert html == _python(a, b), (a[:200], b[:200])
    page.close()
