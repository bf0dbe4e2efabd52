"""The labelling queue's script for report.html (:data:`QUEUE_JS`): ``harness label``'s ``--failing``,
``--borderline``, ``--disagree`` and ``--share K/N`` in the browser.

Which target of a record each option keeps is decided in Python (html_queue: the rules of
:mod:`harness.calibration.picking`, one digit a target in the record's ``doubt``); the script only combines
those digits with the options ticked, as ``harness label`` combines them (a question is kept when any doubt
option ticked holds of it; ``--share`` narrows the replies; a reply two candidates gave is asked once, on the
first), so the page's queue holds the questions the terminal's would.
"""

from __future__ import annotations

# labelQueue(list, data, info, hooks): the queue's controller, or null when the page has no labelling.
# hooks: changed() (the list's filter must be applied again), open(i) (show and open record i), mine(i, t)
# (whether the current labeller has labelled target t of record i), who() (the labeller's name).
QUEUE_JS = """
  var QUEUE_BITS = {failing: 1, borderline: 2, disagree: 4};
  function labelQueue(list, data, info, hooks, prefs) {
    function $(id) { return document.getElementById(id); }
    var box = $("lab-queue");
    if (!box) return null;
    var targets = info.targets, boxes = {}, share = $("lab-q-share"), on = $("lab-q-on"), said = $("lab-q-said");
    var next = $("lab-q-next"), asked = null, at = -1, q = info.queue || {}, own = Object.prototype.hasOwnProperty;
    Object.keys(QUEUE_BITS).forEach(function (k) { boxes[k] = $("lab-q-" + k); boxes[k].checked = !!prefs[k]; });
    if (!q.disagree) {  // as harness label refuses --disagree where nothing labelled can disagree
      boxes.disagree.checked = false;
      boxes.disagree.disabled = true;
      boxes.disagree.parentNode.title = "nothing here can disagree: no judge panel, and no criterion has a " +
        "check of its name";
    }
    share.value = typeof prefs.share === "string" ? prefs.share : "";
    on.value = prefs.ask || q.on || "criteria";
    if (on.selectedIndex < 0) on.value = q.on || "criteria";
    var kinds = {criteria: ["criterion"], checks: ["check"], all: ["criterion", "check"]};
    function parseShare() {  // [K, N] as harness label's --share K/N reads it; null when empty; a string: a problem
      var text = share.value, m = /^\\s*(\\d+)\\s*\\/\\s*(\\d+)\\s*$/.exec(text);
      if (!text.trim()) return null;
      if (!m || +m[1] < 1 || +m[1] > +m[2]) return "give K/N, your share K of N reviewers, with 1 <= K <= N (e.g. 1/2)";
      return [BigInt(m[1]) - BigInt(1), BigInt(m[2])];
    }
    function words(part) {  // the options as harness label's flags
      var out = Object.keys(QUEUE_BITS).filter(function (k) { return boxes[k].checked; })
        .map(function (k) { return "--" + k; });
      if (part) out.push("--share " + share.value.replace(/\\s+/g, ""));
      return out.join(" ");
    }
    function compute() {  // asked[i]: the targets of record i the queue asks (null: no queue option chosen)
      var mask = 0, part = parseShare(), wanted = kinds[on.value] || kinds.criteria, taken = {};
      Object.keys(QUEUE_BITS).forEach(function (k) { if (boxes[k].checked) mask |= QUEUE_BITS[k]; });
      if (typeof part === "string") { asked = null; return part; }
      if (!mask && !part) { asked = null; return ""; }
      asked = data.map(function (r, i) {
        if (r.nolabel || part && BigInt("0x" + r.share) % part[1] !== part[0]) return [];
        var group = r.same === undefined ? i : r.same, skip = r.skip || [], doubt = r.doubt || "";
        return targets.map(function (t, k) { return k; }).filter(function (k) {
          if (wanted.indexOf(targets[k].kind) < 0 || skip.indexOf(k) >= 0) return false;
          if (mask && !((+doubt.charAt(k) || 0) & mask)) return false;
          var key = group + "/" + k;  // a reply two candidates gave: asked once, on the first (harness label's rule)
          return own.call(taken, key) ? false : (taken[key] = true);
        });
      });
      return null;
    }
    function left(i) { return asked[i].filter(function (k) { return !hooks.mine(i, targets[k]); }).length; }
    function tell(problem) {
      if (problem) { said.textContent = "share: " + problem; next.disabled = true; return; }
      next.disabled = !asked;
      if (!asked) { said.textContent = ""; return; }
      var questions = 0, replies = 0, open = 0;
      asked.forEach(function (ks, i) {
        if (!ks.length) return;
        questions += ks.length;
        replies += 1;
        open += hooks.who() ? left(i) : ks.length;
      });
      said.textContent = "queue: " + questions + (questions === 1 ? " question" : " questions") + " on " + replies +
        (replies === 1 ? " reply" : " replies") + " (" + words(parseShare()) + ", as harness label picks them); " +
        (hooks.who() ? (questions - open) + " labelled by " + hooks.who() + ", " + open + " left" : open + " left");
      next.disabled = open === 0;
    }
    function refresh(save) {
      var problem = compute();
      if (save) {
        Object.keys(QUEUE_BITS).forEach(function (k) { prefs[k] = boxes[k].checked; });
        prefs.share = share.value;
        prefs.ask = on.value;
        hooks.save();
      }
      tell(problem);
      hooks.changed();
    }
    Object.keys(QUEUE_BITS).forEach(function (k) {
      boxes[k].addEventListener("change", function () { refresh(true); });
    });
    on.addEventListener("change", function () { refresh(true); });
    share.addEventListener("input", function () { refresh(true); });
    next.addEventListener("click", function () {  // the next record of the list (its order) with a question left
      var order = list.shownOrder(), from = order.indexOf(at) + 1;
      for (var step = 0; step < order.length; step++) {
        var i = order[(from + step) % order.length];
        if (asked[i].length && (!hooks.who() || left(i))) { at = i; hooks.open(i); return; }
      }
    });
    tell(compute());
    return {
      keeps: function (i) { return !asked || asked[i].length > 0; },
      asks: function (i, k) { return !!asked && asked[i].indexOf(k) >= 0; },
      active: function () { return !!asked; },
      tell: function () { tell(null); }
    };
  }
"""
