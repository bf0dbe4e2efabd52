"""An opened case in ``diff.html`` (:func:`case_detail`): the complaint, both replies side by side with each
check's evidence marked, what changed between them word by word behind a toggle (:func:`word_changes`), and
both sides' verdicts with the judges' reasons. :mod:`harness.report.diff_html` embeds it in a changed case's
detail row and under the replies that changed with no change in any measure.
"""

from __future__ import annotations

from harness.compare.schema import CaseView, Comparison, ReplyView
from harness.report.diff_turns import turns_html
from harness.report.html_evidence import reply_block
from harness.report.html_store import SharedParts
from harness.report.html_parts import esc
from harness.report.html_text import esc_isolated
from harness.report.word_diff import reply_diff, summary_text, to_html


def _scales(comparison: Comparison) -> dict[tuple[str, str], str]:
    """(kind, name) -> the row's scale: checks and pass/fail criteria read pass/fail, not 1/0."""
    return {(row.kind, row.name): row.scale for row in comparison.rows}


def _reply_html(view: ReplyView | None) -> str:
    if view is None:
        return '<p class="muted">No record of this case on this side.</p>'
    if view.error:
        return f'<p class="fail">No reply: {esc_isolated(view.error)}</p>'
    marks = [(span, name) for name, check in view.verdicts.checks.items() for span in check.evidence]
    failing = [name for name, check in view.verdicts.checks.items() if check.passed is False]
    samples = f'<p class="muted">first of {view.n_samples} samples</p>' if view.n_samples > 1 else ""
    return f'{reply_block(view.reply or "", marks, failing)}{samples}'


def _check_cell(view: ReplyView | None, name: str, scale: str | None = None) -> str:
    check = view.verdicts.checks.get(name) if view else None
    if check is None:
        return '<span class="na">—</span>'
    verdict = ('<span class="na">n/a</span>' if check.passed is None else
               '<span class="pass">pass</span>' if check.passed else '<span class="fail">fail</span>')
    return verdict + (f" — {esc_isolated(check.detail)}" if check.detail else "")


def _criterion_cell(view: ReplyView | None, name: str, scale: str | None = None) -> str:
    result = view.verdicts.criteria.get(name) if view else None
    if result is None:
        return '<span class="na">—</span>'
    if result.error:
        return f'<span class="fail">judge error</span> {esc_isolated(result.error)}'
    if not result.applicable or result.score is None:
        return '<span class="na">n/a</span>'
    reason = f" — {esc_isolated(result.reason)}" if result.reason else ""
    if scale == "pass_fail":  # stored as 1/0: shown as the checks are
        passed = result.passed if result.passed is not None else result.score >= 1
        return ('<span class="pass">pass</span>' if passed else '<span class="fail">fail</span>') + reason
    score = f'<b class="fail">{result.score:g}</b>' if result.passed is False else f"<b>{result.score:g}</b>"
    return score + reason


class RowShare:
    """For a page holding every case's detail: each verdict cell formatted once per distinct verdict, and each
    verdict row written once in the page (``parts``, html_store's place holders, which the page's script
    expands when a case is opened): most checks read the same on most cases."""

    def __init__(self) -> None:
        self.parts = SharedParts()
        self.cells: dict[tuple, str] = {}

    def cell(self, kind: str, view: ReplyView | None, name: str, scale: str | None) -> str:
        item = None
        if view is not None:
            item = (view.verdicts.criteria if kind == "criterion" else view.verdicts.checks).get(name)
        key = (kind, name, scale) if item is None else (
            kind, name, scale, item.passed, item.detail) if kind == "check" else (
            kind, name, scale, item.score, item.passed, item.reason, item.error, item.applicable)
        text = self.cells.get(key)
        if text is None:
            text = self.cells[key] = (_criterion_cell if kind == "criterion" else _check_cell)(view, name, scale)
        return text


def _verdict_rows(view: CaseView, changes: list[dict], scales: dict[tuple[str, str], str],
                  share: RowShare | None = None) -> str:
    changed = {(c["kind"], c["name"]) for c in changes}
    names = [("criterion", n) for n in _names(view, "criteria")] + [("check", n) for n in _names(view, "checks")]
    names.sort(key=lambda item: item not in changed)  # what changed first, then the rest in order
    rows = []
    for kind, name in names:
        cell = _criterion_cell if kind == "criterion" else _check_cell
        scale = scales.get((kind, name))
        flag = ' class="changed"' if (kind, name) in changed else ""
        label = f"<b>{esc(name)}</b>" if (kind, name) in changed else esc(name)
        if share is None:
            a, b = cell(view.a, name, scale), cell(view.b, name, scale)
        else:
            a, b = share.cell(kind, view.a, name, scale), share.cell(kind, view.b, name, scale)
        row = f"<tr{flag}><td>{label} <span class=\"muted\">({kind})</span></td><td>{a}</td><td>{b}</td></tr>"
        rows.append(share.parts.add(row) if share is not None else row)
    return "".join(rows)


def _names(view: CaseView, field: str) -> list[str]:
    seen: dict[str, None] = {}
    for reply in (view.a, view.b):
        if reply is not None:
            seen.update(dict.fromkeys(getattr(reply.verdicts, field)))
    return list(seen)


def word_changes(view: CaseView) -> str:
    """What changed from reply A to reply B, word by word, behind a toggle; "" when a side has no reply or
    the replies are the same text."""
    if any(side is None or side.error or side.reply is None for side in (view.a, view.b)):
        return ""
    # Compared as shown (a bidi control reads as its code point; to_html escapes), as diff.md compares them.
    diff = reply_diff(view.a.reply, view.b.reply)
    if diff is None:
        return ""
    body = f'<div class="wdiff-text" dir="auto">{to_html(diff)}</div>' if diff.changed else ""
    return (f'<details class="wdiff"><summary>word changes <span class="muted">(A → B: '
            f"{esc(summary_text(diff))})</span></summary>{body}</details>")


WORDS_SLOT = '<div class="wdiff-slot"></div>'  # where the page's script puts the word changes of an opened case


def case_detail(view: CaseView, changes: list[dict], comparison: Comparison, words: bool = True,
                share: RowShare | None = None, scales: dict[tuple[str, str], str] | None = None) -> str:
    """The opened case: complaint, both replies side by side with evidence marked, what changed between them
    word by word (a toggle), verdicts and reasons. ``words=False``: an empty ``wdiff-slot`` where the word changes
    go, which the page's script fills when the case is opened (harness.report.diff_word_diff_js). ``share``: verdict
    rows written once for the page (:class:`RowShare`); ``scales``: the comparison's, computed once by a caller
    of many cases."""
    turns = turns_html(view.turns) or '<p class="muted">The case is not in the runs\' case snapshots.</p>'
    a, b = esc(comparison.candidate_a), esc(comparison.candidate_b)
    return (f"<h3>Complaint</h3>{turns}<div class=\"sbs\">"
            f"<div><h3>A: {a}</h3>{_reply_html(view.a)}</div><div><h3>B: {b}</h3>{_reply_html(view.b)}</div></div>"
            f"{word_changes(view) if words else WORDS_SLOT}"
            f'<table class="verdicts"><thead><tr><th scope="col">measure</th><th scope="col">A: {a}</th>'
            f'<th scope="col">B: {b}</th></tr></thead>'
            f"<tbody>{_verdict_rows(view, changes, scales or _scales(comparison), share)}</tbody></table>")
