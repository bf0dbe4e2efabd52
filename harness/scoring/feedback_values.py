"""How a feedback key's values are counted: one answer written in several cases is one value.

A helpdesk export writes a thumbs as ``up``, ``Up`` or ``UP`` depending on the widget or the week; counted
apart, ``metadata.thumbs=up`` would leave out a third of the customers who said it, silently. So values are
**folded**: case and surrounding spaces are not told apart (``Up`` counts as ``up``, and is shown so). That
is all that is merged: ``👍``, ``yes`` and ``up`` may well be the same answer in one export and three in
another (a "resolved?" column beside a thumbs), so they are kept apart and said (:func:`look_alikes`), for
the user to write them one way in the export, never merged behind their back.

The manifest keeps the values as the cases wrote them (``dataset.feedback``); folding is done when the
scorecard is made, so a run made before reads folded too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Spellings of one two-sided answer, folded; a key holding two of one group is warned of, not merged.
SAME_ANSWER = (
    frozenset({"up", "👍", "thumbs up", "thumbs_up", "thumbsup", "+1", "yes", "y", "true", "positive"}),
    frozenset({"down", "👎", "thumbs down", "thumbs_down", "thumbsdown", "-1", "no", "n", "false", "negative"}),
)
SHOWN = 8  # spellings named per value


def fold(value: str) -> str:
    """``value`` as it is counted: without surrounding spaces, case folded (``' Up '`` -> ``'up'``)."""
    return value.strip().casefold()


@dataclass
class Folded:
    """A key's values once folded: ``{value: case ids}`` (most cases first), and for each value that more than
    one spelling made, those spellings with their counts (most first)."""

    values: dict[str, list[str]]
    spellings: dict[str, dict[str, int]] = field(default_factory=dict)


def folded(values: dict[str, list[str]]) -> Folded:
    merged: dict[str, list[str]] = {}
    written: dict[str, dict[str, int]] = {}
    for value, ids in values.items():
        key = fold(value)
        merged.setdefault(key, []).extend(ids)
        written.setdefault(key, {})[value] = written.get(key, {}).get(value, 0) + len(ids)
    ordered = dict(sorted(merged.items(), key=lambda item: (-len(item[1]), item[0])))
    spellings = {key: dict(sorted(ways.items(), key=lambda item: (-item[1], item[0])))
                 for key, ways in written.items() if len(ways) > 1}
    return Folded(ordered, {key: spellings[key] for key in ordered if key in spellings})


def look_alikes(values: dict[str, list[str]]) -> list[list[str]]:
    """Folded values that look like one answer written differently (``up``, ``👍``, ``yes``), most cases first:
    one list per answer with two or more of them. Counted apart; said so the user can write them one way."""
    groups = []
    for answer in SAME_ANSWER:
        present = [value for value in values if value in answer]
        if len(present) > 1:
            groups.append(present)
    return groups


def folded_note(field_name: str, spellings: dict[str, dict[str, int]]) -> str | None:
    """The words for values counted as one: ``metadata.thumbs: 'up', 'Up' (3), 'UP' (1) are counted as 'up'``."""
    if not spellings:
        return None
    parts = [f"{_listed(ways)} as {value!r}" for value, ways in spellings.items()]
    return (f"{field_name}: values told apart only by case or spaces are counted as one: {'; '.join(parts)} "
            f"(README: Customer feedback)")


def look_alike_note(field_name: str, groups: list[list[str]], values: dict[str, list[str]],
                    counted: str | None) -> str | None:
    """The words for :func:`look_alikes`: which values, how many cases each, and what the counted share leaves
    out."""
    if not groups:
        return None
    listed = "; ".join(", ".join(f"{value!r} ({len(values[value])})" for value in group) for group in groups)
    mine = next((group for group in groups if counted in group), [])
    others = [value for value in mine if value != counted]
    n = sum(len(values[value]) for value in others)
    left = (f"; the share of {counted!r} leaves out the {n} case{'s' if n != 1 else ''} of "
            f"{', '.join(map(repr, others))}" if others else "")
    return (f"{field_name}: these look like one answer written differently but are counted apart (only case and "
            f"spaces are folded): {listed}{left}; if they are one answer, write them one way in the export")


def _listed(ways: dict[str, int]) -> str:
    shown = [f"{way!r} ({n})" for way, n in list(ways.items())[:SHOWN]]
    more = f" and {len(ways) - SHOWN} more" if len(ways) > SHOWN else ""
    return ", ".join(shown) + more
