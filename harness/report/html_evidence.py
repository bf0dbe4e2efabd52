"""A reply with its checks' evidence marked: :func:`highlight`, shared by ``report.html``'s records and
``diff.html``'s side-by-side views (each page's evidence picker, :data:`~harness.report.html_parts.EVIDENCE_JS`,
reads the marks' data attributes).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from harness.checks.base import Span
from harness.report.html_parts import esc
from harness.report.html_text import esc_isolated, esc_text, fold_box, fold_cut


def highlight(reply: str, marks: list[tuple[Span, str]], failing: Iterable[str] = (), na: Iterable[str] = ()) -> str:
    """``reply`` escaped, with each evidence span wrapped in ``<mark>`` titled by the checks that cite it.

    Overlapping spans are split at their edges so marks never nest; spans
    outside the reply are clipped. A mark lists its checks in ``data-pass``
    and ``data-fail`` (those of ``failing``, the checks that failed), and is of
    class ``ev-fail`` when any of them failed: failing evidence is drawn
    apart from passing evidence. Spans of checks in ``na`` (no verdict: the
    check did not apply) are listed in ``data-na`` and, when no check with a
    verdict cites them, of class ``ev-na``: not drawn as a pass. The page's evidence picker
    (:data:`~harness.report.html_parts.EVIDENCE_JS`) can show one check's spans only.
    """
    if not marks:  # a reply without evidence is one unmarked piece (none when empty)
        return esc_text(reply)
    n = len(reply)
    points = {0, n}
    for span, _ in marks:
        points.add(span.start)
        points.add(span.end)
    cuts = sorted(points)
    if cuts[0] < 0 or cuts[-1] > n:  # clip only when a span reaches outside (checks' spans rarely do)
        cuts = sorted({min(max(p, 0), n) for p in cuts})
    failing, na = set(failing), set(na)
    out = []
    start = 0
    for end, names in zip(cuts[1:], _covering_names(cuts, marks)):
        piece = esc_text(reply[start:end])
        out.append(_mark(piece, names, failing, na) if names else piece)
        start = end
    return "".join(out)


def reply_block(reply: str, marks: list[tuple[Span, str]], failing: Iterable[str] = (),
                na: Iterable[str] = ()) -> str:
    """``<div class="reply">`` with the reply :func:`highlight`-ed; a long reply folded (:func:`fold_box`), the
    button saying how many evidence spans reach into the folded rest (a failing check's evidence may be there)."""
    cut = fold_cut(reply)
    if cut is None:
        return f'<div class="reply">{highlight(reply, marks, failing, na)}</div>'
    failing, na = list(failing), list(na)
    head = [(span, name) for span, name in marks if span.start < cut]
    rest = [(Span(start=span.start - cut, end=span.end - cut, text=""), name) for span, name in marks
            if span.end > cut]
    note = f" ({len(rest)} highlighted passage{'s' if len(rest) != 1 else ''} in the rest)" if rest else ""
    return fold_box("reply", "", highlight(reply[:cut], head, failing, na), highlight(reply[cut:], rest, failing, na),
                    len(reply), note)


def turn_block(role_html: str, content: object) -> str:
    """A complaint's turn: ``<div class="turn">`` with its role (already HTML) and its text, isolated
    (:func:`esc_isolated`); a long turn folded (:func:`fold_box`)."""
    text = content if isinstance(content, str) else "" if content is None else str(content)
    cut = fold_cut(text)
    if cut is None:
        return f'<div class="turn"><b>{role_html}:</b> {esc_isolated(text)}</div>'
    return fold_box("turn", f"<b>{role_html}:</b> ", esc_isolated(text[:cut]), esc_isolated(text[cut:]), len(text))


def _mark(piece: str, names: set[str], failing: set[str], na: set[str] = frozenset()) -> str:
    """One marked piece: its checks in the title (failing and n/a ones said so), split by verdict in data attributes."""
    bad = sorted(names & failing)
    not_applied = sorted(names & na) if na else []
    good = sorted(names - failing - na) if na else sorted(names - failing)
    title = ", ".join(good + [f"{name} (fails)" for name in bad] + [f"{name} (n/a)" for name in not_applied])
    extra = f' data-na="{esc(" ".join(not_applied))}"' if not_applied else ""
    if not bad:
        css = "" if good else ' class="ev-na"'
        return f'<mark{css} title="{esc(title)}" data-pass="{esc(" ".join(good))}"{extra}>{piece}</mark>'
    return (f'<mark class="ev-fail" title="{esc(title)}" data-pass="{esc(" ".join(good))}" '
            f'data-fail="{esc(" ".join(bad))}"{extra}>{piece}</mark>')


def _covering_names(cuts: list[int], marks: list[tuple[Span, str]]) -> list[set[str]]:
    """For each piece ``cuts[k]:cuts[k + 1]``, the names of the spans that cover it (start <= cut, next cut <= end).

    Each span's pieces are found by bisection, not by testing every span against every piece: this runs
    for every record of a run as it is written.
    """
    covering: list[set[str]] = [set() for _ in range(len(cuts) - 1)]
    for span, name in marks:
        for index in range(bisect_left(cuts, span.start), bisect_right(cuts, span.end) - 1):
            covering[index].add(name)
    return covering
