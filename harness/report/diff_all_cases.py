"""Every case both sides of a comparison hold, for ``diff.html``'s case list: changed or not, each one openable
side by side (complaint, both replies with evidence, word changes, verdicts and reasons).

``diff.json`` keeps what it held (each row's changes, the views of each row's largest drops and rises): the
unchanged cases are read here, when the page is written, from the sides the diff was built from
(:func:`harness.compare.views.sides_of`); a comparison read back from ``diff.json`` has none, and its page
lists the changed cases only, as before. Each side's first sample of every case is read in one forward sweep
of ``records.jsonl``, only the fields the view shows, with msgspec (pydantic's full validation of 40,000
records took 7 s; the runs were validated when the diff read them). A case's word changes are left to the
page's script (:mod:`harness.report.diff_word_diff_js`) unless the case has an embedded view: Python's
difflib took 0.6 ms a pair, 12 s for 20,000 reworded replies, where the page computes only the case opened.

Up to :data:`MAX_LISTED` shared cases over the diff's pairs: a page of 20,000 cases weighs about 70 MiB and
opens in 1.5 s, but two runs of 100,000 records (two pairs of 50,000 cases) made 353 MiB, 24 s of CPU and
2.7 GB of memory, past ``harness diff``'s targets. Above it the page lists the changed cases, as before, and
says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from harness.compare.align import pair_sides
from harness.compare.columns import Side, full_records
from harness.compare.schema import CaseView, Comparison, DiffReport, ReplyView
from harness.compare.views import case_snapshots, reply_view, sides_of
from harness.records.store import RECORDS
from harness.report.diff_case_detail import RowShare, case_detail
from harness.report.diff_turns import view_turns
from harness.report.html_text import visible


class _Span(msgspec.Struct):
    start: int
    end: int
    text: str = ""


class _Error(msgspec.Struct):
    kind: str = ""
    message: str = ""


def _error_text(error: _Error | None) -> str | None:
    return f"{error.kind}: {error.message}" if error is not None else None


class _Check(msgspec.Struct):
    """A check's verdict as the view reads it (CheckView's attributes)."""

    passed: bool | None = None
    detail: str | None = ""
    evidence: list[_Span] = []


class _Criterion(msgspec.Struct):
    """A criterion's verdict as the view reads it (CriterionView's attributes; ``error`` as text)."""

    score: float | None = None
    passed: bool | None = None
    reason: str | None = ""
    failure: _Error | None = msgspec.field(default=None, name="error")
    applicable: bool = True

    @property
    def error(self) -> str | None:
        return _error_text(self.failure)


class _Record(msgspec.Struct):
    reply: str | None = None
    error: _Error | None = None
    checks: dict[str, _Check] = {}
    judge: dict[str, _Criterion] = {}
    persona: str | None = None
    category: str | None = None


class _Verdicts:
    __slots__ = ("checks", "criteria")

    def __init__(self, checks: dict, criteria: dict) -> None:
        self.checks, self.criteria = checks, criteria


class _SideView:
    """What :mod:`harness.report.diff_case_detail` reads of a side (ReplyView's attributes), without pydantic:
    ``model_construct`` of 40,000 views and their verdicts took 7 s."""

    __slots__ = ("reply", "error", "n_samples", "verdicts")

    def __init__(self, reply: str | None, error: str | None, n_samples: int, verdicts: _Verdicts) -> None:
        self.reply, self.error, self.n_samples, self.verdicts = reply, error, n_samples, verdicts


class _CaseView:
    """CaseView's attributes, without pydantic."""

    __slots__ = ("case_id", "persona", "category", "turns", "a", "b")

    def __init__(self, case_id: str, persona, category, turns: list[dict[str, str]], a, b) -> None:
        self.case_id, self.persona, self.category, self.turns, self.a, self.b = case_id, persona, category, turns, a, b


@dataclass(frozen=True)
class SideCase:
    """One side's first sample of a case, as the view shows it."""

    reply: ReplyView | _SideView
    persona: str | None
    category: str | None


@dataclass
class ListedCase:
    """One case of the list: what its row and its opened detail show, and what the page's script reads."""

    case_id: str
    persona: str
    category: str
    changes: list[dict]  # harness.report.diff_html.case_changes's entries; [] when no measure changed
    note: str  # for an unchanged case: why it reads so (same everywhere, reply text only, a case error)
    detail: str  # the opened case's HTML ("" when the case has no view: the script shows its values)
    words: list[str] | None = None  # both replies as compared, when the script builds the word changes
    search: str = ""  # the complaint and both replies, which the search box reads
    unmeasured: list[int] | None = None  # the rows (indexes into comparison.rows) the case was not graded on


def _reply_view(record: _Record, n_samples: int) -> _SideView:
    return _SideView(record.reply, _error_text(record.error), n_samples, _Verdicts(record.checks, record.judge))


def read_side(side: Side, case_ids: list[str]) -> dict[str, SideCase]:
    """Each case's first sample on ``side``, read in one forward sweep; a line msgspec refuses (strict where
    the diff's reader is not) is read again in full."""
    wanted = sorted((side.first_offset(c), c) for c in case_ids if c in side.position)
    decode = msgspec.json.Decoder(_Record).decode
    out: dict[str, SideCase] = {}
    again: list[tuple[str, int]] = []
    with open(side.run.path / RECORDS, "rb", buffering=1 << 20) as handle:
        for offset, case_id in wanted:
            handle.seek(offset)
            try:
                record = decode(handle.readline())
            except (msgspec.DecodeError, msgspec.ValidationError):
                again.append((case_id, offset))
                continue
            out[case_id] = SideCase(_reply_view(record, side.n_samples(case_id)), record.persona, record.category)
    for case_id, full in full_records(side.run, again):
        out[case_id] = SideCase(reply_view(full, side.n_samples(case_id)), full.persona, full.category)
    return out




def _note(view: CaseView, reply_changed: bool) -> str:
    errors = [label for label, side in (("A", view.a), ("B", view.b)) if side is not None and side.error]
    if errors:
        return f"case error on {' and '.join(errors)}: left out of every row"
    return "reply text changed; every measure the same" if reply_changed else "same on every measure"


def _words(view: CaseView) -> list[str] | None:
    """Both replies as the word changes compare them, when there is something to compare."""
    if any(side is None or side.error or side.reply is None for side in (view.a, view.b)):
        return None
    a, b = visible(view.a.reply), visible(view.b.reply)
    return [a, b] if a != b else None


def _search(view: CaseView, words: list[str] | None) -> str:
    """The complaint, and both replies unless ``words`` holds them already (the script searches those too)."""
    replies = [] if words else [side.reply or side.error or "" for side in (view.a, view.b) if side is not None]
    return "\n".join([t["content"] for t in view.turns] + replies)


MAX_LISTED = 25_000  # shared cases, over every pair of a diff, up to which diff.html lists every one of them


def shared_count(report: DiffReport) -> int | None:
    """How many cases the pairs of ``report`` share in all (each pair's own), or None when some pair's sides
    are not at hand (a report read back from ``diff.json``): the page then lists the changed cases only."""
    total = 0
    for comparison in report.comparisons:
        sides = sides_of(comparison)
        if sides is None:
            return None
        total += len(pair_sides(*sides).case_ids)
    return total


CHUNK = 2000  # cases whose records are held at once: their details kept as text, their records let go


def every_case(comparison: Comparison, changes: dict[str, list[dict]],
               share: RowShare | None = None) -> list[ListedCase] | None:
    """Every case both sides hold, changed cases first (in ``changes``' order), then the rest by id; None when
    the comparison's sides are not at hand (read back from ``diff.json``). Read :data:`CHUNK` cases at a
    time: 40,000 records' verdicts held at once took some 200 MB."""
    sides = sides_of(comparison)
    if sides is None:
        return None
    a, b = sides
    ids = pair_sides(a, b).case_ids
    shared = set(ids)
    snapshots = case_snapshots(a.run, b.run, shared)
    replies, scales = set(comparison.reply_changes), {(row.kind, row.name): row.scale for row in comparison.rows}
    order = [c for c in changes if c in shared] + [c for c in ids if c not in changes]
    out = []
    for start in range(0, len(order), CHUNK):
        chunk = order[start:start + CHUNK]
        side_a, side_b = read_side(a, chunk), read_side(b, chunk)
        for case_id in chunk:
            out.append(_listed(comparison, case_id, side_a.get(case_id), side_b.get(case_id),
                               snapshots.get(case_id) or {}, changes.get(case_id, []), case_id in replies,
                               (share, scales)))
    return out


def _graded(verdict) -> bool:
    """A check or criterion verdict a row compares: a check that applied, a criterion judged applicable with a
    score and no judge error (the row's left_out counts the others)."""
    if verdict is None:
        return False
    if hasattr(verdict, "applicable"):
        return verdict.applicable and verdict.error is None and (verdict.score is not None or verdict.passed is not None)
    return verdict.passed is not None


def unmeasured(view, comparison: Comparison, mine: list[dict]) -> list[int]:
    """The rows ``view``'s case was not graded on, on either side's first sample (a case error, a check that did
    not apply, a criterion judged not applicable or erred): the page's check and criterion filters keep, under
    "unchanged" and "all", the cases each row held on. A measure the case changed on was graded, whatever its
    first sample says (with several samples a row compares each side's graded ones)."""
    changed = {(c["kind"], c["name"]) for c in mine}
    out = []
    for index, row in enumerate(comparison.rows):
        if (row.kind, row.name) in changed:
            continue
        sides = [side for side in (view.a, view.b) if side is not None and not side.error]
        field = "checks" if row.kind == "check" else "criteria"
        if len(sides) < 2 or not all(_graded(getattr(side.verdicts, field).get(row.name)) for side in sides):
            out.append(index)
    return out


def _listed(comparison: Comparison, case_id: str, one: SideCase | None, two: SideCase | None, snapshot: dict,
            mine: list[dict], reply_changed: bool, shared: tuple) -> ListedCase:
    first = one or two
    embedded = comparison.cases.get(case_id)
    view = embedded or _CaseView(case_id, first.persona if first else None, first.category if first else None,
                                 view_turns(snapshot), one.reply if one else None, two.reply if two else None)
    persona = view.persona or snapshot.get("persona") or "(none)"
    category = view.category or snapshot.get("category") or "(none)"
    words = None if embedded is not None else _words(view)
    return ListedCase(case_id, str(persona), str(category), mine, _note(view, reply_changed),
                      case_detail(view, mine, comparison, embedded is not None, *shared), words, _search(view, words),
                      unmeasured(view, comparison, mine))
