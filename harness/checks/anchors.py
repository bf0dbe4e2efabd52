"""What literal text every match of a pattern must contain, read from its parse tree.

The phrase matcher (:mod:`harness.checks.phrases`) runs an alternative only in
sentences holding its *keys*: space-free pieces of literal strings that every
match contains ("calm", one of "have"/"need"). They are worked out here, once
per alternative at import, from ``re``'s parse tree. :func:`branch_keys` parses
each alternative once and derives everything from that one tree (parsing was
most of the cost of importing the checks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]  # parse-tree opcodes
from re import _parser as sre_parse  # type: ignore[attr-defined]

Anchors = frozenset[str]

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_RUN = object()  # the opcode :func:`_with_literal_runs` gives a run of literal characters
_MAX_ANCHORS = 64
_SPACE = re.compile(r"\s+")
_WORD_PIECE = re.compile(r"[a-z0-9']+")

# Words in nearly every reply: an anchor that is only these selects nothing.
WEAK_WORDS = frozenset("""
a an the to of in on at by for with from and or but not no is are was were be been am i we you u ur your our us me
my it its this that can could will would should have has had do does did get got ll ve re s m d t n't 'll 've 're
's 'm 'd there here what which when how if so as up out all any just also now then than very really please pls
""".split())


def _strength(anchor: str) -> int:
    """How selective ``anchor`` is: the length of its longest piece that is not a weak word."""
    return max((len(piece) for piece in _SPACE.split(anchor.strip()) if piece not in WEAK_WORDS), default=0)


def _better(a: Anchors | None, b: Anchors | None) -> Anchors | None:
    """The more selective anchor set: stronger weakest string, then fewer strings."""
    if a is None or b is None:
        return a if b is None else b
    key_a = (min(map(_strength, a)), -len(a))
    key_b = (min(map(_strength, b)), -len(b))
    return a if key_a >= key_b else b


def _branch_anchors(branches: list[object]) -> Anchors | None:
    found: set[str] = set()
    for branch in branches:
        anchors = _sequence_anchors(branch)
        if anchors is None:
            return None  # a branch with no literal text: nothing is required
        found |= anchors
    return frozenset(found) if len(found) <= _MAX_ANCHORS else None


def _item_anchors(op: object, av: object) -> Anchors | None:
    if op is sre.SUBPATTERN:
        return _sequence_anchors(av[-1])  # type: ignore[index]
    if op is sre.BRANCH:
        return _branch_anchors(av[1])  # type: ignore[index]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
        return _sequence_anchors(av[2])  # type: ignore[index]
    return None


def _with_literal_runs(items: object) -> Iterator[tuple[object, object]]:
    """The parsed ``items``, each run of consecutive literal characters joined into one ``(_RUN, text)``."""
    run = ""
    for op, av in items:  # type: ignore[attr-defined]
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            yield _RUN, run
            run = ""
        yield op, av
    if run:
        yield _RUN, run


def _sequence_anchors(items: object) -> Anchors | None:
    """Strings one of which every match of the parsed ``items`` contains (None: no such set)."""
    best: Anchors | None = None
    for op, av in _with_literal_runs(items):
        if op is _RUN:
            best = _better(best, frozenset([av]))  # type: ignore[list-item]
        elif op not in _ZERO_WIDTH:
            best = _better(best, _item_anchors(op, av))
    return best


def anchors_of(pattern: str) -> Anchors | None:
    """Literal strings, one of which every match of ``pattern`` contains."""
    return _sequence_anchors(sre_parse.parse(pattern))


def _sequence_groups(items: object) -> list[Anchors]:
    """Every set of literal strings of which each match of the parsed ``items`` holds one."""
    groups: list[Anchors] = []
    for op, av in _with_literal_runs(items):
        if op is _RUN:
            groups.append(frozenset([av]))  # type: ignore[list-item]
        elif op is sre.SUBPATTERN:
            groups += _sequence_groups(av[-1])  # type: ignore[index]
        elif op is sre.BRANCH:
            anchors = _branch_anchors(av[1])  # type: ignore[index]
            if anchors:
                groups.append(anchors)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            groups += _sequence_groups(av[2])  # type: ignore[index]
    return groups


def _required_words(tree: object) -> list[frozenset[str]]:
    found = []
    for group in _sequence_groups(tree):
        pieces = [_WORD_PIECE.findall(literal) for literal in group]
        if all(pieces):
            found.append(frozenset(max(p, key=lambda piece: (piece not in WEAK_WORDS, len(piece))) for p in pieces))
    return found


def required_words(pattern: str) -> list[frozenset[str]]:
    """For each literal every match of ``pattern`` needs (or set of literals it needs one of),
    the word pieces (runs of ``[a-z0-9']``) that stand for them: a match holds one piece of each set.

    Sets whose literals include one with no such piece are left out. A word piece
    of a match lies in one token of the match's sentence (tokens are runs of those
    characters, and a sentence's closing break holds none), so these extra keys
    narrow the candidates exactly as the main key does.
    """
    return _required_words(sre_parse.parse(pattern))


def _is_digit_item(op: object, av: object) -> bool:
    if op is sre.LITERAL:
        return chr(av).isdecimal()  # type: ignore[arg-type]
    if op is sre.IN:
        return all(item == (sre.CATEGORY, sre.CATEGORY_DIGIT)
                   or (item[0] is sre.LITERAL and chr(item[1]).isdecimal())
                   or (item[0] is sre.RANGE and "0" <= chr(item[1][0]) and chr(item[1][1]) <= "9")
                   for item in av)  # type: ignore[attr-defined]
    return False


def _sequence_needs_digit(items: object) -> bool:
    for op, av in items:  # type: ignore[attr-defined]
        if _is_digit_item(op, av):
            return True
        if op is sre.SUBPATTERN and _sequence_needs_digit(av[-1]):  # type: ignore[index]
            return True
        if op is sre.BRANCH and all(_sequence_needs_digit(b) for b in av[1]):  # type: ignore[index]
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and _sequence_needs_digit(av[2]):  # type: ignore[index]
            return True
    return False


def needs_digit(pattern: str) -> bool:
    """True when every match of ``pattern`` holds a decimal digit (``\\d``) among the characters it consumes."""
    return _sequence_needs_digit(sre_parse.parse(pattern))


def key(anchor: str) -> str | None:
    """The most selective space-free piece of ``anchor``: every text holding the anchor has a token holding it."""
    pieces = _SPACE.split(anchor.strip())
    return max(pieces, key=lambda piece: (piece not in WEAK_WORDS, len(piece))) or None


def _main_keys(anchors: Anchors | None) -> frozenset[str] | None:
    keys = None if anchors is None else {key(a) for a in anchors}
    return None if keys is None or None in keys else frozenset(keys)  # type: ignore[arg-type]


def main_keys(pattern: str) -> frozenset[str] | None:
    """The keys of ``pattern``'s anchors (:func:`key`); None when it has none, or one is empty."""
    return _main_keys(anchors_of(pattern))


def _selectivity(keys: frozenset[str]) -> tuple[int, int, int]:
    """How few sentences a key set is likely to select: fewer weak words first (one in nearly
    every sentence selects it), then a longer shortest key, then fewer keys. Which set drives
    changes no result (an alternative runs where every one of its sets is held), only how
    many candidates are turned away by the others."""
    weak = sum(k in WEAK_WORDS for k in keys)
    return -weak, min(0 if k in WEAK_WORDS else len(k) for k in keys), -len(keys)


@dataclass(frozen=True)
class BranchKeys:
    """What the phrase index needs to know about one alternative, from one parse of it.

    ``driver``: the key set that selects its candidate sentences (None: every
    sentence); ``others``: key sets a candidate sentence must also hold one of;
    ``needs_digit``: every match holds a digit; ``has_groups``: it has capturing groups.
    """

    driver: frozenset[str] | None
    others: tuple[frozenset[str], ...]
    needs_digit: bool
    has_groups: bool


def branch_keys(pattern: str) -> BranchKeys:
    """The :class:`BranchKeys` of ``pattern``.

    An alternative may match in a sentence whose tokens hold one of its main keys
    (:func:`main_keys`) and a word piece of every literal it needs
    (:func:`required_words`); the most selective of these sets drives the index.
    """
    tree = sre_parse.parse(pattern)
    main = _main_keys(_sequence_anchors(tree))
    sets = ([main] if main is not None else []) + _required_words(tree)
    driver = max(sets, key=_selectivity) if sets else None
    if driver is not None:
        sets.remove(driver)
    return BranchKeys(driver, tuple(sets), _sequence_needs_digit(tree), tree.state.groups > 1)
