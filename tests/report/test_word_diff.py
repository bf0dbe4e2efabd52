"""The word diff between reply A and reply B (harness/report/word_diff.py): what is marked, that no letter or
emoji is split, that reply text cannot inject HTML or Markdown, and that long replies cost a bounded time and
say when they were cut."""

from __future__ import annotations

import random
import re
import unicodedata
from html import unescape

import pytest

from harness.report.word_diff import MAX_TOKENS, md_text, summary_text, to_html, to_markdown, tokens, word_diff


def marked(diff, op: str) -> list[str]:
    return ["".join(t.text for t in toks).strip() for o, toks in diff.pieces if o == op]


def test_a_deletion_an_insertion_and_a_replacement_are_marked_in_reading_order():
    diff = word_diff("Sorry, a courier will call you today.", "Sorry, a courier will call you tomorrow morning.")
    assert marked(diff, "-") == ["today"] and marked(diff, "+") == ["tomorrow morning"]
    assert (diff.deleted, diff.inserted) == (1, 2) and summary_text(diff) == "1 word removed, 2 added"
    assert to_html(diff) == "Sorry, a courier will call you <del>today</del><ins>tomorrow morning</ins>."
    assert to_html(word_diff("a b c", "a c")) == "a <del>b</del> c"  # the space stays outside the mark
    assert to_html(word_diff("a b", "a")) == "a <del>b</del>"  # A's space, not "a<del>b</del>"


def test_contractions_and_numbers_are_one_token():
    diff = word_diff("I'm sorry, we open at 8:30 and refund €1,250.00.",
                     "I am sorry, we open at 9:00 and refund €1,250.00.")
    assert marked(diff, "-") == ["I'm", "8:30"] and marked(diff, "+") == ["I am", "9:00"]


def test_words_are_counted_apart_from_punctuation():
    diff = word_diff("See our page.", "See our page [here](http://x).")
    assert (diff.deleted, diff.inserted) == (0, 3)  # here, http, x: not the nine brackets and slashes
    assert summary_text(word_diff("Done.", "Done!")) == "punctuation or symbols only"
    assert summary_text(word_diff("a b c", "a")) == "2 words removed, 0 added"


def test_the_same_text_has_no_diff_and_spacing_alone_is_said_so():
    assert word_diff("Same reply.", "Same reply.") is None
    diff = word_diff("Hello,\n\nwe will call.", "Hello, we  will call.")
    assert diff is not None and not diff.changed
    assert "spacing or line breaks" in summary_text(diff) and "spacing" in to_markdown(diff)


@pytest.mark.parametrize("a, b, gone, new", [
    ("le café ouvert", "le cafe\u0301 fermé", ["café ouvert"], ["cafe\u0301 fermé"]),  # é composed, decomposed
    ("كَتَبَ الولدُ الرسالةَ", "كَتَبَ البنتُ الرسالةَ", ["الولدُ"], ["البنتُ"]),  # Arabic with its vowel marks
    ("शिक्षक आए", "शिक्षिका आई", ["शिक्षक आए"], ["शिक्षिका आई"]),  # Devanagari: vowel signs and virama
    ("שלום עולם", "שלום לכולם", ["עולם"], ["לכולם"]),  # Hebrew
    ("Thanks 👍🏽", "Thanks 👍🏿", ["👍🏽"], ["👍🏿"]),  # a skin tone stays on its emoji
    ("Family 👨\u200d👩\u200d👧 trip", "Family 👨\u200d👩\u200d👦 trip", ["👨\u200d👩\u200d👧"], ["👨\u200d👩\u200d👦"]),
    ("Shipped to 🇫🇷", "Shipped to 🇫🇮", ["🇫🇷"], ["🇫🇮"]),  # a flag is a pair: never half of one
    ("我们会退款", "我们不会退款", [], ["不"]),  # no spaces: one character at a time, not the whole sentence
])
def test_unicode_letters_marks_and_emoji_are_never_split(a, b, gone, new):
    diff = word_diff(a, b)
    assert marked(diff, "-") == gone and marked(diff, "+") == new
    for _, toks in diff.pieces:
        for token in toks:
            first = token.key[0]
            assert unicodedata.category(first)[0] != "M" and first not in "\u200d\U0001f3fd\U0001f3ff", token
    # Nothing lost or added: the B side of the diff is reply B's words, in order.
    b_side = "".join(t.key for op, toks in diff.pieces if op in "=+" for t in toks)
    assert b_side == "".join(t.key for t in tokens(b))


def test_rtl_text_keeps_its_logical_order_and_a_bidi_override_is_shown_not_obeyed():
    diff = word_diff("مرحبا بك في متجرنا", "مرحبا بك في متجرنا الجديد")
    assert to_html(diff) == "مرحبا بك في متجرنا <ins>الجديد</ins>"
    # U+202E would reverse the rest of the line, marks and all; as text it is shown, and it reorders nothing.
    sneaky = word_diff("Refund approved.", "Refund \u202edevorppa\u202c approved.")
    assert "\u202e" not in to_html(sneaky) and "⟨U+202E⟩" in to_html(sneaky) and "⟨U+202C⟩" in to_html(sneaky)
    assert "\u202e" not in to_markdown(word_diff("a", "a \u202eb", coarse=True))
    assert "⟨U+200B⟩" in to_html(word_diff("ok", "ok\u200b"))  # an insertion one could not see otherwise


def test_html_like_reply_text_is_escaped_in_every_piece():
    diff = word_diff("<b>Hi</b> & bye", "<script>alert(1)</script> &amp; bye <img src=x onerror=y>")
    html = to_html(diff)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert set(re.findall(r"</?(\w+)", html)) <= {"del", "ins", "span"}
    # Without the deletions and the marks, the page reads reply B as typed (its "&amp;" too).
    b_side = unescape(re.sub(r"</?(ins|del)>", "", re.sub(r"<del>.*?</del>", "", html)))
    assert b_side.split() == "<script>alert(1)</script> &amp; bye <img src=x onerror=y>".split()


def test_markdown_marks_render_as_strike_and_bold_and_reply_markup_stays_text():
    mdit = pytest.importorskip("markdown_it")
    a = "Please *do not* reply to [this](http://x) `now` ~~ok~~ | <b>x</b>, ok?"
    b = "Please reply to [this](http://x) `now` ~~ok~~ | <b>x</b>, today?"
    line = to_markdown(word_diff(a, b, coarse=True))
    html = mdit.MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(line)
    assert re.findall(r"<s>(.*?)</s>", html) == ["*do not*", "ok?"]
    assert re.findall(r"<strong>(.*?)</strong>", html) == ["today?"]
    assert "<em>" not in html and "<a " not in html and "<code>" not in html and "<b>" not in html
    assert md_text("*a* _b_") == r"\*a\* \_b\_"
    # A piece bounded by punctuation still renders (GitHub's flanking rules want a space outside each mark).
    html = mdit.MarkdownIt("commonmark").enable("strikethrough").render(
        to_markdown(word_diff("Call (today).", "Call (tomorrow).", coarse=True)))
    assert "<s>(today).</s>" in html and "<strong>(tomorrow).</strong>" in html


def test_markdown_line_is_short_and_keeps_only_context_around_changes():
    a = " ".join(f"w{i}" for i in range(400))
    b = a.replace("w200", "CHANGED")
    line = to_markdown(word_diff(a, b, coarse=True))
    assert "~~w200~~ **CHANGED**" in line and len(line) < 200 and "w10 " not in line and "…" in line
    many = to_markdown(word_diff(a, " ".join(f"x{i}" for i in range(400)), coarse=True))
    assert len(many) < 700 and many.endswith("(more in diff.html)")


def _similar_pair(n_words: int, every: int, seed: int = 3) -> tuple[str, str]:
    rng = random.Random(seed)
    common = "the a to of and you your we order refund , .".split()
    words = [rng.choice(common) if rng.random() < 0.4 else f"{rng.choice('abcdefgh')}{rng.randrange(900)}"
             for _ in range(n_words)]
    changed = [("zz" if i % every == 0 else w) for i, w in enumerate(words)]
    return " ".join(words), " ".join(changed)


def test_a_long_reply_with_a_small_change_is_compact_and_not_cut():
    a, _ = _similar_pair(2500, 10 ** 9)
    middle = a.index(" ", len(a) // 2)
    b = a[:middle] + " INSERTED" + a[middle:]
    diff = word_diff(a, b)
    assert len(a) > 10_000 and diff.cut is None and marked(diff, "+") == ["INSERTED"]
    html = to_html(diff)
    assert len(html) < 600 and html.count('class="wd-gap"') == 2  # the unchanged stretches are folded


def test_a_10000_character_reply_rewritten_word_by_word_is_compared_whole():
    a, b = _similar_pair(2400, 2)  # every other word changed (~0.1 s; the cost is bounded by MAX_TOKENS, below)
    diff = word_diff(a, b)
    assert len(a) > 10_000 and diff.cut is None and diff.deleted > 500


def test_long_replies_are_compared_up_to_the_cap_and_say_when_they_were_cut():
    a, b = _similar_pair(6000, 7)  # ~30,000 characters, a change every 7 words
    diff = word_diff(a, b)
    assert diff.cut is not None and diff.cut[0] > 0 and diff.cut[1] > 0
    html = to_html(diff)
    assert "not compared" in html and f"first {MAX_TOKENS:,}" in html and "cut" in summary_text(diff)
    assert "not compared" in to_markdown(word_diff(a, b, coarse=True, limit=50), max_chars=10 ** 6)
    # What was compared is marked; what follows the cut is not claimed to be the same.
    assert diff.deleted > 100 and diff.pieces[-1][0] in ("cut", "=")
    small = word_diff(a, b, limit=100)
    assert small.cut == (len(tokens(a)) - 100 - _common(a, b), len(tokens(b)) - 100 - _common(a, b))


def _common(a: str, b: str) -> int:
    ta, tb = tokens(a), tokens(b)
    start = 0
    while ta[start].key == tb[start].key:
        start += 1
    end = 0
    while ta[-1 - end].key == tb[-1 - end].key:
        end += 1
    return start + end
