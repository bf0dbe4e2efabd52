"""The script behind ``diff.html`` (:data:`SCRIPT`): per comparison, its case list kept as text and data, made
into rows a page at a time and into a case's side-by-side detail only when it is opened, as ``report.html``'s
records list does (:mod:`harness.report.html_list_js`, whose helpers it reuses; html_store explains why: a
diff of two 20,000-case runs as elements would be a million of them).

Each comparison's rows are the text of ``<script type="text/x-harness-records" id="c0-store">`` (a row then its
detail row, :data:`harness.report.html_store.SEP` between cases); ``diff-data`` holds, per case in the same
order, what the filters, the search and the counts read: ``s`` ``c`` for a case some measure changed on (else
``u``), ``rc`` when only its reply text changed, ``changes``, ``t`` the complaint and both replies, ``w`` the
two replies for the word changes the page computes (:mod:`harness.report.diff_word_diff_js`), ``noview`` for a
changed case of a page written from ``diff.json`` alone (it opens to its values on each changed measure), ``x``
the rows (indexes into the comparison's ``rows``, ``[kind, name]``) the case was not graded on, which the check
and criterion filters read under "unchanged" and "all".
"""

from __future__ import annotations

from harness.report.diff_word_diff_js import WORD_DIFF_JS
from harness.report.html_list_js import LIST_JS
from harness.report.html_parts import ROWS_JS

CASE_LIST_JS = """
  function valuesTable(td, c, comparison) {  // a case without a view: its values on each changed measure
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "No side-by-side view is embedded for this case (views are embedded for each row's " +
      "largest drops and rises). Its changed measures:";
    var table = document.createElement("table"), head = document.createElement("tr");
    table.className = "verdicts";
    ["measure", "A: " + comparison.a + " \\u2192 B: " + comparison.b].forEach(function (h) {
      var th = document.createElement("th"); th.textContent = h; head.appendChild(th);
    });
    table.appendChild(head);
    c.changes.forEach(function (ch) {
      var tr = document.createElement("tr");
      [[(ch.dir === "down" ? "\\u25bc " : "\\u25b2 ") + ch.name + " (" + ch.kind + ")", ch.dir], [ch.text, ""]].forEach(function (x) {
        var cell = document.createElement("td"), span = document.createElement("span");
        span.textContent = x[0]; if (x[1]) span.className = x[1]; cell.appendChild(span); tr.appendChild(cell);
      });
      table.appendChild(tr);
    });
    td.appendChild(note); td.appendChild(table);
  }
  var STATUS = {
    changed: function (c) { return c.s === "c"; },
    regressed: function (c) { return c.changes.some(function (ch) { return ch.dir === "down"; }); },
    improved: function (c) { return c.changes.some(function (ch) { return ch.dir === "up"; }); },
    unchanged: function (c) { return c.s !== "c"; },
    reply: function (c) { return !!c.rc; },
    all: function () { return true; }
  };
  function caseList(section, comparison, prefix) {
    var cases = comparison.cases, texts = storeTexts(prefix + "-store"), parts = storeTexts(prefix + "-parts");
    var n = texts.length;
    var table = section.querySelector("table.cases"), tbody = table.tBodies[0], count = section.querySelector(".shown");
    var made = new Array(n), tpl = document.createElement("template"), cut = texts.map(function (t) {
      return t.indexOf('<tr class="detail"');
    });
    function detailStart(i) { return texts[i].indexOf(">", texts[i].indexOf("<td", cut[i])) + 1; }
    function toggle(tr) {
      var open = tr.detailRow.hidden;
      if (open) fill(tr.index);
      tr.detailRow.hidden = !open;
      tr.setAttribute("aria-expanded", String(open));
    }
    function make(i) {
      if (made[i]) return made[i];
      tpl.innerHTML = texts[i].slice(0, detailStart(i)) + "</td></tr>";
      var tr = tpl.content.firstElementChild;
      tr.detailRow = tr.nextElementSibling;
      tr.index = i;
      tr.addEventListener("click", function () { toggle(tr); });
      tr.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(tr); }
      });
      made[i] = tr;
      return tr;
    }
    function fill(i) {  // the case's detail, made when first opened; its word changes computed then
      var d = make(i).detailRow, c = cases[i];
      if (d.filled) return;
      d.filled = true;
      var td = d.cells[0];
      var html = texts[i].slice(detailStart(i), texts[i].length - "</td></tr>".length);
      // A verdict row many cases share is written once (diff_case_detail.RowShare): <|k> is its place.
      td.innerHTML = html.indexOf("<|") < 0 ? html : html.replace(/<\\|(\\d+)>/g, function (m, k) { return parts[+k]; });
      var slot = td.querySelector(".wdiff-slot");
      if (slot) slot.outerHTML = c.w ? WD.wordChanges(c.w[0], c.w[1]) : "";
      if (c.noview) valuesTable(td, c, comparison);
    }
    var hay = [];
    function haystack(i) {
      if (hay[i] === undefined) {
        var c = cases[i];
        hay[i] = [c.id, c.persona, c.category, plainText(texts[i].slice(0, cut[i])), c.t || "",
                  c.w ? c.w.join("\\n") : ""].join("\\n").toLowerCase();
      }
      return hay[i];
    }
    var order = cases.map(function (x, k) { return k; }), shown = order, kept = null, page = 0;
    var say = pagerOf(section.querySelector("nav.pager"), function (go) {
      page = turnPage(go, page, shown.length);
      render();
      table.scrollIntoView({block: "start"});
    });
    function render() {
      var frag = document.createDocumentFragment(), pages = Math.ceil(shown.length / PAGE);
      if (page >= pages) page = Math.max(0, pages - 1);
      shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (k) {
        var tr = make(k);
        frag.appendChild(tr);
        frag.appendChild(tr.detailRow);
      });
      tbody.textContent = "";
      tbody.appendChild(frag);
      say(page, pages, shown.length, "cases");
    }
    var selects = {};
    ["status", "persona", "category", "criterion", "check", "flip"].forEach(function (name) {
      var select = section.querySelector("select[data-filter='" + name + "']");
      if (select) selects[name] = select;
    });
    var text = section.querySelector("input.text");
    function matches(c, kind, name, dir) {
      return c.changes.some(function (ch) {
        return (!kind || (ch.kind === kind && ch.name === name)) && (!dir || ch.dir === dir);
      });
    }
    var rowAt = {};  // "kind:name" -> its index in comparison.rows, which a case's x (rows not graded) names
    (comparison.rows || []).forEach(function (r, k) { rowAt[r[0] + ":" + r[1]] = k; });
    function graded(c, kind, name) {
      var k = rowAt[kind + ":" + name];
      return k !== undefined && !(c.x && c.x.indexOf(k) >= 0);
    }
    // Under a status of changed cases the check and criterion filters keep the cases that changed on it; under
    // "unchanged", "reply text only" and "all" the cases it was graded on (held, or changed under "all"), so
    // the list can confirm that a check held. The filters' labels say which (WORDING), their options count.
    var ON_CHANGE = {changed: 1, regressed: 1, improved: 1};
    var WORDING = {criterion: ["criterion changed", "criterion held", "criterion graded (held or changed)"],
                   check: ["check flipped", "check held", "check graded (held or flipped)"]};
    function onMeasure(c, kind, name, flip, statusName) {
      if (ON_CHANGE[statusName]) return matches(c, kind, name, flip);
      return graded(c, kind, name) && (!flip || matches(c, kind, name, flip));
    }
    function reword(statusName, status) {
      ["criterion", "check"].forEach(function (kind) {
        var select = selects[kind];
        if (!select) return;
        var said = select.parentNode.querySelector(".said");
        if (said) said.textContent = WORDING[kind][ON_CHANGE[statusName] ? 0 : statusName === "all" ? 2 : 1];
        Array.prototype.forEach.call(select.options, function (o) {
          if (!o.value) return;
          if (o.base === undefined) o.base = o.textContent;
          var n = 0;
          cases.forEach(function (c) { if (status(c) && onMeasure(c, kind, o.value, "", statusName)) n++; });
          o.textContent = o.base + " (" + n.toLocaleString("en") + ")";
        });
      });
    }
    var worded = null;
    function apply() {
      var v = {}, words = text ? text.value.toLowerCase().split(/\\s+/).filter(Boolean) : [];
      Object.keys(selects).forEach(function (k) { v[k] = selects[k].value; });
      var statusName = STATUS[v.status || "changed"] ? v.status || "changed" : "all";
      var status = STATUS[statusName], of = 0, elsewhere = 0;
      if (worded !== statusName) { reword(statusName, status); worded = statusName; }
      var narrowed = words.length > 0;  // a search names cases: those under another status are counted, not lost
      function others(c, i) {  // every filter but the status
        if (v.persona && c.persona !== v.persona) return false;
        if (v.category && c.category !== v.category) return false;
        if (v.criterion && !onMeasure(c, "criterion", v.criterion, v.flip, statusName)) return false;
        if (v.check && !onMeasure(c, "check", v.check, v.flip, statusName)) return false;
        if (v.flip && !matches(c, null, null, v.flip)) return false;
        return words.every(function (w) { return haystack(i).indexOf(w) >= 0; });
      }
      kept = cases.map(function (c, i) {
        if (!status(c)) {
          if (narrowed && selects.status && others(c, i)) elsewhere++;
          return false;
        }
        of++;
        return others(c, i);
      });
      made.forEach(function (tr, k) {  // a row the filters drop closes
        if (tr && !kept[k] && !tr.detailRow.hidden) { tr.detailRow.hidden = true; tr.setAttribute("aria-expanded", "false"); }
      });
      shown = order.filter(function (k) { return kept[k]; });
      page = 0;
      render();
      if (count) count.textContent = shown.length.toLocaleString("en") + " of " + of.toLocaleString("en") +
        (elsewhere ? " (" + elsewhere.toLocaleString("en") + " more match under \u201call\u201d)" : "");
    }
    var keys = null, heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    function cells(i) {  // each summary cell's sort key: its data-sort when it has one, else its text
      var out = [], re = /<td(?: data-sort="([^"]*)")?>([\\s\\S]*?)<\\/td>/g, s = texts[i].slice(0, cut[i]), m;
      while ((m = re.exec(s))) out.push(m[1] !== undefined ? m[1] : plainText(m[2]));
      return out;
    }
    function sortBy(col, up) {
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      heads[col].setAttribute("aria-sort", up ? "ascending" : "descending");
      if (!keys) keys = cases.map(function (x, k) { return cells(k); });
      var keyed = cases.map(function (x, k) { return [keys[k][col] === undefined ? "" : keys[k][col], k]; });
      var numeric = keyed.every(function (p) { return p[0] === "" || !isNaN(Number(p[0])); });
      var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
      keyed.sort(function (p, q) {
        if ((p[0] === "") !== (q[0] === "")) return p[0] === "" ? 1 : -1;
        var c = numeric ? Number(p[0]) - Number(q[0]) : collator.compare(p[0], q[0]);
        return (up ? c : -c) || p[1] - q[1];
      });
      order = keyed.map(function (p) { return p[1]; });
      shown = kept ? order.filter(function (k) { return kept[k]; }) : order;
      render();
    }
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (button) button.addEventListener("click", function () { sortBy(col, th.getAttribute("aria-sort") !== "ascending"); });
    });
    Object.keys(selects).forEach(function (k) { selects[k].addEventListener("change", apply); });
    if (text) {
      text.addEventListener("input", apply);
      text.form.addEventListener("submit", function (e) { e.preventDefault(); });
    }
    evidencePicker(section.querySelector("select.evidence"), "#" + prefix + " ");
    apply();
  }
"""

SCRIPT = """
(function () {""" + ROWS_JS + LIST_JS + WORD_DIFF_JS + CASE_LIST_JS + """
  var data = JSON.parse(document.getElementById("diff-data").textContent);
  document.querySelectorAll("section.comparison").forEach(function (section, ci) {
    if (section.querySelector("table.cases")) caseList(section, data.comparisons[ci], section.id);
  });
})();
"""
