"""Labelling replies in report.html, for calibration: what a record can be labelled on, the controls above
the records, and the script and styles of the labelling panel an opened record gets.

Labels are kept in the browser's local storage under the run and downloaded as exactly the lines
``harness label`` writes (:mod:`harness.calibration.labelling`), so ``harness calibrate`` reads the file and
``harness label`` can go on with it. The page sends nothing anywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # html_records imports label_targets from here: no import of it at run time
    from harness.report.html_records import RecordView
    from harness.scoring.schema import Scorecard

LABEL_SCALES = ("1-5", "pass_fail")


def label_targets(view: RecordView) -> list[dict]:
    """What a record can be labelled on, in ``harness label``'s order: the rubric's criteria (a criterion
    without a known scale is left out: calibrate could not read its labels either), then the checks."""
    criteria = [{"kind": "criterion", "name": name, "scale": view.scales.get(name)} for name in view.criteria
                if view.scales.get(name) in LABEL_SCALES]
    return criteria + [{"kind": "check", "name": name, "scale": "pass_fail"} for name in view.checks]


def labelling_info(card: Scorecard, view: RecordView) -> dict | None:
    """What the page's labelling script reads (None when the run has nothing to label): the run's key for
    the browser's storage (its eval and start time, the same for every copy of its report), the targets,
    and the downloaded file's name."""
    targets = label_targets(view)
    if not targets:
        return None
    run = f"{card.run.eval_name}@{card.run.started_at}" if card.run and card.run.started_at else None
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", card.run.eval_name if card.run else "run").strip("-.") or "run"
    return {"run": run, "targets": targets, "file": f"labels-{name}.jsonl"}


def labelling_bar() -> str:
    """The labelling controls above the records (the script fills in the count and what the browser keeps)."""
    return ('<section id="labelling" class="labelling" aria-label="Label replies">'
            '<label class="lab-switch"><input type="checkbox" id="lab-on"> label replies for calibration</label>'
            '<span id="lab-controls" hidden>'
            '<label for="lab-name">your name <input id="lab-name" type="text" autocomplete="name" '
            'placeholder="written on every label"></label>'
            '<label><input type="checkbox" id="lab-blind" checked> hide the run\'s verdicts</label>'
            '<button type="button" id="lab-download" disabled>download labels (0)</button>'
            '<button type="button" id="lab-forget" disabled>forget these labels</button></span>'
            '<span id="lab-status" class="muted" aria-live="polite"></span>'
            '<p class="muted hint" id="lab-hint" hidden>Open a record and give each criterion a verdict on its '
            "scale and each check pass or fail, with a note if you like; leave out what you do not want to "
            "label. The run's own verdicts are hidden while you label unless you untick the box (they sway a "
            "labeller). Labels are kept in this browser's local storage for this run, so a reload keeps them "
            "(another browser, or clearing the site's data, does not). Download them as a label file for "
            "<code>harness calibrate RUN --labels FILE</code>; <code>harness label</code> can go on with that "
            "file in the terminal. Nothing is sent anywhere.</p></section>")


# Labelling in the page (report.html's script calls labelling(rows, data, info) once its rows are set up).
# Labels are kept in localStorage under the run ({labeller: {record id: {"criterion:x": {label, note}}}}),
# so a reload keeps them, and are downloaded as the lines `harness label` writes: the same fields in the
# same order, the reply named by its exact text, `json.dumps`'s spacing (so a file made half here and half
# in the terminal reads as one). Nothing leaves the page but the downloaded file (a Blob: no network).
LABEL_JS = """
  function labelling(rows, data, info) {
    var bar = document.getElementById("labelling");
    if (!bar || !info) return;
    function $(id) { return document.getElementById(id); }
    var on = $("lab-on"), name = $("lab-name"), blind = $("lab-blind"), download = $("lab-download");
    var forget = $("lab-forget"), status = $("lab-status"), targets = info.targets;
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
      var td = tr.nextElementSibling.cells[0], box = td.querySelector(".lab-panel");
      if (box) return box;
      box = el("fieldset", "lab-panel");
      box.appendChild(el("legend", "", "Your labels"));
      var skip = data[i].skip || [];
      if (data[i].nolabel) box.appendChild(el("p", "muted", "Not labelled here: " + data[i].nolabel + "."));
      else targets.forEach(function (t, k) { if (skip.indexOf(k) < 0) box.appendChild(targetRow(tr, i, t, k)); });
      var after = td.querySelector(".reply") || td.querySelector("h3 + p.fail");
      if (after) after.parentNode.insertBefore(box, after.nextSibling); else td.appendChild(box);
      fill(box, tr.id);
      return box;
    }
    function panels() {
      document.querySelectorAll("#records .lab-panel").forEach(function (box) {
        fill(box, box.closest("tr").previousElementSibling.id);
      });
    }
    function mode() {
      document.body.classList.toggle("labelling", on.checked);
      document.body.classList.toggle("lab-blind", on.checked && blind.checked);
      $("lab-controls").hidden = $("lab-hint").hidden = !on.checked;
      if (on.checked) rows.forEach(function (tr, i) { if (!tr.nextElementSibling.hidden) panel(tr, i); });
      write(prefsKey, {on: on.checked, blind: blind.checked, name: name.value});
      tell();
    }
    function pyJson(fields) {  // one object as Python's json.dumps(row, ensure_ascii=False) writes it
      return "{" + fields.map(function (f) { return JSON.stringify(f[0]) + ": " + JSON.stringify(f[1]); })
        .join(", ") + "}\\n";
    }
    function lines() {  // by labeller, then in the page's record order (the run's), then target order
      var out = [];
      Object.keys(store.labels).forEach(function (by) {
        rows.forEach(function (tr, i) {
          var mine = store.labels[by][tr.id];
          if (!mine || data[i].nolabel) return;
          var own = tr.nextElementSibling.cells[0].querySelector(".reply");
          var reply = data[i].reply != null ? data[i].reply : own ? own.textContent : null;
          if (reply == null) return;
          targets.forEach(function (t) {
            var e = mine[tkey(t)], note = e && e.note ? e.note.trim() : "";
            if (!e || e.label == null) return;
            var fields = [["case_id", decodeURIComponent(tr.id.split(".")[0])], ["reply", reply], [t.kind, t.name],
                          ["label", e.label], ["labeller", by]];
            if (note) fields.push(["note", note]);
            out.push(pyJson(fields));
          });
        });
      });
      return out;
    }
    rows.forEach(function (tr, i) {
      tr.addEventListener("click", function () { if (on.checked) panel(tr, i); });
      tr.addEventListener("keydown", function () { if (on.checked) panel(tr, i); });
    });
    on.addEventListener("change", mode);
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
  }
"""

LABEL_CSS = """
.labelling { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; margin: .5rem 0;
             padding: .4rem .8rem; border: 1px solid var(--line); border-radius: 4px; }
.labelling #lab-controls { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; }
.labelling #lab-controls[hidden] { display: none; }
.labelling p.hint { flex-basis: 100%; margin: 0; }
fieldset.lab-panel { display: none; border: 1px solid var(--accent); border-radius: 4px; margin: .6rem 0;
                     padding: .2rem .8rem .5rem; }
body.labelling fieldset.lab-panel { display: block; }
fieldset.lab-panel legend { font-weight: 600; padding: 0 .3rem; }
.lab-t { display: flex; flex-wrap: wrap; gap: .2rem .8rem; align-items: center; padding: .15rem 0; }
.lab-what { min-width: 13rem; font-weight: 600; }
.lab-opts label { margin-right: .6rem; white-space: nowrap; }
.lab-note { flex: 1; min-width: 10rem; }
/* Blind labelling: the record's verdicts, its summary's checks and criteria, and the evidence marks (a red
   mark is a failed check) are hidden, as `harness label` hides them unless --show-verdicts. */
body.lab-blind #records .verdicts, body.lab-blind #records .sbs h4 .fail { display: none; }
/* font-size 0, not visibility: a hidden cell would not take the click that opens its row */
body.lab-blind #records tr.rec > td:nth-child(5),
body.lab-blind #records:not(.no-criteria) tr.rec > td:nth-child(6) { font-size: 0; }
body.lab-blind #records tr.rec > td:nth-child(5)::after,
body.lab-blind #records:not(.no-criteria) tr.rec > td:nth-child(6)::after { content: "hidden"; font-size: .85rem;
                                                                             color: var(--muted); }
body.lab-blind #records mark { background: none !important; box-shadow: none !important; }
@media print { .labelling, fieldset.lab-panel { display: none !important; } }
@media (max-width: 640px) { .lab-what { min-width: 0; flex-basis: 100%; } }
"""
