"""The labelling panel's script for report.html (:data:`LABEL_JS`), apart from the Python that decides what a
record can be labelled on (:mod:`harness.report.html_labelling`, which re-exports it).

The script is kept as a Python string, not as a ``.js`` file beside this module: the package ships data
files only where pyproject.toml's package-data names them (the schemas' JSON), so a string is what a
non-editable install is sure to hold.
"""

# Labelling in the page (report.html's script calls labelling(list, onMake, data, info) once its list is set up:
# the records' list, html_list_js, whose rows are made when shown and whose details are filled when opened).
# Labels are kept in localStorage under the run ({labeller: {record id: {"criterion:x": {label, note}}}}),
# so a reload keeps them, and are downloaded as the lines `harness label` writes: the same fields in the
# same order, the reply named by its exact text, `json.dumps`'s spacing (so a file made half here and half
# in the terminal reads as one). Nothing leaves the page but the downloaded file (a Blob: no network), and a
# loaded label file is read where it is (a FileReader: no network either). A loaded label that named its reply
# by candidate keeps ``cand`` in the store, so the download names it so again.
LABEL_JS = """
  // The queue's "on" offers what the run has: no "criteria" in a checks-only run (nor "checks" in a run without
  // any), so a choice kept from another run's page (the preferences are the browser's, not the run's) falls back
  // to the run's default (queue_info's "on"), as `harness label` without --criteria or --checks does.
  function offerWhatTheRunHas(select, targets) {
    if (!select) return;
    var has = {criterion: false, check: false};
    targets.forEach(function (t) { has[t.kind] = true; });
    var keep = {criteria: has.criterion, checks: has.check, all: has.criterion && has.check};
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (!keep[o.value]) select.removeChild(o);
    });
  }
  function labelling(list, onMake, data, info, hooks) {  // the queue's filter of the list (keeps(i)), or null
    var bar = document.getElementById("labelling");
    if (!bar || !info) return null;
    function $(id) { return document.getElementById(id); }
    var on = $("lab-on"), name = $("lab-name"), blind = $("lab-blind"), download = $("lab-download");
    var forget = $("lab-forget"), status = $("lab-status"), targets = info.targets, loader = $("lab-load");
    var storeKey = "harness-labels:" + (info.run || location.pathname), prefsKey = "harness-labelling";
    var kept = true;  // false once the browser refuses local storage (labels then live until the page closes)
    function read(key) {
      var raw = null;
      try { raw = localStorage.getItem(key); } catch (e) { kept = false; }
      try { var v = JSON.parse(raw || "null"); return v && typeof v === "object" ? v : null; }
      catch (e) { return null; }  // not ours, or damaged: start afresh rather than fail the page
    }
    function write(key, value) {
      try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { kept = false; }
    }
    var store = read(storeKey) || {};
    if (!store.labels || typeof store.labels !== "object") store.labels = {};
    var prefs = read(prefsKey) || {};
    on.checked = !!prefs.on;
    blind.checked = prefs.blind !== false;  // hidden unless asked, as `harness label` without --show-verdicts
    name.value = typeof prefs.name === "string" ? prefs.name : "";
    function who() { return name.value.trim(); }
    function tkey(t) { return t.kind + ":" + t.name; }
    function count() {
      var n = 0;
      Object.keys(store.labels).forEach(function (by) {
        var mine = store.labels[by];
        Object.keys(mine).forEach(function (rec) {
          Object.keys(mine[rec]).forEach(function (k) { if (mine[rec][k].label != null) n += 1; });
        });
      });
      return n;
    }
    function tell() {
      var n = count();
      download.textContent = "download labels (" + n + ")";
      download.disabled = forget.disabled = n === 0;
      status.textContent = !kept ? "this browser does not keep them: download before closing the page" :
        !who() ? "give your name to label" : n ? "kept in this browser for this run" : "";
      if (queue) queue.tell();
    }
    function setLabel(rec, t, label, note) {
      var by = store.labels[who()] = store.labels[who()] || {};
      var mine = by[rec] = by[rec] || {}, e = mine[tkey(t)] || {};
      if (label !== undefined) e.label = label;  // null: cleared
      if (note !== undefined) e.note = note;
      if (e.label == null && !e.note) delete mine[tkey(t)]; else mine[tkey(t)] = e;
      if (!Object.keys(mine).length) delete by[rec];
      if (!Object.keys(by).length) delete store.labels[who()];
      write(storeKey, store);
      tell();
    }
    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text != null) e.textContent = text;
      return e;
    }
    function targetRow(tr, i, t, k) {
      var row = el("div", "lab-t"), what = t.name + (t.kind === "check" ? " (check)" : "");
      row.setAttribute("data-k", tkey(t));
      row.setAttribute("data-n", String(k));
      var head = el("span", "lab-what", what + " ");
      head.appendChild(el("span", "muted", t.scale === "pass_fail" ? "pass/fail" : "1-5"));
      var group = el("span", "lab-opts");
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-label", what);
      (t.scale === "pass_fail" ? ["pass", "fail"] : [1, 2, 3, 4, 5]).forEach(function (v) {
        var label = el("label"), input = el("input");
        input.type = "radio";
        input.name = "lab-" + i + "-" + k;
        input.value = String(v);
        input.addEventListener("change", function () { setLabel(tr.id, t, v); });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + v));
        group.appendChild(label);
      });
      var clear = el("button", "lab-clear", "clear");
      clear.type = "button";
      clear.setAttribute("aria-label", "clear the label of " + what);
      clear.addEventListener("click", function () {
        group.querySelectorAll("input").forEach(function (r) { r.checked = false; });
        setLabel(tr.id, t, null);
      });
      var note = el("input", "lab-note");
      note.type = "text";
      note.placeholder = "note (optional)";
      note.setAttribute("aria-label", "note on " + what);
      note.addEventListener("input", function () { setLabel(tr.id, t, undefined, note.value); });
      [head, group, clear, note].forEach(function (e) { row.appendChild(e); });
      return row;
    }
    function fill(box, rec) {  // show the current labeller's labels of one record
      var mine = (store.labels[who()] || {})[rec] || {};
      box.querySelectorAll(".lab-t").forEach(function (row) {
        var e = mine[row.getAttribute("data-k")] || {};
        row.querySelectorAll("input").forEach(function (input) {
          input.disabled = !who();
          if (input.type === "radio") input.checked = e.label != null && input.value === String(e.label);
          else input.value = e.note || "";
        });
        row.querySelector("button").disabled = !who();
      });
    }
    function panel(tr, i) {  // built when a record is first opened while labelling
      var td = list.fill(i).cells[0], box = td.querySelector(".lab-panel");
      if (box) return box;
      box = el("fieldset", "lab-panel");
      box.appendChild(el("legend", "", "Your labels"));
      var skip = data[i].skip || [];
      if (data[i].nolabel) box.appendChild(el("p", "muted", "Not labelled here: " + data[i].nolabel + "."));
      else targets.forEach(function (t, k) { if (skip.indexOf(k) < 0) box.appendChild(targetRow(tr, i, t, k)); });
      var after = td.querySelector(".reply") || td.querySelector("h3 + p.fail");
      if (after && after.parentNode.className === "fold") after = after.parentNode;  // after a long reply's button
      if (after) after.parentNode.insertBefore(box, after.nextSibling); else td.appendChild(box);
      fill(box, tr.id);
      asked(box, i);
      return box;
    }
    function asked(box, i) {  // the targets the queue asks about, marked
      box.querySelectorAll(".lab-t").forEach(function (row) {
        row.classList.toggle("lab-asked", !!queue && queue.asks(i, +row.getAttribute("data-n")));
      });
    }
    function panels() {  // every panel made, on the list's page shown or not
      list.made().forEach(function (tr) {
        var box = tr && tr.detailRow.querySelector(".lab-panel");
        if (box) fill(box, tr.id);
      });
    }
    function mode() {
      document.body.classList.toggle("labelling", on.checked);
      document.body.classList.toggle("lab-blind", on.checked && blind.checked);
      $("lab-controls").hidden = $("lab-hint").hidden = !on.checked;
      if (on.checked) list.made().forEach(function (tr, i) { if (tr && !tr.detailRow.hidden) panel(tr, i); });
      prefs.on = on.checked;
      prefs.blind = blind.checked;
      prefs.name = name.value;
      write(prefsKey, prefs);
      tell();
    }
    function pyJson(fields) {  // one object as Python's json.dumps(row, ensure_ascii=False) writes it
      return "{" + fields.map(function (f) { return JSON.stringify(f[0]) + ": " + JSON.stringify(f[1]); })
        .join(", ") + "}\\n";
    }
    function replyOf(i) {  // the record's exact reply text (the page's copy unless it could not hold it)
      if (data[i].reply != null) return data[i].reply;
      var own = list.fill(i).cells[0].querySelector(".reply");
      return data[i].reply != null ? data[i].reply : own ? own.textContent : null;
    }
    function merge(found, fresh) {  // one loaded label into the store; false when this browser's label differs
      var by = store.labels[found.by] = store.labels[found.by] || {};
      var mine = by[found.rec] = by[found.rec] || {}, e = mine[found.k];
      var key = JSON.stringify([found.by, found.rec, found.k]);
      // What this browser held before the load wins (see the hint); a later line of the file beats an earlier.
      if (e && e.label != null && !fresh[key]) return e.label === found.label;
      var typed = e && !fresh[key] ? e.note : "";  // a note typed here before any label on it is kept
      fresh[key] = true;
      mine[found.k] = {label: found.label, note: typed || found.note};
      if (found.cand) mine[found.k].cand = true;
      return true;
    }
    function load(name, buffer) {  // read a label file into the store and say in one line what became of it
      var index = labIndex(list.ids, replyOf), fresh = {}, n = {loaded: 0, unmatched: 0, bad: 0, kept: 0};
      var first = null;
      labLines(buffer).forEach(function (line) {
        var got = labFound(line, index, targets, data, tkey);
        if (got.bad) { n.bad += 1; first = first || got.bad; return; }
        if (!got.rec) { n.unmatched += 1; return; }
        n.loaded += 1;
        if (!merge(got, fresh)) n.kept += 1;
      });
      write(storeKey, store);
      panels();
      tell();
      $("lab-loaded").textContent = labSaid(name, n, first);
    }
    loader.addEventListener("change", function () {
      var file = loader.files[0], reader = new FileReader();
      if (!file) return;
      $("lab-loaded").textContent = "reading " + file.name + " ...";
      reader.onload = function () { load(file.name, reader.result); loader.value = ""; };  // same file again: a change
      reader.onerror = function () { $("lab-loaded").textContent = file.name + ": could not be read"; };
      reader.readAsArrayBuffer(file);  // bytes, so a line that is not UTF-8 is refused, not mangled
    });
    function lines() {  // by labeller, then in the page's record order (the run's), then target order
      var out = [];
      Object.keys(store.labels).forEach(function (by) {
        list.ids.forEach(function (rec, i) {
          var mine = store.labels[by][rec];
          if (!mine || data[i].nolabel) return;
          var reply = replyOf(i), id = rec.split(".");
          if (reply == null) return;
          targets.forEach(function (t) {
            var e = mine[tkey(t)], note = e && e.note ? e.note.trim() : "";
            if (!e || e.label == null) return;
            // a label loaded from a file that named its reply by candidate names it so again
            var named = e.cand ? ["candidate", decodeURIComponent(id[1])] : ["reply", reply];
            var fields = [["case_id", decodeURIComponent(id[0])], named, [t.kind, t.name],
                          ["label", e.label], ["labeller", by]];
            if (note) fields.push(["note", note]);
            out.push(pyJson(fields));
          });
        });
      });
      return out;
    }
    onMake.push(function (tr, i) {
      tr.addEventListener("click", function () { if (on.checked) panel(tr, i); });
      tr.addEventListener("keydown", function () { if (on.checked) panel(tr, i); });
    });
    offerWhatTheRunHas($("lab-q-on"), targets);
    var queue = labelQueue(list, data, info, {
      changed: function () {
        list.made().forEach(function (tr, i) {
          var box = tr && tr.detailRow.querySelector(".lab-panel");
          if (box) asked(box, i);
        });
        hooks.changed();
      },
      open: hooks.open, who: who, save: function () { write(prefsKey, prefs); },
      mine: function (i, t) {
        var e = ((store.labels[who()] || {})[list.ids[i]] || {})[tkey(t)];
        return !!e && e.label != null;
      }
    }, prefs);
    on.addEventListener("change", function () { mode(); hooks.changed(); });  // the queue filters while labelling
    blind.addEventListener("change", mode);
    name.addEventListener("input", function () { panels(); mode(); });
    download.addEventListener("click", function () {
      var url = URL.createObjectURL(new Blob(lines(), {type: "application/x-ndjson"}));
      var a = el("a");
      a.href = url;
      a.download = info.file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
    forget.addEventListener("click", function () {
      if (!confirm("Forget the " + count() + " labels this browser keeps for this run? Download them first.")) return;
      store.labels = {};
      write(storeKey, store);
      panels();
      tell();
    });
    mode();
    return {keeps: function (i) { return !on.checked || !queue || queue.keeps(i); }};
  }
  // Reading a label file (labelling's "load a label file"): each line is held to what `harness calibrate`
  // accepts (load_labels' fields, scale_problem's scales) and matched to this run's first-sample replies as
  // calibrate's RecordIndex matches a label: by case and candidate, or by case and reply text, stripped.
  var LAB_FIELDS = ["schema_version", "case_id", "candidate", "reply", "criterion", "check", "label", "labeller",
                    "note"];
  var LAB_WORDS = {pass: 1, fail: 0, yes: 1, no: 0, "true": 1, "false": 0};
  // Python's str.strip() whitespace (not quite trim()'s): calibrate matches reply texts stripped so
  var LAB_SPACE = "[\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
  var LAB_STRIP = new RegExp("^" + LAB_SPACE + "|" + LAB_SPACE + "$", "g");
  function labStrip(s) { return s.replace(LAB_STRIP, ""); }
  function labLines(buffer) {  // [{n, text}] of the file's non-blank lines; text null when not UTF-8
    var bytes = new Uint8Array(buffer), out = [], start = 0, n = 0, utf8 = new TextDecoder("utf-8", {fatal: true});
    for (var i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 10) continue;
      n += 1;
      var text;
      try { text = utf8.decode(bytes.subarray(start, i)); } catch (e) { text = null; }
      if (text === null || text.trim()) out.push({n: n, text: text});
      start = i + 1;
    }
    return out;
  }
  function labWord(v) { return typeof v === "string" && LAB_WORDS.hasOwnProperty(labStrip(v).toLowerCase()); }
  function labShape(row) {  // [field, problem] where a line is not a label as HumanLabel reads one, else null
    if (!row || typeof row !== "object" || Array.isArray(row)) return ["", "not a JSON object"];
    var extra = Object.keys(row).filter(function (k) { return LAB_FIELDS.indexOf(k) < 0; })[0];
    if (extra !== undefined) return [extra, "not a field of a label"];
    var version = row.schema_version;
    if (version !== undefined && !Number.isInteger(version)) return ["schema_version", "not an integer"];
    if (typeof row.case_id !== "string" || !row.case_id) return ["case_id", "give the case's id"];
    var loose = ["candidate", "reply", "criterion", "check"].filter(function (k) {
      return row[k] != null && typeof row[k] !== "string"; })[0];
    if (loose) return [loose, "not a string"];
    if ((row.candidate == null) === (row.reply == null)) return ["", "give exactly one of `candidate` or `reply`"];
    if ((row.criterion == null) === (row.check == null)) return ["", "give exactly one of `criterion` or `check`"];
    if (version > 1) return ["schema_version", "newer than this page reads (1)"];
    var by = row.labeller;
    if (by !== undefined && (typeof by !== "string" || !by)) return ["labeller", "give a name"];
    if (row.note !== undefined && typeof row.note !== "string") return ["note", "not a string"];
    var v = row.label;
    if (v === undefined) return ["label", "give the label"];
    if (typeof v === "string" && v.trim() && isFinite(Number(v)))
      return ["label", labShown(v) + " is a number in quotes: write it without them"];
    if (typeof v !== "boolean" && !(typeof v === "number" && isFinite(v)) && !labWord(v))
      return ["label", labShown(v) + " is not a label"];
    return null;
  }
  function labShown(v) {  // a value as the file has it, cut short (a line may hold anything)
    var shown = JSON.stringify(v);
    return shown.length <= 40 ? shown : shown.slice(0, 37) + "...";
  }
  function labValue(v, scale) {  // the label as the page keeps it on its target's scale, or null when off it
    var word = typeof v === "boolean" || labWord(v);
    var x = typeof v === "boolean" ? +v : typeof v === "string" ? LAB_WORDS[labStrip(v).toLowerCase()] : v;
    if (scale === "pass_fail") return x === 1 ? "pass" : x === 0 ? "fail" : null;
    return !word && Number.isInteger(x) && x >= 1 && x <= 5 ? x : null;
  }
  // A case's replies are read (each record's detail filled) only for the cases a loaded file names.
  function labIndex(ids, replyOf) {  // the run's first samples by case and candidate, and by reply text
    var index = {cand: {}, firsts: {}, read: {}, reply: {}, id: ids};
    ids.forEach(function (rec, i) {
      var id = rec.split(".").map(decodeURIComponent);
      if (id[2] !== "0") return;
      index.cand[JSON.stringify([id[0], id[1]])] = i;
      (index.firsts[id[0]] = index.firsts[id[0]] || []).push(i);
    });
    index.byReply = function (caseId, text) {
      if (!index.read.hasOwnProperty(caseId)) {
        index.read[caseId] = true;
        (index.firsts.hasOwnProperty(caseId) ? index.firsts[caseId] : []).forEach(function (i) {
          var reply = replyOf(i), key = JSON.stringify([caseId, reply == null ? null : labStrip(reply)]);
          if (reply != null && !index.reply.hasOwnProperty(key)) index.reply[key] = i;  // the first, as calibrate
        });
      }
      return index.reply[JSON.stringify([caseId, text])];
    };
    return index;
  }
  function labFound(line, index, targets, data, tkey) {
    // {bad: "line N: field: problem"}, {} (matched no reply or target of this run), or where the label goes
    function bad(field, text) { return {bad: "line " + line.n + ": " + (field ? field + ": " : "") + text}; }
    if (line.text === null) return bad("", "not UTF-8 text");
    var row;
    try { row = JSON.parse(line.text); } catch (e) { return bad("", "not JSON"); }
    var shape = labShape(row);
    if (shape) return bad(shape[0], shape[1]);
    var kind = row.criterion != null ? "criterion" : "check", name = row[kind];
    var k = -1;
    targets.forEach(function (t, j) { if (t.kind === kind && t.name === name) k = j; });
    if (k < 0) return {};  // a criterion or check the page does not label: calibrate has no verdict to pair it with
    var label = labValue(row.label, targets[k].scale);
    if (label === null) return bad("label", labShown(row.label) + " is not on the " + targets[k].scale +
                                   " scale of " + kind + " '" + name + "'");
    var i = row.candidate != null ? index.cand[JSON.stringify([row.case_id, row.candidate])]
                                  : index.byReply(row.case_id, labStrip(row.reply));
    if (i === undefined || data[i].nolabel || (data[i].skip || []).indexOf(k) >= 0) return {};
    return {by: row.labeller === undefined ? "anonymous" : row.labeller, rec: index.id[i], k: tkey(targets[k]),
            label: label, note: row.note || "", cand: row.candidate != null};
  }
  function labSaid(name, n, first) {  // the one line a load ends with
    if (!n.loaded && !n.unmatched && !n.bad) return name + " holds no labels";
    return name + ": loaded " + n.loaded + (n.loaded === 1 ? " label" : " labels") +
      (n.kept ? " (" + n.kept + " of them differed from this browser's own, kept as it had them)" : "") +
      "; " + n.unmatched + " matched no reply of this run (not loaded); " + n.bad + " invalid" +
      (first ? " (first: " + first + ")" : "");
  }
"""
