"""Loading recorded complaints from JSONL, CSV, Parquet or a Hugging Face dataset id.

Every row is validated as a :class:`~harness.datasets.schema.Case`; the first bad
row stops loading with ``file:line: field: problem`` (``harness validate`` asks for every bad row:
``all_errors``). A ``.json`` file is JSONL, or one JSON array of cases (:mod:`harness.datasets.json_array`).

JSONL is parsed line by line here rather than through Arrow: Arrow unifies the
types of all rows (a ``metadata`` value that is an int in one row and a string in
another fails; missing keys come back as nulls), and a line-by-line reader names
the exact line of a bad row. CSV is read with the stdlib :mod:`csv` module (see
:mod:`harness.datasets.csv_rows`): every cell is text, and a row is named by the file line it
starts on. Parquet and hub datasets go through the ``datasets`` library. Those tables are read, and
each row shaped as a case, in :mod:`harness.datasets.table_rows`. In CSV
and Parquet, nested fields (``turns``, ``context``, ``expectations``,
``recorded_replies``, ``metadata``) may be JSON text; a ``complaint`` column
stands for a single customer turn, ``reply:<version>`` columns for recorded
replies, ``context.<field>`` and ``expectations.<field>`` columns for one field of
those objects each, and ``metadata.<key>`` columns for keys of ``metadata`` (a
column of the user's own). Any other column is refused at the header
(:func:`~harness.datasets.columns.check_columns`), so a mistyped one is never taken for data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from pydantic import ValidationError

from harness.config.yamlfile import MAX_NESTING, first_error, format_loc
from harness.datasets.bad_text import _refuse_bad_text, not_utf8, refuse_wide_text
from harness.datasets.case_checks import check_errors, unique_names
from harness.datasets.case_criteria import unique_ids
from harness.datasets.digest import dataset_hashes
from harness.datasets.json_array import json_array_rows, starts_array
from harness.datasets.long_rows import BLANK_TURN, CONTENT_SYNONYMS, LongThread, long_threads, with_turn_lines
from harness.datasets.mapping import Clash, ColumnMap
from harness.datasets.personas import unknown_persona
from harness.datasets.row_shape import _not_an_object, json_type  # noqa: F401  (json_type: imported from here)
from harness.datasets.schema import Case
from harness.datasets.tool_turns import tool_turn_notes
from harness.datasets.table_rows import (_CellError, _arrow_rows, _hub_rows, _shaped_csv_rows, _unflatten, row_error,
                                        without_nulls)
from harness.config.yamlfile import all_at_once
from harness.errors import DatasetError
from harness.gc_pause import cycle_collector_paused

MAX_ROW_BYTES = 2 * 1024 * 1024
NOT_FINITE = "not a finite number"
# MAX_NESTING (shared with the YAML files) is the deepest nesting a row's free-form values
# (``metadata``) may have: pydantic refuses to serialize past ~250 levels and json past ~1000,
# so a deeper row would fail when the run writes cases.jsonl.
FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class LoadedDataset:
    """Validated cases in file order, with the content hashes of the validated rows (all of them, and what
    the cases ask without the replies recorded for versions: :mod:`harness.datasets.digest`) and each
    case's line."""

    source: str
    cases: list[Case]
    sha256: str
    lines: Mapping[str, int] = field(default_factory=dict)  # case id -> its file line (Parquet: row number)
    cases_sha256: str = ""
    # What a valid one-row-per-message export still gets wrong (repeated rows dropped, times that go down), one
    # line each (``file:line: field: ...``): said by `harness validate` (harness.datasets.export_rows).
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.cases)


def load_dataset(source: str | Path, split: str = "train", *, all_errors: bool = False,
                 columns: ColumnMap | Mapping[str, str] | None = None) -> LoadedDataset:
    """Load and validate every row of ``source`` (a file path or a hub dataset id). The first bad row is a
    DatasetError; with ``all_errors``, every bad row is (a SeveralErrors listing them in line order, at
    most :data:`~harness.config.yamlfile.MAX_REPORTED` with a count of the rest), as ``harness validate`` lists them.
    ``columns`` maps the fields a case reads to the file's own columns or keys (:mod:`harness.datasets.mapping`)."""
    return load_dataset_and_dumps(source, split, all_errors=all_errors, columns=columns)[0]


# A case's ``model_dump()`` by ``id(case)``, with the case itself (so an id is never reused while its entry lives).
CaseDumps = dict[int, tuple[Case, dict[str, Any]]]


def load_dataset_and_dumps(source: str | Path, split: str = "train", *, all_errors: bool = False,
                           columns: ColumnMap | Mapping[str, str] | None = None) -> tuple[LoadedDataset, CaseDumps]:
    """:func:`load_dataset`, plus the ``model_dump()`` of each case where hashing made it anyway.

    The dataset hash is over each case's JSON-mode dump. A case read from JSON text holds only
    JSON values, whose Python-mode dump is the same but for NaN and infinity (JSON mode writes
    null; a row holding one is refused, :data:`NOT_FINITE`, and should one get through, the JSON-mode
    dumps are hashed as before), so for JSONL files the Python-mode dumps are hashed and returned:
    the prompt renders of the plan (:func:`harness.candidates.responders.prerender`) each take one
    instead of dumping the case again. Empty for other formats, whose values may be dates, bytes or
    decimals.
    """
    source = str(source)
    columns = columns if isinstance(columns, ColumnMap) else ColumnMap(columns or {})
    with cycle_collector_paused():
        rows, from_json, by_item = _rows(source, split, columns)
        notes: list[DatasetError] = []  # one row per message: grouped into threads (harness.datasets.long_rows)
        turn_lines: dict[str, list[int]] = {}  # a message-row thread's row per turn, to name a tool turn's row
        rows = with_turn_lines(long_threads(rows, source, notes, columns.columns), turn_lines)
        lines: dict[str, int] = {}
        cases = _validate_rows(source, rows, lines, all_errors=all_errors, by_item=by_item,
                               named=columns.named if columns else None)
        if not cases:
            raise DatasetError("dataset has no rows", file=source)
        notes += tool_turn_notes(cases, source, lines, turn_lines)  # loaded, and said (harness.datasets.tool_turns)
        unique_names(cases)  # before hashing: two specs never share a default check name across the dataset
        unique_ids(cases)  # and two questions never share a default criterion id
        dumps: CaseDumps = {}
        digests = None
        if from_json:
            python_dumps = [case.model_dump() for case in cases]
            try:
                digests = dataset_hashes(python_dumps, allow_nan=False)
            except ValueError:  # NaN or infinity somewhere: JSON mode writes it as null
                digests = None
            else:
                dumps = {id(case): (case, dump) for case, dump in zip(cases, python_dumps)}
        if digests is None:
            digests = dataset_hashes(case.model_dump(mode="json") for case in cases)
    said = tuple((columns.named(note) if columns else note).one_line() for note in notes)
    return LoadedDataset(source=source, cases=cases, sha256=digests[0], lines=lines, cases_sha256=digests[1],
                         notes=said), dumps


def _rows(source: str, split: str, columns: ColumnMap) -> tuple[Iterable[tuple[int, Any]], bool, bool]:
    """The rows of ``source`` (read through ``columns``), whether they were read from JSON text, and whether
    they are numbered by item (a JSON array on one line, :mod:`harness.datasets.json_array`) rather than by line."""
    path = Path(source)
    if path.is_dir():
        raise DatasetError("is a directory; name a .jsonl, .csv or .parquet file", file=source)
    if path.exists():
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise DatasetError(f"unknown dataset format {path.suffix!r} (use .jsonl, .csv or .parquet)", file=source)
        if kind == "jsonl" and path.suffix.lower() == ".json" and starts_array(path):
            array = json_array_rows(path)
            return _mapped_json_rows(array.rows, columns, source), True, array.by_item
        if kind == "jsonl":
            # Through a mapping, every line is decoded to be reshaped (the one-call validation is for cases as written).
            return (_mapped_json_rows(list(_jsonl_rows(path, cases=False)), columns, source) if columns
                    else _jsonl_rows(path)), True, False
        rows = _shaped_csv_rows(path, columns) if kind == "csv" else _arrow_rows(kind, path, columns)
        return rows, False, False
    if "/" in source and not source.startswith((".", "/")) and not path.suffix:
        return _hub_rows(source, split, columns), False, False
    raise DatasetError("file not found", file=source)


def _jsonl_rows(path: Path, cases: bool = True) -> Iterator[tuple[int, Any]]:
    """Each non-blank line as ``(number, row)``: a validated :class:`Case` when the line passes
    :meth:`Case.model_validate_json`, else the line decoded with :func:`json.loads`, or the DatasetError
    that line is (the loader raises it, or lists it and reads on). A UTF-16 file is refused as that.

    Validating the bytes in one call (pydantic's JSON parser) costs half of ``json.loads`` plus
    ``model_validate``. A line it refuses goes the old way, ``json.loads`` then
    :func:`validate_row`, so a bad row fails with the same message: the JSON parser only ever
    refuses more (lone surrogates, a BOM, invalid UTF-8), never accepts what that way would not.
    A UTF-8 BOM at the start of the file (as Windows editors write it) is dropped, as in a CSV file;
    one anywhere else is refused with the line. ``cases=False``: every line decoded, never a Case.
    """
    validate_json = Case.__pydantic_validator__.validate_json
    with open(path, "rb") as handle:
        refuse_wide_text(handle.read(64), str(path))
        handle.seek(0)
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_ROW_BYTES:
                yield number, DatasetError(f"row is {len(raw) / 1e6:.1f} MB, over the {MAX_ROW_BYTES // 2**20} "
                                           f"MB limit", file=str(path), line=number)
                continue
            if cases:
                try:
                    yield number, validate_json(raw)
                    continue
                except ValidationError:
                    pass
            try:
                yield number, _decode_json_line(raw, path, number)
            except DatasetError as exc:
                yield number, exc


def _mapped_json_rows(rows: list[tuple[int, Any]], columns: ColumnMap, source: str) -> list[tuple[int, Any]]:
    """JSON rows (JSONL lines, array items) with their mapped keys moved to the fields they fill, after a key no
    row has is refused at the eval file's line; a row that cannot be so is its DatasetError."""
    if not columns:
        return rows
    columns.check_keys(rows, source)
    return [(number, row if isinstance(row, DatasetError) else _mapped_json_row(row, columns, source, number))
            for number, row in rows]


def _mapped_json_row(row: Any, columns: ColumnMap, source: str, number: int) -> Any:
    def shape(mapped: dict[str, Any]) -> dict[str, Any]:
        # A row without the mapped key, or null there, has no message either.
        complaint = mapped.get("complaint")
        blank = complaint is None or isinstance(complaint, str) and not complaint.strip()
        if "complaint" in columns.columns and blank:
            raise DatasetError("empty (each row needs the customer's message)", file=source, line=number,
                               field="complaint")
        try:
            return _unflatten(mapped)  # as a table's columns: `complaint` a turn, `reply:v` a reply, ...
        except _CellError as exc:
            raise row_error(exc, source, number) from None

    try:
        return columns.json_row(row, shape)
    except Clash as clash:
        return DatasetError(f"also set in the row's own `{clash.key}`: set it in one place", file=source,
                            line=number, field=clash.target)  # named by the mapped key (ColumnMap.named)
    except DatasetError as exc:
        return exc


def _decode_json_line(raw: bytes, path: Path, number: int) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # worded as in every format: the byte and its column on the line
        raise DatasetError(not_utf8(raw, exc.start)[1], file=str(path), line=number) from None
    try:
        # Without its line end: a line cut short would fail past it, "at column 1" of a line after this one.
        value = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"invalid JSON: {_json_problem(exc)}", file=str(path), line=number) from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        raise DatasetError(f"JSON nested over {MAX_NESTING} levels deep", file=str(path), line=number) from None
    # A "\ud83e" escape without its pair decodes to a string no UTF-8 file can hold: it would
    # fail later, when the dataset is hashed or a record written, without naming the row.
    _refuse_bad_text(value, str(path), number)
    # A file `datasets` wrote (`to_json`) holds null for each key a row lacks: absent, where optional.
    return without_nulls(value) if isinstance(value, dict) else value


def _json_problem(exc: json.JSONDecodeError) -> str:
    """json's message with its column: ``Expecting ',' delimiter at column 12``. Some messages end with
    "at" already (``Unterminated string starting at``: its column is where the string opens)."""
    if exc.msg.endswith(" at"):
        ends = " (the line ends inside it)" if exc.msg.startswith("Unterminated string") else ""
        return f"{exc.msg} column {exc.colno}{ends}"
    return f"{exc.msg} at column {exc.colno}"


def _validate_rows(source: str, rows: Iterable[tuple[int, Any]], seen: dict[str, int] | None = None, *,
                   all_errors: bool = False, by_item: bool = False,
                   named: Callable[[DatasetError], DatasetError] | None = None) -> list[Case]:
    """Each row as a case, in order; ``seen`` gets each case's line by id. A bad row (or one a row source
    yields as its DatasetError) is raised, or with ``all_errors`` kept while the rows after it are read,
    then all raised at once (:func:`_raise_all`). ``by_item``: rows are numbered by their place in a JSON
    array, not by line, and errors say ``item 3``. ``named``: a row error's field by the file's own column
    name (a mapped one, :meth:`~harness.datasets.mapping.ColumnMap.named`)."""
    cases: list[Case] = []
    seen = {} if seen is None else seen
    personas: dict[str, str | None] = {}  # each label checked once: a dataset repeats a few
    errors: list[DatasetError] = []
    try:
        for number, row in rows:
            try:
                case = _checked_case(row, source, number, seen, personas, "at item" if by_item else "on line")
            except DatasetError as exc:
                exc = named(exc) if named else exc
                exc = _at_item(exc, number) if by_item else exc
                if not all_errors:
                    raise exc from None
                errors.extend(getattr(exc, "errors", [exc]))  # a row's several bad cells: each its own line
                _remember_refused_id(row, number, seen)
                continue
            seen[case.id] = number
            cases.append(case)
    except DatasetError as exc:  # the file cannot be read on (or the first bad row, without all_errors)
        if not errors:
            raise
        errors.append(exc)
    if errors:
        _raise_all(errors)
    return cases


def _remember_refused_id(row: Any, number: int, seen: dict[str, int]) -> None:
    """Count a refused row's id as taken: a later row with the same id is a problem of its own (fixing the
    first row would leave two cases with one id), so validate lists it too. Only when errors are being
    collected: the load then fails, so ``seen`` (the cases' lines) is never used for a case."""
    raw = row.id if isinstance(row, Case) else row.get("id") if isinstance(row, dict) else None
    if isinstance(raw, str) and raw.strip():
        seen.setdefault(raw, number)


def _raise_all(errors: list[DatasetError]) -> None:
    """The one error, or all of them in line order as one SeveralErrors (at most MAX_REPORTED, then a count)."""
    if len(errors) == 1:
        raise errors[0]
    raise all_at_once(DatasetError, errors)


def _checked_case(row: Any, source: str, number: int, seen: dict[str, int], personas: dict[str, str | None],
                  unit: str) -> Case:
    """``row`` as a case, or the DatasetError of what is wrong with it: the row itself, a blank customer turn,
    its metadata, its persona, an id an earlier row has."""
    if isinstance(row, DatasetError):  # a row its reader could not shape
        raise row
    if isinstance(row, LongThread):  # grouped from message rows: each problem named at the row it is about
        try:
            return _checked_case(row.data, source, number, seen, personas, unit)
        except DatasetError as exc:
            raise row.located(exc) from None
    case = validate_row(row, source, number)
    blank = next((i for i, turn in enumerate(case.turns) if not (turn.is_tool_step or turn.content.strip())), None)
    if blank is not None:  # checked here, not in the schema: a run's snapshot of an older dataset still reads
        raise DatasetError(BLANK_TURN[case.turns[blank].role], file=source, line=number,
                           field=f"turns[{blank}].content")
    turns = {i: turn.metadata for i, turn in enumerate(case.turns) if turn.metadata}
    problem = _metadata_problem({"metadata": case.metadata, "turns": turns}) if case.metadata or turns else None
    if problem is not None:
        raise DatasetError(problem[1], file=source, line=number, field=format_loc(problem[0]))
    if case.persona is not None:
        if case.persona not in personas:
            personas[case.persona] = unknown_persona(case.persona)
        if personas[case.persona] is not None:
            raise DatasetError(personas[case.persona], file=source, line=number, field="persona")
    if case.id in seen:
        raise DatasetError(f"duplicate id {case.id!r} (first {unit} {seen[case.id]})",
                           file=source, line=number, field="id")
    return case


def _at_item(exc: DatasetError, number: int) -> DatasetError:
    """``exc`` named by the row's place in a JSON array (``x.json: item 3: turns: ...``), not by a line."""
    if exc.line != number:  # not about this row (the file's own problem, named at its line)
        return exc
    field = f"item {number}" + (f": {exc.field}" if exc.field else "")
    return DatasetError(exc.problem, file=exc.file, field=field)


def _metadata_problem(found: dict[str, Any]) -> tuple[tuple[Any, ...], str] | None:
    """Where a case's ``metadata`` or a turn's (``{"metadata": ..., "turns": {index: ...}}``) nests over MAX_NESTING
    levels or holds NaN or infinity (a run's case snapshot would write null), with the problem; or None."""
    stack: list[tuple[tuple[Any, ...], Any, int]] = [(("metadata",), found["metadata"], 1)] + [
        (("turns", index, "metadata"), metadata, 1) for index, metadata in found["turns"].items()]
    while stack:
        loc, item, depth = stack.pop()
        if depth > MAX_NESTING:
            return loc[:3 if loc[0] == "turns" else 1], f"nested over {MAX_NESTING} levels deep"
        for key, child in (item.items() if isinstance(item, dict) else enumerate(item)):
            if isinstance(child, (dict, list)):
                stack.append(((*loc, key), child, depth + 1))
            elif isinstance(child, float) and not math.isfinite(child):
                return (*loc, key), NOT_FINITE
    return None


def validate_row(row: Any, source: str, number: int) -> Case:
    """One row as a Case, or a DatasetError naming the line and the field."""
    if isinstance(row, Case):  # a JSONL line already validated by :func:`_jsonl_rows`
        return row
    if not isinstance(row, dict):
        raise DatasetError(_not_an_object(row, source, number), file=source, line=number)
    try:
        return Case.model_validate(row)
    except ValidationError as exc:
        loc, message = first_error(exc)
        if not loc and message.startswith("Value error, turns: "):  # Case's own check of the whole thread
            loc, message = ("turns",), message.removeprefix("Value error, turns: ")
        elif loc in (("checks",), ("criteria",)) and message.startswith(f"Value error, {loc[0]}["):  # which, which fields
            raise check_errors(message.removeprefix("Value error, "), source, number) from None
        elif len(loc) == 3 and loc[0] == "turns" and loc[2] in CONTENT_SYNONYMS and "unknown field" in message:
            message = "unknown field; did you mean 'content'? (a turn's text is its `content`)"
        elif message == "Input should be a finite number":  # NaN, Infinity or 1e400 in a number field
            message = NOT_FINITE
        raise DatasetError(message.removeprefix("Value error, "), file=source, line=number,
                           field=format_loc(loc) or None) from None
