"""``report.html``: one self-contained page for a run, readable from disk with no network.

Sections: notices, the gates banner of a gated run (filled in once its gates
are held: :data:`GATES_START`), run identity, the summary table, score bars with interval
whiskers, with turn-level replay the "By agent turn" and "By thread" tables (html_threads),
and a filterable table of records (by candidate, persona, category, failing check, failing criterion,
checks the candidates of a case disagree on, and errors); with two or more candidates also side by side, a row
per case and a column per candidate (html_grid). Each record row opens (click, Enter or Space) to
show the system prompt (folded), the complaint turns (a turn case: its thread, turn k of n and links to
its other turns), the reply with check evidence highlighted, every check's verdict and
detail, every criterion's score and reason, and the other candidates' replies
to the same case side by side. Filters, search and sort live in the URL
fragment, and each record has a stable id (``case.candidate.sample``) that a link opens however the address
spells it (html_script). An opened record can be labelled by hand for calibration (html_labelling.LABEL_JS):
kept in the browser, downloaded as a label file. The page has a dark palette, a phone layout and a print style
(html_parts and the CSS here). Everything taken
from the data is HTML-escaped; data for the script sits in a JSON block.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.datasets.turns import REPLAY_CAVEAT
from harness.gates.outcome import worse_on
from harness.records.schema import Record
from harness.report.html_columns import columns_css
from harness.report.html_grid import GRID_CSS, grid_section, has_grid, page_cases, view_tabs
from harness.report.html_parts import (esc, interval_bar_svg, json_script, page_shell, render_identity,
                                      sortable_head, table)
from harness.report.html_labelling import LABEL_CSS, labelling_bar, labelling_info
from harness.report.html_records import RecordRows, RecordView, esc_text, filter_form
from harness.report.html_script import SCRIPT
from harness.report.html_store import PAGER_CSS, pager, store_parts
from harness.report.html_threads import render_threads_html
from harness.report.markdown import records_text
from harness.report.panel import render_panel_html
from harness.report.robustness_html import render_robustness_html
from harness.report.feedback_html import render_feedback_html
from harness.report.breakdowns import breakdown_rows, field_note, shown_breakdowns
from harness.report.tables import (SINGLE_CASE_NOTE, fmt_mean, fmt_rate, pooled_cell,
                                   pooled_criteria_cell, single_case_checks, single_case_criteria, single_case_rows,
                                   summary_rows)
from harness.scoring.schema import Scorecard

SCALE_RANGE = {"1-5": (1.0, 5.0), "pass_fail": (0.0, 1.0)}
# Where a gated run's banner goes, between the title and the run's identity. The report is written when the
# run ends, before its gates are held; the gates then fill this place in the written file (harness.ci.banner).
# Every text from the data is escaped, so the markers cannot occur anywhere else in the page.
GATES_START, GATES_END = "<!--harness:gates-->", "<!--/harness:gates-->"


CSS = """
/* Labelling mode puts the class "labelling" on <body>, which the labelling bar's own `.labelling` rule (a flex
   row with a border) would then style too: the page's headings went beside its tables. The page stays a page. */
body.labelling { display: block; margin: 0 auto; padding: 1.5rem; border: 0; border-radius: 0; }
body.labelling > p.hint { margin: 1em 0; }  /* the records' hint, not the bar's (its rule reaches every p.hint) */
.trends { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; }
figure.trend { margin: 0; } figure.trend figcaption { font-size: .85rem; }
figure.trend svg text { fill: var(--fg); } figure.trend svg line { stroke: var(--line); }  /* axes in page colours */
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin: .5rem 0; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.filters input[type=search] { min-width: 14rem; }
tr.rec { cursor: pointer; } tr.rec:hover { background: var(--soft); }
tr.rec[aria-expanded="true"] { background: var(--open); }
tr.detail > td { background: var(--detail); padding: .8rem 1rem; }
a.anchor { float: right; }
.turn { margin: .2rem 0 .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.turn b { color: var(--muted); font-weight: 600; }
nav.turns { font-size: .9rem; margin: 0 0 .3rem; } nav.turns a, nav.turns b { padding: 0 .25rem; }
details.sysprompt { margin: .3rem 0 .5rem; } details.sysprompt summary { cursor: pointer; color: var(--muted); }
details.single { margin: .4rem 0 .8rem; } details.single summary { cursor: pointer; color: var(--muted); }
.prompt { white-space: pre-wrap; overflow-wrap: anywhere; font: .85rem/1.4 ui-monospace, monospace;
          border-left: 3px solid var(--line); padding: .3rem .7rem; background: var(--panel); }
.reply { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid var(--accent);
         padding: .3rem .7rem; background: var(--panel); }
.verdicts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr)); gap: .3rem 2rem; }
.verdicts ul { margin: .2rem 0; padding-left: 1.1rem; }
.sbs { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(280px, 100%), 1fr)); gap: .5rem 1rem; }
h4 { font-size: .95rem; margin: .5rem 0 .2rem; }
section.gates { border: 2px solid var(--good); border-radius: 4px; padding: .5rem .9rem; margin: .6rem 0 1rem;
                background: var(--good-bg); }
section.gates.failed { border-color: var(--bad); background: var(--bad-bg); }
section.gates.warned { border-color: #d4a017; background: var(--warn-bg); }
section.gates h2 { margin: 0 0 .3rem; font-size: 1.1rem; }
section.gates ul { margin: .2rem 0; padding-left: 1.2rem; } section.gates li { margin: .15rem 0; }
section.gates p { margin: .2rem 0; } section.gates summary { cursor: pointer; color: var(--muted); }
section.gates .warn { color: var(--warn); font-weight: 600; } section.gates .pass { font-weight: 600; }
/* A phone: each record is a small card (case and candidate, then persona and category, then its verdicts,
   labelled), so what failed reads without scrolling sideways; an opened record fits the screen. */
@media (max-width: 640px) {
  body, body.labelling { padding: .8rem; }
  #records, #records > tbody, #records > thead, tr.detail, tr.detail > td { display: block; }
  #records > thead > tr { display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
  #records > thead th { border: 0; background: none; padding: .1rem 0; }
  #records > tbody > tr.rec { display: grid; grid-template-columns: auto 1fr; border-bottom: 1px solid var(--line); }
  #records > tbody > tr.rec > td { border: 0; padding: .1rem .4rem; }
  #records > tbody > tr.rec > td:empty { display: none; }
  #records > tbody > tr.rec > td:nth-child(n+3)::before { color: var(--muted); font-weight: 400; }
  /* each cell's label, and which cells go full width: by the page's own columns (html_columns) */
  tr.detail > td { padding: .6rem .5rem; }
  .filters label, .filters select, .filters input[type=search] { min-width: 0; max-width: 100%; }
}
""" + LABEL_CSS + GRID_CSS + PAGER_CSS


def render_notices(notices: list[str]) -> str:
    """Each notice in a highlighted block, announced to screen readers as an alert."""
    return "".join(f'<div class="notice" role="alert">⚠️ {esc(notice)}</div>' for notice in notices)


def render_gates_banner(outcome) -> str:
    """What a gated run was held to (a :class:`~harness.gates.outcome.GateOutcome`): the verdict and exit code,
    the failed gates and those not measured, each with its detail, the notes, and the passed gates folded."""
    from harness.ci.summary import verdict

    # Amber also for a crashed check or a partial baseline: all passed, but not everything was held.
    warned = outcome.not_measured or outcome.not_held or outcome.crash_notes or outcome.partial_baseline
    tone = "failed" if outcome.exit_code else "warned" if warned else ""
    counts = ", ".join(f"{n} {word}" for n, word in ((len(outcome.failed), "failed"),
                                                     (len(outcome.not_measured), "not measured"),
                                                     (len(outcome.not_held), "not held"),
                                                     (sum(g.status == "passed" for g in outcome.gates), "passed")) if n)
    against = f"held to baseline {outcome.baseline}" if outcome.baseline else "no baseline"
    shown = [g for g in outcome.gates if g.status != "passed"]
    passed = [g for g in outcome.gates if g.status == "passed"]
    parts = [f'<section class="gates {tone}" aria-label="Gates"><h2>Gates: {esc(verdict(outcome, icon=False))} '
             f"(exit code {outcome.exit_code})</h2><p>{esc(counts)} · {esc(against)} · {esc(outcome.completion)}</p>"]
    if shown:
        parts.append("<ul>" + "".join(map(_gate_item, shown)) + "</ul>")
    parts += [f'<p class="muted">{esc(note)}</p>' for note in outcome.general_notes()]
    if passed:
        parts.append(f"<details><summary>{len(passed)} passed</summary><ul>"
                     + "".join(map(_gate_item, passed)) + "</ul></details>")
    return "".join(parts) + "</section>"


GATE_MARK = {"failed": ("fail", "failed"), "not_measured": ("warn", "not measured"), "not_held": ("warn", "not held"),
             "passed": ("pass", "passed")}


def _gate_item(gate) -> str:
    css, word = GATE_MARK[gate.state]
    worse = worse_on(gate.cases)
    return f'<li><span class="{css}">{word}</span> <b>{esc(gate.label)}</b>: {esc(gate.detail + worse)}</li>'


def render_summary_table(card: Scorecard) -> str:
    """The shared summary rows, candidates as columns, a section line before each group."""
    width = len(card.candidates)
    rows, section = [], None
    for row in summary_rows(card):
        if row.section != section:
            section = row.section
            rows.append(f'<tr class="section"><td colspan="{width + 1}">{esc(section)}</td></tr>')
        cells = "".join(f'<td class="num">{esc_text(cell)}</td>' for cell in row.cells)  # a check's own forms
        rows.append(f"<tr><td>{esc(row.label)}</td>{cells}</tr>")
    # A candidate's column holds right-aligned figures: its header is aligned with them.
    head = '<th scope="col">measure</th>' + "".join(f'<th scope="col" class="num">{esc(h)}</th>'
                                                     for h in card.candidates)
    return f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def render_single_case_html(card: Scorecard) -> str:
    """The checks of single cases, folded: each one's verdict per candidate, no interval ("" without any)."""
    rows = single_case_rows(card)
    if not rows:
        return ""
    cells = [[esc(row.label), *(esc(cell) for cell in row.cells)] for row in rows]
    return (f'<details class="single"><summary>Checks of single cases ({len(rows)})</summary>'
            f'<p class="muted">{esc(SINGLE_CASE_NOTE)}</p>'
            f'<div class="scroll">{table(["check", *card.candidates], cells)}</div></details>')


def render_score_bars(card: Scorecard) -> str:
    """A table of bars with interval whiskers: one row per criterion and check, one column per candidate. The
    criteria and checks of single cases (a case's own) get no bar: one verdict each, a bar of n = 1 with a
    [21, 100] whisker would read like a finding; each kind gets one pooled row in words, as the summary's."""
    rows = []
    alone = single_case_criteria(card)
    for name, info in [(n, i) for n, i in card.criteria.items() if n not in alone]:
        lower, upper = SCALE_RANGE.get(info.scale or "", (0.0, 5.0))
        cells = [_criterion_bar(c.criteria.get(name), info.scale, lower, upper, f"{c.name}: {name}")
                 for c in card.candidates.values()]
        rows.append([esc(name), *cells])
    if alone:
        rows.append(_pooled_row(f"criteria of single cases ({len(alone)}, pooled)",
                                [pooled_criteria_cell(c, alone) for c in card.candidates.values()]))
    single = single_case_checks(card)
    for name in [n for n in card.checks if n not in single]:
        cells = [_rate_bar(c.checks[name].pass_rate if name in c.checks else None, f"{c.name}: {name}")
                 for c in card.candidates.values()]
        rows.append([esc(f"{name} (check)"), *cells])
    if single:
        rows.append(_pooled_row(f"checks of single cases ({len(single)}, pooled)",
                                [pooled_cell(c, single) for c in card.candidates.values()]))
    return f'<div class="scroll">{table(["measure", *card.candidates], rows)}</div>'


def _pooled_row(label: str, cells: list[str]) -> list[str]:
    """A row of words where the others have bars (the pooled verdicts of single cases: no interval to draw)."""
    return [esc(label), *(f'<span class="bar-text pooled">{esc(cell)}</span>' for cell in cells)]


def _criterion_bar(summary, scale: str | None, lower: float, upper: float, label: str) -> str:
    if summary is None:
        return '<span class="na">—</span>'
    if scale == "pass_fail":
        return _rate_bar(summary.pass_rate, label)
    stat = summary.score
    text = fmt_mean(stat)
    ci = stat.ci
    bar = interval_bar_svg(stat.mean, ci and ci.lo, ci and ci.hi, lower=lower, upper=upper, label=f"{label} {text}")
    return f'{bar}<span class="bar-text">{esc(text)}</span>'


def _rate_bar(stat, label: str) -> str:
    if stat is None:
        return '<span class="na">—</span>'
    text = fmt_rate(stat)
    ci = stat.ci
    bar = interval_bar_svg(stat.rate, ci and ci.lo, ci and ci.hi, lower=0.0, upper=1.0, label=f"{label} {text}")
    return f'{bar}<span class="bar-text">{esc(text)}</span>'


def render_turns_html(card: Scorecard) -> str:
    """With turn-level replay: the breakdown by agent turn, under the caveat about the recorded history."""
    rows = breakdown_rows(card, "turn")
    if not rows:
        return ""
    cells = [[esc(row.label), *(esc(cell) for cell in row.cells)] for row in rows]
    return (f'<h2>By agent turn</h2><p class="notice">{esc(REPLAY_CAVEAT)}</p>'
            f"<div class=\"scroll\">{table(['turn', *card.candidates], cells)}</div>")


def render_breakdowns_html(card: Scorecard) -> str:
    """The eval's breakdowns (persona and category by default; any case field its ``breakdowns`` names), each
    folded, with intervals; a case field's note (values pooled, numbers to bin) above its table."""
    parts = []
    for dimension in shown_breakdowns(card):
        rows, note = breakdown_rows(card, dimension, intervals=True), field_note(card, dimension)
        if not rows and not note:
            continue
        if not rows:  # numbers too many to group: the note alone
            parts.append(f'<p class="muted">By {esc_text(dimension)}: {esc_text(note)}.</p>')
            continue
        groups = len({row.section for row in rows})
        said = f'<p class="muted">{esc_text(note)}.</p>' if note else ""
        # A group is a value from the data: a bidi or control character in it is shown, never obeyed.
        cells = [[esc_text(row.label), *(esc(cell) for cell in row.cells)] for row in rows]
        grid = f"<div class=\"scroll\">{table([dimension, *card.candidates], cells)}</div>"
        parts.append(f'<details class="breakdown"><summary>By {esc_text(dimension)} ({groups} groups)</summary>'
                     f"{said}{grid}</details>")
    return "<h2>Breakdowns</h2>" + "".join(parts) if parts else ""


def render_records_section(card: Scorecard, rows: RecordRows) -> tuple[str, list]:
    """The filter form and the records table; also the per-row filter data for the script."""
    parts, filter_data = records_section_parts(card, rows)
    return "".join(parts), filter_data


def records_section_parts(card: Scorecard, rows: RecordRows) -> tuple[list[str], list]:
    """:func:`render_records_section` as pieces, for the page to join once."""
    body, filter_data = rows.parts(list(card.candidates))
    form = filter_form(filter_data, card)
    # No criteria column in a checks-only eval, no persona (category) column where no record has one.
    head = sortable_head(rows.columns())
    hint = ('<p class="muted hint">Click a row, or focus it and press Enter, to see the case, the reply and every '
            "verdict. "
            "Rows are in the dataset's case order, a case's candidates in the eval's order; column headers sort "
            "(checks and criteria: by how many failed). The address keeps the filters, search, sort and page: "
            "reload or share it; an opened record's \"link to this record\" opens it.</p>")
    css = "" if card.criteria else ' class="no-criteria"'
    bar = labelling_bar() if labelling_info(card, rows.view) else ""
    # The rows are text in the store until the script shows their page (html_store): the table starts empty.
    table = (f'<div class="scroll"><table id="records"{css}><thead><tr>{head}</tr></thead><tbody></tbody></table>'
             f'</div>{pager("records-pager", "records")}')
    store = store_parts(body, rows.renderer.shared, rows.compact())
    if not has_grid(card):  # one candidate: nothing to compare, the list alone
        return [form, hint, bar, table, *store], filter_data
    # Two views under the same filters: the list (its panel holds the labelling bar, which labels the list's
    # records) and side by side (html_grid, filled by the script from the list's records).
    return [form, view_tabs(), '<div id="records-view" role="tabpanel" aria-labelledby="tab-list">', hint, bar,
            table, "</div>", grid_section(card), *store], filter_data


def record_view(card: Scorecard, cases: dict[str, dict] | None) -> RecordView:
    """What the record rows need besides the records: the scorecard's criteria and checks, the case snapshot."""
    return RecordView(criteria=list(card.criteria), checks=card.checks, cases=cases or {},
                      scales={name: info.scale for name, info in card.criteria.items()})


def render_run_html(scorecard: Scorecard, records: Iterable[Record], cases: dict[str, dict] | None,
                    trends_html: str = "") -> str:
    """The whole ``report.html`` for a run: self-contained, escaped, keyboard usable.

    ``records`` is read once; ``cases`` maps case id to the case as a dict
    (from ``cases.jsonl``) and supplies the complaint turns, when present.
    ``trends_html`` is the already escaped trends section
    (:func:`harness.history.svg.trends_section`), shown after the scores.
    """
    rows = RecordRows(record_view(scorecard, cases))
    for record in records:
        rows.add(record)
    return render_run_html_rows(scorecard, rows, trends_html)


def render_run_html_rows(scorecard: Scorecard, rows: RecordRows, trends_html: str = "") -> str:
    """:func:`render_run_html` from record rows already rendered (a run renders each record as it writes it)."""
    title = f"{scorecard.run.eval_name} report" if scorecard.run else "Run report"
    records_parts, filter_data = records_section_parts(scorecard, rows)
    body = "".join([
        render_notices(scorecard.notices), f"<h1>{esc(title)}</h1>", GATES_START, GATES_END,
        render_identity(scorecard.run, records_text(scorecard)),
        "<h2>Summary</h2>", render_summary_table(scorecard) if scorecard.candidates else "<p>No records.</p>",
        render_single_case_html(scorecard),
        "<h2>Scores with intervals</h2>", render_score_bars(scorecard), render_panel_html(scorecard),
        render_breakdowns_html(scorecard), render_turns_html(scorecard), render_threads_html(scorecard),
        render_robustness_html(scorecard), render_feedback_html(scorecard), trends_html,
        "<h2>Records</h2>", *records_parts,
        json_script({"records": filter_data, "scorecard": scorecard.model_dump(mode="json"),
                     "labelling": labelling_info(scorecard, rows.view),
                     "cases": page_cases(rows.view.cases), "about": dict(rows.view.about)}, "report-data"),
    ])
    return page_shell(title, body, css=CSS + columns_css(rows.columns()), script=SCRIPT)
