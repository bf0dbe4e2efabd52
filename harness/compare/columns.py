"""Reading one side of a diff: a run's records streamed once into per-candidate columns.

A run's records are decoded by a slim decoder (:class:`DiffRecord`) into columns
(:class:`Columns`) that keep, per record, only what the diff's rows read: one
value or reason per compared measure, the reply's length, and where the line
starts in ``records.jsonl``. A :class:`Side` is one candidate's columns grouped
by case. The records a diff shows side by side are read again in full from
there (:func:`full_records`), so a diff of 100,000 records never holds 100,000
records. Lining two sides up is :mod:`harness.compare.align`'s job.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from harness.compare.cached import tally_verdicts
from harness.config.yamlfile import did_you_mean
from harness.datasets.perturb import perturbed_kind, run_kinds
from harness.errors import ResultsError
from harness.records.schema import RECORD_SCHEMA_VERSION, Manifest, Record
from harness.records.store import RECORDS, iter_case_rows, parse_record, read_manifest
from harness.scoring.schema import VerbosityProbe
from harness.scoring.verbosity import VerbosityAcc


@dataclass(frozen=True)
class Measure:
    """One row of a diff: a judge criterion or a check, and its scale."""

    kind: str  # "criterion" or "check"
    name: str
    scale: str  # "pass_fail", "1-5" or "other"


class _Error(msgspec.Struct):
    kind: str


class _Check(msgspec.Struct):
    passed: bool | None = None


class _Verdict(msgspec.Struct):
    score: float | None = None
    applicable: bool = True
    error: _Error | None = None
    cache_hit: bool = False


class _Usage(msgspec.Struct, frozen=True):
    completion_tokens: int = 0
    cost_usd: float | None = None


class _Calls(msgspec.Struct, frozen=True):
    usage: _Usage = _Usage()
    latency_s: float = 0.0
    calls: int = 0
    cache_hits: int = 0


class DiffRecord(msgspec.Struct):
    """The fields of a :class:`~harness.records.schema.Record` a diff row reads, by the same names.

    Decoded by msgspec straight from the line's bytes into these types: every
    other field (evidence, details, reasons, call accounting) is skipped without
    building any object, about 4x faster than a slim pydantic model (measured on
    100,000 records of ~3 KB: 0.7 s against 2.7 s). msgspec is strict where
    pydantic is lax (``"1"`` for a number, ``1`` for a boolean, ``1e400``), so a
    line it rejects takes the full reader, which reads it as every other reader
    does or fails with the same message.
    """

    case_id: str
    candidate: str
    schema_version: int = RECORD_SCHEMA_VERSION
    sample: int = 0
    reply: str | None = None
    checks: dict[str, _Check] = {}
    judge: dict[str, _Verdict] = {}
    error: _Error | None = None
    responder: _Calls = _Calls()
    judging: _Calls = _Calls()


# The order reasons are counted in: an error on either side outranks "does not apply".
REASONS = ("case_error", "judge_error", "not_applicable")
OK, CASE_ERROR, JUDGE_ERROR, NOT_APPLICABLE = 0, 1, 2, 3  # a record's code per measure: 1 + index in REASONS
_NONE = 255  # "no reason" when the smallest code of a case is taken


@dataclass
class Columns:
    """One candidate's records in one run, column by column in file order: what a diff keeps of each.

    ``values`` and ``codes`` hold ``width`` entries per record (one per
    measure, in the diff's order): the value (NaN when there is none) and its
    code (0 a value, else why not: 1 + the reason's index in :data:`REASONS`).
    ``offsets`` is where each record's line starts in ``records.jsonl``, to read
    it in full for a side-by-side view; ``reply_lens`` its reply's length (-1
    with no reply or a case error). Plain arrays rather than an object per
    record: a 100,000-record run is a few megabytes and nothing for the cycle
    collector to walk.
    """

    width: int
    case_ids: list[str] = field(default_factory=list)
    samples: array = field(default_factory=lambda: array("q"))
    offsets: array = field(default_factory=lambda: array("q"))
    reply_lens: array = field(default_factory=lambda: array("q"))
    values: array = field(default_factory=lambda: array("d"))
    codes: bytearray = field(default_factory=bytearray)
    # The usage table's inputs (compare.usage): reply words, responder output tokens (-1: no call wrote it),
    # latency (NaN: no call, or a cache hit), cost of the responder and the judge (NaN: unpriced).
    words: array = field(default_factory=lambda: array("q"))
    tokens: array = field(default_factory=lambda: array("q"))
    latency: array = field(default_factory=lambda: array("d"))
    cost_responder: array = field(default_factory=lambda: array("d"))
    cost_judge: array = field(default_factory=lambda: array("d"))
    # Per criterion (the diff's order): verdicts, and those the response cache answered (compare.cached).
    verdicts: list[int] = field(default_factory=list)
    cached: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.case_ids)


@dataclass
class RunData:
    """A run directory: its manifest, its records as :class:`Columns` by candidate, and (when its scorecard has
    none) the verbosity pairs gathered from the same pass."""

    path: Path
    manifest: Manifest
    rows: dict[str, Columns] = field(default_factory=dict)
    verbosity: VerbosityAcc | None = None
    saved_probes: dict[str, VerbosityProbe] | None = None
    # How this run's cases differ from another run's (by that run's resolved path): see align.compared_cases.
    compared: dict[Path, Any] = field(default_factory=dict, repr=False)

    def candidates(self) -> list[str]:
        """Candidates in manifest order, then any others that have records."""
        named = [c["name"] for c in self.manifest.candidates if "name" in c]
        return named + [c for c in self.rows if c not in named]


@dataclass
class Side:
    """One candidate of one run, its records ordered by case id, then sample, as arrays.

    ``values`` and ``codes`` have one row per record and one column per
    measure; ``offsets`` and ``reply_lens`` one entry per record (see
    :class:`Columns`); ``starts`` is where each case of ``case_ids`` begins and
    ``sizes`` how many samples it has.
    """

    run: RunData
    candidate: str
    case_ids: list[str] = field(default_factory=list)
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    codes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.uint8))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    reply_lens: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    usage: dict[str, np.ndarray] = field(default_factory=dict)  # USAGE_COLUMNS, one entry per record
    _position: dict[str, int] | None = field(default=None, repr=False)

    @property
    def position(self) -> dict[str, int]:
        """Case id → its index in ``case_ids``."""
        if self._position is None:
            self._position = {case_id: i for i, case_id in enumerate(self.case_ids)}
        return self._position

    def first_offset(self, case_id: str) -> int:
        """Where the line of the case's first sample starts in ``records.jsonl``."""
        return int(self.offsets[self.starts[self.position[case_id]]])

    def n_samples(self, case_id: str) -> int:
        return int(self.sizes[self.position[case_id]])


def open_run(path: str | Path) -> RunData:
    """A run directory with its manifest read; a missing or newer-format manifest is a :class:`ResultsError`."""
    path = Path(path)
    return RunData(path=path, manifest=read_manifest(path))


def read_rows(run: RunData, measures: list[Measure]) -> None:
    """Stream the run's records once into ``run.rows`` (a torn last line is skipped).

    Also gathers the verbosity pairs when the run's scorecard has no probes.
    """
    run.saved_probes = _saved_probes(run.path)
    run.verbosity = VerbosityAcc() if run.saved_probes is None else None
    criteria = [m.name for m in measures if m.kind == "criterion"]
    checks = [m.name for m in measures if m.kind == "check"]
    if [m.name for m in measures] != criteria + checks:
        raise ValueError("measures must list the criteria before the checks")
    width = len(measures)
    columns: dict[str, Columns] = {}
    verbosity = run.verbosity
    # A diff compares the original cases, as the scorecards' figures do; a run's perturbed variants are compared
    # with their originals inside the run (its Robustness section), never with the other side's.
    kinds = run_kinds(run.manifest.dataset)
    for offset, record in _slim_records(run.path / RECORDS):
        if kinds and perturbed_kind(record.case_id, kinds):
            continue
        cols = columns.get(record.candidate)
        if cols is None:
            cols = columns[record.candidate] = Columns(width, verdicts=[0] * len(criteria),
                                                       cached=[0] * len(criteria))
        cols.case_ids.append(record.case_id)
        cols.samples.append(record.sample)
        cols.offsets.append(offset)
        cols.reply_lens.append(len(record.reply) if record.reply is not None and record.error is None else -1)
        add_values(record, criteria, checks, cols.values, cols.codes)
        add_usage(record, cols)
        tally_verdicts(record, criteria, cols.verdicts, cols.cached)
        if verbosity is not None:
            verbosity.add(record)
    run.rows = columns


def load_run(path: str | Path, measures: list[Measure]) -> RunData:
    """:func:`open_run` and :func:`read_rows` in one."""
    run = open_run(path)
    read_rows(run, measures)
    return run


def add_usage(record: DiffRecord | Record, cols: Columns) -> None:
    """Append the record's reply words, responder tokens and latency, and both roles' costs to ``cols``."""
    replied = record.reply is not None and record.error is None
    responder = record.responder
    cols.words.append(len(record.reply.split()) if replied else -1)  # type: ignore[union-attr]
    cols.tokens.append(responder.usage.completion_tokens if replied and responder.calls else -1)
    cols.latency.append(responder.latency_s if responder.calls > responder.cache_hits else math.nan)
    cols.cost_responder.append(_cost(responder))
    cols.cost_judge.append(_cost(record.judging))


def _cost(calls: Any) -> float:
    """A role's cost: 0 without a call, NaN when a call has no price."""
    if not calls.calls:
        return 0.0
    cost = calls.usage.cost_usd
    return math.nan if cost is None else float(cost)


def add_values(record: DiffRecord | Record, criteria: list[str], checks: list[str], values: array,
               codes: bytearray) -> None:
    """Append what one record says about each criterion, then each check, to ``values`` and ``codes``.

    A criterion's value is its score; a check's 1.0 (pass) or 0.0 (fail). With
    no value the value is NaN and the code names the reason: a case error (no
    reply) covers every measure; a criterion may have a judge error; either may
    not apply (not judged, not applicable, no verdict).
    """
    if record.error is not None:
        width = len(criteria) + len(checks)
        values.extend([math.nan] * width)
        codes += bytes([CASE_ERROR]) * width
        return
    judge, results = record.judge, record.checks
    for name in criteria:
        verdict = judge.get(name)
        if verdict is None or not verdict.applicable:
            values.append(math.nan)
            codes.append(NOT_APPLICABLE)
        elif verdict.error is not None or verdict.score is None:
            values.append(math.nan)
            codes.append(JUDGE_ERROR)
        else:
            values.append(float(verdict.score))
            codes.append(OK)
    for name in checks:
        result = results.get(name)
        passed = None if result is None else result.passed
        if passed is None:
            values.append(math.nan)
            codes.append(NOT_APPLICABLE)
        else:
            values.append(1.0 if passed else 0.0)
            codes.append(OK)


def record_values(record: DiffRecord | Record, criteria: list[str], checks: list[str]) -> tuple[tuple, bytes]:
    """What one record says about each criterion, then each check (see :func:`add_values`): values and codes."""
    values, codes = array("d"), bytearray()
    add_values(record, criteria, checks, values, codes)
    return tuple(values), bytes(codes)


def _slim_records(path: Path) -> Iterable[tuple[int, DiffRecord | Record]]:
    """(byte offset, record) per complete line; a line the slim decoder rejects goes through the full reader."""
    if not path.exists():
        return
    decode = msgspec.json.Decoder(DiffRecord).decode
    offset = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise ResultsError(f"cannot read records: {exc.strerror}", file=str(path)) from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                return  # torn tail of an interrupted write
            try:
                record = decode(line)
            except (ValueError, RecursionError):  # msgspec.DecodeError (its ValidationError included) is a ValueError
                record = None
            if record is None or record.schema_version > RECORD_SCHEMA_VERSION:
                # surrogateescape: bytes that are not UTF-8 reach the full reader, which names the line
                record = parse_record(line.decode("utf-8", "surrogateescape"), path, number)
            yield offset, record
            offset += len(line)


def full_records(run: RunData, wanted: list[tuple[str, int]]) -> Iterator[tuple[str, Record]]:
    """The records behind ``wanted`` (case id, byte offset of the record's line), read in full from
    ``records.jsonl`` in file order (one forward sweep), one at a time so a caller keeps only what it takes
    from each."""
    path = run.path / RECORDS
    with open(path, "rb") as handle:
        for case_id, offset in sorted(wanted, key=lambda item: item[1]):
            handle.seek(offset)
            yield case_id, _full_record(handle.readline(), path, offset)


def _full_record(line: bytes, path: Path, offset: int) -> Record:
    try:
        record = Record.model_validate_json(line)
    except ValueError:
        record = None
    if record is None or record.schema_version > RECORD_SCHEMA_VERSION:
        # The full reader words the error with the line number, counted only on this rare path.
        with open(path, "rb") as handle:
            number = handle.read(offset).count(b"\n") + 1
        record = parse_record(line.decode("utf-8"), path, number)
    return record


def read_cases(run_dir: Path, wanted: set[str]) -> dict[str, dict]:
    """The run's case snapshot (``cases.jsonl``), only the ``wanted`` case ids. A corrupt line is a ResultsError."""
    if not wanted:
        return {}
    return {row["id"]: row for row in iter_case_rows(run_dir) if row["id"] in wanted}


def _saved_probes(run_dir: Path) -> dict[str, VerbosityProbe] | None:
    from harness.scoring.scorecard import load_scorecard

    try:
        return load_scorecard(run_dir).verbosity
    except ResultsError:
        return None


def _array(buffer: array | bytearray, dtype: type) -> np.ndarray:
    """``buffer`` as a flat numpy array (a view: index it to copy)."""
    return np.frombuffer(buffer, dtype=dtype) if len(buffer) else np.zeros(0, dtype=dtype)


def side(run: RunData, candidate: str, label: str) -> Side:
    """The side for ``candidate`` in ``run``; an unknown candidate names the ones there are."""
    if candidate not in run.rows:
        known = ", ".join(run.candidates()) or "none"
        hint = did_you_mean(candidate, run.candidates())
        raise ResultsError(f"run {label} has no records for candidate {candidate!r}{hint} (candidates: {known})",
                           file=str(run.path))
    cols = run.rows[candidate]
    ids, samples = cols.case_ids, cols.samples
    order = sorted(range(len(ids)), key=lambda i: (ids[i], samples[i]))  # stable: duplicates keep file order
    ordered = [ids[i] for i in order]
    starts = [i for i in range(len(ordered)) if i == 0 or ordered[i] != ordered[i - 1]]
    index = np.array(order, dtype=np.intp)
    width = cols.width
    values = _array(cols.values, np.float64).reshape(len(ids), width)
    codes = _array(cols.codes, np.uint8).reshape(len(ids), width)
    return Side(run=run, candidate=candidate, case_ids=[ordered[i] for i in starts],
                starts=np.array(starts, dtype=np.intp), sizes=np.diff(np.append(starts, len(ids))).astype(np.intp),
                values=values[index], codes=codes[index], offsets=_array(cols.offsets, np.int64)[index],
                reply_lens=_array(cols.reply_lens, np.int64)[index],
                usage={name: _array(getattr(cols, name), kind)[index] for name, kind in USAGE_COLUMNS.items()})


USAGE_COLUMNS = {"words": np.int64, "tokens": np.int64, "latency": np.float64, "cost_responder": np.float64,
                 "cost_judge": np.float64}
