"""The filter controls above ``report.html``'s records (:func:`filter_form`), and the values a row's ``errors``
filter field holds besides criterion names (:data:`CASE_ERROR`, :data:`CHECK_ERROR`), which the record rows
(:mod:`harness.report.html_records`) write and the error filter offers.
"""

from __future__ import annotations

from harness.report.html_parts import esc, evidence_select
from harness.report.html_text import esc_attr, visible
from harness.scoring.schema import Scorecard

NO_GROUP = "(none)"  # a record's persona or category when it has none (as the scorecard names the group)
CASE_ERROR = "*case"  # in a row's ``errors`` filter field: the case itself erred (no criterion is named so)
CHECK_ERROR = "*check"  # ... a check crashed on the reply (an error of that check; criterion ids never open with *)


def _select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    # A persona or category from the data: its value kept exact (matched against the rows' data), its text shown
    # with a bidi or control character as its code point (an option holds no markup).
    items = "".join(f'<option value="{esc_attr(value)}">{esc(visible(text))}</option>' for value, text in options)
    return f'<label for="f-{name}">{esc(label)}<select id="f-{name}">{items}</select></label>'


def filter_form(filter_data: list[dict], card: Scorecard) -> str:
    """The filter controls: candidate, persona, category, failing check and criterion, disagreement, errors, text;
    and the shown-count. A checks-only eval has no criterion filter (it would offer nothing), a run whose records
    have no persona (category) no persona (category) filter."""
    def values(key: str) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted({row[key] for row in filter_data})]

    def group(key: str) -> str:  # no record has one (every row "(none)"): no filter, as the table has no column
        found = values(key)
        return "" if all(v == NO_GROUP for v, _ in found) else _select(key, key, [("", "all")] + found)

    candidates = [(c, c) for c in card.candidates] or values("candidate")
    checks = [("*", "any check"), *[(c, c) for c in card.checks]]
    criteria = [("*", "any criterion"), *[(c, c) for c in card.criteria]]
    selects = [_select("candidate", "candidate", [("", "all")] + candidates),
               group("persona"), group("category"),
               _select("failing", "failing check", [("", "any or none")] + checks),
               _select("criterion", "failing criterion", [("", "any or none")] + criteria) if card.criteria else "",
               _select("flip", "candidates disagree on", [("", "anything or nothing")] + checks),
               _select("error", "error", error_options(card))]
    search = ('<label for="f-text">text in case, reply or verdicts'
              '<input id="f-text" type="search" placeholder="e.g. refund" autocomplete="off"></label>')
    count = (f'<span class="muted count">showing <span id="shown" aria-live="polite">{len(filter_data)}</span>'
             "</span>")
    evidence = evidence_select("f-evidence", list(card.checks))
    return f'<form class="filters" role="search">{"".join(selects)}{search}{evidence}{count}</form>'


def error_options(card: Scorecard) -> list[tuple[str, str]]:
    """The error filter: any error, the case's own (no reply), a check that crashed, any criterion's judge call,
    or one criterion's."""
    judged = [("*judge", "any criterion's judge")] + [(c, f"judge of {c}") for c in card.criteria] \
        if card.criteria else []
    crashed = [(CHECK_ERROR, "a check crashed")] if card.checks else []
    return [("", "any or none"), ("*", "any error"), (CASE_ERROR, "the case (no reply)"), *crashed, *judged]
