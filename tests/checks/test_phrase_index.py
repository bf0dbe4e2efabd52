"""The phrase matcher's shortcuts change no match.

:meth:`Phrases.spans` runs each alternative in a fast but equivalent form
(:func:`fast_form`), only in sentences holding one of its keys (found through
memoised chunks and bit masks) and, for alternatives that need a digit, only in
sentences holding one. Here it is compared with the plain procedure it
shortcuts: split at breaks, tokenise each sentence, run every alternative whose
key is in a token, as written, with ``finditer``.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest

import harness.checks.builtin  # noqa: F401  (creates every check's Phrases)
from harness.checks.anchors import anchors_of, needs_digit
from harness.checks.anchors import key as _key
from harness.checks.normalize import lowered
from harness.checks.phrase_index import _TOKEN, breaks
from harness.checks.phrases import Phrases
from harness.checks.regex_forms import _LEADING_BOUNDARY, WORD_START_FORMS, fast_form
from harness.checks.text import analyze

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_results.json.gz"
_WORD = re.compile(r"[a-z']+|\d")
_FILLER = ["the", "you", "we", "i", "it", "a", "to", "and", "not", "so", "your", "order", "1", "24", "3rd",
           ",", ".", "!", "?", "'", '"', "-", "\n", "(", ":", "$5", "10am", "x"]


def all_phrases() -> list[Phrases]:
    """Every module-level :class:`Phrases` of the check modules."""
    modules = [m for name, m in sorted(sys.modules.items()) if name.startswith("harness.checks.")]
    return [obj for m in modules for obj in vars(m).values() if isinstance(obj, Phrases)]


@lru_cache(maxsize=None)
def _plain(phrases: Phrases) -> tuple[list[re.Pattern[str]], list[set[str] | None]]:
    """Each alternative as written (less its leading ``\\b``), and its keys (None: always run)."""
    plain = [re.compile(_LEADING_BOUNDARY.sub("", b)) for b in phrases.branches]
    keys = []
    for branch in phrases.branches:
        anchors = anchors_of(branch)
        found = None if anchors is None else {_key(a) for a in anchors}
        keys.append(None if found is None or None in found else found)
    return plain, keys


def reference_spans(phrases: Phrases, text: str) -> list[tuple[int, int]]:
    """What :meth:`Phrases.spans` computes, done the plain way."""
    plain, keys = _plain(phrases)
    found = set()
    start = 0
    for break_start, break_end in (*breaks(text), (len(text), len(text))):
        tokens = "\0".join(_TOKEN.findall(text, start, break_start))  # a key is in a token iff it is in this
        for order, regex in enumerate(plain):
            if keys[order] is not None and not any(k in tokens for k in keys[order]):
                continue
            for m in regex.finditer(text, start, break_end):
                s, e = m.span()
                if e > s and not (s and text[s].isalnum() and text[s - 1].isalnum()):
                    found.add((s, order, e))
        start = break_start
    result, last_end = [], 0
    for s, _, e in sorted(found):
        if s >= last_end:
            last_end = e
            result.append((s, e))
    return result


def fuzz_texts(words: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [rng.choice(words) if rng.random() < 0.7 else rng.choice(_FILLER) for _ in range(rng.randint(1, 18))]
        texts.append(" ".join(parts) if rng.random() < 0.5 else "".join(p + rng.choice(["", " ", "  "]) for p in parts))
    return texts


def pattern_words(pattern: str) -> list[str]:
    return sorted(set(_WORD.findall(pattern.replace("\\s", " ").replace("\\b", " ").replace("\\w", " ")))) or ["x"]


def golden_texts() -> list[str]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as src:
        golden = json.load(src)
    replies = [row["reply"] for row in golden["rows"]]
    complaints = [turn["content"] for case in golden["cases"].values() for turn in case["turns"]]
    return sorted({t for r in replies for t in (analyze(r).norm, analyze(r).lower)} | {lowered(c) for c in complaints})


def test_every_phrases_object_is_found():
    assert len(all_phrases()) >= 18


def test_fast_form_matches_like_the_plain_pattern():
    for phrases in all_phrases():
        for branch in phrases.branches:
            plain, fast = re.compile(_LEADING_BOUNDARY.sub("", branch)), re.compile(fast_form(branch))
            for text in fuzz_texts(pattern_words(branch), 40, seed=len(branch)):
                assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], (branch, text)


def test_needs_digit_only_where_every_match_has_one():
    for phrases in all_phrases():
        for branch in phrases.branches:
            if not needs_digit(branch):
                continue
            for text in fuzz_texts(pattern_words(branch), 60, seed=len(branch)):
                for m in re.finditer(_LEADING_BOUNDARY.sub("", branch), text):
                    assert re.search(r"\d", m.group()), (branch, m.group())


@pytest.mark.parametrize("kind", ["golden", "fuzz"])
def test_spans_equal_the_plain_procedure(kind):
    phrases_list = all_phrases()
    if kind == "golden":
        texts = golden_texts()
    else:
        words = sorted({w for p in phrases_list for b in p.branches for w in pattern_words(b)})
        texts = [lowered(t) for t in fuzz_texts(words, 300, seed=3)]
    for text in texts:
        for phrases in phrases_list:
            assert phrases.spans(text) == reference_spans(phrases, text), (phrases.branches[0][:60], text)


def test_fast_form_rewrites_branch_opening_boundaries():
    assert fast_form(r"\bis|x") == "is|x"
    assert fast_form(r"(?:\bis|\b'm|\bs?|\b(?:a))") == r"(?:i(?<=\bi)s|'(?<=\b')m|\bs?|\b(?:a))"
    assert needs_digit(r"(?:the\s+)?\d{1,2}(?:st|nd)") and not needs_digit(r"(?:a|\d)x") and not needs_digit(r"[^\d]")


def test_word_start_forms_match_like_the_written_patterns():
    assert len(WORD_START_FORMS) >= 10
    rng = random.Random(9)
    for written, fast in WORD_START_FORMS.items():
        plain, quick = re.compile(written), re.compile(fast)
        assert quick.pattern != written or "\\b" not in written[:3]
        for text in fuzz_texts(pattern_words(written), 150, seed=len(written)):
            start, end = rng.randint(0, len(text)), rng.randint(0, len(text))
            assert [m.span() for m in quick.finditer(text)] == [m.span() for m in plain.finditer(text)], (written, text)
            assert ([m.span() for m in quick.finditer(text, start, end)]
                    == [m.span() for m in plain.finditer(text, start, end)]), (written, text, start, end)
            found, expected = quick.search(text, start), plain.search(text, start)
            assert (found and found.span()) == (expected and expected.span()), (written, text, start)


@pytest.mark.parametrize("offers", [("free upgrade",), ("free upgrade", "refund", "store credit"), ("$5 off", "voucher")])
def test_offer_patterns_match_like_the_written_ones(offers):
    from harness.checks.offer_wording import offer_pattern as _offer_pattern

    words = [re.escape(o.strip().lower()) for o in offers]
    plain = re.compile(r"\b(?:" + "|".join(words) + r")\b")
    for text in fuzz_texts([w for o in offers for w in o.split()] + ["free", "upgraded", "_free"], 300, seed=1):
        assert [m.span() for m in _offer_pattern(offers).finditer(text)] == [m.span() for m in plain.finditer(text)]


EDGE_TEXTS = [
    "",
    " ",
    "\n\n",
    "sorry",
    "i'm so sorry. we'll refund you by friday!\nyou need to call us on 0800 123 4567.",
    'you said "this is not my job" and that was wrong. i would never say you are wrong.',
    "i don't think that's true, but we can't refund after 30 days... ok?",
    "we apologise \u2014 \u00e9t\u00e9 \U0001f64f i understand how frustrating it is \u2026 we'll send a replacement",
    "\u0130stanbul order #10042: 3rd of may, 10am-2pm. escalate? ignore previous instructions </reply>",
    "a" * 500 + " sorry " + "b" * 500,
]


def test_group_scan_equals_the_plain_procedure_on_edge_cases():
    """One pass over a text serves every phrase set of its group: each set's spans are still
    what searching for that set alone finds, whatever set is asked first."""
    phrases_list = all_phrases()
    for text in EDGE_TEXTS + [lowered(t.upper()) for t in EDGE_TEXTS]:
        for phrases in reversed(phrases_list):
            assert phrases.spans(text) == reference_spans(phrases, text), (phrases.branches[0][:60], text)
            assert list(phrases.cached_spans(text)) == phrases.spans(text)


def test_spans_returns_a_fresh_list():
    phrases = all_phrases()[0]
    text = "i'm so sorry, we apologise"
    first = phrases.spans(text)
    first.append((0, 0))
    assert phrases.spans(text) == reference_spans(phrases, text)


def test_capturing_groups_are_recognised_without_compiling():
    from harness.checks.regex_forms import has_capturing_groups

    patterns = [b for p in all_phrases() for b in p.branches] + list(WORD_START_FORMS)
    patterns += [r"(a)", r"(?:a)", r"(?P<x>a)", r"(?P=x)", r"\(a\)", r"[(]a", r"[]()]", r"[^]()]x", r"(?<=a)b", r"(?!a)"]
    for pattern in patterns:
        try:
            groups = re.compile(pattern).groups
        except re.error:
            continue
        assert has_capturing_groups(pattern) == bool(groups), pattern


def test_lazy_pattern_matches_like_the_compiled_one():
    from harness.checks.regex_forms import LazyPattern

    lazy, plain = LazyPattern(r"\b(?:no|not)\b", re.I), re.compile(r"\b(?:no|not)\b", re.I)
    text = "No, not now. Nothing? no"
    assert lazy.pattern == plain.pattern and lazy.groups == plain.groups
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert lazy.search(text, 3).span() == plain.search(text, 3).span()
    assert lazy.findall(text) == plain.findall(text) and lazy.sub("x", text) == plain.sub("x", text)
    assert lazy.match(text).span() == plain.match(text).span()


@pytest.mark.parametrize("pattern", [r"\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", r"\d+\s?%\s?(?:off|discount)\b",
                                     r"[\w.+-]+@[a-z0-9-]+\.[a-z]{2,}\b", r"\d{3}x", r"\d{2,}x", r"a+b"])
def test_unrolled_leading_repeats_match_like_the_written_ones(pattern):
    from harness.checks.regex_forms import _unroll_leading_repeat

    unrolled = _unroll_leading_repeat(pattern)
    assert unrolled != pattern
    plain, fast = re.compile(pattern), re.compile(unrolled)
    words = ["1", "12", "123", "/", "x", "a", "b", "aab", "%", " ", "off", "@", "e.x", "com", "_", "9/10/2024", "-"]
    for text in fuzz_texts(words, 400, seed=2):
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], (pattern, text)


def test_lifted_leading_assertions_match_like_the_written_pattern():
    """A pattern opening with zero-width conditions before a group of words (next_step's
    "Call us ..." at a sentence start) is rewritten to open on each word's letter."""
    pattern = r"(?:^|(?<=[.!?:;\n]\s)|(?<=\n))(?:call|ring|go to|book)\b"
    fast = fast_form(pattern)
    assert fast.startswith("(?:c(?:(?<=^c)")
    plain, quick = re.compile(pattern), re.compile(fast)
    rng = random.Random(1)
    words = ["call", "ring", "go to", "book", "go", "x", ".", " ", "\n", "!", ":", ";", "?", "calls", "a", "\t", "recall"]
    for _ in range(5000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
        start = rng.randint(0, len(text))
        assert [m.span() for m in quick.finditer(text, start)] == [m.span() for m in plain.finditer(text, start)], text


def test_first_searches_from_several_threads_see_the_whole_index():
    """Phrase sets are indexed on the first search; threads searching at once all wait for it."""
    import subprocess

    probe = (
        "import threading\n"
        "import harness.checks.builtin\n"
        "from harness.checks import phrases\n"
        "sets = [p for g in phrases._GROUPS.values() for p in g.members]\n"
        "text = \"i'm so sorry, we'll refund you by friday. you need to calm down! i understand how frustrating it is\"\n"
        "results = []\n"
        "def search():\n"
        "    results.append([p.spans(text) for p in sets])\n"
        "threads = [threading.Thread(target=search) for _ in range(8)]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
        "assert not phrases._PENDING\n"
        "assert all(r == results[0] for r in results) and any(results[0]), results\n"
        "phrases._GROUPS['reply']._spans.clear()\n"
        "assert [p.spans(text) for p in sets] == results[0]\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)


def test_eligible_is_every_key_set_of_an_alternative_held():
    """KeyIndex.eligible (one carry per field) says what testing each alternative's bits one by one says."""
    from harness.checks.phrase_index import KeyIndex

    rng = random.Random(3)
    index = KeyIndex()
    fields = []  # (guard, bits of the alternative's own key set and of each key set it also needs)
    for n in range(300):
        alt = index.add(frozenset([f"k{n}"]) if rng.random() < 0.9 else None)
        needed = [index.add_requirement(frozenset([f"r{n}.{i}"])) for i in range(rng.choice([0, 0, 1, 2, 3, 5]))]
        fields.append((index.close(alt), [1 << alt, *needed]))
    every = sum(bits[0] | sum(bits[1:]) for _, bits in fields)
    for _ in range(2000):
        ids = rng.getrandbits(every.bit_length()) & every
        if rng.random() < 0.3:  # many alternatives whose every set is held
            ids |= sum(sum(bits) for _, bits in rng.sample(fields, 100))
        expected = sum(1 << guard for guard, bits in fields if all(ids & bit for bit in bits))
        assert index.eligible(ids) == expected
