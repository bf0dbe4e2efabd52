"""Lower-casing and masking a reply without moving any offset.

``lower`` is the reply lower-cased with curly quotes made straight; ``norm`` is
``lower`` with @handles, URLs and signatures ("^JD") blanked out. Both have the
length of the original, so an offset found in either indexes the reply too.
:class:`~harness.checks.text.ReplyText` reads a reply through :func:`masked_forms`.
"""

from __future__ import annotations

import re

Range = tuple[int, int]

# One character in, one character out: offsets must survive normalisation.
_STRAIGHTEN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\uff1f": "?", "\uff01": "!", "\u3002": ".",
})

# Several patterns below open with a literal character and check what precedes it
# with a look-behind ("@(?<![\w@]@)" for "(?<![\w@])@"): the same matches, but
# ``re`` jumps from one candidate character to the next instead of trying every
# position. ``\b`` + character is spelled character + ``(?<=\b`` character ``)``.
_URL = re.compile(r"h(?<=\bh)ttps?://\S+|w(?<=\bw)ww\.\S+"
                  r"|[a-z0-9-](?<=\b[a-z0-9-])[a-z0-9-]*\.(?:com|ly|co|org|net|io|me|uk)/\S*")
# Every URL holds one of these; most replies hold none.
_URL_HINT = re.compile(r"://|www\.|\.(?:com|ly|co|org|net|io|me|uk)/")
_HANDLE = re.compile(r"@(?<![\w@]@)\w+")
# Twitter-style agent signatures: "^JD", "^ JD", "-JD" or "- Sam" ending a line.
_SIGNATURE = re.compile(r"\^\s?[A-Za-z]{1,4}\b|(?:^|\s)[-\u2013\u2014~]\s?[A-Z][A-Za-z]{0,14}\s*$", re.M)
# Where a signature may start: its "^", or the dash of the second kind (just after its whitespace).
# (One character class first: ``re`` then skips from one candidate to the next.)
_SIGNATURE_START = re.compile(r"[\^\-\u2013\u2014~](?:(?<=\^)|(?=\s?[A-Z]))")
_SIGNATURE_MARKS = ("^", "-", "\u2013", "\u2014", "~")  # one opens every signature
_SPACE = re.compile(r"\s")


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (e.g. "İ") lower-case to two code points; keep one.
    return "".join(ch.lower()[:1] or ch for ch in text)


_CURLY = re.compile("[" + "".join(map(re.escape, map(chr, _STRAIGHTEN))) + "]")


def lowered(text: str) -> str:
    """``text`` lower-cased with quotes straightened, keeping its length (the ``lower`` of a reply)."""
    lower = _lower_same_length(text)
    if lower.isascii():  # known at once; "`" is the one ASCII character straightened
        return lower.replace("`", "'") if "`" in lower else lower
    # translate() looks every character up; replacing the few that occur is much cheaper.
    for char in set(_CURLY.findall(lower)):
        lower = lower.replace(char, _STRAIGHTEN[ord(char)])
    return lower


def _blank(text: str, ranges: list[Range]) -> str:
    """``text`` with every character inside one of ``ranges`` made a space."""
    if not ranges:
        return text
    pieces, done = [], 0
    for start, end in sorted(ranges):
        start = max(start, done)
        if end > start:
            pieces += (text[done:start], " " * (end - start))
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


def match_ranges(pattern: re.Pattern[str], text: str) -> list[Range]:
    """The span of every match of ``pattern`` in ``text``."""
    return [m.span() for m in pattern.finditer(text)]


def _url_ranges(lower: str) -> list[Range]:
    """``match_ranges(_URL, lower)``, scanning only the whitespace-free chunks that hold a URL hint.

    A URL match holds no whitespace and holds a hint (:data:`_URL_HINT`), so each
    lies in one whitespace-free chunk with a hint; scanning each such chunk whole
    (from its start, with the text before still visible to look-behinds) finds
    the same matches as scanning the text: no match runs past a chunk.
    """
    found: list[Range] = []
    done = 0
    for hint in _URL_HINT.finditer(lower):
        at = hint.start()
        if at < done:
            continue  # in a chunk already scanned
        start = at
        while start and not lower[start - 1].isspace():
            start -= 1
        space = _SPACE.search(lower, at)
        done = space.start() if space else len(lower)
        found += [m.span() for m in _URL.finditer(lower, start, done)]
    return found


def _signature_ranges(original: str) -> list[Range]:
    """``match_ranges(_SIGNATURE, original)``, trying only where a signature may start.

    A match starts at a "^", or at or just before (the whitespace of ``\\s``) a dash
    followed by an optional space and a capital: :data:`_SIGNATURE_START` finds
    each such place. Trying ``match`` at those places left to right, past the end
    of each match, finds the same matches as ``finditer`` (none is empty, and
    ``^``/``$`` see the whole text whatever the start).
    """
    found: list[Range] = []
    done = 0
    for hint in _SIGNATURE_START.finditer(original):
        at = hint.start()
        for start in ((at,) if original[at] == "^" else (at - 1, at) if at else (at,)):
            if start >= done:
                m = _SIGNATURE.match(original, start)
                if m:
                    found.append(m.span())
                    done = m.end()
    return found


def masked_forms(original: str) -> tuple[str, list[Range], str]:
    """``(lower, urls, norm)`` of a reply: :func:`lowered`, where its URLs are, and ``lower`` with the
    URLs, @handles and signatures blanked."""
    lower = lowered(original)
    # Cheap tests first: each pattern needs a character most replies lack, and a scan is slow.
    # Every URL hint holds "/" or "www." (a substring search is much cheaper than a scan).
    urls = _url_ranges(lower) if "/" in lower or "www." in lower else []
    masked = urls + (match_ranges(_HANDLE, lower) if "@" in lower else [])
    if any(mark in original for mark in _SIGNATURE_MARKS):
        masked += _signature_ranges(original)
    return lower, urls, _blank(lower, masked)
