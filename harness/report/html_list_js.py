"""The script behind ``report.html``'s records list (:data:`LIST_JS`): the records kept as text (html_store), made
into rows only for the page of them shown, a record's detail only when it is opened; filters, search, sort and
counts work over every record's data and text, not over elements. A page holds :data:`PAGE` rows; a list with
more gets page buttons (:func:`harness.report.html_store.pager`), as promptfoo's viewer pages its table.
"""

from __future__ import annotations

PAGE = 200  # rows a page of the list (and cases a page of the side-by-side view) shows

# recordList(table, onMake): the list's controller. onMake: functions (tr, i) called once a row is first made
# (its detail row is tr.detailRow, empty until fill(i)). A record's text is its summary row then its detail
# row; its id is the summary row's (the first ` id="` of the text: no attribute before it ends so).
LIST_JS = """
  var PAGE = """ + str(PAGE) + """;
  function storeTexts(id) {
    var el = document.getElementById(id), raw = el ? el.textContent : "";
    return raw ? raw.split("<|>") : [];
  }
  function plainText(html) {  // what textContent would read of escaped markup: tags out, entities decoded
    return decodeEntities(html.replace(/<[^>]*>/g, ""));
  }
  function decodeEntities(text, nul) {  // the entities our escaping writes (&#0; as nul, when given)
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot);/gi, function (m, e) {
      var k = e.toLowerCase();
      if (k.charAt(0) !== "#") return {amp: "&", lt: "<", gt: ">", quot: '"'}[k];
      var code = k.charAt(1) === "x" ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
      return code === 0 && nul ? nul : String.fromCodePoint(code);
    });
  }
  function turnPage(go, page, count) {  // the page a pager button leads to, of count rows PAGE a page
    var last = Math.max(0, Math.ceil(count / PAGE) - 1);
    return go === "first" ? 0 : go === "prev" ? Math.max(0, page - 1) : go === "next" ? Math.min(last, page + 1) : last;
  }
  function pagerOf(nav, go) {  // the page buttons: go("first"|"prev"|"next"|"last"); say(from, to, of, pages)
    if (!nav) return function () {};
    var buttons = nav.querySelectorAll("button"), words = nav.querySelector("span");
    Array.prototype.forEach.call(buttons, function (b) {
      b.addEventListener("click", function () { go(b.getAttribute("data-go")); });
    });
    return function (page, pages, shown, what) {
      nav.hidden = pages <= 1;
      if (pages <= 1) return;
      var from = page * PAGE + 1, to = Math.min(shown, (page + 1) * PAGE);
      words.textContent = what + " " + from.toLocaleString("en") + "–" + to.toLocaleString("en") + " of " +
        shown.toLocaleString("en") + " (page " + (page + 1) + " of " + pages + ")";
      buttons[0].disabled = buttons[1].disabled = page === 0;
      buttons[2].disabled = buttons[3].disabled = page >= pages - 1;
    };
  }
  function recordList(table, onMake) {
    var texts = storeTexts("record-store"), shared = storeTexts("record-parts"), n = texts.length;
    var ids = new Array(n), cut = new Array(n), made = new Array(n), tpl = document.createElement("template");
    for (var i = 0; i < n; i++) {
      var t = texts[i], a = t.indexOf(' id="') + 5;
      ids[i] = t.slice(a, t.indexOf('"', a));
      cut[i] = t.indexOf('<tr class="detail"');
    }
    function expand(s) {  // a shared part's place holder <|k> (html_store) -> its text
      return s.indexOf("<|") < 0 ? s : s.replace(/<\\|(\\d+)>/g, function (m, k) { return shared[+k]; });
    }
    function detailStart(i) { return texts[i].indexOf(">", texts[i].indexOf("<td", cut[i])) + 1; }
    function make(i) {  // the record's two rows, the detail's cell empty
      if (made[i]) return made[i];
      tpl.innerHTML = texts[i].slice(0, detailStart(i)) + "</td></tr>";
      var tr = tpl.content.firstElementChild;
      tr.detailRow = tr.nextElementSibling;
      tr.index = i;
      made[i] = tr;
      onMake.forEach(function (f) { f(tr, i); });
      return tr;
    }
    function fill(i) {  // the record's detail, put in its row when first needed (opened, linked, labelled)
      var d = make(i).detailRow;
      if (!d.filled) {
        d.filled = true;
        d.cells[0].innerHTML = expand(texts[i].slice(detailStart(i), texts[i].length - "</td></tr>".length));
      }
      return d;
    }
    // A record's search text, lower-cased: its cells and detail, less the system prompt and the other
    // candidates' replies (a word of the prompt would match every record; the replies are theirs to match).
    // Made HAY records at a time over their joined text (a few regex passes over one string cost a fifth of
    // the same passes record by record), in idle time from load on, so the first search finds them made; a
    // search before that makes the rest at once. A shared part (a check's verdict line) is not copied into
    // every record's text: its place holder <|k> is kept through the tag pass (a tag is "<" not followed by
    // "|") as NUL k NUL, and a word is looked for in the parts once, then as the places of the parts holding
    // it (matcher). Copying the parts in cost 20,000 records ~0.3 s more. NUL s NUL parts the records: the text
    // holds no NUL (the HTML parser reads NUL as U+FFFD, and &#0; decodes to U+FFFD as it does).
    var hay = new Array(n), hayMade = 0, HAY = 500, partsText = null;
    function untagged(html) {
      return html.replace(/<details class="sysprompt">[\\s\\S]*?<\\/details>/g, "")
        .replace(/<div class="sbs">(?:[^<]|<(?!\\|>))*/g, "").replace(/<(?!\\|)[^>]*>/g, "");
    }
    function lowered(text) { return decodeEntities(text, "\\ufffd").toLowerCase(); }
    function makeHay(end) {  // the search texts of the records up to end
      if (!partsText) partsText = shared.map(function (p) { return lowered(untagged(p)); });
      while (hayMade < end) {
        var to = Math.min(n, hayMade + HAY), joined = untagged(texts.slice(hayMade, to).join("<|>"));
        joined = joined.replace(/<\\|>/g, "\\0s\\0").replace(/<\\|(\\d+)>/g, "\\0$1\\0");  // records; places
        var made = lowered(joined).split("\\0s\\0");
        for (var k = 0; k < made.length; k++) hay[hayMade + k] = made[k];
        hayMade = to;
      }
    }
    function matcher(words) {  // (i) -> whether record i's search text holds every word (lower-cased)
      makeHay(n);
      var tests = words.map(function (w) {
        var places = [];
        partsText.forEach(function (p, k) { if (p.indexOf(w) >= 0) places.push(k); });
        var re = places.length ? new RegExp("\\0(?:" + places.join("|") + ")\\0") : null;
        return function (h) { return h.indexOf(w) >= 0 || (re !== null && re.test(h)); };
      });
      return function (i) { var h = hay[i]; return tests.every(function (t) { return t(h); }); };
    }
    var later = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };
    later(function idle() { if (hayMade < n) { makeHay(Math.min(n, hayMade + HAY)); later(idle); } });
    function cells(i) {  // each summary cell's sort key: its data-sort when it has one, else its text
      var out = [], re = /<td(?: data-sort="([^"]*)")?>([\\s\\S]*?)<\\/td>/g, s = texts[i].slice(0, cut[i]), m;
      while ((m = re.exec(s))) out.push(m[1] !== undefined ? m[1] : plainText(m[2]));
      return out;
    }
    var tbody = table.tBodies[0], order = ids.map(function (x, k) { return k; }), kept = null, shown = order;
    var page = 0, say = pagerOf(document.getElementById("records-pager"), function (go) {
      page = turnPage(go, page, shown.length);
      render();
      table.scrollIntoView({block: "start"});
      api.onPage();  // the page's script keeps the page number in the address
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
      say(page, pages, shown.length, "records");
    }
    function filter(keep) {  // keep(i) over every record; the rows it drops are closed; back to the first page
      kept = order.map(function () { return false; });
      for (var k = 0; k < n; k++) {
        kept[k] = keep(k);
        if (!kept[k] && made[k] && !made[k].detailRow.hidden) {
          made[k].detailRow.hidden = true;
          made[k].setAttribute("aria-expanded", "false");
        }
      }
      shown = order.filter(function (k) { return kept[k]; });
      page = 0;
      render();
      return shown.length;
    }
    var keys = null;
    function sort(col, up) {  // col < 0: the page's own order
      var sorted = col >= 0;
      if (sorted && !keys) keys = ids.map(function (x, k) { return cells(k); });
      var keyed = ids.map(function (x, k) { return [sorted ? (keys[k][col] === undefined ? "" : keys[k][col]) : k, k]; });
      var numeric = !sorted || keyed.every(function (p) { return p[0] === "" || !isNaN(Number(p[0])); });
      var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
      // A blank key (no reply: no failure count) sorts last either way, as a spreadsheet's empty cells do.
      keyed.sort(function (p, q) {
        if ((p[0] === "") !== (q[0] === "")) return p[0] === "" ? 1 : -1;
        var c = numeric ? Number(p[0]) - Number(q[0]) : collator.compare(p[0], q[0]);
        return (up || !sorted ? c : -c) || p[1] - q[1];
      });
      order = keyed.map(function (p) { return p[1]; });
      shown = kept ? order.filter(function (k) { return kept[k]; }) : order;
      render();
    }
    function showRecord(i) {  // the page that holds record i (kept by the filters)
      var at = shown.indexOf(i);
      if (at < 0) return;
      var want = Math.floor(at / PAGE);
      if (want !== page || !make(i).parentNode) { page = want; render(); }
    }
    var api = {n: n, ids: ids, make: make, fill: fill, matcher: matcher, filter: filter, sort: sort,
            showRecord: showRecord, render: render, onPage: function () {},
            kept: function (i) { return !kept || kept[i]; }, made: function () { return made; },
            pageOf: function () { return page; }, shownOrder: function () { return shown; },
            setPage: function (p) { if (p !== page) { page = p; render(); } }};
    return api;
  }
  // The list's header buttons sort every record (not the rows shown) and tell onSort(col, up); returns
  // sortBy(col, up) for a page restoring a sort (col < 0: back to the page's order).
  function sortableList(table, list, onSort) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    function sortBy(col, up) {
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      if (col >= 0 && col < heads.length) heads[col].setAttribute("aria-sort", up ? "ascending" : "descending");
      list.sort(col >= 0 && col < heads.length ? col : -1, up);
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
"""
