"""The records part of ``report.html``: one focusable summary row per record, and its detail row.

The detail shows the complaint turns (case snapshot), the reply with each check's evidence in ``<mark>``, each
check's verdict and detail (what it asks: the page's script), each criterion's score and reason; all escaped.

The rows are kept in the page as text until shown (html_store). An opened record can be labelled by hand
(:data:`LABEL_JS`); the page needs for that which targets apply to the record (:meth:`RecordRenderer.
label_fields`), and the reply's exact text where the HTML parser would change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

from harness.checks.base import Span, is_crashed
from harness.records.schema import Record
from harness.report.html_columns import GROUPS, record_columns
# highlight and filter_form live in their own modules (diff.html marks evidence too; the filters are the
# controls above the rows); imported here also for the callers and tests that import them from this module.
from harness.report.html_evidence import highlight, reply_block  # noqa: F401 (highlight: see above)
from harness.report.html_filters import CASE_ERROR, CHECK_ERROR, NO_GROUP, error_options, filter_form  # noqa: F401
from harness.report.html_queue import LabelFields, same_replies
from harness.report.html_store import COMPACT_AT, SharedParts
from harness.report.html_text import UNSEEN, esc_isolated, esc_text
from harness.report.html_threads import ThreadIndex, history_html, lookups_html, system_prompt_html


@dataclass(frozen=True)
class RecordView:
    """What the record rows need besides the records: column order and the case snapshot."""

    criteria: list[str]
    checks: list[str]
    cases: Mapping[str, dict] = field(default_factory=dict)  # case id -> the case as cases.jsonl holds it
    scales: Mapping[str, str | None] = field(default_factory=dict)  # criterion -> its scale (1-5, pass_fail)
    about: Mapping[str, str] = field(default_factory=dict)  # eval file's check -> its description (case_about)


@dataclass
class RenderedRecord:
    """One record already rendered, kept (as text, not as the record) until its case's other records are seen.

    The detail is kept UTF-8 encoded: a text with one emoji is kept at 4 bytes a character (~6 KB, ~1.6 KB).
    """

    key: tuple[str, str, int]
    case_id: str
    summary: str  # the summary row after its opening, less its persona and category cells (``groups``, at ``cut``)
    detail_utf8: bytes  # without the side-by-side part, which needs the case's other records
    column: str  # this record's reply as a side-by-side column of another record's detail
    anchor: str  # the summary row's id (:func:`record_anchor`)
    verdicts: dict[str, bool]  # check -> passed, for checks that gave a verdict
    filters: dict
    judged: dict[str, bool] = field(default_factory=dict)  # criterion -> passed, for criteria judged without error
    # The persona's and category's escaped labels (the run's shared strings: no copy a record), whose cells go at
    # ``cut`` in ``summary``: the page drops a column no record fills, known only when every record is in.
    groups: tuple[str, str] = ("", "")
    cut: int = 0


class EscapedLabels(dict):
    """Label -> its escaped HTML, escaped on first use and then kept for the run.

    Check and criterion names, candidates, personas, categories, reply sources and turn roles repeat on
    every record of a run (a few dozen distinct values between them) and a record's rows show ~30 of
    them: each is escaped once per run instead of once per record. Only such labels go in here (str keys,
    so ``1`` and ``True`` cannot share an entry), never a record's own text (reply, details, reasons,
    case ids), which is escaped every time it is shown.
    """

    def __missing__(self, label: str) -> str:
        escaped = self[label] = esc_text(label)
        return escaped


def flipped_checks(rows: list[RenderedRecord], attribute: str = "verdicts") -> list[str]:
    """Checks (``attribute`` "judged": criteria) on which the candidates of one case disagree (pass and fail)."""
    verdicts: dict[str, set[bool]] = {}
    for row in rows:
        for name, passed in getattr(row, attribute).items():
            verdicts.setdefault(name, set()).add(passed)
    return sorted(name for name, seen in verdicts.items() if len(seen) == 2)


# The constant pieces of a record's rows, written out once here rather than assembled for every record.
VERDICT_HTML = {None: '<span class="na">n/a</span>', True: '<span class="pass">pass</span>',
                False: '<span class="fail">fail</span>'}
NONE_ITEM = '<li class="muted">none</li>'
SUMMARY_OPEN = '<tr class="rec" tabindex="0" aria-expanded="false" aria-controls="d'
CRASHED_HTML = '<span class="fail">crashed</span>'
NO_REPLY_HTML, NO_CHECKS_HTML = '<span class="fail">no reply</span>', '<span class="na">—</span>'  # error; no check


def record_anchor(key: tuple[str, str, int]) -> str:
    """A record's stable id, the same in every run: ``case.candidate.sample``, each part percent-encoded so that
    a dot or a space in a case id cannot make two records' ids meet (``c1`` stays ``c1``)."""
    case_id, candidate, sample = key
    return ".".join(quote(str(part), safe="").replace(".", "%2E").replace("~", "%7E")
                    for part in (case_id, candidate, sample))


def _attempts(n: int | None) -> str:
    """A judge error's calls, as `harness show` says them (a user could not tell a retried error from one try)."""
    return " (no call made)" if not n else f" ({n} attempt{'s' if n != 1 else ''})"


def _verdict(passed: bool | None) -> str:
    return VERDICT_HTML[None if passed is None else bool(passed)]


class CheckParts(NamedTuple):
    """What a record's rows show of its checks, gathered in one pass over them."""

    items: str  # the detail's list items
    marks: list[tuple[Span, str]]  # every evidence span, with the check that cites it
    failing: list[str]  # the names of the checks that failed, sorted
    verdicts: dict[str, bool]  # check -> passed, for checks that gave a verdict
    na: list[str]  # the names of the checks that gave no verdict (did not apply, or crashed)
    crashed: list[str] = []  # the names of the checks that crashed (raised): an error of the record's check


class CriterionParts(NamedTuple):
    """What a record's rows show of its judge verdicts, gathered in one pass over them."""

    items: str  # the detail's list items
    cell: str  # the summary's criteria cell
    failing: list[str]  # the criteria judged (without error) and failed, sorted
    errors: list[str]  # the criteria whose judge call erred
    judged: dict[str, bool] = {}  # criterion -> passed, for the criteria judged (without error) to a verdict


class RecordRenderer:
    """Renders each record of one run into its :class:`RenderedRecord`.

    This runs for every record as a run writes it, so a record costs only the escaping of its own text
    and one pass over its checks and one over its verdicts (a pass over a dozen validated models costs
    a few microseconds; the rows used to make four). What is the same for every record (the view, the
    escaped labels, the fixed markup) is kept here.
    """

    def __init__(self, view: RecordView) -> None:
        self.view = view
        self.labels = EscapedLabels()
        self.labelling = LabelFields(view)
        self.targets, self.target_index = self.labelling.targets, self.labelling.index
        self.shared = SharedParts()  # a system prompt, a check's verdict line: once a run, not once a record
        self.threads = ThreadIndex(view.cases)

    def label_fields(self, record: Record, na_checks: list[str]) -> dict:
        """What the labelling panel and its queue need of a record beyond its row (html_queue.LabelFields)."""
        return self.labelling.fields(record, na_checks)

    def render(self, record: Record) -> RenderedRecord:
        """Everything the report shows of one record, rendered while the records stream past."""
        labels = self.labels
        checks, criteria = self.check_parts(record), self.criterion_parts(record)
        reply = self.reply(record, checks.marks, checks.failing, checks.na)
        # Checks and criteria share one list: each check is labelled so, as diff.html and the score bars do.
        failing = [f"{labels[name]} (check)" for name in checks.failing] + [labels[n] for n in criteria.failing]
        note = f' <span class="fail">fails {", ".join(failing)}</span>' if failing else ""
        persona, category = record.persona or NO_GROUP, record.category or NO_GROUP
        lead = f"<td>{esc_text(record.case_id)}</td><td>{labels[record.candidate]}</td>"
        anchor = record_anchor(record.key)
        filters = {"candidate": record.candidate, "persona": persona, "category": category,
                   "failing": checks.failing, "failing_criteria": criteria.failing}
        errors = ([CASE_ERROR] if record.error else []) + ([CHECK_ERROR] if checks.crashed else []) + criteria.errors
        if errors:  # only erring rows carry the field: the filter data of a big run stays small
            filters["errors"] = errors
        filters.update(self.label_fields(record, checks.na))
        return RenderedRecord(
            key=record.key, case_id=record.case_id, summary=lead + self.summary(record, checks, criteria),
            cut=len(lead),
            groups=(labels[persona], labels[category]),
            detail_utf8=self.detail(record, reply, checks, criteria).encode("utf-8"),
            column=f"<div><h4>{labels[record.candidate]}{note}</h4>{reply}</div>", anchor=anchor,
            verdicts=checks.verdicts, filters=filters, judged=criteria.judged)

    def names(self, names: list[str]) -> str:
        """``esc(", ".join(names))`` from the escaped labels (escaping text piece by piece is the same)."""
        labels = self.labels
        return ", ".join([labels[name] for name in names])

    def summary(self, record: Record, checks: CheckParts, criteria: CriterionParts) -> str:
        """The cells of one record's focusable, clickable row from its checks cell on: :meth:`render` puts the case
        and candidate cells before them; :meth:`RecordRows.parts` the row's opening (:data:`SUMMARY_OPEN` and its
        detail row's id, once its place is known) and the persona and category cells the page keeps."""
        labels = self.labels
        error = labels[record.error.kind] if record.error else ""
        if checks.crashed:  # the reply is there, but these checks decided nothing on it
            error = f'<span class="fail">check {self.names(checks.crashed)} crashed</span>'
        # data-sort: how many failed (most first descending); no reply, graded on nothing: "" (last either way)
        no_reply = record.error is not None
        failing = NO_REPLY_HTML if no_reply else self.checks_cell(record, checks)
        sort, criteria_sort = ("", "") if no_reply else (len(checks.failing), len(criteria.failing))
        shown = NO_REPLY_HTML if no_reply else criteria.cell  # a checks-only eval has no criteria column:
        cell = f'<td data-sort="{criteria_sort}">{shown}</td>' if self.view.criteria else ""  # empty on every row
        return f'<td data-sort="{sort}">{failing}</td>{cell}<td>{error}</td></tr>'

    def checks_cell(self, record: Record, checks: CheckParts) -> str:
        """A replied record's checks cell: what failed; "all pass" only when every check passed or was n/a."""
        if checks.failing:
            return f'<span class="fail">{self.names(checks.failing)}</span>'
        if checks.crashed:  # a crashed check decided nothing: not a pass (the error column names it)
            return '<span class="na">none failed</span>'
        return "all pass" if record.checks else NO_CHECKS_HTML

    @staticmethod
    def reply(record: Record, marks: list[tuple[Span, str]], failing: list[str] = (), na: list[str] = ()) -> str:
        """The reply with its evidence ``marks`` marked (those of ``failing`` and ``na`` checks apart), or why there
        is none."""
        if record.error is not None:
            return f'<p class="fail">No reply: {esc_text(record.error.kind)} — {esc_isolated(record.error.message)}</p>'
        return reply_block(record.reply or "", marks, failing, na)

    def detail(self, record: Record, reply: str, checks: CheckParts, criteria: CriterionParts) -> str:
        """The opened view of one record: the system prompt (folded), the complaint (a turn case: its thread and
        turn, with links to its other turns), ``reply`` (from :meth:`reply`), checks, criteria.

        The other candidates' replies to the case are added by :meth:`RecordRows.parts`; the page's script adds
        a link to the record (from its row's id) when it is first opened.
        """
        case = self.view.cases.get(record.case_id)
        return (f"{self.shared.add(system_prompt_html(record.system_prompt))}{self.threads.heading(case, record.key, record_anchor)}"
                f"{history_html(case, self.labels)}{lookups_html(record.tool_calls)}"
                f"<h3>Reply <span class=\"muted\">({self.labels[record.reply_origin]})</span></h3>"
                f'{reply}<div class="verdicts"><div><h3>Checks</h3><ul>{checks.items}</ul></div>'
                f"<div><h3>Criteria</h3><ul>{criteria.items}</ul></div></div>")

    def check_parts(self, record: Record) -> CheckParts:
        """Each check's list item (verdict, apology form when the check gives one, detail), evidence and verdict."""
        labels = self.labels
        items, marks, failing, verdicts, na, crashed = [], [], [], {}, [], []
        for name, result in record.checks.items():
            passed = result.passed
            crash = is_crashed(result)
            if passed is None:
                na.append(name)
                if crash:
                    crashed.append(name)
            else:
                verdicts[name] = passed
                if passed is False:
                    failing.append(name)
            for span in result.evidence:
                marks.append((span, name))
            form = result.data.get("form")
            extra = f' <span class="muted">(form: {esc_text(form)})</span>' if isinstance(form, str) else ""
            detail = f" — {esc_isolated(result.detail)}" if result.detail else ""
            shown = CRASHED_HTML if crash else _verdict(passed)
            items.append(self.shared.add(f"<li><b>{labels[name]}</b>: {shown}{extra}{detail}</li>"))
        failing.sort()
        return CheckParts("".join(items) or NONE_ITEM, marks, failing, verdicts, na, crashed)

    def criterion_parts(self, record: Record) -> CriterionParts:
        """Each criterion's list item (score, verdict and reason, or the judge's error) and the summary's cell.

        A pass/fail criterion reads ``pass`` or ``fail`` (its score is stored as 1/0, which beside 1-5 scores
        read as a score of 0); a 1-5 score below its pass threshold is drawn as a failure.
        """
        labels = self.labels
        scales = self.view.scales
        items, scores, failing, errors, judged = [], [], [], [], {}
        for name, result in record.judge.items():
            if result.error is not None:
                errors.append(name)
                items.append(f'<li><b>{labels[name]}</b>: <span class="fail">error</span> '
                             f"{esc_text(result.error.kind)} — {esc_isolated(result.error.message)}"
                             f"{_attempts(result.error.attempts)}</li>")
                continue
            if result.passed is False:
                failing.append(name)
            if result.passed is not None:
                judged[name] = bool(result.passed)
            pass_fail = scales.get(name) == "pass_fail"
            if result.score is not None:
                if pass_fail:
                    scores.append(f"{labels[name]} {_verdict(result.passed)}")
                else:
                    value = f'<span class="fail">{result.score:g}</span>' if result.passed is False \
                        else f"{result.score:g}"
                    scores.append(f"{labels[name]} {value}")
            if not result.applicable or result.score is None:
                items.append(f"<li><b>{labels[name]}</b>: {VERDICT_HTML[None]}</li>")
            else:
                reason = f" — {esc_isolated(result.reason)}" if result.reason else ""
                score = "" if pass_fail else f"{result.score:g} "
                items.append(f"<li><b>{labels[name]}</b>: {score}{_verdict(result.passed)}{reason}</li>")
        failing.sort()
        erred = f'<span class="fail">error: {self.names(errors)}</span>' if errors else ""
        cell = " · ".join(part for part in (", ".join(scores), erred) if part)
        return CriterionParts("".join(items) or NONE_ITEM, cell, failing, errors, judged)


class RunOrder:
    """The order a run's records are shown in (``report.html``) and exported (``harness export``), the same
    for every run of an eval: cases in the case snapshot's order (the dataset's), cases it lacks after them
    by id; a case's records in the eval's candidate order (the manifest's), candidates it lacks after them
    by name; then by sample.

    Records are written in the order their calls finished, which differs from run to run.
    """

    def __init__(self, cases: Iterable[str] = (), candidates: Iterable[str] = ()) -> None:
        self.cases = {case_id: i for i, case_id in enumerate(cases)}
        self.candidates = {name: i for i, name in enumerate(candidates)}

    def key(self, record_key: tuple[str, str, int]) -> tuple:
        """The sort key of a record's ``(case_id, candidate, sample)``."""
        case_id, candidate, sample = record_key
        position, rank = self.cases.get(case_id), self.candidates.get(candidate)
        return ((0, position, "") if position is not None else (1, 0, case_id),
                (0, rank, "") if rank is not None else (1, 0, candidate), sample)


def _side_by_side(row: RenderedRecord, case_rows: list[RenderedRecord]) -> str:
    """The other candidates' replies to the same case, side by side, evidence marked and failures named."""
    columns = "".join(other.column for other in case_rows if other.key != row.key)
    return f'<h3>Same case, other candidates</h3><div class="sbs">{columns}</div>' if columns else ""


class RecordRows:
    """The report's record rows, rendered one record at a time (as a run writes them) and joined at the end:
    each record's rendered text (:class:`RenderedRecord`), not the record, as the order, the side-by-side
    columns and the ``flips`` need a case's other records (:meth:`parts`)."""

    def __init__(self, view: RecordView) -> None:
        self.view = view
        self.renderer = RecordRenderer(view)
        self.rows: list[RenderedRecord] = []

    def add(self, record: Record) -> None:
        self.rows.append(self.renderer.render(record))

    def columns(self) -> list[str]:
        """The records table's columns (html_columns.record_columns): persona and category where a record has one."""
        groups = [name for name in GROUPS if any(row.filters[name] != NO_GROUP for row in self.rows)]
        return record_columns(groups, bool(self.view.criteria))

    def order(self, candidates: Sequence[str] = ()) -> list[int]:
        """The rows' indexes in run order (:class:`RunOrder`: cases in the dataset's order, a case's records in
        the eval's candidate order ``candidates``, then by sample), whatever order the records came in."""
        order = RunOrder(self.view.cases, candidates)
        return sorted(range(len(self.rows)), key=lambda index: order.key(self.rows[index].key))

    def compact(self) -> bool:
        """Whether the page keeps the shared parts apart (html_store): a big run's."""
        return len(self.rows) >= COMPACT_AT

    def parts(self, candidates: Sequence[str] = ()) -> tuple[list[str], list[dict]]:
        """Each record's rows (summary + hidden detail, one text a record, for html_store) and each row's filter
        fields, in run order (:meth:`order`).

        A row's detail id is its place in the page and the side-by-side columns follow the same order, so two
        runs of the same eval that got the same replies and verdicts write the same rows."""
        ordered = [self.rows[index] for index in self.order(candidates)]
        by_case: dict[str, list[RenderedRecord]] = {}
        for row in ordered:
            by_case.setdefault(row.case_id, []).append(row)
        flips = {case_id: flipped_checks(group) if len(group) > 1 else [] for case_id, group in by_case.items()}
        # Criteria the candidates disagree on: only where some do (the side-by-side view marks such cases).
        judged = {case_id: flipped_checks(group, "judged") for case_id, group in by_case.items() if len(group) > 1}
        parts, filter_data = [], []
        columns = self.columns()
        shown, width = [k for k, name in enumerate(GROUPS) if name in columns], len(columns)
        expand = (lambda text: text) if self.compact() else self.renderer.shared.expand
        for place, row in enumerate(ordered):
            detail, cut = expand(row.detail_utf8.decode("utf-8")), row.cut
            groups = "".join(f"<td>{row.groups[k]}</td>" for k in shown)
            parts.append(f'{SUMMARY_OPEN}{place}" id="{row.anchor}">{row.summary[:cut]}{groups}{row.summary[cut:]}'
                         f'<tr class="detail" id="d{place}" hidden><td colspan="{width}">{detail}'
                         f'{_side_by_side(row, by_case[row.case_id])}</td></tr>')
            fields = {**row.filters, "flips": flips[row.case_id]}
            if judged.get(row.case_id):
                fields["cflips"] = judged[row.case_id]
            filter_data.append(fields)
        same_replies([row.case_id for row in ordered], filter_data)  # a reply two candidates gave: asked once
        return parts, filter_data

