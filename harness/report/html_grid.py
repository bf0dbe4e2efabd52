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
            f"<thead><tr>{head}</tr></thead><tbody></tbody></table></div></div>")


# sideBySide(rows, data): the view's controller, or null on a page without it (one candidate). Cases are the
# rows' ids up to the first dot (a record's id is case.candidate.sample, each part percent-encoded without
# dots), in the list's own order (the dataset's), whatever the list is sorted by. A cell is built from the
# record's own rows: its reply (the detail's block after "Reply"), its checks, criteria and error cells; all
# of it already escaped by the server, so it is cloned, never written as HTML here.
GRID_JS = """
  function sideBySide(rows, data, cases, asksOf) {
    cases = cases || {};
    var view = document.getElementById("grid-view");
    if (!view) return null;
    var table = document.getElementById("grid"), differBox = document.getElementById("f-differ");
    var shownCount = document.getElementById("grid-shown"), tabs = [document.getElementById("tab-list"),
      document.getElementById("tab-grid")], panels = [document.getElementById("records-view"), view];
    var columns = Array.prototype.slice.call(table.tHead.rows[0].cells, 1).map(function (th) {
      return th.getAttribute("data-candidate");
    });
    // The list's checks column, and the verdict cells after it: its place depends on the run's columns (no
    // persona or category column where no record has one).
    var list = document.getElementById("records"), checksAt = Array.prototype.map.call(list.tHead.rows[0].cells,
      function (th) { return th.textContent.trim(); }).indexOf("checks");
    var groups = [], byCase = {}, built = false, variantsCount = document.getElementById("grid-variants");
    rows.forEach(function (tr, i) {
      var key = tr.id.split(".")[0];
      if (!byCase[key]) { byCase[key] = {idx: [], variants: []}; groups.push(byCase[key]); }
      byCase[key].idx.push(i);
    });
    groups = underOriginals(groups);
    // A perturbed variant (perturb: in the eval) goes right under its original, wherever the list has it;
    // a variant whose original is not in the run keeps its own place, as a case.
    function underOriginals(list) {
      list.forEach(function (g) {
        var v = (cases[rows[g.idx[0]].id.split(".")[0]] || {}).variant, parent = v && byCase[v[0]];
        if (parent && parent !== g) { g.kind = v[1]; g.parent = parent; parent.variants.push(g); }
      });
      var out = [];
      list.forEach(function (g) { if (!g.parent) { out.push(g); out.push.apply(out, g.variants); } });
      return out;
    }
    function el(tag, css, text) {
      var e = document.createElement(tag);
      if (css) e.className = css;
      if (text) e.textContent = text;
      return e;
    }
    function replyOf(detail) {  // the record's own reply block (the other candidates' come after it)
      var heads = detail.cells[0].querySelectorAll("h3");
      for (var k = 0; k < heads.length; k++) {
        if (heads[k].textContent.indexOf("Reply") === 0) return heads[k].nextElementSibling;
      }
      return null;
    }
    function folded(block, limit) {  // a long text: the whole of it in the cell, clamped behind the page's fold button
      var reply = block.classList.contains("fold") ? block.firstElementChild : block;
      var copy = reply.cloneNode(true), rest = copy.querySelector(".fold-rest");
      copy.classList.remove("folded");
      if (rest) rest.classList.remove("fold-rest");
      var size = copy.textContent.length;
      if (size <= (limit || """ + str(GRID_FOLD) + """)) return copy;
      var box = el("div", "fold"), label = "show all " + size.toLocaleString("en") + " characters";
      copy.classList.add("gfold", "folded");
      var button = el("button", "fold-toggle", label);
      button.type = "button";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("data-label", label);
      box.appendChild(copy);
      box.appendChild(button);
      return box;
    }
    function marks(tr) {  // checks (✗ the failed ones), criteria scores, error: the list row's own cells
      var line = el("div", "gmarks"), cells = tr.cells, seen = {};
      for (var c = checksAt; c < cells.length; c++) {
        var text = cells[c].textContent.trim();
        if (!text || text === "—" || seen[text]) continue;  // a record with no reply says so in two cells: once
        seen[text] = true;
        if (c === checksAt && text === "all pass") { line.appendChild(el("span", "pass", "✓ all checks pass")); continue; }
        var failed = c === checksAt && text !== "no reply" && cells[c].querySelector(".fail");
        var part = el("span", "", failed ? "✗ " : "");
        if (failed) {
          part.appendChild(failedNames(text, asksOf(tr)));
        } else {
          Array.prototype.forEach.call(cells[c].childNodes, function (n) { part.appendChild(n.cloneNode(true)); });
        }
        line.appendChild(part);
      }
      return line;
    }
    function failedNames(text, asks) {  // the failed checks, each described one saying what it asks when pointed at
      var box = el("span", "fail");
      text.split(", ").forEach(function (name, k) {
        var words = asks(name), part = el("span", words === null ? "" : "asks", name);
        if (words !== null) part.title = words;
        if (k) box.appendChild(document.createTextNode(", "));
        box.appendChild(part);
      });
      return box;
    }
    function cell(td, i, samples) {
      var tr = rows[i], detail = tr.nextElementSibling, link = el("a", "anchor", "open");
      link.href = "#rec=" + tr.id;
      link.title = "open this record in the list";
      td.appendChild(link);
      if (samples) td.appendChild(el("div", "gsample", "sample " + tr.id.split(".").pop()));
      td.appendChild(marks(tr));
      var block = replyOf(detail);
      if (block) td.appendChild(folded(block));
    }
    function title(g) {  // the case as the list writes it; a turn case also as its record's heading does
      var tr = rows[g.idx[0]], th = el("th", "gcase");
      th.scope = "row";
      Array.prototype.forEach.call(tr.cells[0].childNodes, function (n) { th.appendChild(n.cloneNode(true)); });
      var thread = Array.prototype.filter.call(tr.nextElementSibling.querySelectorAll("h3"), function (h) {
        return h.textContent.indexOf("Thread ") === 0;
      })[0];
      if (thread) th.appendChild(el("span", "thread", thread.textContent));
      if (g.parent) {
        th.appendChild(el("span", "vkind", "↳ " + g.kind + " variant of " +
          rows[g.parent.idx[0]].cells[0].textContent));
      }
      var r = data[g.idx[0]], differ = (r.flips || []).concat(r.cflips || []);
      g.differ = differ.length > 0;
      if (g.differ) th.appendChild(el("span", "differ-mark", "⇄ differ: " + differ.join(", ")));
      inputs(th, tr.nextElementSibling.cells[0], tr.id.split(".")[0]);
      return th;
    }
    function turnBlock(t) { return t.parentNode.classList.contains("fold") ? t.parentNode : t; }
    // The case's inputs, from its first record's detail (the page holds the thread once a record; copied, not
    // written twice): the complaint (the last customer turn), the whole thread behind a summary, filled when
    // first opened, and the case's metadata (the page's data: once a case), as promptfoo's grid shows the vars.
    function inputs(th, detail, key) {
      var turns = [], kids = detail.children;  // the detail's own blocks up to its reply: no search of the rest
      for (var k = 0; k < kids.length; k++) {
        var n = kids[k], list = n.classList;
        if (list.contains("turn")) turns.push(n);
        else if (list.contains("fold") && n.firstElementChild.classList.contains("turn")) turns.push(n.firstElementChild);
        else if (n.tagName === "H3" && n.textContent.indexOf("Reply") === 0) break;
      }
      var customer = turns.filter(function (t) {
        var role = t.querySelector("b");
        return role && role.textContent.indexOf("customer") === 0;
      }).pop();
      if (customer) {
        var box = el("div", "gcomplaint");
        box.appendChild(folded(turnBlock(customer), """ + str(CASE_FOLD) + """));
        th.appendChild(box);
      }
      if (turns.length > 1) {
        var more = el("details", "gthread"), summary = el("summary", "", "whole thread (" + turns.length + " turns)");
        more.appendChild(summary);
        more.addEventListener("toggle", function () {
          if (!more.open || more.filled) return;
          more.filled = true;
          turns.forEach(function (t) { more.appendChild(folded(turnBlock(t), """ + str(CASE_FOLD) + """)); });
        });
        th.appendChild(more);
      }
      var meta = (cases[key] || {}).meta;
      if (meta && meta.length) {
        var list = el("div", "gmeta");
        meta.forEach(function (pair) {
          var line = el("div"), value = pair[1] === null ? "" : String(pair[1]);
          line.appendChild(el("b", "", pair[0] + ":"));
          line.appendChild(document.createTextNode(" " + value));
          list.appendChild(line);
        });
        th.appendChild(list);
      }
    }
    function build() {
      var frag = document.createDocumentFragment();
      groups.forEach(function (g) {
        var row = el("tr"), cells = columns.map(function () { return el("td"); });
        row.appendChild(title(g));
        var samples = g.idx.length > columns.length;
        g.idx.forEach(function (i) {
          var c = columns.indexOf(data[i].candidate);
          if (c < 0) { columns.push(data[i].candidate); cells.push(el("td")); c = cells.length - 1; }
          cell(cells[c], i, samples);
        });
        cells.forEach(function (td) {
          // a variant's cell with no record: a recorded candidate, whose replies answered the original only
          if (g.parent && !td.firstChild) {
            td.appendChild(el("span", "na", "—"));
            td.title = "no record: recorded replies answer the original complaint only";
          }
          row.appendChild(td);
        });
        row.className = (g.differ ? "differs" : "") + (g.parent ? " variant" : "");
        g.tr = row;
        frag.appendChild(row);
      });
      table.tBodies[0].appendChild(frag);
      built = true;
    }
    // A case shows when one of its records passes the list's filters (and, with "disagree" ticked, when its
    // candidates disagree); a variant likewise, by its own records, and a variant shown brings its original
    // (dimmed when it is there only for that), so a variant is never read without the complaint it perturbs.
    // Counted apart: "4 of 20 cases · 3 of 60 variants".
    function filter() {
      if (!built) return;
      var tally = [0, 0, 0, 0];  // originals shown, originals, variants shown, variants
      groups.forEach(function (g) {
        g.ok = (!differBox.checked || g.differ) && g.idx.some(function (i) { return !rows[i].hidden; });
      });
      groups.forEach(function (g) {
        var context = !g.ok && g.variants.some(function (v) { return v.ok; }), at = g.parent ? 2 : 0;
        g.tr.hidden = !g.ok && !context;
        g.tr.classList.toggle("context", context);
        tally[at] += g.ok ? 1 : 0;
        tally[at + 1] += 1;
      });
      shownCount.textContent = tally[0] + " of " + tally[1];
      if (variantsCount) {
        variantsCount.textContent = tally[3] ? " · " + tally[2] + " of " + tally[3] + " variants" : "";
      }
    }
    var on = false;
    function show(grid) {
      on = grid;
      tabs.forEach(function (t, k) {
        t.setAttribute("aria-selected", String(k === (grid ? 1 : 0)));
        t.tabIndex = k === (grid ? 1 : 0) ? 0 : -1;
      });
      panels.forEach(function (p, k) { p.hidden = k !== (grid ? 1 : 0); });
      if (grid && !built) build();
      filter();
      window.dispatchEvent(new Event("resize"));  // the scroll hints measure the box now shown
    }
    return {show: show, filter: filter, differ: differBox, tabs: tabs, isOn: function () { return on; }};
  }
"""
