"""The script of ``report.html``: filters, search, sort and the opened record, all kept in the URL fragment.

A record is opened by its id (``case.candidate.sample``, each part percent-encoded: ``t001%40t2.bot-v1.0``)
however the address gives it: as the page's own links write it (``#rec=t001%40t2.bot-v1.0``), with the ``@``
typed raw (``#rec=t001@t2.bot-v1.0``), bare (``#t001%40t2.bot-v1.0``), or double-encoded as the page's links
were written before (``#rec=t001%2540t2.bot-v1.0``): a browser or a chat client may decode or re-encode an
address on its way, and the record should open all the same (:data:`FIND_JS`).
"""

from __future__ import annotations

from harness.report.html_grid_js import GRID_JS
from harness.report.html_labelling import LABEL_JS
from harness.report.html_list_js import LIST_JS
from harness.report.html_parts import ROWS_JS
from harness.report.html_queue_js import QUEUE_JS

# The record a fragment names: ``recParam`` reads ``rec`` undecoded (URLSearchParams would decode ``%40`` to ``@``,
# and no element has that id); ``findRecord`` tries it as it is, then decoded once and twice, against the rows'
# ids and against their ids decoded (what a hand-typed ``@`` gives). The first row wins a tie of decoded ids
# (possible only when a case id and a candidate name both hold a dot).
FIND_JS = """
  var byId = {}, byDecoded = {};
  function decoded(text) { try { return decodeURIComponent(text); } catch (e) { return text; } }
  list.ids.forEach(function (id, i) {
    byId[id] = i;
    var k = decoded(id);
    if (!(k in byDecoded)) byDecoded[k] = i;
  });
  function findRecord(given) {  // the record's index, -1 for none
    var tries = [given, decoded(given), decoded(decoded(given))];
    for (var i = 0; i < tries.length; i++) {
      if (own.call(byId, tries[i])) return byId[tries[i]];
      if (own.call(byDecoded, tries[i])) return byDecoded[tries[i]];
    }
    return -1;
  }
"""

# recParam: the undecoded ``rec`` of a fragment (a bare fragment with no ``=`` is a record's id). scrollHints: a
# wide table's box (``.scroll``) that overflows says so ("scroll sideways →", a shade on the side with more), as
# a phone otherwise shows the table cut at the screen's edge with nothing saying the rest is there.
SCROLL_JS = """
  function recParam(raw) {
    if (raw.indexOf("=") < 0) return raw;
    var found = raw.split("&").filter(function (kv) { return kv.indexOf("rec=") === 0; })[0];
    return found ? found.slice(4) : "";
  }
  function scrollHints() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".scroll"));
    function mark(box) {
      var more = box.scrollWidth - box.clientWidth > 1;
      box.classList.toggle("more", more);
      box.classList.toggle("at-end", more && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
      box.classList.toggle("at-start", more && box.scrollLeft <= 0);
    }
    function markAll() { boxes.forEach(mark); }
    boxes.forEach(function (box) { box.addEventListener("scroll", function () { mark(box); }, {passive: true}); });
    window.addEventListener("resize", markAll);
    document.addEventListener("click", function () { setTimeout(markAll, 0); });  // an opened record widens a box
    markAll();
  }
"""

SCRIPT = """
(function () {""" + ROWS_JS + LIST_JS + LABEL_JS + QUEUE_JS + SCROLL_JS + GRID_JS + """
  var report = JSON.parse(document.getElementById("report-data").textContent), data = report.records;
  var table = document.getElementById("records");
  // What a check asks (its description: a promptfoo cell converted keeps it), in the page's data once a case and
  // once a run, not once a record; written beside the check's name where a reader meets its verdict.
  var cases = report.cases || {}, evalAbout = report.about || {}, own = Object.prototype.hasOwnProperty;
  function asksOf(tr) {
    var mine = (cases[tr.id.split(".")[0]] || {}).about || {};
    return function (name) { return own.call(mine, name) ? mine[name] : own.call(evalAbout, name) ? evalAbout[name] : null; };
  }
  function describe(tr, td) {  // an opened record's checks list: "regex_d (promptfoo: regex ...): fail — no match"
    var asks = asksOf(tr), list = td.querySelector(".verdicts ul");
    if (!list) return;
    Array.prototype.forEach.call(list.children, function (li) {
      var name = li.firstElementChild, words = name && name.tagName === "B" ? asks(name.textContent) : null;
      if (words === null) return;
      var span = document.createElement("span");
      span.className = "muted asks";
      span.textContent = " (" + words + ")";
      li.insertBefore(span, name.nextSibling);
    });
  }
  // The records: text in the page until shown (html_store, html_list_js); a row is made when its page is shown.
  var onMake = [], list = recordList(table, onMake);
  var names = ["candidate", "persona", "category", "failing", "criterion", "flip", "error"];
  var selects = names.map(function (n) { return document.getElementById("f-" + n); });  // null: not offered
  var count = document.getElementById("shown");
  var text = document.getElementById("f-text");
  var evidence = document.getElementById("f-evidence");
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells).map(function (th) {
    return th.textContent.trim();
  });
  // A row's text search reads its cells and its detail (list.matcher: complaint, reply, verdicts).
  function has(list, value) { return !value || (value === "*" ? list.length > 0 : list.indexOf(value) >= 0); }
  function erred(list, value) {  // "*judge": any criterion's judge erred ("*case", "*check" are not criteria)
    return value === "*judge" ? list.some(function (e) { return e.charAt(0) !== "*"; }) : has(list, value);
  }
  function keep(r, i, words) {  // words: null, or list.matcher's test of a record
    var v = selects.map(function (s) { return s ? s.value : ""; });
    return (!v[0] || r.candidate === v[0]) && (!v[1] || r.persona === v[1]) && (!v[2] || r.category === v[2]) &&
      has(r.failing, v[3]) && has(r.failing_criteria, v[4]) && has(r.flips, v[5]) && erred(r.errors || [], v[6]) &&
      (!queue || queue.keeps(i)) &&
      (!words || words(i));
  }
  function apply() {
    var words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    words = words.length ? list.matcher(words) : null;
    count.textContent = list.filter(function (i) { return keep(data[i], i, words); }) + " of " + list.n;
    if (grid) grid.filter();
  }
  var grid = sideBySide(list, data, cases, asksOf);  // null with one candidate
  var queue = null;  // the labelling queue's filter (labelling, below), while labelling with a queue option
  // The view lives in the URL fragment (#candidate=v2&q=refund&sort=-checks&rec=c01.v2.0): a reload or a
  // shared link restores it, and each change is a history step (a burst of typing is one), so Back undoes it.
  var sorted = null, shown = "null", typing = false, restoring = false, sortBy = function () {};
  function fragment(rec) {
    var p = new URLSearchParams();
    selects.forEach(function (s, k) { if (s && s.value) p.set(names[k], s.value); });
    if (text.value) p.set("q", text.value);
    if (evidence && evidence.value) p.set("ev", evidence.value);
    if (sorted) p.set("sort", (sorted[1] ? "" : "-") + heads[sorted[0]]);
    if (grid && grid.isOn() && !rec) p.set("view", "grid");  // a record is opened in the list
    if (grid && grid.differ.checked) p.set("differ", "1");
    var at = grid && grid.isOn() && !rec ? grid.pageOf() : list.pageOf();  // the page of the view shown
    if (at > 0 && !rec) p.set("page", String(at + 1));  // a record's link finds its own page
    var f = p.toString();  // a record's id goes in as it is (already percent-encoded): #rec=t001%40t2.v1.0
    return rec ? (f ? f + "&" : "") + "rec=" + rec : f;
  }
  function save(push, rec) {
    if (restoring) return;
    var f = fragment(rec);
    if (f === location.hash.slice(1)) return;
    history[push ? "pushState" : "replaceState"](null, "", f ? "#" + f : location.pathname + location.search);
  }
  function choose(select, value) {  // a value the page does not offer falls back to the first option
    select.value = value || "";
    if (select.selectedIndex < 0) select.selectedIndex = 0;
  }
  function restore() {
    var raw = location.hash.slice(1), rec = recParam(raw);
    var p = new URLSearchParams(raw.indexOf("=") < 0 ? "" : raw);
    restoring = true;
    selects.forEach(function (s, k) { if (s) choose(s, p.get(names[k])); });
    text.value = p.get("q") || "";
    if (grid) { grid.differ.checked = p.get("differ") === "1"; grid.show(p.get("view") === "grid" && !rec); }
    if (evidence) { choose(evidence, p.get("ev")); evidence.dispatchEvent(new Event("change")); }
    var sort = p.get("sort") || "", col = heads.indexOf(sort.replace(/^-/, ""));
    sorted = col >= 0 ? [col, sort.charAt(0) !== "-"] : null;
    if (String(sorted) !== shown) sortBy(sorted ? sorted[0] : -1, sorted ? sorted[1] : true);  // moves every row
    shown = String(sorted);
    apply();  // back to the first page; then the page the address names (past the last: the last)
    var at = Math.max(1, parseInt(p.get("page"), 10) || 1) - 1;
    if (grid && grid.isOn()) grid.setPage(at); else list.setPage(at);
    restoring = false;
    if (rec) reveal(rec);
  }
  function reveal(given) {  // open a linked record and scroll to it; filters that hide it are cleared
    var i = findRecord(given);
    if (i < 0) return;
    var id = list.ids[i];
    if (grid && grid.isOn()) grid.show(false);
    if (!list.kept(i)) {
      selects.forEach(function (s) { if (s) s.selectedIndex = 0; });
      text.value = "";
      apply();
      save(false, id);
    }
    list.showRecord(i);  // its page, wherever the list is
    var tr = list.make(i);
    if (tr.detailRow.hidden) tr.click();
    tr.scrollIntoView({block: "start"});
    tr.focus({preventScroll: true});
  }
  function linkTo(tr) {  // an opened record offers a link to itself (written here: not in the page ~1000 times)
    var td = list.fill(tr.index).cells[0];
    if (td.querySelector("a.anchor")) return;
    describe(tr, td);
    var a = document.createElement("a");
    a.className = "anchor";
    a.href = "#rec=" + tr.id;
    a.textContent = "link to this record";
    td.insertBefore(a, td.firstChild);
  }
  function toggle(tr) {  // a click, Enter or Space on a row opens or closes its detail (filled when first opened)
    var detail = list.fill(tr.index), open = detail.hidden;
    detail.hidden = !open;
    tr.setAttribute("aria-expanded", String(open));
  }
  onMake.push(function (tr) {
    tr.addEventListener("click", function () { linkTo(tr); toggle(tr); });
    tr.addEventListener("keydown", function (e) {
      linkTo(tr);
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(tr); }
    });
  });
""" + FIND_JS + """
  // before restore(): a linked record opens with its labels
  queue = labelling(list, onMake, data, report.labelling, {changed: apply, open: function (i) {
    typing = false;
    save(true, list.ids[i]);
    reveal(list.ids[i]);
  }});
  list.onPage = function () { typing = false; save(true); };  // a page turned is a step Back undoes
  if (grid) grid.onPage = list.onPage;
  sortBy = sortableList(table, list, function (col, up) {
    sorted = [col, up];
    shown = String(sorted);
    typing = false;
    save(true);
  });
  evidencePicker(evidence, "#records ");
  selects.concat([evidence]).forEach(function (s) {
    if (s) s.addEventListener("change", function () { apply(); typing = false; save(true); });
  });
  if (grid) {
    grid.differ.addEventListener("change", function () { grid.filter(); typing = false; save(true); });
    grid.tabs.forEach(function (tab, k) {
      tab.addEventListener("click", function () { grid.show(k === 1); typing = false; save(true); });
      tab.addEventListener("keydown", function (e) {  // a tab list: the arrow keys move between its tabs
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        var other = grid.tabs[1 - k];
        other.focus();
        other.click();
      });
    });
  }
  text.addEventListener("input", function () { apply(); save(!typing); typing = true; });
  // Enter in the search box would submit the form: the page would reload and lose every filter.
  if (text.form) { text.form.addEventListener("submit", function (e) { e.preventDefault(); }); }
  document.addEventListener("click", function (e) {  // a record's own link: keep the filters, add the record
    var a = e.target.closest ? e.target.closest("a.anchor, a.turn-link") : null;
    if (!a) return;
    e.preventDefault();
    var id = recParam(a.getAttribute("href").slice(1));
    typing = false;
    save(true, id);
    reveal(id);
  });
  scrollHints();
  window.addEventListener("popstate", restore);
  window.addEventListener("hashchange", restore);
  restore();
})();
"""
