"""``report.html``'s "Side by side" view: one row per case, one column per candidate, as promptfoo's viewer shows a
run (finding 12 of the migration review), for a run of two or more candidates.

The page already holds every record's reply, verdicts and criteria (the list's rows and their details), so the
server writes only the view's frame (tabs, the candidates' header, a filter) and the script (:data:`GRID_JS`)
fills the table from those rows the first time the view is shown: 2,000 cases x 3 candidates would otherwise
write every reply a second time (megabytes) into a page most readers open in the list.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.datasets.perturb import variant_id
from harness.report.case_about import case_check_about, flat_metadata
from harness.report.html_parts import esc
from harness.report.html_records import record_anchor
from harness.report.html_store import pager
from harness.report.html_text import esc_attr
from harness.scoring.schema import Scorecard

GRID_FOLD = 600  # a cell's reply longer than this opens clamped to a few lines, behind "show all N characters"
CASE_FOLD = 280  # the case column's complaint, narrower than a reply's cell: clamped sooner

GRID_CSS = """
.views { display: flex; gap: .3rem; margin: .6rem 0 .2rem; border-bottom: 1px solid var(--line); }
.views button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--line); border-bottom: 0;
                border-radius: 4px 4px 0 0; background: var(--soft); color: var(--fg); cursor: pointer; }
.views button[aria-selected="true"] { background: var(--bg); font-weight: 600; box-shadow: inset 0 2px 0 var(--accent); }
label.differ { font-size: .9rem; margin-right: 1rem; }
#grid { table-layout: fixed; min-width: calc(var(--case) + var(--cols) * 17rem); }
#grid { --case: min(15rem, 38vw); }
#grid th.gcase { width: var(--case); position: sticky; left: 0; z-index: 1; background: var(--bg);
                 overflow-wrap: anywhere; text-align: left; vertical-align: top; }
#grid th.gcase .gcomplaint, #grid th.gcase .gthread, #grid th.gcase .gmeta { font-weight: 400; font-size: .85rem;
                 margin-top: .3rem; }
#grid th.gcase .turn { margin: .1rem 0; } #grid th.gcase .turn b { font-weight: 400; }
#grid th.gcase .gfold.folded { max-height: 5.8em; }  /* four whole lines */
#grid .gthread summary { cursor: pointer; color: var(--muted); }
#grid .gmeta b { color: var(--muted); font-weight: 400; }
#grid .gmarks .asks { text-decoration: underline dotted; cursor: help; }
#grid thead th { vertical-align: bottom; } #grid thead th.gcase { background: var(--soft); }
#grid .setup { display: block; font-weight: 400; font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
#grid td { overflow-wrap: anywhere; }
#grid .reply { padding: .2rem .5rem; font-size: .9rem; }
#grid .gfold.folded { max-height: 9.5em; overflow: hidden; }
#grid .gfold.folded::after { content: none; }
#grid .gmarks { font-size: .82rem; margin: .15rem 0; }
#grid .gmarks > span + span::before { content: " · "; color: var(--muted); font-weight: 400; }
#grid .gsample { font-size: .8rem; color: var(--muted); margin-top: .3rem; }
#grid tr.differs > th.gcase { box-shadow: inset 4px 0 0 var(--warn); }
#grid .differ-mark { display: block; font-size: .8rem; font-weight: 400; color: var(--warn); }
#grid tr.variant > th.gcase { padding-left: 1.6rem; font-weight: 400; }
#grid tr:has(+ tr.variant) > * { border-bottom-style: dashed; }  /* a case and its variants: one block */
#grid .vkind { display: block; font-size: .8rem; color: var(--muted); }
#grid tr.context > * { opacity: .6; }
#grid .thread { display: block; font-size: .8rem; font-weight: 400; color: var(--muted); }
@media print {
  .views, label.differ { display: none !important; }
  #grid { min-width: 0; } #grid th.gcase { position: static; } #grid th.gcase .gfold.folded { max-height: none; }
  #grid .gfold.folded { max-height: none; } #grid button.fold-toggle { display: none; }
  #grid tr { break-inside: avoid; }
}
"""


def page_cases(cases: Mapping[str, dict]) -> dict[str, dict]:
    """What the page's script shows of each case beyond its records' rows, once a case (not once a record: a
    case's three candidates would write it three times), by the case's part of its records' ids: ``meta``, its
    metadata (flattened, :func:`~harness.report.case_about.flat_metadata`) as ``[key, value]`` pairs, for the
    side-by-side view; ``about``, what its own checks ask (:func:`~harness.report.case_about.case_check_about`),
    for an opened record's checks and the failed-check marks; ``variant``, for a perturbed variant (``perturb:``),
    its original's key and its kind, so the view puts it under its original. Cases with none are left out."""
    out = {}
    for case_id, case in cases.items():
        meta, about, variant = flat_metadata(case), case_check_about(case), variant_of(case)
        if variant:  # its label says what these two keys say
            meta = {k: v for k, v in meta.items() if k not in ("perturbation", "perturbed_from")}
        entry: dict = {"meta": [[k, v] for k, v in meta.items()]} if meta else {}
        if about:
            entry["about"] = about
        if variant:
            entry["variant"] = [_case_key(variant[0]), variant[1]]
        if entry:
            out[_case_key(case_id)] = entry
    return out


def _case_key(case_id: str) -> str:
    """A case's part of its records' ids (:func:`~harness.report.html_records.record_anchor`)."""
    return record_anchor((case_id, "", 0)).split(".")[0]


def variant_of(case: Mapping | None) -> tuple[str, str] | None:
    """``(original id, kind)`` of a variant ``perturb:`` made (its id and its metadata agree, as
    :func:`harness.datasets.perturb.is_variant` asks of a case); None for any other case."""
    meta = case.get("metadata") if isinstance(case, Mapping) else None
    if not isinstance(meta, Mapping):
        return None
    kind, source = meta.get("perturbation"), meta.get("perturbed_from")
    if isinstance(kind, str) and isinstance(source, str) and case.get("id") == variant_id(source, kind):
        return source, kind
    return None


def has_grid(card: Scorecard) -> bool:
    """The view is offered when a run compares: two or more candidates."""
    return len(card.candidates) >= 2


def view_tabs() -> str:
    """The two views of the records: the list (a row per record) and side by side (a row per case)."""
    return ('<div class="views" role="tablist" aria-label="records view">'
            '<button type="button" role="tab" id="tab-list" aria-selected="true" aria-controls="records-view">'
            "List: one row per record</button>"
            '<button type="button" role="tab" id="tab-grid" aria-selected="false" aria-controls="grid-view" '
            'tabindex="-1">Side by side: one row per case</button></div>')


def _head_cell(name: str, setup: str | None) -> str:
    words = f'<span class="setup">{esc(setup)}</span>' if setup else ""
    return f'<th scope="col" data-candidate="{esc_attr(name)}"><b>{esc(name)}</b>{words}</th>'


def grid_section(card: Scorecard) -> str:
    """The side-by-side view's frame: its hint, the disagreement filter, a count, and the table's header (each
    candidate with its setup line, as the run's identity writes it); the script fills the body."""
    setups = card.run.candidate_setups if card.run else {}
    head = '<th scope="col" class="gcase">case</th>' + "".join(_head_cell(n, setups.get(n)) for n in card.candidates)
    hint = ('<p class="muted hint">One row per case (a thread\'s turn cases each a row) with its complaint and '
            "metadata, one column per candidate: "
            "the reply, its failed checks (✗; a case's own check says what it asks when pointed at) and its judge scores; \"open\" shows the record in the list. "
            "⇄ marks a case whose candidates disagree on a check or a criterion's verdict. "
            "A perturbed variant (↳) sits under its original; a variant the filters keep shows its original too. "
            "The filters above choose the cases: a case is shown when one of its records matches them (with a "
            "candidate chosen, that candidate's record). Sorting and the evidence picker apply to the list only.</p>")
    differ = ('<label class="differ"><input type="checkbox" id="f-differ"> only cases where the candidates '
              "disagree</label>")
    count = ('<span class="muted count" aria-live="polite">showing <span id="grid-shown"></span> cases'
             '<span id="grid-variants"></span></span>')
    return (f'<div id="grid-view" role="tabpanel" aria-labelledby="tab-grid" hidden>{hint}{differ}{count}'
            f'<div class="scroll"><table id="grid" style="--cols: {len(card.candidates)}">'
            f'<thead><tr>{head}</tr></thead><tbody></tbody></table></div>{pager("grid-pager", "cases")}</div>')
