"""``diff.html``: one self-contained page for a diff, readable from disk with no network.

Sections: warnings (incomparable sides, unshared cases, self-judging), the
two sides, with several pairs a linked list of their headlines, the runs'
notices folded in one closed "Notes (N)" block (inside the section, after its
headline, when there is one pair), and per comparison: its headline (verdicts, which way the cases moved, replies
changed with no change in any measure), the summary table, a chart per criterion and check (the
difference with its interval on a zero-centred axis, the minimum detectable
effect shaded), and the changed cases, filterable by persona, category,
criterion, check and direction of the flip, searchable by case id or text, and
sortable by any column. Every changed case has a row; a case row opens (click,
Enter or Space) to show the complaint, both replies side by side with each
check's evidence marked (a failing check's in red; a picker shows one check's
spans only), what changed from A to B word by word behind a closed "word
changes" toggle (:mod:`harness.report.word_diff`), and both sides' verdicts with
the judges' reasons. With many
changed cases, those side-by-side views are embedded for each row's largest
drops and rises (see :mod:`harness.compare.views`); the other cases open to
their values on each changed measure. Below them, every case whose reply
changed with no change in any measure, the first few openable side by side. The chart's dots are coloured by the
row's verdict. Checks and pass/fail criteria read ``pass``/``fail``. Every
string from the data is escaped; the script reads its data from a JSON block.
"""

from __future__ import annotations

from harness.compare.coverage import side_cases
from harness.compare.diff import headline
from harness.compare.schema import Comparison, DiffReport, DiffRow, largest_difference
# The opened case lives in its own module; word_changes is imported here too for callers of this module.
from harness.report.diff_case_detail import case_detail, word_changes  # noqa: F401
from harness.report.html import render_notices
from harness.report.diff_all_cases import MAX_LISTED, shared_count
from harness.report.diff_case_list import case_list, too_many_note
from harness.report.diff_list_js import SCRIPT
from harness.report.html_parts import difference_svg, esc, json_script, page_shell
from harness.report.html_store import PAGER_CSS
from harness.report.html_text import esc_text
from harness.report.diff_setup import SETUP_CSS, setup_html
from harness.report.diff_overview import OVERVIEW_CSS, notes_html, overview_html
from harness.report.diff_usage import usage_html
from harness.report.diff_markdown import holm_method_text, mde_level_text, min_effect_text
from harness.report.diff_cells import DIFF_HEADER, diff_row_cells, fmt_difference, fmt_holm_family, fmt_verdict

VERDICT_CLASS = {"improved": "pass", "regressed": "fail", "no detectable change": "na", "not measured": "na",
                 "below minimum effect": "na"}

CSS = """
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin: .5rem 0; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.filters input[type=search] { min-width: 12rem; }
tr.case { cursor: pointer; } tr.case:hover { background: var(--soft); }
tr.case[aria-expanded="true"] { background: var(--open); }
tr.detail > td { background: var(--detail); padding: .8rem 1rem; }
.turn { margin: .2rem 0 .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.turn b { color: var(--muted); font-weight: 600; }
.sbs { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(280px, 100%), 1fr)); gap: 1rem; }
.reply { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid var(--accent);
         padding: .3rem .7rem; background: var(--panel); }
/* Word changes between the replies: struck and underlined as well as coloured (not by colour alone); the
   text keeps the page's colour on a tint chosen for >= 4.5:1 in both palettes (tests/report). */
:root { --del-bg:#ffdcd7; --ins-bg:#cfeedb; }
@media screen and (prefers-color-scheme: dark) { :root { --del-bg:#5e2420; --ins-bg:#1c4a2d; } }
details.wdiff { margin: .6rem 0; } details.wdiff > summary { cursor: pointer; font-weight: 600; }
.wdiff-text { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid var(--line);
              padding: .3rem .7rem; background: var(--panel); margin: .3rem 0; }
.wdiff-text del { background: var(--del-bg); color: var(--fg); text-decoration: line-through; }
.wdiff-text ins { background: var(--ins-bg); color: var(--fg); text-decoration: underline; }
.wdiff-text del::before, .wdiff-text del::after, .wdiff-text ins::before, .wdiff-text ins::after {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(100%); white-space: nowrap; }
.wdiff-text del::before { content: " [A only: "; } .wdiff-text ins::before { content: " [B only: "; }
.wdiff-text del::after, .wdiff-text ins::after { content: "] "; }  /* read out by screen readers, not shown */
.wdiff-text del + ins { margin-left: .3em; }  /* a replacement reads as two words, not one run */
.wd-gap { color: var(--muted); }
.down { color: var(--bad); font-weight: 600; } .up { color: var(--good); font-weight: 600; }
table.verdicts td { width: 33%; }
td.num.verdict { white-space: normal; min-width: 9rem; max-width: 18rem; }  /* a long verdict note wraps */ svg.diffbar { vertical-align: middle; }
/* A phone: each changed case is a small card (case, then persona and category, then what changed), and an
   opened case stacks the two replies, so nothing needs sideways scrolling. */
@media (max-width: 640px) {
  body { padding: .8rem; }
  table.cases, table.cases > tbody, tr.detail, tr.detail > td { display: block; }
  table.cases > thead > tr { display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
  table.cases > thead th { border: 0; background: none; padding: .1rem 0; }
  table.cases > tbody > tr.case { display: grid; grid-template-columns: auto 1fr; border-bottom: 1px solid var(--line); }
  table.cases > tbody > tr.case > td { border: 0; padding: .1rem .4rem; white-space: normal; }
  table.cases > tbody > tr.case > td:nth-child(n+4) { grid-column: 1 / -1; }
  table.cases tr.detail > td { padding: .6rem .5rem; }
  table.verdicts td { width: auto; }
  .filters label, .filters select, .filters input[type=search] { min-width: 0; max-width: 100%; }
}
"""


def _sides(report: DiffReport) -> str:
    items = []
    for label, info, other in (("A", report.a, report.b), ("B", report.b, report.a)):
        text = f"{info.run_dir} · {info.eval_name} · started {info.started_at or '?'}"
        text += "".join(f" · {p}" for p in (info.rubric and f"rubric {info.rubric}",
                                             info.judge_model and f"judge {info.judge_model}",
                                             side_cases(info.selection, other.selection)) if p)
        items.append(f"<dt>{label}</dt><dd>{esc(text)}</dd>")
    # A re-grading opens with what it compares (what changed in the grading), before the sides and numbers.
    opening = f'<p class="regrade"><strong>Re-grading:</strong> {esc(report.regrade)}</p>' if report.regrade else ""
    return f'{opening}<dl class="identity">{"".join(items)}</dl>'


def _summary_table(comparison: Comparison) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in DIFF_HEADER)
    body = []
    for row in comparison.rows:
        cells = diff_row_cells(row)
        tds = [f"<td>{esc(cells[0])}</td>"] + [
            f'<td class="num{" verdict " + VERDICT_CLASS[row.verdict] if i == 5 else ""}">{esc(c)}</td>'
            for i, c in enumerate(cells[1:], start=1)]
        body.append(f'<tr data-verdict="{esc(row.verdict)}">{"".join(tds)}</tr>')
    return (f'<div class="scroll"><table class="summary"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _chart_row(row: DiffRow) -> str:
    bound = largest_difference(row.scale)
    label = f"{row.name}: {fmt_difference(row)} ({fmt_verdict(row)})"
    ci = row.ci
    svg = difference_svg(row.difference, ci and ci.lo, ci and ci.hi, bound=bound, mde=row.mde, label=label,
                         verdict=row.verdict)
    kind = "criterion" if row.kind == "criterion" else "check"
    return (f"<tr><td>{esc(row.name)} <span class=\"muted\">({kind})</span></td><td>{svg}</td>"
            f'<td class="num {VERDICT_CLASS[row.verdict]}">{esc(fmt_difference(row))}</td></tr>')


def _charts(comparison: Comparison) -> str:
    head = ('<thead><tr><th scope="col">measure</th><th scope="col">B − A with 95% interval '
            '(dashed: zero; grey band: ± minimum detectable effect; dot green or red: improved or regressed '
            'after Holm; hollow grey: interval excludes 0 but not significant)</th><th scope="col">difference</th></tr></thead>')
    return (f'<div class="scroll"><table class="charts">{head}<tbody>{"".join(_chart_row(r) for r in comparison.rows)}'
            "</tbody></table></div>")


def fmt_case_value(value: float, scale: str) -> str:
    """One side's value of a changed case: ``pass``/``fail`` on a pass/fail scale (a share of samples when
    they disagree, e.g. ``67% pass``), the score otherwise."""
    if scale == "pass_fail":
        return "pass" if value == 1 else "fail" if value == 0 else f"{value:.0%} pass"
    return f"{round(value, 2):g}"


def case_changes(comparison: Comparison) -> dict[str, list[dict]]:
    """Case id → its changes ``{kind, name, dir, text, step}`` over every row, for every changed case.

    ``text`` is the change as shown (``4→3``, ``pass→fail``); ``step`` the change as a share of the
    row's whole scale (-1 to 1), by which the list sorts by largest drop across rows.
    """
    out: dict[str, list[dict]] = {}
    for row in comparison.rows:
        bound = largest_difference(row.scale)
        for change in row.changes:
            out.setdefault(change.case_id, []).append({
                "kind": row.kind, "name": row.name, "dir": "down" if change.delta < 0 else "up",
                "text": f"{fmt_case_value(change.a, row.scale)}→{fmt_case_value(change.b, row.scale)}",
                "step": round(change.delta / bound, 4)})
    return out


def _change_list(changes: list[dict]) -> str:
    parts = [f'<span class="{c["dir"]}">{"▼" if c["dir"] == "down" else "▲"} {esc(c["name"])}'
             f'{" (check)" if c["kind"] == "check" else ""}</span> <span class="muted">{esc(c["text"])}</span>'
             for c in changes]
    return ", ".join(parts)


def _case_order(changes: dict[str, list[dict]]) -> list[str]:
    """Cases with the most drops first, then by id (each column header re-sorts)."""
    return sorted(changes, key=lambda cid: (-sum(c["dir"] == "down" for c in changes[cid]), cid))


def _no_changes(comparison: Comparison) -> str:
    return "<p>No case was graded on both sides.</p>" if comparison.shares_no_case else "<p>No case changed.</p>"


def _family(comparison: Comparison) -> str:
    return f'<p class="muted">{esc(fmt_holm_family(comparison))}</p>' if comparison.rows else ""


def render_comparison(comparison: Comparison, index: int, notes: str = "", every: bool = True,
                      above: str = "") -> tuple[str, dict]:
    """One comparison's section and its data for the script; ``notes`` (the diff's folded notes, when this
    is its only pair) follow the headline and setup; ``every``: list every case both sides hold (else the
    changed ones), ``above``: a note above the list."""
    prefix = f"c{index}"
    changes = case_changes(comparison)
    ordered = {case_id: changes[case_id] for case_id in _case_order(changes)}
    heading, cases, data = case_list(comparison, prefix, ordered, _change_list, every)
    title = f"{comparison.candidate_a} (A) → {comparison.candidate_b} (B)"
    unmeasured = ('<p class="fail"><b>Not measured: the sides share no graded case.</b></p>'
                  if comparison.shares_no_case else f'<p class="headline"><b>{esc(headline(comparison))}</b></p>')
    none = "" if any(d["s"] == "c" for d in data) else _no_changes(comparison)
    html = (f'<section class="comparison" id="{prefix}"><h2>{esc(title)}</h2>{unmeasured}{setup_html(comparison)}'
            f"{notes}<h3>Summary</h3>{_summary_table(comparison)}{_family(comparison)}{usage_html(comparison.usage)}"
            f"<h3>Differences with intervals</h3>{_charts(comparison)}"
            f"<h3>{esc(heading)}</h3>{above}{none}{cases}{_reply_changes(comparison)}</section>")
    return html, {"cases": data, "a": comparison.candidate_a, "b": comparison.candidate_b,
                  "rows": [[row.kind, row.name] for row in comparison.rows]}  # what a case's "x" indexes


def _reply_changes(comparison: Comparison) -> str:
    """Every case whose reply changed with no change in any measure: those with a view open side by side, the
    others are named."""
    ids = comparison.reply_changes
    if not ids:
        return ""
    opened = "".join(f'<details class="reply-change"><summary>{esc_text(c)}</summary>'
                     f"{case_detail(comparison.cases[c], [], comparison)}</details>"
                     for c in ids if c in comparison.cases)
    rest = [c for c in ids if c not in comparison.cases]
    named = (f'<p class="muted">Without an embedded view (diff.json lists them all): {esc_text(", ".join(rest))}</p>'
             if rest else "")
    return (f"<h3>Replies changed with no change in any measure ({len(ids)})</h3>"
            '<p class="muted">The reply text differs while every check and criterion read the same on both '
            f"sides: worth a look, as no row shows them.</p>{opened}{named}")


def _method(report: DiffReport) -> str:
    return (f'<p class="muted">Paired over the same cases; a case\'s samples form one cluster. Intervals: '
            f"{report.confidence:.0%}, for pass/fail rows the melded interval that agrees with exact McNemar; where "
            f"no case changed, or every case moved by the same amount, Clopper–Pearson's bound on the share of cases "
            f"that could move otherwise unseen; else a bootstrap resampling cases. p: exact McNemar (pass/fail) or Wilcoxon "
            f"signed-rank (scores), in parentheses {esc(holm_method_text(report))} Verdicts at α = {report.alpha:g} after Holm. MDE: the smallest true difference this n "
            f"detects with 80% power at {esc(mde_level_text(report))}. Cases with a case or judge error on either side are left out of that row; with "
            "several samples per case, a case is compared on its graded samples and left out when a side has "
            f"none.{esc(min_effect_text(report))}</p>")


def render_diff_html(report: DiffReport) -> str:
    """The whole ``diff.html``: self-contained, escaped, keyboard usable."""
    sections, data = [], []
    notes, single = notes_html(report.notices), len(report.comparisons) == 1
    shared = shared_count(report)
    every = shared is not None and shared <= MAX_LISTED
    above = too_many_note(shared, MAX_LISTED) if shared is not None and not every else ""
    for index, comparison in enumerate(report.comparisons):
        html, part = render_comparison(comparison, index, notes if single else "", every, above)
        sections.append(html)
        data.append(part)
    title = f"Diff: {report.a.eval_name} (A) vs {report.b.eval_name} (B)"
    # Real warnings before the title; the informational notes folded after the headlines.
    body = "".join([render_notices(report.warnings), f"<h1>{esc(title)}</h1>", _sides(report),
                    overview_html(report), "" if single else notes,
                    *sections, _method(report), json_script({"comparisons": data}, "diff-data")])
    return page_shell(title, body, css=CSS + PAGER_CSS + SETUP_CSS + OVERVIEW_CSS, script=SCRIPT)
