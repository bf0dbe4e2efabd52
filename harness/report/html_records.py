"""The records part of ``report.html``: one focusable summary row per record, and its detail row.

The detail shows the complaint turns (from the case snapshot), the reply with
every check's evidence span wrapped in ``<mark>``, each check's verdict and
detail, and each criterion's score and reason. All data is escaped here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from harness.checks.base import CheckResult, Span
from harness.records.schema import CriterionResult, Record
from harness.report.html_parts import esc
from harness.scoring.schema import Scorecard

NO_GROUP = "(none)"  # matches the scorecard's key for a missing persona or category


@dataclass(frozen=True)
class RecordView:
    """What the record rows need besides the records: column order and the case snapshot."""

    criteria: list[str]
    checks: list[str]
    cases: Mapping[str, dict] = field(default_factory=dict)  # case id -> the case as cases.jsonl holds it


@dataclass
class RenderedRecord:
    """One record already rendered, kept (as text, not as the record) until its case's other records are seen.

    The detail is kept UTF-8 encoded: a run holds every record's detail until its report is written, and
    Python keeps a text with one emoji (complaints have them) at 4 bytes a character: ~6 KB a record as
    text, ~1.6 KB encoded.
    """

    key: tuple[str, str, int]
    case_id: str
    summary: str
    detail_utf8: bytes  # without the side-by-side part, which needs the case's other records
    column: str  # this record's reply as a side-by-side column of another record's detail
    verdicts: dict[str, bool]  # check -> passed, for checks that gave a verdict
    filters: dict


def highlight(reply: str, marks: list[tuple[Span, str]]) -> str:
    """``reply`` escaped, with each evidence span wrapped in ``<mark>`` titled by the checks that cite it.

    Overlapping spans are split at their edges so marks never nest; spans
    outside the reply are clipped.
    """
    n = len(reply)
    cuts = sorted({0, n} | {min(max(p, 0), n) for span, _ in marks for p in (span.start, span.end)})
    covering = _covering_names(cuts, marks)
    out = []
    for index, (start, end) in enumerate(zip(cuts, cuts[1:])):
        piece = escape(reply[start:end])
        names = covering[index]
        out.append(f'<mark title="{esc(", ".join(sorted(names)))}">{piece}</mark>' if names else piece)
    return "".join(out)


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


def failing_checks(record: Record) -> list[str]:
    return sorted(name for name, result in record.checks.items() if result.passed is False)


def failing_criteria(record: Record) -> list[str]:
    return sorted(name for name, result in record.judge.items() if result.error is None and result.passed is False)


def flipped_checks(rows: list[RenderedRecord]) -> list[str]:
    """Checks on which the candidates of one case disagree (one passes, another fails)."""
    verdicts: dict[str, set[bool]] = {}
    for row in rows:
        for name, passed in row.verdicts.items():
            verdicts.setdefault(name, set()).add(passed)
    return sorted(name for name, seen in verdicts.items() if len(seen) == 2)


def _verdict(passed: bool | None) -> str:
    if passed is None:
        return '<span class="na">n/a</span>'
    return '<span class="pass">pass</span>' if passed else '<span class="fail">fail</span>'


def _check_item(name: str, result: CheckResult) -> str:
    detail = f" — {esc(result.detail)}" if result.detail else ""
    form = result.data.get("form")
    extra = f' <span class="muted">(form: {esc(form)})</span>' if isinstance(form, str) else ""
    return f"<li><b>{esc(name)}</b>: {_verdict(result.passed)}{extra}{detail}</li>"


def _criterion_item(name: str, result: CriterionResult) -> str:
    if result.error is not None:
        return (f'<li><b>{esc(name)}</b>: <span class="fail">error</span> '
                f"{esc(result.error.kind)} — {esc(result.error.message)}</li>")
    if not result.applicable or result.score is None:
        return f"<li><b>{esc(name)}</b>: {_verdict(None)}</li>"
    reason = f" — {esc(result.reason)}" if result.reason else ""
    return f"<li><b>{esc(name)}</b>: {result.score:g} {_verdict(result.passed)}{reason}</li>"


def _turns(case: dict | None) -> str:
    if not case:
        return '<p class="muted">The case is not in the run\'s case snapshot.</p>'
    turns = case.get("turns") or []
    return "".join(f'<div class="turn"><b>{esc(t.get("role", "?"))}:</b> {esc(t.get("content", ""))}</div>'
                   for t in turns if isinstance(t, dict))


def _reply(record: Record) -> str:
    if record.error is not None:
        return f'<p class="fail">No reply: {esc(record.error.kind)} — {esc(record.error.message)}</p>'
    marks = [(span, name) for name, result in record.checks.items() for span in result.evidence]
    return f'<div class="reply">{highlight(record.reply or "", marks)}</div>'


def detail_html(record: Record, view: RecordView, reply: str | None = None) -> str:
    """The opened view of one record: complaint, reply with evidence marked, checks, criteria.

    The other candidates' replies to the case are added by :func:`record_rows`.
    """
    checks = "".join(_check_item(n, r) for n, r in record.checks.items()) or "<li class=\"muted\">none</li>"
    criteria = "".join(_criterion_item(n, r) for n, r in record.judge.items()) or "<li class=\"muted\">none</li>"
    return (f"<h3>Complaint</h3>{_turns(view.cases.get(record.case_id))}"
            f"<h3>Reply <span class=\"muted\">({esc(record.reply_source or 'none')})</span></h3>"
            f"{reply if reply is not None else _reply(record)}"
            f'<div class="verdicts"><div><h3>Checks</h3><ul>{checks}</ul></div>'
            f"<div><h3>Criteria</h3><ul>{criteria}</ul></div></div>")


def _side_by_side(row: RenderedRecord, case_rows: list[RenderedRecord]) -> str:
    """The other candidates' replies to the same case, side by side, evidence marked and failures named."""
    columns = "".join(other.column for other in case_rows if other.key != row.key)
    return f'<h3>Same case, other candidates</h3><div class="sbs">{columns}</div>' if columns else ""


def _failing_note(record: Record) -> str:
    failing = failing_checks(record) + failing_criteria(record)
    return f' <span class="fail">fails {esc(", ".join(failing))}</span>' if failing else ""


def _criteria_cell(record: Record) -> str:
    scores = [f"{name} {r.score:g}" for name, r in record.judge.items() if r.error is None and r.score is not None]
    errors = sum(r.error is not None for r in record.judge.values())
    return esc(", ".join(scores) + (f" · {errors} error(s)" if errors else ""))


def summary_row(index: int, record: Record) -> str:
    """The focusable, clickable row for one record."""
    failing = failing_checks(record)
    checks = f'<span class="fail">{esc(", ".join(failing))}</span>' if failing else "all pass"
    error = esc(record.error.kind) if record.error else ""
    cells = [esc(record.case_id), esc(record.candidate), esc(record.persona or NO_GROUP),
             esc(record.category or NO_GROUP), checks, _criteria_cell(record), error]
    return (f'<tr class="rec" tabindex="0" aria-expanded="false" aria-controls="d{index}">'
            + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")


def render_record(index: int, record: Record, view: RecordView) -> RenderedRecord:
    """Everything the report shows of one record, rendered while the records stream past."""
    reply = _reply(record)
    return RenderedRecord(
        key=record.key, case_id=record.case_id, summary=summary_row(index, record),
        detail_utf8=detail_html(record, view, reply).encode("utf-8"),
        column=f'<div><h4>{esc(record.candidate)}{_failing_note(record)}</h4>{reply}</div>',
        verdicts={name: result.passed for name, result in record.checks.items() if result.passed is not None},
        filters={"candidate": record.candidate, "persona": record.persona or NO_GROUP,
                 "category": record.category or NO_GROUP, "failing": failing_checks(record),
                 "failing_criteria": failing_criteria(record)})


class RecordRows:
    """The report's record rows, rendered one record at a time (as a run writes them) and joined at the end.

    Keeps each record's rendered text (:class:`RenderedRecord`), not the
    record; the side-by-side columns and the ``flips`` need a case's other
    records, so they are put together in :meth:`html`.
    """

    def __init__(self, view: RecordView) -> None:
        self.view = view
        self.rows: list[RenderedRecord] = []
        self.by_case: dict[str, list[RenderedRecord]] = {}

    def add(self, record: Record) -> None:
        row = render_record(len(self.rows), record, self.view)
        self.rows.append(row)
        self.by_case.setdefault(row.case_id, []).append(row)

    def html(self) -> tuple[str, list[dict]]:
        """Every row (summary + hidden detail) and each row's filter fields, in the order the records came."""
        parts, filter_data = self.parts()
        return "".join(parts), filter_data

    def parts(self) -> tuple[list[str], list[dict]]:
        """:meth:`html` as pieces, so the page joins a big run's rows once (each copy of megabytes costs)."""
        flips = {case_id: flipped_checks(group) if len(group) > 1 else [] for case_id, group in self.by_case.items()}
        parts, filter_data = [], []
        for index, row in enumerate(self.rows):
            detail = row.detail_utf8.decode("utf-8")
            parts.append(row.summary)
            parts.append(f'<tr class="detail" id="d{index}" hidden><td colspan="7">{detail}'
                         f'{_side_by_side(row, self.by_case[row.case_id])}</td></tr>')
            filter_data.append({**row.filters, "flips": flips[row.case_id]})
        return parts, filter_data


def record_rows(records: Iterable[Record], view: RecordView) -> tuple[str, list[dict]]:
    """Rows for every record (summary + hidden detail) and each row's filter fields, in the same order.

    ``flips`` lists the checks on which the candidates of the record's case
    disagree; ``failing_criteria`` the criteria judged below their threshold.
    Records are read once and not kept: a big run's report holds text, not records.
    """
    rows = RecordRows(view)
    for record in records:
        rows.add(record)
    return rows.html()


def _select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{esc(value)}">{esc(text)}</option>' for value, text in options)
    return f'<label for="f-{name}">{esc(label)}<select id="f-{name}">{items}</select></label>'


def filter_form(filter_data: list[dict], card: Scorecard) -> str:
    """The filter controls: candidate, persona, category, failing check; and the shown-count."""
    def values(key: str) -> list[tuple[str, str]]:
        return [(v, v) for v in sorted({row[key] for row in filter_data})]

    candidates = [(c, c) for c in card.candidates] or values("candidate")
    checks = [("*", "any check"), *[(c, c) for c in card.checks]]
    criteria = [("*", "any criterion"), *[(c, c) for c in card.criteria]]
    selects = [_select("candidate", "candidate", [("", "all")] + candidates),
               _select("persona", "persona", [("", "all")] + values("persona")),
               _select("category", "category", [("", "all")] + values("category")),
               _select("failing", "failing check", [("", "any or none")] + checks),
               _select("criterion", "failing criterion", [("", "any or none")] + criteria),
               _select("flip", "candidates disagree on", [("", "anything or nothing")] + checks)]
    count = f'<span class="muted">showing <span id="shown" aria-live="polite">{len(filter_data)}</span></span>'
    return f'<form class="filters" role="search">{"".join(selects)}{count}</form>'
