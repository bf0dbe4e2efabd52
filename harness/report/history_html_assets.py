"""The runs page's script and style (:mod:`harness.report.history_html`), kept apart from the page's HTML.

The script reuses the report pages' row helpers (``ROWS_JS``: filterRows, expandable, sortable) and adds the
page's filters, the view in the URL fragment and the two-run picker; the style adds to the shared shell's
(``BASE_CSS``: palette, dark mode, print) the page's own pieces and its phone layout.
"""

from __future__ import annotations

from harness.report.html_parts import ROWS_JS

SCRIPT = "(function () {" + ROWS_JS + r"""
  var page = JSON.parse(document.getElementById("harness-index").textContent), byRun = {};
  page.runs.forEach(function (r, i) { r.order = -i; byRun[r.run] = r; });
  var table = document.getElementById("runs"), count = document.getElementById("shown");
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.run"));
  var evalSel = document.getElementById("f-eval"), gatesSel = document.getElementById("f-gates");
  var text = document.getElementById("f-text");
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells).map(function (th) {
    return th.textContent.trim();
  });
  var hay = rows.map(function (tr) { return tr.textContent.toLowerCase(); });
  function apply() {
    var e = evalSel.value, g = gatesSel.value, words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    filterRows(rows, function (i) {
      return (!e || rows[i].getAttribute("data-eval") === e) && (!g || rows[i].getAttribute("data-gates") === g) &&
        words.every(function (w) { return hay[i].indexOf(w) >= 0; });
    }, count);
    Array.prototype.forEach.call(document.querySelectorAll("tr.eval"), function (tr) {
      tr.classList.toggle("current", tr.getAttribute("data-eval") === e);
    });
  }
  // The view lives in the URL fragment (#eval=nightly&gates=failed&sort=-started): a link from the evals
  // table filters, and a reload or a shared link keeps the view.
  var sorted = null, restoring = false, sortBy = function () {};
  function save() {
    if (restoring) return;
    var p = new URLSearchParams();
    if (evalSel.value) p.set("eval", evalSel.value);
    if (gatesSel.value) p.set("gates", gatesSel.value);
    if (text.value) p.set("q", text.value);
    if (sorted) p.set("sort", (sorted[1] ? "" : "-") + heads[sorted[0]]);
    var f = p.toString();
    if (f !== location.hash.slice(1)) history.replaceState(null, "", f ? "#" + f : location.pathname + location.search);
  }
  function choose(select, value) {  // a value the page does not offer falls back to "all"
    select.value = value || "";
    if (select.selectedIndex < 0) select.selectedIndex = 0;
  }
  function restore() {
    var p = new URLSearchParams(location.hash.slice(1));
    restoring = true;
    choose(evalSel, p.get("eval"));
    choose(gatesSel, p.get("gates"));
    text.value = p.get("q") || "";
    var s = p.get("sort") || "", col = heads.indexOf(s.replace(/^-/, ""));
    var next = col >= 0 ? [col, s.charAt(0) !== "-"] : null;
    if (String(next) !== String(sorted)) sortBy(next ? next[0] : -1, next ? next[1] : true);
    sorted = next;
    apply();
    restoring = false;
  }
  // A tick or a link inside a row is not a click on the row (which opens its detail).
  rows.forEach(function (tr) {
    Array.prototype.forEach.call(tr.querySelectorAll("input, a"), function (el) {
      el.addEventListener("click", function (e) { e.stopPropagation(); });
      el.addEventListener("keydown", function (e) { e.stopPropagation(); });
    });
  });
  expandable(rows);
  sortBy = sortable(table, rows, function (col, up) { sorted = [col, up]; save(); });
  [evalSel, gatesSel].forEach(function (s) { s.addEventListener("change", function () { apply(); save(); }); });
  text.addEventListener("input", function () { apply(); save(); });
  if (text.form) text.form.addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", restore);

  // Two ticked runs: the command that compares them (the older is A), and their diff when one was written.
  var picked = [], boxes = Array.prototype.slice.call(table.querySelectorAll("input.pick"));
  var hint = document.getElementById("pick-hint"), out = document.getElementById("pick-out");
  var cmd = document.getElementById("diff-cmd"), copy = document.getElementById("copy");
  var found = document.getElementById("diff-found"), warn = document.getElementById("pick-warn");
  function quote(s) {  // a POSIX shell word
    return /^[A-Za-z0-9_.\/:=@%+,-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";
  }
  function show() {
    var runs = picked.map(function (r) { return byRun[r]; });  // A is the older: later in the page's order
    hint.textContent = runs.length === 1 ? "Tick one more run to compare it with " + runs[0].run + "." :
      "Tick two runs to get the command that compares them.";
    hint.hidden = runs.length === 2;
    out.hidden = runs.length !== 2;
    if (runs.length !== 2) return;
    runs.sort(function (p, q) { return p.order - q.order; });  // oldest first
    var a = runs[0], b = runs[1], to = page.results + "/diff-" + a.run + "-" + b.run;
    // diff pairs candidates of the same name; with none shared it needs --pair (added when each run has one).
    var shared = a.candidates.filter(function (c) { return b.candidates.indexOf(c) >= 0; });
    var unshared = !shared.length && a.candidates.length > 0 && b.candidates.length > 0;
    var pair = unshared && a.candidates.length === 1 && b.candidates.length === 1;
    cmd.textContent = ["harness diff", quote(a.path), quote(b.path)].concat(
      pair ? ["--pair", quote(a.candidates[0] + "=" + b.candidates[0])] : [], ["--out", quote(to)]).join(" ");
    copy.textContent = "copy";
    // Every diff written of the pair, the one in the folder this command would replace first.
    var diffs = (page.diffs[a.run + "\n" + b.run] || []).concat(page.diffs[b.run + "\n" + a.run] || []);
    var own = to.slice(page.results.length + 1);
    diffs.sort(function (p, q) { return (q.folder === own) - (p.folder === own); });
    found.hidden = !diffs.length;
    var holder = document.getElementById("diff-links");
    holder.textContent = "";
    diffs.forEach(function (diff, i) {
      if (i) holder.appendChild(document.createTextNode("; "));
      var link = document.createElement("a");
      link.href = diff.href;
      link.textContent = diff.label + (diff.folder === own ? " (this command's --out: it would be replaced)" : "");
      holder.appendChild(link);
    });
    var notes = [];
    if (a.eval !== b.eval) notes.push("These runs are of different evals, which usually have different cases: " +
      "harness diff compares only the cases both runs hold unchanged (same id and content), and measures nothing " +
      "(exit code 2) when they share none.");
    if (pair) notes.push("They share no candidate: the command pairs " + a.candidates[0] + " (A) with " +
      b.candidates[0] + " (B) with --pair.");
    else if (unshared) notes.push("They share no candidate (A: " + a.candidates.join(", ") + "; B: " +
      b.candidates.join(", ") + "): harness diff needs --pair A_NAME=B_NAME to name the two it compares.");
    warn.textContent = notes.join(" ");
    warn.hidden = !notes.length;
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var at = picked.indexOf(box.value);
      if (box.checked && at < 0) picked.push(box.value);
      if (!box.checked && at >= 0) picked.splice(at, 1);
      while (picked.length > 2) {  // a third tick replaces the first: a diff compares two runs
        var first = picked.shift();
        boxes.forEach(function (b) { if (b.value === first) b.checked = false; });
      }
      show();
    });
  });
  function selectCommand() {
    var range = document.createRange(), selection = window.getSelection();
    range.selectNodeContents(cmd);
    selection.removeAllRanges();
    selection.addRange(range);
    copy.textContent = "selected: press Ctrl+C";
  }
  copy.addEventListener("click", function () {
    if (!navigator.clipboard || !navigator.clipboard.writeText) { selectCommand(); return; }
    navigator.clipboard.writeText(cmd.textContent).then(function () { copy.textContent = "copied"; }, selectCommand);
  });
  restore();
  show();
})();
"""

CSS = """
body { max-width: 1440px; }  /* a dozen columns: wider than a run's report */
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin: .5rem 0; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.filters input[type=search] { min-width: 14rem; }
.evals svg.spark { vertical-align: middle; }
svg.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.spark circle { fill: var(--accent); } svg.spark circle.base { fill: var(--bg); stroke: var(--fg); stroke-width: 1.5; }
tr.eval.current td { background: var(--open); }
tr.run { cursor: pointer; } tr.run:hover { background: var(--soft); }
tr.run[aria-expanded="true"] { background: var(--open); }
tr.run.accepted td:first-child { box-shadow: inset 3px 0 0 var(--good); }
tr.detail > td { background: var(--detail); padding: .6rem 1rem; }
td.pick { width: 1.6rem; } td.pick input { margin: 0; width: 1.1rem; height: 1.1rem; }
.badge { display: inline-block; font-size: .75rem; border: 1px solid var(--good); color: var(--good);
         border-radius: 3px; padding: 0 .3rem; margin-left: .3rem; white-space: nowrap; }
.missing { color: var(--muted); font-style: italic; }
.files a { font-size: .85rem; margin-right: .5rem; }
.fig { display: block; white-space: nowrap; }
/* A dozen columns fit a laptop's 1300 px: two-word headings and "unknown (no price)" wrap, not the page. */
#runs th.sortable { white-space: normal; }
#runs td[data-label="cost"] { white-space: normal; min-width: 5rem; }
.trend + .trend { margin-top: .2rem; }
section.pick { border: 1px solid var(--line); border-radius: 4px; padding: .5rem .8rem; margin: .6rem 0;
               background: var(--panel); position: sticky; top: 0; z-index: 1; }
section.pick p { margin: .2rem 0; }
#diff-cmd { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere;
            background: var(--soft); padding: .1rem .3rem; }
#copy { margin-left: .5rem; }
.warn { color: var(--warn); }
@media (max-width: 640px) {
  body { padding: .8rem; }
  #runs, #runs > tbody, tr.detail, tr.detail > td { display: block; }
  #runs > thead > tr { display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
  #runs > thead th { border: 0; background: none; padding: .1rem 0; }
  #runs > tbody > tr.run { display: grid; grid-template-columns: auto 1fr; border-bottom: 1px solid var(--line); }
  #runs > tbody > tr.run > td { border: 0; padding: .1rem .4rem; text-align: left; }
  #runs > tbody > tr.run > td:nth-child(n+4) { grid-column: 1 / -1; }
  #runs > tbody > tr.run > td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  .fig { display: inline; margin-right: .6rem; }
  section.pick { position: static; }
}
@media print {
  section.pick, td.pick, th.pick { display: none !important; }
  tr.run { break-inside: avoid; }
}
"""
