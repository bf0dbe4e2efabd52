"""A comparison's case list in ``diff.html``: every case both sides hold (:mod:`harness.report.diff_all_cases`),
or, for a page written from ``diff.json`` alone, every changed case; filtered by status (changed, regressed,
improved, unchanged, reply text only, all: each with its count, changed by default, as the page listed before),
persona, category, criterion, check and direction; searched over the case id, the complaint and both replies;
each row opening to the case side by side. Rows are kept as text and data (:mod:`harness.report.diff_list_js`
makes them a page at a time), so 20,000 cases open in a browser in seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.compare.schema import Comparison
from harness.report.diff_all_cases import MAX_LISTED, ListedCase, every_case
from harness.report.diff_case_detail import RowShare, case_detail
from harness.report.html_parts import esc, evidence_select, sortable_head
from harness.report.html_store import SEP, pager
from harness.report.html_text import esc_attr, esc_text, visible
from harness.scoring.notices import counted

STATUSES = [("changed", "changed"), ("regressed", "regressed (some measure worse in B)"),
            ("improved", "improved (some measure better in B)"), ("unchanged", "unchanged on every measure"),
            ("reply", "reply text changed only"), ("all", "all")]


def _changed_only(comparison: Comparison, changes: dict[str, list[dict]]) -> list[ListedCase]:
    """The changed cases, as a page written from ``diff.json`` lists them: those with a view open side by side,
    the others to their values (the script's ``noview``)."""
    out = []
    for case_id, mine in changes.items():
        view = comparison.cases.get(case_id)
        persona, category = (comparison.groups.get(case_id) or [None, None])[:2]
        if view is not None:
            persona, category = view.persona, view.category
        detail = case_detail(view, mine, comparison) if view is not None else ""
        out.append(ListedCase(case_id, persona or "(none)", category or "(none)", mine, "", detail))
    return out


def _row_text(case: ListedCase, prefix: str, index: int, change_list: Callable[[list[dict]], str]) -> str:
    detail_id = f"{prefix}-d{index}"
    if case.changes:
        worst = min(c["step"] for c in case.changes)
        # Sorted by the largest drop, then by all drops together: a case with five checks gone from pass to
        # fail comes before one with a single such drop (each step is at most 1, a case has < 100 measures).
        rank = worst * 100 + sum(c["step"] for c in case.changes if c["step"] < 0)
        what = f'<td data-sort="{rank:g}">{change_list(case.changes)}</td>'
    else:
        what = f'<td data-sort="0"><span class="muted">{esc(case.note)}</span></td>'
    return (f'<tr class="case" tabindex="0" aria-expanded="false" aria-controls="{detail_id}" '
            f'data-case="{esc_attr(case.case_id)}"><td>{esc_text(case.case_id)}</td><td>{esc_text(case.persona)}</td>'
            f"<td>{esc_text(case.category)}</td>{what}</tr>"
            f'<tr class="detail" id="{detail_id}" hidden><td colspan="4">{case.detail}</td></tr>')


def _item(case: ListedCase, reply_changed: bool) -> dict:
    item: dict = {"id": case.case_id, "persona": case.persona, "category": case.category,
                  "changes": [{k: c[k] for k in ("kind", "name", "dir", "text")} for c in case.changes],
                  "s": "c" if case.changes else "u"}
    if reply_changed:
        item["rc"] = 1
    if case.words is not None:
        item["w"] = case.words
    if case.search:
        item["t"] = case.search
    if not case.detail:
        item["noview"] = 1
    if case.unmeasured:
        item["x"] = case.unmeasured  # rows (the comparison's "rows") the case was not graded on
    return item


def _select(prefix: str, name: str, label: str, options: list[tuple[str, str]], chosen: str = "",
            said: bool = False) -> str:
    """A filter; ``said``: its label in a span the script rewords with the status (check flipped / held)."""
    items = "".join(f'<option value="{esc_attr(v)}"{" selected" if v == chosen and v else ""}>{esc(visible(t))}</option>'
                    for v, t in options)  # as html_filters
    text = f'<span class="said">{esc(label)}</span>' if said else esc(label)
    return (f'<label for="{prefix}-f-{name}">{text}'
            f'<select id="{prefix}-f-{name}" data-filter="{name}">{items}</select></label>')


def _status_select(prefix: str, data: list[dict]) -> str:
    counts = {"changed": sum(d["s"] == "c" for d in data), "all": len(data),
              "regressed": sum(any(c["dir"] == "down" for c in d["changes"]) for d in data),
              "improved": sum(any(c["dir"] == "up" for c in d["changes"]) for d in data),
              "unchanged": sum(d["s"] == "u" for d in data), "reply": sum("rc" in d for d in data)}
    options = [(value, f"{label} ({counts[value]:,})") for value, label in STATUSES]
    return _select(prefix, "status", "show", options, "changed" if counts["changed"] else "all")


def _filters(comparison: Comparison, data: list[dict], prefix: str, every: bool) -> str:
    def values(key: str) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted({row[key] for row in data})]

    def rows_of(kind: str) -> list[tuple[str, str]]:  # every graded row when unchanged cases are listed too
        return [(r.name, r.name) for r in comparison.rows if r.kind == kind and (r.changes or every and r.n_cases)]

    flips = [("", "either way"), ("down", "worse in B (pass→fail, score drop)"),
             ("up", "better in B (fail→pass, score rise)")]
    selects = [_status_select(prefix, data)] if every else []
    selects += [_select(prefix, "persona", "persona", [("", "all")] + values("persona")),
                _select(prefix, "category", "category", [("", "all")] + values("category")),
                _select(prefix, "criterion", "criterion changed", [("", "any")] + rows_of("criterion"), said=True),
                _select(prefix, "check", "check flipped", [("", "any")] + rows_of("check"), said=True),
                _select(prefix, "flip", "direction", flips)]
    what = "case id, complaint or replies" if every else "case id or text"
    search = (f'<label for="{prefix}-f-text">{what}'
              f'<input id="{prefix}-f-text" class="text" type="search" placeholder="e.g. c044" autocomplete="off">'
              "</label>")
    checks = [r.name for r in comparison.rows if r.kind == "check"]
    first = sum(d["s"] == "c" for d in data) or len(data)  # the cases the list opens on (the script recounts)
    count = (f'<span class="muted count">showing <span class="shown" aria-live="polite">{first} of {first}'
             f"</span> {'cases' if every else 'changed cases'}</span>")
    return (f'<form class="filters" role="search">{"".join(selects)}{search}'
            f"{evidence_select(prefix + '-f-evidence', checks)}{count}</form>")


def _note(comparison: Comparison, listed: list[ListedCase], every: bool) -> str:
    changed = sum(1 for c in listed if c.changes)
    if every:
        return (f'<p class="more">All {changed} changed cases are listed, and the {counted(len(listed) - changed, "case")} '
                "that changed on no measure (pick them under <b>show</b>): every case both sides hold. Each opens "
                "side by side: the complaint, both replies with evidence marked, their word changes, every "
                "verdict with the judges' reasons.</p>")
    viewed = len(comparison.cases.keys() - set(comparison.reply_changes))  # those views are of unchanged cases
    if viewed >= changed:
        return ""
    return (f'<p class="more">All {changed} changed cases are listed. Side-by-side views (complaint, replies, '
            f"reasons) are embedded for the {counted(viewed, 'case')} among each row's largest drops and rises; the "
            f"others open to their values on each changed measure (diff.json and the runs' records hold the rest).</p>")


HINT = ('<p class="muted">Click a case, or focus it (Tab) and press Enter, to see the complaint, '
        "both replies side by side with evidence marked, and every verdict with the judges' reasons. "
        "Column headers sort (what changed: by the largest drop, as a share of its scale, then by all drops "
        "together). A case with drops and rises counts as both regressed and improved.</p>")


def too_many_note(shared: int, cap: int = MAX_LISTED) -> str:
    """Above the list of a diff whose pairs share more cases than the page lists in full."""
    return (f'<p class="more">The pairs share {shared:,} cases, more than the {cap:,} diff.html lists in '
            "full: the changed cases are listed; each run's report.html lists every case.</p>")


def case_list(comparison: Comparison, prefix: str, changes: dict[str, list[dict]],
              change_list: Callable[[list[dict]], str], every: bool = True) -> tuple[str, str, list[dict]]:
    """The list's heading, its HTML (filters, table, pager, rows kept as text) and its data for the script;
    ``changes``: case id → its changes, in the order the changed cases are listed; ``every``: list every case
    both sides hold (when they are at hand), else the changed cases only."""
    share = RowShare()
    listed = every_case(comparison, changes, share) if every else None
    every = listed is not None
    if listed is None:
        listed = _changed_only(comparison, changes)
    replies = set(comparison.reply_changes)
    changed = sum(1 for c in listed if c.changes)
    heading = f"Cases ({len(listed):,}: {changed:,} changed)" if every else f"Changed cases ({len(listed)})"
    if not listed or (not every and not changed):
        return heading, "", []
    data, texts = [], []
    for index, case in enumerate(listed):
        data.append(_item(case, case.case_id in replies))
        texts.append(_row_text(case, prefix, index, change_list))
        case.detail = case.search = ""  # held once, in its row's text (a 20,000-case page: some 50 MB)
    head = sortable_head(["case", "persona", "category", "what changed (A→B)"])
    html = (f"{_note(comparison, listed, every)}{_filters(comparison, data, prefix, every)}{HINT}"
            f'<div class="scroll"><table class="cases"><thead><tr>{head}</tr></thead><tbody></tbody></table></div>'
            f'{pager(prefix + "-pager", "case")}'
            f'<script type="text/x-harness-records" id="{prefix}-store">{SEP.join(texts)}</script>'
            f'<script type="text/x-harness-records" id="{prefix}-parts">{SEP.join(share.parts.texts)}</script>')
    return heading, html, data
