"""The word changes of an opened case, computed by ``diff.html``'s script (:data:`WORD_DIFF_JS`).

The same comparison as :mod:`harness.report.word_diff` (its tokens, its common ends taken off first, at most
``MAX_TOKENS`` tokens of each side's middle, difflib's ``SequenceMatcher`` with autojunk, the unchanged stretches
folded around the changes) written in JavaScript: a page listing 20,000 cases cannot afford Python's 0.6 ms a
pair for every case when a reader opens a few; the case opened costs about as much in the browser.
``wordChanges(a, b)`` returns the HTML :func:`harness.report.diff_case_detail.word_changes` writes for the
same replies (``a`` and ``b`` as compared: :func:`harness.report.html_text.visible`), which
tests/report/test_diff_all_cases_browser.py holds it to over a corpus of hostile pairs.
"""

from __future__ import annotations

import json

from harness.report.word_diff import _SPACELESS, HTML_CONTEXT, MAX_TOKENS

WORD_DIFF_JS = r"""
  var WD = (function () {
    var LIMIT = """ + str(MAX_TOKENS) + """, CONTEXT = """ + str(HTML_CONTEXT) + r""";
    var SPACELESS = """ + json.dumps(_SPACELESS) + r""";
    var FINE = new RegExp("([" + SPACELESS + "]|\\p{Nd}+(?:[.,:]\\p{Nd}+)+|[\\p{L}\\p{N}_]+(?:['\u2019][\\p{L}\\p{N}_]+)*" +
                          "|[^\\p{L}\\p{N}_\\s])(\\s*)", "gu");
    var ONE_CHAR = new RegExp("^[" + SPACELESS + "]", "u"), MARK = /^\p{M}/u, ALNUM = /[\p{L}\p{N}]/u;
    var HIDDEN = /[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]/g;
    function firstCp(s) { return String.fromCodePoint(s.codePointAt(0)); }
    function lastCp(s) { var cs = Array.from(s); return cs[cs.length - 1]; }
    function joins(ch) {  // as word_diff._joins: drawn onto the character before it
      var cp = ch.codePointAt(0);
      return MARK.test(ch) || ch === "\u200c" || ch === "\u200d" || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f);
    }
    function flagHalf(t) { var cs = Array.from(t); return cs.length === 1 && cs[0].codePointAt(0) >= 0x1f1e6 && cs[0].codePointAt(0) <= 0x1f1ff; }
    function glues(prev, prevWs, tok, word, prevWord) {
      if (prevWs) return false;
      if (joins(firstCp(tok)) || prev.slice(-1) === "\u200d" || (flagHalf(prev) && flagHalf(tok))) return true;
      return word && prevWord && joins(lastCp(prev));
    }
    function tokens(text) {
      var out = [], m;
      FINE.lastIndex = 0;
      while ((m = FINE.exec(text))) {
        var tok = m[1], space = m[2], word = Array.from(tok).length > 1 || ALNUM.test(tok), prev = out[out.length - 1];
        if (prev && glues(prev[0], prev[1], tok, word, prev[2])) { prev[0] += tok; prev[1] = space; }
        else out.push([tok, space, word && !ONE_CHAR.test(tok)]);
      }
      return out.map(function (t) { return {key: t[0], text: t[0] + t[1]}; });
    }
    function opcodes(a, b) {  // difflib.SequenceMatcher(None, a, b).get_opcodes(), autojunk on
      var b2j = new Map(), n = b.length;
      b.forEach(function (x, j) { var l = b2j.get(x); if (l) l.push(j); else b2j.set(x, [j]); });
      if (n >= 200) {
        var ntest = Math.floor(n / 100) + 1;
        Array.from(b2j.keys()).forEach(function (x) { if (b2j.get(x).length > ntest) b2j.delete(x); });
      }
      function longest(alo, ahi, blo, bhi) {
        var bi = alo, bj = blo, size = 0, j2len = new Map();
        for (var i = alo; i < ahi; i++) {
          var next = new Map(), js = b2j.get(a[i]) || [];
          for (var k = 0; k < js.length; k++) {
            var j = js[k];
            if (j < blo) continue;
            if (j >= bhi) break;
            var len = (j2len.get(j - 1) || 0) + 1;
            next.set(j, len);
            if (len > size) { bi = i - len + 1; bj = j - len + 1; size = len; }
          }
          j2len = next;
        }
        while (bi > alo && bj > blo && a[bi - 1] === b[bj - 1]) { bi--; bj--; size++; }
        while (bi + size < ahi && bj + size < bhi && a[bi + size] === b[bj + size]) size++;
        return [bi, bj, size];
      }
      var queue = [[0, a.length, 0, n]], blocks = [];
      while (queue.length) {
        var q = queue.pop(), x = longest(q[0], q[1], q[2], q[3]);
        if (x[2]) {
          blocks.push(x);
          if (q[0] < x[0] && q[2] < x[1]) queue.push([q[0], x[0], q[2], x[1]]);
          if (x[0] + x[2] < q[1] && x[1] + x[2] < q[3]) queue.push([x[0] + x[2], q[1], x[1] + x[2], q[3]]);
        }
      }
      blocks.sort(function (p, r) { return p[0] - r[0] || p[1] - r[1] || p[2] - r[2]; });
      var merged = [], i1 = 0, j1 = 0, k1 = 0;
      blocks.forEach(function (blk) {
        if (i1 + k1 === blk[0] && j1 + k1 === blk[1]) k1 += blk[2];
        else { if (k1) merged.push([i1, j1, k1]); i1 = blk[0]; j1 = blk[1]; k1 = blk[2]; }
      });
      if (k1) merged.push([i1, j1, k1]);
      merged.push([a.length, n, 0]);
      var out = [], i = 0, j = 0;
      merged.forEach(function (blk) {
        var tag = i < blk[0] && j < blk[1] ? "replace" : i < blk[0] ? "delete" : j < blk[1] ? "insert" : "";
        if (tag) out.push([tag, i, blk[0], j, blk[1]]);
        i = blk[0] + blk[2]; j = blk[1] + blk[2];
        if (blk[2]) out.push(["equal", blk[0], i, blk[1], j]);
      });
      return out;
    }
    function both(a, b) { return b.map(function (t, k) { return {key: t.key, text: t.text, aText: a[k].text}; }); }
    function isWord(key) { return ALNUM.test(key); }
    function diff(a, b) {  // word_diff.word_diff(a, b): {pieces: [[op, tokens]], deleted, inserted, cut, marked}
      if (a === b) return null;
      var ta = tokens(a), tb = tokens(b), start = 0, end = 0;
      while (start < ta.length && start < tb.length && ta[start].key === tb[start].key) start++;
      while (end < ta.length - start && end < tb.length - start && ta[ta.length - 1 - end].key === tb[tb.length - 1 - end].key) end++;
      var midA = ta.slice(start, ta.length - end), midB = tb.slice(start, tb.length - end);
      var cut = [Math.max(midA.length - LIMIT, 0), Math.max(midB.length - LIMIT, 0)];
      midA = midA.slice(0, LIMIT); midB = midB.slice(0, LIMIT);
      var pieces = [["=", both(ta.slice(0, start), tb.slice(0, start)), start ? ta[start - 1] : null]];
      opcodes(midA.map(function (t) { return t.key; }), midB.map(function (t) { return t.key; })).forEach(function (o) {
        if (o[0] === "equal") pieces.push(["=", both(midA.slice(o[1], o[2]), midB.slice(o[3], o[4])), midA[o[2] - 1]]);
        else { pieces.push(["-", midA.slice(o[1], o[2]), null]); pieces.push(["+", midB.slice(o[3], o[4]), null]); }
      });
      if (cut[0] || cut[1]) pieces.push(["cut", [], null]);
      pieces.push(["=", both(ta.slice(ta.length - end), tb.slice(tb.length - end)), null]);
      pieces = pieces.filter(function (p) { return p[1].length || p[0] === "cut"; });
      var kept = [];
      pieces.forEach(function (p, i) {  // word_diff._spaced, then _merged
        var toks = p[1], aLast = p[2], last = toks[toks.length - 1];
        if (p[0] === "=" && i + 1 < pieces.length && pieces[i + 1][0] === "-" && aLast && last.text === last.key &&
            aLast.text !== aLast.key) toks = toks.slice(0, -1).concat([{key: aLast.key, text: aLast.text}]);
        if (kept.length && kept[kept.length - 1][0] === p[0]) kept[kept.length - 1][1] = kept[kept.length - 1][1].concat(toks);
        else kept.push([p[0], toks]);
      });
      function count(op) {
        return kept.reduce(function (s, p) { return s + (p[0] === op ? p[1].filter(function (t) { return isWord(t.key); }).length : 0); }, 0);
      }
      return {pieces: kept, deleted: count("-"), inserted: count("+"), cut: cut[0] || cut[1] ? cut : null,
              marked: kept.some(function (p) { return p[0] === "-" || p[0] === "+"; })};
    }
    function esc(s) {
      return s.replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}[c]; });
    }
    function shown(s) {
      return s.replace(HIDDEN, function (c) { return "\u27e8U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27e9"; });
    }
    function html(s) { return esc(shown(s)); }
    function join(toks) { return toks.map(function (t) { return t.text; }).join(""); }
    function equal(toks, first, last) {
      var head = first ? [] : toks.slice(0, CONTEXT), tail = last ? [] : toks.slice(-CONTEXT);
      if (toks.length <= head.length + tail.length + 3) return html(join(toks));
      var hidden = toks.length - head.length - tail.length;
      return html(join(head)) + '<span class="wd-gap" title="' + hidden + ' unchanged words and marks">\u2026</span>' +
        (tail.length ? " " : "") + html(join(tail));
    }
    function marked(tag, toks) {
      var text = join(toks), core = text.replace(/\s+$/u, "");
      return "<" + tag + ">" + html(core) + "</" + tag + ">" + esc(text.slice(core.length));
    }
    function num(n) { return n.toLocaleString("en"); }
    function toHtml(d) {
      var last = d.pieces.length - 1;
      return d.pieces.map(function (p, i) {
        if (p[0] === "=") return equal(p[1], i === 0, i === last);
        if (p[0] === "cut") return '<span class="wd-gap">\u2026 not compared: the rest of the differing part, ' +
          num(d.cut[0]) + " more words and marks of A and " + num(d.cut[1]) + " of B (only the first " + num(LIMIT) +
          " of each are compared; both replies are shown in full above) \u2026</span> ";
        return marked(p[0] === "-" ? "del" : "ins", p[1]);
      }).join("");
    }
    function summary(d) {
      if (!(d.marked || d.cut)) return "none: the replies differ only in spacing or line breaks";
      var text = d.deleted || d.inserted ? d.deleted + " word" + (d.deleted === 1 ? "" : "s") + " removed, " +
        d.inserted + " added" : "punctuation or symbols only";
      return text + (d.cut ? " (cut: the replies are long)" : "");
    }
    function wordChanges(a, b) {  // diff_case_detail.word_changes for two replies as compared
      var d = diff(a, b);
      if (!d) return "";
      var body = d.marked || d.cut ? '<div class="wdiff-text" dir="auto">' + toHtml(d) + "</div>" : "";
      return '<details class="wdiff"><summary>word changes <span class="muted">(A \u2192 B: ' + esc(summary(d)) +
        ")</span></summary>" + body + "</details>";
    }
    return {wordChanges: wordChanges, tokens: tokens};
  })();
"""
