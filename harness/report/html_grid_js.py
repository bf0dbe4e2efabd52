"""The script of ``report.html``'s "Side by side" view (:data:`GRID_JS`): html_grid writes its frame."""

from __future__ import annotations

from harness.report.html_grid import CASE_FOLD, GRID_FOLD

# sideBySide(list, data): the view's controller, or null on a page without it (one candidate). Cases are the
# records' ids up to the first dot (a record's id is case.candidate.sample, each part percent-encoded without
# dots), in the list's own order (the dataset's), whatever the list is sorted by. A cell is built from the
# record's own rows (made by the list, html_list_js, even when not in its page): its reply (the detail's
# block after "Reply"), its checks, criteria and error cells; all of it already escaped by the server, so it
# is cloned, never written as HTML here. The view shows a page of cases at a time (PAGE), every case counted.
GRID_JS = """
  function sideBySide(list, data, cases, asksOf) {
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
    var listTable = document.getElementById("records");
    var checksAt = Array.prototype.map.call(listTable.tHead.rows[0].cells,
      function (th) { return th.textContent.trim(); }).indexOf("checks");
    var groups = [], byCase = {}, built = false, variantsCount = document.getElementById("grid-variants");
    var rows = {}, page = 0, shown = [];  // rows[i]: record i's summary row, its detail filled (list.fill)
    function rowOf(i) { if (!rows[i]) { list.fill(i); rows[i] = list.make(i); } return rows[i]; }
    list.ids.forEach(function (id, i) {
      var key = id.split(".")[0];
      if (!byCase[key]) { byCase[key] = {idx: [], variants: []}; groups.push(byCase[key]); }
      byCase[key].idx.push(i);
    });
    groups.forEach(function (g) {  // the candidates of a case disagree: from the data, for every case
      var r = data[g.idx[0]];
      g.differ = (r.flips || []).concat(r.cflips || []);
    });
    groups = underOriginals(groups);
    // A perturbed variant (perturb: in the eval) goes right under its original, wherever the list has it;
    // a variant whose original is not in the run keeps its own place, as a case.
    function underOriginals(all) {
      all.forEach(function (g) {
        var v = (cases[list.ids[g.idx[0]].split(".")[0]] || {}).variant, parent = v && byCase[v[0]];
        if (parent && parent !== g) { g.kind = v[1]; g.parent = parent; parent.variants.push(g); }
      });
      var out = [];
      all.forEach(function (g) { if (!g.parent) { out.push(g); out.push.apply(out, g.variants); } });
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
      var tr = rowOf(i), detail = tr.detailRow, link = el("a", "anchor", "open");
      link.href = "#rec=" + tr.id;
      link.title = "open this record in the list";
      td.appendChild(link);
      if (samples) td.appendChild(el("div", "gsample", "sample " + tr.id.split(".").pop()));
      td.appendChild(marks(tr));
      var block = replyOf(detail);
      if (block) td.appendChild(folded(block));
    }
    function title(g) {  // the case as the list writes it; a turn case also as its record's heading does
      var tr = rowOf(g.idx[0]), th = el("th", "gcase");
      th.scope = "row";
      Array.prototype.forEach.call(tr.cells[0].childNodes, function (n) { th.appendChild(n.cloneNode(true)); });
      var thread = Array.prototype.filter.call(tr.detailRow.querySelectorAll("h3"), function (h) {
        return h.textContent.indexOf("Thread ") === 0;
      })[0];
      if (thread) th.appendChild(el("span", "thread", thread.textContent));
      if (g.parent) {
        th.appendChild(el("span", "vkind", "↳ " + g.kind + " variant of " +
          rowOf(g.parent.idx[0]).cells[0].textContent));
      }
      if (g.differ.length) th.appendChild(el("span", "differ-mark", "⇄ differ: " + g.differ.join(", ")));
      inputs(th, tr.detailRow.cells[0], tr.id.split(".")[0]);
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
    function build(g) {  // a case's row, made when its page is first shown
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
        row.className = (g.differ.length ? "differs" : "") + (g.parent ? " variant" : "");
        g.tr = row;
        return row;
    }
    var say = pagerOf(document.getElementById("grid-pager"), function (go) {
      page = turnPage(go, page, shown.length);
      render();
      table.scrollIntoView({block: "start"});
      api.onPage();  // the page's script keeps the page number in the address
    });
    function render() {  // the page of the cases shown
      var frag = document.createDocumentFragment(), pages = Math.ceil(shown.length / PAGE);
      if (page >= pages) page = Math.max(0, pages - 1);
      shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (g) {
        frag.appendChild(g.tr || build(g));
        g.tr.classList.toggle("context", !!g.context);  // a row first built on a later page is marked too
      });
      table.tBodies[0].textContent = "";
      table.tBodies[0].appendChild(frag);
      say(page, pages, shown.length, "cases");
    }
    // A case shows when one of its records passes the list's filters (and, with "disagree" ticked, when its
    // candidates disagree); a variant likewise, by its own records, and a variant shown brings its original
    // (dimmed when it is there only for that), so a variant is never read without the complaint it perturbs.
    // Counted apart: "4 of 20 cases · 3 of 60 variants".
    function filter() {
      if (!built) return;
      var tally = [0, 0, 0, 0];  // originals shown, originals, variants shown, variants
      groups.forEach(function (g) {
        g.ok = (!differBox.checked || g.differ.length > 0) && g.idx.some(function (i) { return list.kept(i); });
      });
      shown = [];
      groups.forEach(function (g) {
        var context = !g.ok && g.variants.some(function (v) { return v.ok; }), at = g.parent ? 2 : 0;
        g.context = context;
        if (g.ok || context) shown.push(g);
        tally[at] += g.ok ? 1 : 0;
        tally[at + 1] += 1;
      });
      page = 0;
      render();
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
      built = built || grid;
      filter();
      window.dispatchEvent(new Event("resize"));  // the scroll hints measure the box now shown
    }
    var api = {show: show, filter: filter, differ: differBox, tabs: tabs, isOn: function () { return on; },
               onPage: function () {}, pageOf: function () { return page; },
               setPage: function (p) { if (p !== page && built) { page = p; render(); } }};
    return api;
  }
"""
