"""The columns of ``report.html``'s records table, and the CSS that finds a column by its place.

A column no record of the run fills is left out (a dataset without personas would show a column of
"(none)", as scorecard.md leaves out its "By persona" table), so a column's place differs from run to
run: the rules that name a cell by its place (a phone's "persona ..." labels, blind labelling's hidden
verdicts) are written for the page's own columns here, not fixed in the page's style sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

GROUPS = ("persona", "category")  # the records' groups, each a column only where some record has one
# What a phone's card writes before a cell (a card has no header row to say it).
PHONE_LABEL = {"persona": "persona ", "category": "category ", "checks": "checks: ", "criteria": "criteria: ",
               "error": "error: "}
BLIND = ("checks", "criteria")  # the verdict cells blind labelling hides (html_labelling)


def record_columns(groups: Iterable[str], criteria: bool) -> list[str]:
    """The records table's columns: case, candidate, the ``groups`` shown, checks, criteria (when the eval has
    some), error."""
    return ["case", "candidate", *groups, "checks", *(["criteria"] if criteria else []), "error"]


def columns_css(columns: Sequence[str]) -> str:
    """The rules that name the records' cells by place, for ``columns``: a phone's labels and full-width verdict
    cells, and blind labelling's hidden verdicts."""
    place = {name: k + 1 for k, name in enumerate(columns)}
    cell = "#records tr.rec > td:nth-child({})".format
    labels = "".join(f'  {cell(place[name])}::before {{ content: "{text}"; }}\n'
                     for name, text in PHONE_LABEL.items() if name in place)
    phone = ("@media (max-width: 640px) {\n"
             f"  #records > tbody > tr.rec > td:nth-child(n+{place['checks']}) {{ grid-column: 1 / -1; }}\n"
             f"{labels}}}\n")
    hidden = [f"body.lab-blind {cell(place[name])}" for name in BLIND if name in place]
    # font-size 0, not visibility: a hidden cell would not take the click that opens its row
    blind = (",\n".join(hidden) + " { font-size: 0; }\n" + ",\n".join(f"{h}::after" for h in hidden)
             + ' { content: "hidden"; font-size: .85rem; color: var(--muted); }\n')
    return phone + blind
