"""What changed between reply A and reply B, word by word, for ``diff.html`` and ``diff.md``.

A reply is cut into tokens: words (letters, digits and their combining marks, so an Arabic or Hindi word
with its vowel signs is one token; ``I'm`` and ``8:30`` are one too), punctuation and symbols one
character each (an emoji sequence joined by ZWJ, a skin tone or a flag pair stays one), and one token per
character of the scripts written without spaces (Chinese, Japanese, Thai). Each token carries the
whitespace after it. ``difflib`` compares the tokens alone, not their whitespace (a reply whose words are
all the same reads "spacing or line breaks only"): whitespace would be the commonest token by far, and
difflib matches its way through common tokens slowly and badly.

Cost is bounded: the common start and end are taken off first (linear), then at most :data:`MAX_TOKENS`
tokens of each side's differing middle are compared, and the rest is named as not compared, never
silently dropped. difflib's "autojunk" stays on: in a middle of 200 tokens or more, a token making up
over 1% of B (the, a, commas) cannot start a match, only extend one. Measured on 2,000-word replies
with a change every few words, that is 80 times faster and marks fewer tokens than without it (greedy
matching on common words misaligns), and shorter replies are not affected. Markdown uses coarser tokens
(runs without whitespace) so every marked piece starts and ends at a space, where GitHub's ``~~`` and
``**`` are sure to apply.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from harness.report.html_parts import esc
from harness.report.html_text import visible
from harness.report.markdown import md_escape

MAX_TOKENS = 3000  # per side of the differing middle, some 15,000 characters: 0.1 s for a 10,000-character
# reply with every other word changed (measured), far less for a few edits
HTML_CONTEXT = 12  # unchanged tokens kept on each side of a change in the compact view
MD_CONTEXT = 5
MD_CHARS = 500  # a Markdown "changes" line stops at the piece that passes this

# Scripts written without spaces: one token per character, else a whole sentence would be one "word".
_SPACELESS = "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A number keeps its separators (8:30, 1,250.00) and a word its apostrophes (I'm, don’t): "I'm" read as
# three tokens would mark "'m" alone where "I'm" became "I am".
_FINE = re.compile(rf"([{_SPACELESS}]|\d+(?:[.,:]\d+)+|\w+(?:['’]\w+)*|[^\w\s])(\s*)")
_ONE_CHAR = re.compile(f"[{_SPACELESS}]")
_COARSE = re.compile(r"(\S+)(\s*)")
_ZWJ = "\u200d"
# Invisible characters shown as their code point: a bidi override or isolate would reorder the rest of the
# line, marks included, and a zero-width space alone in an insertion would mark nothing one can see.
_HIDDEN = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Token:
    key: str  # what is compared
    text: str  # what is shown: the token and the whitespace after it
    a_text: str | None = None  # in an unchanged piece (shown as B writes it): how A writes it
    b_text: str | None = None  # set where the shown text took A's space (_spaced): how B writes it


@dataclass(frozen=True)
class WordDiff:
    """``pieces``: ``(op, tokens)`` in reading order, op ``=`` (in both), ``-`` (A only), ``+`` (B only) or
    ``cut`` (not compared; ``cut`` then holds how many tokens of A and of B that leaves out). ``deleted`` and
    ``inserted`` count words (tokens with a letter or digit), not punctuation or symbols."""

    pieces: tuple[tuple[str, tuple[Token, ...]], ...]
    deleted: int
    inserted: int
    cut: tuple[int, int] | None = None
    limit: int = MAX_TOKENS
    marked: bool = True  # some token is only in A or only in B

    @property
    def changed(self) -> bool:
        """False when only spacing or line breaks differ."""
        return bool(self.marked or self.cut)


def _joins(char: str) -> bool:
    """A character drawn onto the one before it: a combining mark, a joiner, a variation selector, a skin
    tone, an emoji tag. Splitting before one would break a letter or an emoji in two."""
    return (unicodedata.category(char)[0] == "M" or char in "\u200c\u200d" or "\ufe00" <= char <= "\ufe0f"
            or "\U0001f3fb" <= char <= "\U0001f3ff" or "\U000e0020" <= char <= "\U000e007f")


def _flag_half(token: str) -> bool:
    return len(token) == 1 and "\U0001f1e6" <= token <= "\U0001f1ff"


def _glues(prev: str, prev_ws: str, token: str, word: bool, prev_word: bool) -> bool:
    if prev_ws:
        return False
    if _joins(token[0]) or prev.endswith(_ZWJ) or (_flag_half(prev) and _flag_half(token)):
        return True
    return word and prev_word and _joins(prev[-1])  # a word goes on after its vowel sign (كَتَبَ is one word)


def tokens(text: str, coarse: bool = False) -> list[Token]:
    """``text`` as tokens (see the module's docstring); leading whitespace is dropped."""
    if coarse:
        return [Token(m.group(1), m.group(0)) for m in _COARSE.finditer(text)]
    out: list[list] = []  # [token, whitespace, is a word]
    for match in _FINE.finditer(text):
        token, space = match.group(1), match.group(2)
        word = len(token) > 1 or token.isalnum()
        if out and _glues(out[-1][0], out[-1][1], token, word, out[-1][2]):
            out[-1][0] += token
            out[-1][1] = space
        else:
            out.append([token, space, word and not _ONE_CHAR.match(token)])
    return [Token(token, token + space) for token, space, _ in out]


_Piece = tuple[str, tuple[Token, ...], "Token | None"]  # op, tokens, A's last token of an unchanged piece


def _common_ends(a: list[Token], b: list[Token]) -> tuple[int, int]:
    """How many tokens the two sides share at the start, and then at the end."""
    start = 0
    while start < len(a) and start < len(b) and a[start].key == b[start].key:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end].key == b[-1 - end].key:
        end += 1
    return start, end


def reply_diff(a: str, b: str) -> WordDiff | None:
    """The one word diff of two replies that diff.html and diff.md both show, compared as shown (an
    invisible control character reads as its code point); diff.md widens its marks with :func:`coarsened`,
    so both pages align the replies the same way."""
    return word_diff(visible(a), visible(b))


def word_diff(a: str, b: str, *, coarse: bool = False, limit: int = MAX_TOKENS) -> WordDiff | None:
    """How ``b`` differs from ``a``; None when they are the same text. ``coarse``: the same alignment with
    its marks widened to whole space-separated words (:func:`coarsened`), for Markdown."""
    if a == b:
        return None
    if coarse:
        fine = word_diff(a, b, limit=limit)
        return coarsened(fine) if fine is not None else None
    ta, tb = tokens(a), tokens(b)
    start, end = _common_ends(ta, tb)
    mid_a, mid_b = ta[start:len(ta) - end], tb[start:len(tb) - end]
    cut = (max(len(mid_a) - limit, 0), max(len(mid_b) - limit, 0))
    mid_a, mid_b, rest_a, rest_b = mid_a[:limit], mid_b[:limit], mid_a[limit:], mid_b[limit:]
    pieces: list[_Piece] = [("=", _both(ta[:start], tb[:start]), ta[start - 1] if start else None)]
    matcher = difflib.SequenceMatcher(None, [t.key for t in mid_a], [t.key for t in mid_b])  # autojunk: above
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("=", _both(mid_a[i1:i2], mid_b[j1:j2]), mid_a[i2 - 1]))
        else:
            pieces += [("-", tuple(mid_a[i1:i2]), None), ("+", tuple(mid_b[j1:j2]), None)]
    if any(cut):
        pieces.append(("cut", (), None))
    pieces.append(("=", _both(ta[len(ta) - end:], tb[len(tb) - end:]), None))
    kept = tuple(_merged(_spaced([p for p in pieces if p[1] or p[0] == "cut"])))
    count = {op: sum(1 for o, toks in kept if o == op for t in toks if _is_word(t.key)) for op in "-+"}
    marks = any(o in "-+" for o, _ in kept)
    return WordDiff(kept, count["-"], count["+"], cut if any(cut) else None, limit, marks)


def coarsened(diff: WordDiff) -> WordDiff:
    """``diff`` with every marked stretch widened to the space-separated words it touches, each word one
    token: Markdown's ``~~`` and ``**`` then start and end at a space, where GitHub applies them. The
    alignment (which words match) is the fine diff's, so diff.md and diff.html agree; counts stay fine."""
    out: list[tuple[str, tuple[Token, ...]]] = []
    segment: list[tuple[str, Token]] = []
    last_a = last_b = " "
    for op, toks in diff.pieces:
        if op == "cut":
            out += _flushed(segment) + [("cut", ())]
            segment = []
            continue
        for token in toks:
            if last_a[-1:].isspace() and last_b[-1:].isspace():  # both sides are between words
                out += _flushed(segment)
                segment = []
            segment.append((op, token))
            last_a = _a_side(token).text if op in "=-" else last_a
            last_b = _b_side(token).text if op in "=+" else last_b
    out += _flushed(segment)
    return WordDiff(tuple(_merged(out)), diff.deleted, diff.inserted, diff.cut, diff.limit, diff.marked)


def _flushed(segment: list[tuple[str, Token]]) -> list[tuple[str, tuple[Token, ...]]]:
    """A stretch between spaces: unchanged when nothing in it is marked, else A's words then B's."""
    if not segment:
        return []
    if all(op == "=" for op, _ in segment):
        return [("=", _words([t for _, t in segment]))]
    a = _words([_a_side(t) for op, t in segment if op != "+"])
    b = _words([_b_side(t) for op, t in segment if op != "-"])
    return [piece for piece in (("-", a), ("+", b)) if piece[1]]


def _a_side(token: Token) -> Token:
    """An unchanged token as A writes it (its own spacing)."""
    return token if token.a_text is None else Token(token.key, token.a_text)


def _b_side(token: Token) -> Token:
    return token if token.b_text is None else Token(token.key, token.b_text)


def _words(toks: list[Token]) -> tuple[Token, ...]:
    """Fine tokens joined into space-separated words (each a token, its whitespace after it)."""
    words, text = [], ""
    for token in toks:
        text += token.text
        if token.text[-1:].isspace():
            words.append(Token(text.strip(), text))
            text = ""
    if text:
        words.append(Token(text.strip(), text))
    return tuple(w for w in words if w.key)


def _both(a: list[Token], b: list[Token]) -> tuple[Token, ...]:
    """Matched tokens as B writes them, each knowing A's spacing (for :func:`coarsened`)."""
    return tuple(Token(tb.key, tb.text, ta.text) for ta, tb in zip(a, b))


def _is_word(key: str) -> bool:
    return any(c.isalnum() for c in key)


def _spaced(pieces: list[_Piece]) -> list[tuple[str, tuple[Token, ...]]]:
    """Unchanged tokens read as B writes them; but where a deletion follows and B runs its last unchanged
    token into what comes next while A spaced it, A's space: ``a <del>b</del>``, not ``a<del>b</del>``."""
    out = []
    for i, (op, toks, a_last) in enumerate(pieces):
        deletion_next = i + 1 < len(pieces) and pieces[i + 1][0] == "-"
        if op == "=" and deletion_next and a_last and toks[-1].text == toks[-1].key and a_last.text != a_last.key:
            toks = (*toks[:-1], Token(a_last.key, a_last.text, a_last.text, toks[-1].text))
        out.append((op, toks))
    return out


def _merged(pieces: list[tuple[str, tuple[Token, ...]]]) -> list[tuple[str, tuple[Token, ...]]]:
    out: list[tuple[str, tuple[Token, ...]]] = []
    for op, toks in pieces:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + toks)
        else:
            out.append((op, toks))
    return out


def shown(text: str) -> str:
    """``text`` with each invisible control character (see ``_HIDDEN``) as ``⟨U+202E⟩``."""
    return _HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def _html(text: str) -> str:
    return esc(shown(text))


def _html_equal(toks: tuple[Token, ...], first: bool, last: bool, context: int) -> str:
    """An unchanged stretch, kept whole when short, else only the ``context`` tokens next to a change."""
    head = () if first else toks[:context]
    tail = () if last else toks[-context:]
    if len(toks) <= len(head) + len(tail) + 3:
        return _html("".join(t.text for t in toks))
    hidden = len(toks) - len(head) - len(tail)
    gap = f'<span class="wd-gap" title="{hidden} unchanged words and marks">…</span>'
    before, after = _html("".join(t.text for t in head)), _html("".join(t.text for t in tail))
    return before + gap + (" " if tail else "") + after


def _html_marked(tag: str, toks: tuple[Token, ...]) -> str:
    text = "".join(t.text for t in toks)
    core = text.rstrip()
    return f"<{tag}>{_html(core)}</{tag}>{esc(text[len(core):])}"  # trailing space unmarked: no struck gap


def to_html(diff: WordDiff, context: int = HTML_CONTEXT) -> str:
    """The compact inline view: unchanged text shortened around the changes, ``<del>`` A only, ``<ins>`` B
    only, every piece of text escaped."""
    parts = []
    last = len(diff.pieces) - 1
    for i, (op, toks) in enumerate(diff.pieces):
        if op == "=":
            parts.append(_html_equal(toks, i == 0, i == last, context))
        elif op == "cut":
            parts.append(f'<span class="wd-gap">… {_cut_text(diff)} …</span> ')
        else:
            parts.append(_html_marked("del" if op == "-" else "ins", toks))
    return "".join(parts)


def _cut_text(diff: WordDiff) -> str:
    a, b = diff.cut or (0, 0)
    return (f"not compared: the rest of the differing part, {a:,} more words and marks of A and {b:,} of B "
            f"(only the first {diff.limit:,} of each are compared; both replies are shown in full above)")


def summary_text(diff: WordDiff) -> str:
    """``3 words removed, 5 added``, or what changed when no word did."""
    if not diff.changed:
        return "none: the replies differ only in spacing or line breaks"
    words = diff.deleted or diff.inserted
    plural = "" if diff.deleted == 1 else "s"
    text = f"{diff.deleted} word{plural} removed, {diff.inserted} added" if words else "punctuation or symbols only"
    return text + (" (cut: the replies are long)" if diff.cut else "")


def md_text(text: str) -> str:
    """Reply text safe in a Markdown line: no emphasis, strike, code or link from its characters, no raw
    HTML, no @mention, one line (:func:`~harness.report.markdown.md_escape`), its invisible characters shown."""
    return md_escape(shown(text))


def _fit(words: list[str], room: int) -> tuple[list[str], bool]:
    """The first of ``words`` that fit in ``room`` characters (at least one), and whether any were left."""
    used, kept = 0, []
    for word in words:
        if kept and used + len(word) + 1 > room:
            return kept, True
        kept.append(word)
        used += len(word) + 1
    return kept, False


def _md_piece(op: str, toks: tuple[Token, ...], first: bool, last: bool, context: int,
              room: int) -> tuple[str, bool]:
    """One piece as Markdown, and whether it was cut to fit ``room``."""
    words = [md_text(t.key) for t in toks]
    if op in "-+":
        kept, more = _fit(words, room)
        mark = "~~" if op == "-" else "**"
        return mark + " ".join(kept) + mark, more
    if op == "cut":
        return "… (the rest not compared: the replies are long)", False
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    if len(words) > len(head) + len(tail) + 2:
        words = head + ["…"] + tail
    kept, more = _fit(words, room)
    return " ".join(kept), more


def to_markdown(diff: WordDiff, context: int = MD_CONTEXT, max_chars: int = MD_CHARS) -> str:
    """One Markdown line: unchanged words shortened around the changes, ``~~A only~~ **B only**``; stops
    with ``… (more in diff.html)`` at about ``max_chars``."""
    if not diff.changed:
        return "_spacing or line breaks only_"
    out: list[str] = []
    used, last = 0, len(diff.pieces) - 1
    for i, (op, toks) in enumerate(diff.pieces):
        text, more = _md_piece(op, toks, i == 0, i == last, context, max(max_chars - used, 1))
        out.append(text)
        used += len(text) + 1
        if more or (used > max_chars and i < last):
            out.append("… (more in diff.html)")
            break
    return " ".join(p for p in out if p)
