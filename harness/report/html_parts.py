"""The reusable pieces of the HTML reports: escaping, embedded JSON, the SVG interval bar, the page shell.

Every report page is one self-contained file: inline CSS and JS, no CDN, no
network. The shell sets a Content-Security-Policy that allows only its own
scripts (by hash) and no remote loads, so even a missed escape could not run
injected code; escaping everything from the data remains the first defence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

# In the run's identity the cases read as scorecard.md puts them: "29 turn cases from 10 of 10 threads".
from harness.report.markdown import counted_cases
from harness.scoring.schema import RunIdentity

BASE_CSS = """
:root { --fg:#1d2330; --muted:#5c6577; --line:#d9dde5; --bg:#fff; --soft:#f4f6f9; --accent:#2f6fde;
        --bad:#c0392b; --good:#1a7a43; --mark:#ffe58a; --mark-fail:#f9c4bd; --open:#e9f0fd; --detail:#fbfcfe;
        --panel:#fff; --warn-bg:#fff8e1; --warn:#8a6100; --good-bg:#eef8f1; --bad-bg:#fdf0ee;
        --track:#eef1f6; --fill:#7aa5ee; color-scheme: light dark; }
/* Dark palette: every text colour keeps >= 4.5:1 on the backgrounds it is drawn on (tests/report). */
@media screen and (prefers-color-scheme: dark) {  /* screen: a printout keeps the light palette */
  :root { --fg:#e6e9ef; --muted:#a3acbb; --line:#343b47; --bg:#14171d; --soft:#1f242d; --accent:#7aa7f5;
          --bad:#ff8a7a; --good:#5fd08a; --mark:#5c4a0a; --mark-fail:#6b2f28; --open:#1e2b45; --detail:#1a1e25;
          --panel:#14171d; --warn-bg:#2a2410; --warn:#f0c14b; --good-bg:#16271d; --bad-bg:#3a1d1a;
          --track:#2a303b; --fill:#4f7fd0; }
}
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; padding: 1.5rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: .7rem 0 .2rem; }
[hidden] { display: none !important; }
.notice { border: 2px solid #d4a017; background: var(--warn-bg); padding: .6rem .9rem; margin: .5rem 0;
          font-weight: 600; border-radius: 4px; }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0; }
dl.identity dt { color: var(--muted); } dl.identity dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.section td { font-weight: 700; background: var(--soft); }
svg.bar { vertical-align: middle; margin-right: .4rem; }
.bar-text { display: inline-block; min-width: 13em; text-align: left; }  /* bars line up, whatever the figure */
.muted { color: var(--muted); }
.pass { color: var(--good); } .fail { color: var(--bad); font-weight: 600; } .na { color: var(--muted); }
mark { background: var(--mark); padding: 0 1px; }
mark { color: inherit; }
mark.ev-fail { background: var(--mark-fail); box-shadow: inset 0 -2px 0 var(--bad); }  /* evidence of a failing check */
mark.ev-na { background: none; box-shadow: inset 0 -1px 0 var(--muted); }  /* of a check that did not apply */
.ev-dim mark { background: none; box-shadow: none; }  /* a chosen check's spans only (see EVIDENCE_JS) */
.scroll { overflow-x: auto; max-width: 100%; }  /* a wide table scrolls inside its box, not the page */
/* ...and says so when it does (report.html's script marks the box: more, at-start, at-end): a hint that stays in
   view while the table scrolls, and a shade on the side where more of the table is. */
.scroll.more::before { content: "scroll sideways →"; display: block; position: sticky; left: 0;
                       font-size: .8rem; color: var(--muted); }
.scroll.more.at-end::before { content: "← scroll sideways"; }
.scroll.more:not(.at-end) { background: linear-gradient(to left, rgba(128, 128, 128, .35), transparent)
                            right / 1.2rem 100% no-repeat; }
.scroll.more.at-end:not(.at-start) { background: linear-gradient(to right, rgba(128, 128, 128, .35), transparent)
                                     left / 1.2rem 100% no-repeat; }
th.sortable { cursor: pointer; white-space: nowrap; }
th.sortable button { all: inherit; cursor: pointer; padding: 0; border: 0; background: none; }
th.sortable button:focus-visible { outline: 2px solid var(--accent); }
th.sortable button::after { content: " ↕"; color: var(--muted); font-weight: 400; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
/* A row's first cell (the case id) stays on one line; the detail row's single cell (reasons, errors) wraps. */
table.cases > tbody > tr.case > td:first-child, #records > tbody > tr.rec > td:first-child { white-space: nowrap; }
tr.detail > td { overflow-wrap: anywhere; }
a.anchor { font-size: .85rem; color: var(--accent); }
/* Charts draw on the page's colours, so they stay readable in the dark palette. */
svg.bar rect:first-of-type { fill: var(--track); } svg.bar rect + rect { fill: var(--fill); }
svg.bar line, svg.diffbar line { stroke: var(--fg); } svg.diffbar line[stroke-dasharray] { stroke: var(--muted); }
@media screen and (prefers-color-scheme: dark) {
  svg.diffbar rect:first-of-type { fill: var(--soft); } svg.diffbar rect + rect { fill: var(--line); }
  svg.diffbar circle[data-dot="none"] { fill: var(--fg); }
  svg.diffbar circle[data-dot="excludes zero"] { fill: var(--bg); stroke: var(--muted); }
}
@media print {
  :root { --open:#fff; --detail:#fff; }
  body { max-width: none; padding: 0; font-size: 11px; }
  form.filters > :not(.count), p.hint, a.anchor, th.sortable button::after { display: none !important; }
  .scroll { overflow: visible; } .scroll.more::before { display: none; }
  tr.rec, tr.case, li, .turn { break-inside: avoid; }
}
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
/* A character that would reorder or hide the text around it, shown as its code point (see esc_text). */
.unseen { font: .8em ui-monospace, monospace; color: var(--bad); border: 1px solid var(--line);
          border-radius: 3px; padding: 0 1px; unicode-bidi: isolate; }
/* Each paragraph of a reply or complaint takes its direction from its own text: Arabic reads right to left. */
.reply, .turn, .wdiff-text { unicode-bidi: plaintext; }
/* A long text opened folded (fold_box): its rest, then an ellipsis, behind a button. */
.folded .fold-rest { display: none; } .folded::after { content: "…"; color: var(--muted); }
button.fold-toggle { font: inherit; font-size: .85rem; margin: .1rem 0 .4rem; cursor: pointer; }
"""


def esc(value: object) -> str:
    """``value`` as text safe anywhere in HTML content or a quoted attribute (as ``html.escape`` with quotes).

    Text without any of the five characters is returned as it is, found by five ``in`` tests (no calls):
    a report escapes dozens of strings per record, most of them plain.
    """
    text = value if value.__class__ is str else "" if value is None else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text, quote=True)
    return text


def json_for_script(data: Any) -> str:
    """``data`` as JSON that cannot close or confuse a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` (still the
    same JSON strings to ``JSON.parse``), as do U+2028/U+2029.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    # json.dumps writes C0 controls as \u escapes, but DEL, C1 controls and bidi controls raw: none of them in
    # the page's source either (a bidi override reorders the file as an editor or `cat` shows it).
    return _JSON_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_CONTROL.search(text) else text


_JSON_CONTROL = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_script(data: Any, element_id: str) -> str:
    """A ``<script type="application/json">`` block holding ``data`` for the page's JS to read."""
    return f'<script type="application/json" id="{esc(element_id)}">{json_for_script(data)}</script>'


def interval_bar_svg(value: float | None, lo: float | None, hi: float | None, *, lower: float, upper: float,
                     label: str = "", width: int = 140, height: int = 14) -> str:
    """An inline SVG bar from ``lower`` to ``value`` with an interval whisker from ``lo`` to ``hi``.

    Positions are clamped to ``[lower, upper]``; with no ``value`` only the
    empty track is drawn; with no interval, no whisker. ``label`` becomes the
    tooltip and accessible name.
    """
    pad, mid = 3, height / 2
    span = (upper - lower) or 1.0

    def x(v: float) -> float:
        return round(pad + (min(max(v, lower), upper) - lower) / span * (width - 2 * pad), 2)

    parts = [f'<rect x="{pad}" y="2" width="{width - 2 * pad}" height="{height - 4}" fill="#eef1f6"/>']
    if value is not None:
        parts.append(f'<rect x="{pad}" y="3" width="{x(value) - pad}" height="{height - 6}" fill="#7aa5ee"/>')
    if value is not None and lo is not None and hi is not None:
        parts.append(_whisker(x(lo), x(hi), mid, height))
    return (f'<svg class="bar" role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{esc(label)}</title>{"".join(parts)}</svg>')


def _whisker(x_lo: float, x_hi: float, mid: float, height: int) -> str:
    style = 'stroke="#1d2330" stroke-width="1.5"'
    return (f'<line x1="{x_lo}" y1="{mid}" x2="{x_hi}" y2="{mid}" {style}/>'
            f'<line x1="{x_lo}" y1="2" x2="{x_lo}" y2="{height - 2}" {style}/>'
            f'<line x1="{x_hi}" y1="2" x2="{x_hi}" y2="{height - 2}" {style}/>')


def table(header: list[str], rows: list[list[str]], *, numeric_from: int = 1, attrs: str = "") -> str:
    """A ``<table>``: ``header`` is escaped here; ``rows`` cells must already be HTML (escape data first)."""
    head = "".join(f'<th scope="col"{_num_class(i, numeric_from)}>{esc(h)}</th>' for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(_cell(i, c, numeric_from) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num_class(index: int, numeric_from: int) -> str:
    """A numeric column's header is right-aligned like its figures."""
    return ' class="num"' if index >= numeric_from else ""


def _cell(index: int, content: str, numeric_from: int) -> str:
    return f'<td class="num">{content}</td>' if index >= numeric_from else f"<td>{content}</td>"


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def page_shell(title: str, body: str, *, css: str = "", script: str = "") -> str:
    """A complete HTML page: ``body`` (already HTML) in a shell with inline CSS and the optional inline ``script``.

    The CSP allows inline styles, only this exact ``script`` (by hash), data:
    images, and nothing from the network.
    """
    script_src = f"'{_script_hash(script)}'" if script else "'none'"
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_src}; "
           "base-uri 'none'; form-action 'none'")
    tail = f"<script>{script}</script>" if script else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'  # our constant: no data in it
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{BASE_CSS}{css}</style></head>"
            f"<body>{body}{tail}</body></html>\n")


def evidence_select(select_id: str, checks: list[str]) -> str:
    """The evidence picker: every check's spans, only the failing checks', or one check's."""
    options = [("", "every check (red: a failing check's)"), ("*fail", "failing checks only")]
    items = "".join(f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options + [(c, c) for c in checks])
    return (f'<label for="{esc(select_id)}">highlight evidence of'
            f'<select id="{esc(select_id)}" class="evidence">{items}</select></label>')


def sortable_head(labels: list[str]) -> str:
    """A header row whose every column sorts the table (a button each: click, Enter or Space)."""
    return "".join(f'<th scope="col" class="sortable"><button type="button" title="sort by {esc(h)}">{esc(h)}'
                   "</button></th>" for h in labels)


ROWS_JS = """
  // Rows of a table that open a detail row below them (shared by report.html and diff.html).
  function filterRows(rows, keep, count) {  // hide the rows keep(i) rejects, their details closed; count the rest
    var shown = 0;
    rows.forEach(function (tr, i) {
      var ok = keep(i);
      tr.hidden = !ok;
      if (!ok) { tr.nextElementSibling.hidden = true; tr.setAttribute("aria-expanded", "false"); }
      shown += ok ? 1 : 0;
    });
    count.textContent = shown + " of " + rows.length;
  }
  // A folded long text (fold_box): its button shows the rest, or folds it again.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.fold-toggle") : null;
    if (!b) return;
    var open = !b.parentNode.firstElementChild.classList.toggle("folded");
    b.setAttribute("aria-expanded", String(open));
    b.textContent = open ? "show less" : b.getAttribute("data-label");
  });
  function expandable(rows) {  // a click, Enter or Space on a row opens or closes its detail
    function toggle(tr) {
      var detail = tr.nextElementSibling, open = detail.hidden;
      detail.hidden = !open;
      tr.setAttribute("aria-expanded", String(open));
    }
    rows.forEach(function (tr) {
      tr.addEventListener("click", function () { toggle(tr); });
      tr.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(tr); }
      });
    });
  }
  // Each header button sorts the rows (each with its detail row) by its column and tells onSort(col, up).
  // Returns sortBy(col, up) for a page restoring a sort (col < 0: back to the page's order).
  function sortable(table, rows, onSort) {
    if (!table || !table.tHead) return function () {};
    var tbody = table.tBodies[0], details = rows.map(function (tr) { return tr.nextElementSibling; });
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
    function key(tr, col) {  // a cell's data-sort (a number) when it has one, else its text
      var td = tr.cells[col], given = td.getAttribute("data-sort");
      return given !== null ? given : td.textContent;
    }
    // A blank key (data-sort="": a record with no reply has no failure count) sorts last either way, as a
    // spreadsheet's empty cells do: neither among the best nor the worst.
    function blank(k) { return k === ""; }
    function sortBy(col, up) {
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      var sorted = col >= 0 && col < heads.length;
      if (sorted) heads[col].setAttribute("aria-sort", up ? "ascending" : "descending");
      var keyed = rows.map(function (tr, i) { return [sorted ? key(tr, col) : i, i]; });
      var numeric = !sorted || keyed.every(function (k) { return blank(k[0]) || !isNaN(Number(k[0])); });
      keyed.sort(function (p, q) {
        if (blank(p[0]) !== blank(q[0])) return blank(p[0]) ? 1 : -1;
        var c = numeric ? Number(p[0]) - Number(q[0]) : collator.compare(p[0], q[0]);
        return (up || !sorted ? c : -c) || p[1] - q[1];
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(rows[k[1]]); frag.appendChild(details[k[1]]); });
      tbody.appendChild(frag);
    }
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        sortBy(col, up);
        if (onSort) onSort(col, up);
      });
    });
    return sortBy;
  }
  function evidencePicker(select, scope) {  // show every check's evidence, the failing ones', or one check's
    if (!select) return;
    var style = document.createElement("style");
    document.head.appendChild(style);
    function apply() {
      var v = select.value, off = "{background:none;box-shadow:none}";
      if (!v) { style.textContent = ""; return; }
      if (v === "*fail") { style.textContent = scope + "mark:not(.ev-fail)" + off; return; }
      var pass = "[data-pass~=" + CSS.escape(v) + "]", fail = "[data-fail~=" + CSS.escape(v) + "]";
      var na = "[data-na~=" + CSS.escape(v) + "]";  // a check that did not apply keeps its own (n/a) style
      style.textContent = scope + "mark:not(" + pass + "):not(" + fail + "):not(" + na + ")" + off +
        scope + "mark" + pass + "{background:var(--mark);box-shadow:none}";
    }
    select.addEventListener("change", apply);
    apply();
  }
"""


DOT_STYLE = {"improved": 'fill="#1e8449"', "regressed": 'fill="#c0392b"',
             "excludes zero": 'fill="#fff" stroke="#5c6577" stroke-width="1.5"', "": 'fill="#1d2330"'}


def dot_kind(verdict: str, lo: float | None, hi: float | None) -> str:
    """How a difference's dot is drawn: by the row's *verdict* (after Holm), never by the interval alone.

    ``improved`` green, ``regressed`` red; ``excludes zero`` (a hollow grey dot) when the interval clears
    zero but the test does not make it a verdict; ``""`` (dark) otherwise.
    """
    if verdict in ("improved", "regressed"):
        return verdict
    if lo is not None and hi is not None and (lo > 0 or hi < 0):
        return "excludes zero"
    return ""


def difference_svg(value: float | None, lo: float | None, hi: float | None, *, bound: float, mde: float | None = None,
                   label: str = "", verdict: str = "", width: int = 260, height: int = 22) -> str:
    """An inline SVG of a difference on a symmetric axis ``[-bound, bound]``.

    A zero line in the middle, a grey band of ``±mde`` (what this n could not
    tell from zero), the interval ``[lo, hi]`` as a whisker and the point
    estimate as a dot coloured by the row's ``verdict`` (:func:`dot_kind`): a
    green or red dot only where the table says improved or regressed.
    ``label`` is the tooltip and accessible name.
    """
    pad, mid = 6, height / 2

    def x(v: float) -> float:
        return round(pad + (min(max(v, -bound), bound) + bound) / (2 * bound) * (width - 2 * pad), 2)

    parts = [f'<rect x="{pad}" y="3" width="{width - 2 * pad}" height="{height - 6}" fill="#f4f6f9"/>']
    if mde is not None:
        parts.append(f'<rect x="{x(-mde)}" y="3" width="{x(mde) - x(-mde)}" height="{height - 6}" fill="#e3e7ee"/>')
    parts.append(f'<line x1="{x(0)}" y1="1" x2="{x(0)}" y2="{height - 1}" stroke="#5c6577" stroke-dasharray="2 2"/>')
    if value is not None and lo is not None and hi is not None:
        parts.append(_whisker(x(lo), x(hi), mid, height))
    if value is not None:
        kind = dot_kind(verdict, lo, hi)
        parts.append(f'<circle class="dot" data-dot="{kind or "none"}" cx="{x(value)}" cy="{mid}" r="4" '
                     f'{DOT_STYLE[kind]}/>')
    return (f'<svg class="diffbar" role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>{esc(label)}</title>{"".join(parts)}</svg>')


class SafeHtml(str):
    """Markup built here from escaped parts: a definition list shows it as it is, not escaped again."""


def candidates_html(setups: dict[str, str]) -> SafeHtml | None:
    """Each candidate's name and setup (model, parameters, prompt file), one per line; None for none known."""
    if not setups:
        return None
    return SafeHtml("<br>".join(f"<b>{esc(name)}</b>: {esc(words)}" for name, words in setups.items()))


def render_identity(run: RunIdentity | None, n_records: int | str) -> str:
    """The run's identifying fields as a definition list."""
    fields = [("records", n_records)]
    if run is not None:
        fields = [("eval", run.eval_name), ("description", run.description), ("status", run.status),
                  ("from the command line", ", ".join(run.overrides) or None),
                  ("candidates", candidates_html(run.candidate_setups)), ("dataset", run.dataset_path),
                  ("dataset sha256", run.dataset_sha256),
                  ("cases", None if run.n_selected is None else counted_cases(run)),
                  ("selected by", run.selection),
                  ("rubric", " ".join(str(p) for p in (run.rubric_id, run.rubric_version and f"v{run.rubric_version}")
                                      if p) or None),
                  ("rubric sha256", run.rubric_sha256), ("judge", run.judge_model), ("started", run.started_at),
                  ("finished", run.finished_at), ("harness", run.harness_version), *fields]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{v if isinstance(v, SafeHtml) else esc(v)}</dd>"
                    for k, v in fields if v not in (None, ""))
    return f'<dl class="identity">{items}</dl>'
