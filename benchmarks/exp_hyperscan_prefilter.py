"""Experiment: the phrase matcher's candidate search done by Hyperscan in prefilter mode.

Not part of the harness (measured, not adopted: see benchmarks/HISTORY.md,
2026-11-24 evening). Needs ``pip install hyperscan`` in the venv. Run:
``.venv/bin/python benchmarks/exp_hyperscan_prefilter.py`` and compare its
figures with ``benchmarks/bench_checks.py`` run just before or after.

Hyperscan does not support look-arounds and its classes differ from ``re``'s
outside ASCII, so each alternative is rewritten into a pattern matching
wherever the original does (a superset): look-arounds, ``\\b`` and anchors
dropped; the text scanned as ASCII with every other character replaced by
``?`` (same length, same offsets), every item that could match such a
character also matching ``?``; a match's optional tail dropped, so it ends
inside the original match (in the same sentence) and fewer ends are reported.
``re`` then searches each alternative only in the sentences where a
prefilter match ends. Before timing, the spans are compared with the shipped
matcher's on every corpus reply.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from pathlib import Path
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

import hyperscan as _hs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_checks  # noqa: E402
from harness.checks import phrases as ph  # noqa: E402
from harness.checks.phrase_index import breaks  # noqa: E402


_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "
_ESCAPE = re.compile(r"[^A-Za-z0-9_ ]")
_MAX_REPEAT = 1000  # a larger bound (or none) is written unbounded


def ascii_view(text: str) -> bytes:
    """``text`` as ASCII bytes of the same length, each other character replaced by ``?``."""
    return text.encode("ascii", "replace")


def _literal(code: int) -> str:
    if code > 127:
        return r"\?"
    char = chr(code)
    return "\\" + char if _ESCAPE.match(char) else char


def _class_item(op: object, av: object) -> tuple[str, bool]:
    """One item of a character class as Hyperscan class syntax, and whether it may match a non-ASCII character."""
    if op is C.LITERAL:
        return (r"\?" if av > 127 else f"\\x{av:02x}"), av > 127  # type: ignore[operator]
    if op is C.RANGE:
        low, high = av  # type: ignore[misc]
        if low > 127:
            return r"\?", True
        return f"\\x{low:02x}-\\x{min(high, 127):02x}", high > 127
    if op is C.CATEGORY:
        return {
            C.CATEGORY_DIGIT: (r"\d", True), C.CATEGORY_NOT_DIGIT: (r"\D", True),
            C.CATEGORY_WORD: (r"\w", True), C.CATEGORY_NOT_WORD: (r"\W", True),
            C.CATEGORY_SPACE: (_SPACE, True), C.CATEGORY_NOT_SPACE: (r"\x21-\x7e\x00-\x08\x0e-\x1b\x7f", True),
        }[av]
    raise ValueError(f"unsupported class item {op}")


def _class(items: list) -> str:
    negated = bool(items) and items[0][0] is C.NEGATE
    if negated:
        items = items[1:]
    parts, wide = [], False
    for op, av in items:
        text, may_be_wide = _class_item(op, av)
        parts.append(text)
        wide = wide or may_be_wide
    if negated:
        # A negated class matches any non-ASCII character it does not list: "?" stays allowed.
        return "[^" + "".join(p for p in parts if p != r"\?") + "]" if parts else "[\\x00-\\x7f]"
    if wide and r"\?" not in parts:
        parts.append(r"\?")
    return "[" + "".join(parts) + "]"


def _item(op: object, av: object) -> str:
    if op is C.LITERAL:
        return _literal(av)  # type: ignore[arg-type]
    if op is C.NOT_LITERAL:
        return f"[^\\x{av:02x}]" if av <= 127 else "[\\x00-\\x7f]"  # type: ignore[operator]
    if op is C.ANY:
        return "[^\\n]"
    if op is C.IN:
        return _class(av)  # type: ignore[arg-type]
    if op is C.AT:
        return ""  # ^, $, \b, \B, \A, \Z: dropped (each only forbids)
    if op in (C.ASSERT, C.ASSERT_NOT):
        return ""  # look-arounds: dropped
    if op is C.SUBPATTERN:
        return "(?:" + _sequence(av[-1]) + ")"  # type: ignore[index]
    if op is C.ATOMIC_GROUP:
        return "(?:" + _sequence(av) + ")"
    if op is C.BRANCH:
        return "(?:" + "|".join(_sequence(b) for b in av[1]) + ")"  # type: ignore[index]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, high, body = av  # type: ignore[misc]
        inner = "(?:" + _sequence(body) + ")"
        if high is C.MAXREPEAT or high > _MAX_REPEAT:
            return inner + ("*" if low == 0 else "+" if low == 1 else f"{{{min(low, _MAX_REPEAT)},}}")
        return inner + f"{{{low},{high}}}"
    if op is C.GROUPREF or op is C.GROUPREF_EXISTS:
        return "[\\x00-\\x7f]*"  # what the group matched: anything
    raise ValueError(f"unsupported regex item {op}")


def _sequence(items: object) -> str:
    return "".join(_item(op, av) for op, av in items)  # type: ignore[union-attr]


def superset_form(pattern: str) -> str | None:
    """A Hyperscan pattern (on :func:`ascii_view` text) matching wherever ``pattern`` matches in the
    text; None when it could match an empty string (then every sentence is a candidate)."""
    tree = P.parse(pattern)
    if tree.getwidth()[0] == 0:  # zero-width items dropped, the rest could still match nothing
        return None
    return _sequence(_shortest_tail(list(tree)))


def _shortest_tail(items: list) -> list:
    """``items`` less what a match may end without: a match of the result ends inside every
    match of ``items`` (so in the same sentence), and the scan reports fewer ends."""
    while items:
        op, av = items[-1]
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            items.pop()
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _high, body = av
            if low == 0:
                items.pop()
            else:
                items[-1] = (C.MAX_REPEAT, (low, low, body))
                return items
        elif op is C.SUBPATTERN:
            items[-1] = (op, (*av[:-1], _shortest_tail(list(av[-1]))))
            return items
        elif op is C.BRANCH:
            items[-1] = (op, (av[0], [_shortest_tail(list(b)) for b in av[1]]))
            return items
        else:
            return items
    return items


class Prefilter:
    """Hyperscan database over a list of patterns: :meth:`ends` gives, per pattern index, where matches may end.

    Patterns :func:`superset_form` cannot bound (or Hyperscan refuses) are in
    ``always``: candidates everywhere.
    """

    def __init__(self, patterns: list[str]) -> None:
        forms, ids, self.always = [], [], []
        for i, pattern in enumerate(patterns):
            form = superset_form(pattern)
            if form is None or not _compiles(form):
                self.always.append(i)
            else:
                forms.append(form.encode("ascii"))
                ids.append(i)
        self._db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        flags = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_ALLOWEMPTY
        self._db.compile(expressions=forms, ids=ids, flags=[flags] * len(forms))
        self._scratch = _hs.Scratch(self._db)

    def ends(self, text: str) -> list[tuple[int, int]]:
        """``(pattern index, end offset)`` of every place a match may end in ``text``."""
        hits: list[tuple[int, int]] = []
        add = hits.append

        def on_match(pattern_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
            add((pattern_id, end))

        self._db.scan(ascii_view(text), match_event_handler=on_match, scratch=self._scratch)
        return hits


def _compiles(form: str) -> bool:
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[form.encode("ascii")], ids=[0],
                   flags=[_hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_ALLOWEMPTY])
    except _hs.error:
        return False
    return True


def _scan_prefiltered(group: ph._Group, text: str) -> list:
    """The group's spans in ``text``, each alternative searched only where the prefilter says it may end."""
    built = _BUILT.get(id(group))
    if built is None:
        alt_ids = [alt for alt in range(len(ph._SOURCE)) if group.mask >> alt & 1]
        built = _BUILT[id(group)] = (Prefilter([ph._SOURCE[alt] for alt in alt_ids]), alt_ids)
    prefilter, alt_ids = built
    hits = prefilter.ends(text)
    if not hits and not prefilter.always:
        return group._empty
    bounds = breaks(text)
    starts = [0, *(start for start, _ in bounds)]
    ends = [*(end for _, end in bounds), len(text)]
    last = len(ends) - 1
    todo: set[tuple[int, int]] = set()
    for index, end in hits:
        i = bisect_left(ends, end)
        todo.add((i, alt_ids[index]))
        if i < last and starts[i + 1] < end:  # an end inside a break: either sentence
            todo.add((i + 1, alt_ids[index]))
    for index in prefilter.always:
        todo.update((i, alt_ids[index]) for i in range(last + 1))
    found: dict[int, set] = {}
    for i, alt in todo:
        regex = ph._REGEX[alt] or ph._compile(alt)
        first = regex.search(text, starts[i], ends[i])
        if first is not None:
            ph._add_matches(regex, text, first, ends[i], ph._ORDER[alt], found.setdefault(ph._SLOT[alt], set()),
                            ph._KEYS[alt])
    result = list(group._empty)
    for slot, matches in found.items():
        if matches:
            result[slot] = ph._leftmost(matches)
    return result


_BUILT: dict[int, tuple[Prefilter, list[int]]] = {}


def main() -> None:
    import time

    from harness.checks.base import registry
    from harness.checks.text import analyze

    registry()
    ph._index_pending()
    start = time.process_time()
    for group in ph._GROUPS.values():
        alt_ids = [alt for alt in range(len(ph._SOURCE)) if group.mask >> alt & 1]
        _BUILT[id(group)] = (Prefilter([ph._SOURCE[a] for a in alt_ids]), alt_ids)
    print(f"Hyperscan databases compiled in {time.process_time() - start:.2f} s CPU")
    texts = [analyze(r).norm for r in bench_checks.make_replies(2000, seed=11)]
    texts += [analyze(r).norm for _, r in bench_checks.recorded_pairs(2000, seed=11)]
    differ = [text for group in ph._GROUPS.values() for text in texts
              if _scan_prefiltered(group, text) != group._scan(text)]
    print(f"spans differ from the shipped matcher's on {len(differ):,} of {len(texts):,} replies")
    for text in differ[:3]:
        print(f"  {text!r}")
    # The smallest case found (2026-11-24): Hyperscan reports no match at all here.
    pattern = (r"(?:you|u)(?:'re|[\t\n\x0b\x0c\r\x1c-\x1f \?]+are|[\t\n\x0b\x0c\r\x1c-\x1f \?]+r)?"
               r"[\t\n\x0b\x0c\r\x1c-\x1f \?]+(?:can|could|may|welcome to|free to|able to|entitled to)"
               r"[\t\n\x0b\x0c\r\x1c-\x1f \?]+[a-z]")
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    db.compile(expressions=[pattern.encode()], ids=[0], flags=[0])
    sample = ",          ! you can t the account?"
    ends: list[int] = []
    db.scan(sample.encode(), match_event_handler=lambda *hit: ends.append(hit[2]))
    print(f"re finds {re.search(pattern, sample)!r} in {sample!r}; Hyperscan reports match ends {ends}")
    ph._Group._scan = _scan_prefiltered  # type: ignore[method-assign]
    bench_checks.main()


if __name__ == "__main__":
    main()
