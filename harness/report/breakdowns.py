"""Breakdown tables: a scorecard's measures per group of records, one row per group and measure.

A breakdown is by persona, category, agent turn, perturbation, or by any case field an eval's
``breakdowns`` names (``metadata.channel``: ``CandidateScores.by_field``, grouped as ``Scorecard.fields``
says). Markdown and HTML draw the same rows; markdown's cells are compact (``3.8 (12)``), report.html's
carry the interval (``3.80 [3.12, 4.48] (12)``).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.report.tables import (DASH, EMPTY_CELLS, NO_GROUP, Row, fmt_short_share, fmt_mean, fmt_rate,
                                   fmt_short_mean, fmt_short_rate, single_case_checks, single_case_criteria)
from harness.scoring.schema import CandidateScores, GroupBreakdown, MeanStat, Scorecard

BUILT_IN = ("persona", "category", "turn", "perturbation")  # CandidateScores.by_<name>
DEFAULT = ("persona", "category")  # a scorecard written before an eval could choose


def shown_breakdowns(card: Scorecard) -> list[str]:
    """The fields the eval breaks down by, in its order (persona and category for an older scorecard)."""
    return list(card.breakdowns) if card.breakdowns is not None else list(DEFAULT)


def field_note(card: Scorecard, dimension: str) -> str | None:
    """What a field's table cannot show: its values pooled past the 20 most frequent, or too many numbers."""
    info = card.fields.get(dimension)
    return info.note if info is not None else None


def _groups(dimension: str) -> Callable[[CandidateScores], dict[str, GroupBreakdown]]:
    if dimension in BUILT_IN:
        return lambda c: getattr(c, f"by_{dimension}")
    return lambda c: c.by_field.get(dimension, {})


def _order(card: Scorecard, dimension: str, keys: set) -> list:
    if dimension == "turn":
        return sorted(keys, key=int)
    info = card.fields.get(dimension)
    if info is None:
        return sorted(keys)
    # Most frequent first (numbers in their order), then the pooled values, then the cases without a value.
    return [g for g in info.groups if g in keys] + sorted(keys - set(info.groups))


def _full_share(stat: MeanStat) -> str:
    """A pass/fail criterion's mean as a pass rate with its interval: ``"75% [41, 93] (8)"``."""
    if stat.mean is None:
        return f"{DASH} (0)"
    ci = f" [{stat.ci.lo * 100:.0f}, {stat.ci.hi * 100:.0f}]" if stat.ci else ""
    return f"{stat.mean * 100:.0f}%{ci} ({stat.n})"


def breakdown_rows(card: Scorecard, dimension: str, *, intervals: bool = False) -> list[Row]:
    """Rows ``"<group> · <measure>"`` for ``dimension`` ("persona", "category", "turn", "perturbation" or a case
    field such as "metadata.channel"), compact cells (``intervals``: with the interval, as report.html shows).

    Rows with no value for any candidate (a check that never applied to the
    group) are left out to keep the table short. Turns come in turn order, labelled ``turn 1``, ``turn 2``, ...
    """
    found = _groups(dimension)
    single = set(single_case_checks(card))  # one case's check, in one group: its row says nothing of the group
    alone = set(single_case_criteria(card))  # as a one-case criterion
    keys = {g for c in card.candidates.values() for g in found(c)}
    groups = _order(card, dimension, keys)
    if groups == [NO_GROUP]:  # no case has a persona (category): a table of "(none)" says nothing
        return []
    mean, share, rate = (fmt_mean, _full_share, fmt_rate) if intervals else (fmt_short_mean, fmt_short_share,
                                                                           fmt_short_rate)
    rows = []
    for key in groups:
        parts = [found(c).get(key) for c in card.candidates.values()]
        group = f"turn {key}" if dimension == "turn" else key
        rows.append(Row(group, f"{group} · records", [str(p.n_records) if p else DASH for p in parts]))
        for name, info in [(n, i) for n, i in card.criteria.items() if n not in alone]:
            # A pass/fail criterion's mean is its pass rate: show it as a percentage like the checks.
            fmt = share if info.scale == "pass_fail" else mean
            rows.append(Row(group, f"{group} · {name}",
                            [fmt(p.criteria[name]) if p and name in p.criteria else DASH for p in parts]))
        for name in [n for n in card.checks if n not in single]:
            # "(check)": a check may share its name with a criterion (acknowledgement, empathy).
            rows.append(Row(group, f"{group} · {name} (check)",
                            [rate(p.checks[name]) if p and name in p.checks else DASH for p in parts]))
    return [row for row in rows if any(cell not in EMPTY_CELLS for cell in row.cells)]
