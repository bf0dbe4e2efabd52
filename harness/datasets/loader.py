"""Loading recorded complaints from JSONL, CSV, Parquet or a Hugging Face dataset id.

Every row is validated as a :class:`~harness.datasets.schema.Case`; the first bad
row stops loading with ``file:line: field: problem``.

JSONL is parsed line by line here rather than through Arrow: Arrow unifies the
types of all rows (a ``metadata`` value that is an int in one row and a string in
another fails; missing keys come back as nulls), and a line-by-line reader names
the exact line of a bad row. CSV is read with the stdlib :mod:`csv` module (see
:func:`_csv_rows`): every cell is text, and a row is named by the file line it
starts on. Parquet and hub datasets go through the ``datasets`` library. In CSV
and Parquet, nested fields (``turns``, ``context``, ``expectations``,
``recorded_replies``, ``metadata``) may be JSON text; a ``complaint`` column
stands for a single customer turn, and ``reply:<version>`` columns for recorded
replies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import ValidationError

from harness.config.yamlfile import MAX_NESTING, first_error, format_loc
from harness.datasets.schema import Case
from harness.errors import DatasetError
from harness.gc_pause import cycle_collector_paused
from harness.hashing import hash_value

MAX_ROW_BYTES = 2 * 1024 * 1024
# MAX_NESTING (shared with the YAML files) is the deepest nesting a row's free-form values
# (``metadata``) may have: pydantic refuses to serialize past ~250 levels and json past ~1000,
# so a deeper row would fail when the run writes cases.jsonl.
NESTED_FIELDS = ("turns", "context", "expectations", "recorded_replies", "metadata")
FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class LoadedDataset:
    """Validated cases in file order, with the content hash of the validated rows."""

    source: str
    cases: list[Case]
    sha256: str

    def __len__(self) -> int:
        return len(self.cases)


def load_dataset(source: str | Path, split: str = "train") -> LoadedDataset:
    """Load and validate every row of ``source`` (a file path or a hub dataset id)."""
    return load_dataset_and_dumps(source, split)[0]


# A case's ``model_dump()`` by ``id(case)``, with the case itself (so an id is never reused while its entry lives).
CaseDumps = dict[int, tuple[Case, dict[str, Any]]]


def load_dataset_and_dumps(source: str | Path, split: str = "train") -> tuple[LoadedDataset, CaseDumps]:
    """:func:`load_dataset`, plus the ``model_dump()`` of each case where hashing made it anyway.

    The dataset hash is over each case's JSON-mode dump. A case read from JSON text holds only
    JSON values, whose Python-mode dump is the same but for NaN and infinity (JSON mode writes
    null), so for JSONL files the Python-mode dumps are hashed (refusing NaN and infinity, which
    then hash the JSON-mode dumps as before) and returned: the prompt renders of the plan
    (:func:`harness.candidates.responders.prerender`) each take one instead of dumping the case
    again. Empty for other formats, whose values may be dates, bytes or decimals.
    """
    source = str(source)
    with cycle_collector_paused():
        rows, from_json = _rows(source, split)
        cases = _validate_rows(source, rows)
        if not cases:
            raise DatasetError("dataset has no rows", file=source)
        dumps: CaseDumps = {}
        digest = None
        if from_json:
            python_dumps = [case.model_dump() for case in cases]
            try:
                digest = _hash_finite(python_dumps)
            except ValueError:  # NaN or infinity somewhere: JSON mode writes it as null
                digest = None
            else:
                dumps = {id(case): (case, dump) for case, dump in zip(cases, python_dumps)}
        if digest is None:
            digest = hash_value([case.model_dump(mode="json") for case in cases])
    return LoadedDataset(source=source, cases=cases, sha256=digest), dumps


def _hash_finite(value: Any) -> str:
    """:func:`~harness.hashing.hash_value` of ``value``; ValueError if it holds a NaN or an infinity."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rows(source: str, split: str) -> tuple[Iterator[tuple[int, Any]], bool]:
    """The rows of ``source``, and whether they were read from JSON text."""
    path = Path(source)
    if path.is_dir():
        raise DatasetError("is a directory; name a .jsonl, .csv or .parquet file", file=source)
    if path.exists():
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise DatasetError(f"unknown dataset format {path.suffix!r} (use .jsonl, .csv or .parquet)", file=source)
        if kind == "jsonl":
            return _jsonl_rows(path), True
        return (_csv_rows(path) if kind == "csv" else _arrow_rows(kind, path)), False
    if "/" in source and not source.startswith((".", "/")) and not path.suffix:
        return _hub_rows(source, split), False
    raise DatasetError("file not found", file=source)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """Each non-blank line as ``(number, row)``: a validated :class:`Case` when the line passes
    :meth:`Case.model_validate_json`, else the line decoded with :func:`json.loads` (or its error).

    Validating the bytes in one call (pydantic's JSON parser) costs half of ``json.loads`` plus
    ``model_validate``. A line it refuses goes the old way, ``json.loads`` then
    :func:`validate_row`, so a bad row fails with the same message: the JSON parser only ever
    refuses more (lone surrogates, a BOM, invalid UTF-8), never accepts what that way would not.
    """
    validate_json = Case.__pydantic_validator__.validate_json
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_ROW_BYTES:
                raise DatasetError(f"row is {len(raw) / 1e6:.1f} MB, over the {MAX_ROW_BYTES // 2**20} MB limit",
                                   file=str(path), line=number)
            try:
                yield number, validate_json(raw)
            except ValidationError:
                yield number, _decode_json_line(raw, path, number)


def _decode_json_line(raw: bytes, path: Path, number: int) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"not UTF-8 text (byte {exc.start} of the line)", file=str(path), line=number) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"invalid JSON: {exc.msg} at column {exc.colno}", file=str(path), line=number) from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        raise DatasetError(f"JSON nested over {MAX_NESTING} levels deep", file=str(path), line=number) from None
    # A "\ud83e" escape without its pair decodes to a string no UTF-8 file can hold: it would
    # fail later, when the dataset is hashed or a record written, without naming the row.
    _refuse_bad_text(value, str(path), number)
    return value


def _utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """Each CSV record after the header as ``(line, row)``, ``line`` being the file line the record starts on.

    Read with the stdlib :mod:`csv` module, not through pandas/Arrow (which inferred a type per
    column, so an ``id`` of ``1`` or a ``category`` of ``7`` arrived as an int and failed as "not a
    string", and numbered rows by record, not by file line, when a quoted cell spanned lines).
    Every cell is text; the schema parses what it needs (JSON cells). As under pandas: an empty cell
    is a missing value, blank lines are skipped, a leading BOM is dropped, a row with fewer fields
    than the header lacks the rest, and a header cell with no name is ``Unnamed: <index>`` (ignored
    while its cells are empty). Unlike pandas, ``NA``, ``null``, ``None`` ... are text like any other.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read csv: {exc.strerror}", file=source) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"cannot read csv: {exc}", file=source) from None
    del data
    records = _csv_records(text.removeprefix("\ufeff"), source)
    if not records:
        return
    header_line, _, header = records[0]
    columns = [name if name else f"Unnamed: {index}" for index, name in enumerate(header)]
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise DatasetError("column named twice in the header", file=source, line=header_line, field=name)
        seen.add(name)
    width = len(columns)
    # Text decoded as UTF-8 holds no lone surrogate; json.loads makes one only from a \\uXXXX escape.
    # So only a row with "\\u" in a cell needs the walk of :func:`_refuse_bad_text`, which costs
    # more than the rest of reading a row.
    escapes = "\\u" in text
    for line, last_line, record in itertools.islice(records, 1, None):
        if len(record) > width:
            # A row spanning lines may be rows merged by a quote left open, closed by a stray one later.
            hint = f" (it runs over lines {line}-{last_line}: is a quote left open?)" if last_line > line else ""
            raise DatasetError(f"row has {len(record)} fields where the header has {width}{hint}",
                               file=source, line=line)
        if len(record) < width:
            _refuse_spaced_quote(record, source, line)
        check_text = escapes and any("\\u" in cell for cell in record)
        yield line, _case_shaped(dict(zip(columns, record)), source, line, check_text=check_text)


def _refuse_spaced_quote(record: list[str], source: str, line: int) -> None:
    """Refuse a short row with a cell like `` "a`` (blanks, then a quote never closed in the cell).

    CSV reads a quote after a blank as text, so ``1, "a`` + newline + ``b",r`` is the row ``1`` with
    complaint `` "a`` and no reply, then a made-up case ``b"``: to the writer, a quoted cell left open.
    A short row whose cell opens that way is that mistake, not a row meant to lack its last cells.
    """
    for cell in record:
        stripped = cell.lstrip(" \t")
        if stripped.startswith('"') and len(stripped) < len(cell) and cell.count('"') % 2:
            raise DatasetError("a cell opens with a blank, then a quote that it never closes: a quoted cell's "
                               "quote must come right after the comma (as written, CSV reads the quote as text, "
                               "and the lines after it become rows of their own)", file=source, line=line)


def _csv_records(text: str, source: str) -> list[tuple[int, int, list[str]]]:
    """The non-blank records of CSV ``text``, each with the file lines it starts and ends on.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (as the reader splits them). A quote left open
    swallows the rows after it into its cell up to the next quote in the file, and the reader reads
    on from there as if nothing happened: rows merge and cases vanish. So the file is first read
    strictly (a quoted cell ends with its quote followed by ``,`` or the end of the row, and the file
    does not end inside one), which a well-formed file passes at no extra cost. A file that fails is
    read again leniently, as pandas read it (``"ab"c`` reads ``abc``), checking every record that
    spans lines, and the last one, with :func:`_quote_problem`.
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # the default 128 KiB would refuse a long complaint
    try:
        try:
            return _strict_csv_records(text)
        except csv.Error:  # a quote out of place somewhere: find out whether it is harmless
            return _checked_csv_records(text, source)
    finally:
        csv.field_size_limit(limit)


def _kept(record: list[str]) -> bool:
    """Whether a record is a row: pandas skipped blank lines, spaces-only ones too."""
    return bool(record) and (len(record) > 1 or bool(record[0].strip()))


def _strict_csv_records(text: str) -> list[tuple[int, int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, int, list[str]]] = []
    start = 1
    for record in reader:
        end = reader.line_num
        if _kept(record):
            records.append((start, end, record))
        start = end + 1
    return records


def _checked_csv_records(text: str, source: str) -> list[tuple[int, int, list[str]]]:
    handle = io.StringIO(text, newline="")
    reader = csv.reader(handle)
    records: list[tuple[int, int, list[str]]] = []
    start, offset = 1, 0
    for record in reader:
        end, next_offset = reader.line_num, handle.tell()
        # A quote left open makes a record span lines, or runs to the end of the file (maybe on one line).
        if end > start or next_offset == len(text):
            _refuse_quote_problem(text[offset:next_offset], start, source)
        if _kept(record):
            records.append((start, end, record))
        start, offset = end + 1, next_offset
    return records


_FIELD_END = re.compile(r"[,\r\n]")


def _quote_problem(chunk: str) -> tuple[int, int | None] | None:
    """Where a malformed quoted cell opens in ``chunk`` (one record, as the lenient reader split it),
    and where its closing quote is (None: the text ends inside the cell); None if every cell is fine.

    Walks the cells as :mod:`csv` does. A quoted cell whose closing quote is followed by something
    other than ``,`` or the end of the row is malformed when it runs over a line end: a quote left open
    on an earlier row and "closed" by the opening quote of a later row's ``"y"`` looks just like that,
    with the rows in between merged into the cell. On one line, ``"ab"c`` merges nothing, and reads
    ``abc`` as under pandas.
    """
    pos = 0
    while True:  # at the start of a cell
        if chunk.startswith('"', pos):
            close = chunk.find('"', pos + 1)
            while close >= 0 and chunk.startswith('"', close + 1):  # "" is a quote inside the cell
                close = chunk.find('"', close + 2)
            if close < 0:
                return pos, None
            after = chunk[close + 1:close + 2]
            if after == ",":
                pos = close + 2
                continue
            if after in ("", "\r", "\n"):
                return None
            if chunk.find("\n", pos, close) >= 0 or chunk.find("\r", pos, close) >= 0:
                return pos, close
            pos = close + 1  # "ab"c: the rest of the cell is read unquoted
        found = _FIELD_END.search(chunk, pos)
        if found is None or found.group() != ",":
            return None
        pos = found.end()


def _refuse_quote_problem(chunk: str, first_line: int, source: str) -> None:
    """A DatasetError at the line a malformed quoted cell of ``chunk`` opens on (see :func:`_quote_problem`)."""
    try:  # most records pass a strict read, which is quicker than walking them here
        for _ in csv.reader((chunk,), strict=True):
            pass
        return
    except csv.Error:
        pass
    problem = _quote_problem(chunk)
    if problem is None:
        return
    opened, close = problem
    line = first_line + _line_breaks(chunk, 0, opened)
    if close is None:
        raise DatasetError("a quoted cell that starts on this row is never closed (the file ends inside it)",
                           file=source, line=line)
    closed_on = line + _line_breaks(chunk, opened, close)
    raise DatasetError(f"a quoted cell that starts on this row is never closed: the next quote, on line "
                       f"{closed_on}, is followed by {chunk[close + 1]!r}, not ',' or the end of the row "
                       f"(so the rows up to there would merge into this cell; a quote inside a quoted cell is "
                       f"written \"\")",
                       file=source, line=line)


def _line_breaks(text: str, start: int, end: int) -> int:
    """How many line ends (``\\n``, ``\\r\\n`` or ``\\r``) ``text[start:end]`` holds."""
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


def _arrow_rows(kind: str, path: Path) -> Iterator[tuple[int, Any]]:
    """Each row of a Parquet file, read through ``datasets`` (CSV has :func:`_csv_rows`)."""
    # Local files never need the hub; keep `datasets` from looking anything up.
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import datasets

    datasets.disable_progress_bars()
    # Its own "Failed to read file ..." log line would be a second line on stderr; the error below says it.
    datasets.logging.set_verbosity(datasets.logging.CRITICAL)
    try:
        table = datasets.load_dataset(kind, data_files=str(path), split="train", keep_in_memory=True)
    except Exception as exc:  # the library raises many types for an unreadable file
        raise DatasetError(f"cannot read {kind}: {_reason(exc)}", file=str(path)) from None
    for index, row in enumerate(table):  # Parquet "lines" are row numbers
        yield index + 1, _case_shaped(row, str(path), index + 1)


def _hub_rows(source: str, split: str) -> Iterator[tuple[int, Any]]:
    import datasets
    from huggingface_hub.utils import logging as hub_logging

    datasets.disable_progress_bars()
    # The hub client logs every retry of an unreachable hub on lines of its own, and `datasets` its
    # own failures: the one error line below says what went wrong.
    datasets.logging.set_verbosity(datasets.logging.CRITICAL)
    hub_logging.set_verbosity(hub_logging.CRITICAL)
    try:
        table = datasets.load_dataset(source, split=split)
    except Exception as exc:
        raise DatasetError(f"cannot load hub dataset: {_reason(exc)}", file=source) from None
    for index, row in enumerate(table):
        yield index + 1, _case_shaped(row, source, index + 1)


def _reason(exc: BaseException) -> str:
    """The first line of the error that says what is wrong with the file.

    ``datasets`` wraps the reader's own error ("No columns to parse from file", "'utf-8' codec
    can't decode byte 0xe9 ...") in a generic "An error occurred while generating the dataset".
    """
    while type(exc).__name__ == "DatasetGenerationError" and (exc.__cause__ or exc.__context__):
        exc = exc.__cause__ or exc.__context__
    lines = str(exc).splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _case_shaped(row: dict[str, Any], source: str, number: int, check_text: bool = True) -> dict[str, Any]:
    """:func:`_unflatten` of a CSV/Parquet/hub row, refusing cells that hold no valid text.

    Arrow hands over bytes (Parquet binary columns) as they are, and a JSON cell may hold a
    ``\\ud83e`` escape: either validates, then fails the dataset hash without naming the row.
    ``check_text=False`` skips that walk, for a row known to hold neither.
    """
    try:
        out = _unflatten(row)
    except _CellError as exc:
        raise DatasetError(exc.problem, file=source, line=number, field=exc.field) from None
    if check_text:
        _refuse_bad_text(out, source, number)
    return out


_LONE_SURROGATE = "text holds a lone surrogate escape (half of a \\uXXXX pair), not valid Unicode"


def _refuse_bad_text(row: Any, source: str, number: int) -> None:
    """A DatasetError naming the line and field of the first string (or key) in ``row`` that holds a
    lone surrogate, or the first bytes value that is not UTF-8 (Arrow hands Parquet binary over as is)."""
    bad = _bad_text_at(row)
    if bad is not None:
        loc, problem = bad
        raise DatasetError(problem, file=source, line=number, field=format_loc(loc) or None)


def _bad_text_at(value: Any) -> tuple[tuple[Any, ...], str] | None:
    """Where in a row, in document order, a string or key holds a lone surrogate or a bytes value is not
    UTF-8, with the problem; or None. Walked without recursion: a row may nest as deep as json allows."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, _BadKey):
            return loc, _LONE_SURROGATE
        if isinstance(item, str) and not _utf8_encodable(item):
            return loc, _LONE_SURROGATE
        if isinstance(item, bytes):
            try:
                item.decode("utf-8")
            except UnicodeDecodeError as exc:
                return loc, f"bytes that are not UTF-8 text (byte {exc.start})"
        elif isinstance(item, dict):
            stack.extend(_member(loc, key, child) for key, child in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            stack.extend(((*loc, index), child) for index, child in reversed(list(enumerate(item))))
    return None


class _BadKey:
    """Stands on the walk's stack for a member whose key holds a lone surrogate: found before its value."""


def _member(loc: tuple[Any, ...], key: Any, child: Any) -> tuple[tuple[Any, ...], Any]:
    key = str(key)
    if _utf8_encodable(key):
        return (*loc, key), child
    # Named with the surrogate written as its escape, which prints.
    return (*loc, key.encode("utf-8", "backslashreplace").decode("utf-8")), _BadKey()


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV/Parquet row in the case shape: JSON text decoded, shorthand columns folded in, nulls dropped."""
    out: dict[str, Any] = {}
    replies: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        if key.startswith("reply:"):
            replies[key[len("reply:"):]] = value
        elif key == "complaint":
            out.setdefault("turns", [{"role": "customer", "content": value}])
        elif key in NESTED_FIELDS and isinstance(value, str):
            out[key] = _json_cell(key, value)
        else:
            out[key] = value
    if replies and isinstance(out.get("recorded_replies", {}), dict):  # else validation names the field
        out["recorded_replies"] = {**out.get("recorded_replies", {}), **replies}
    return out


def _json_cell(key: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise _CellError(key, f"expected JSON text ({exc.msg})") from None
    except RecursionError:
        raise _CellError(key, f"JSON text nested over {MAX_NESTING} levels deep") from None


class _CellError(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def _validate_rows(source: str, rows: Iterable[tuple[int, Any]]) -> list[Case]:
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        case = validate_row(row, source, number)
        if case.metadata and _deeper_than(case.metadata, MAX_NESTING):
            raise DatasetError(f"nested over {MAX_NESTING} levels deep", file=source, line=number, field="metadata")
        if case.id in seen:
            raise DatasetError(f"duplicate id {case.id!r} (first on line {seen[case.id]})",
                               file=source, line=number, field="id")
        seen[case.id] = number
        cases.append(case)
    return cases


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and dicts nest in ``value`` more than ``limit`` levels (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def validate_row(row: Any, source: str, number: int) -> Case:
    """One row as a Case, or a DatasetError naming the line and the field."""
    if isinstance(row, Case):  # a JSONL line already validated by :func:`_jsonl_rows`
        return row
    if not isinstance(row, dict):
        raise DatasetError(f"expected a JSON object, got {type(row).__name__}", file=source, line=number)
    try:
        return Case.model_validate(row)
    except ValidationError as exc:
        loc, message = first_error(exc)
        if not loc and "last turn" in message:
            loc, message = ("turns",), "the last turn must be the customer's"
        raise DatasetError(message.removeprefix("Value error, "), file=source, line=number,
                           field=format_loc(loc) or None) from None
