"""Reading a table dataset (CSV, Parquet, a Hugging Face hub dataset), each row shaped as a case.

Split out of :mod:`harness.datasets.loader`, which reads JSONL itself and validates every row. A table's
columns are checked at its header (:func:`~harness.datasets.columns.check_columns`); then in each row,
nested fields (``turns``, ``context``, ``expectations``, ``recorded_replies``, ``metadata``) may be JSON
text, a ``complaint`` column stands for a single customer turn, ``reply:<version>`` columns for recorded
replies, ``context.<field>`` and ``expectations.<field>`` columns for one field of those objects each, and
``metadata.<key>`` columns for keys of ``metadata``. CSV is read by :mod:`harness.datasets.csv_rows`,
Parquet and hub datasets through the ``datasets`` library.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from harness.config.yamlfile import MAX_NESTING, all_at_once
from harness.datasets.bad_text import _refuse_bad_text
from harness.datasets.columns import FIELD_PREFIXES, LIST_FIELDS, METADATA_PREFIX, REPLY_PREFIX
from harness.datasets.csv_rows import csv_rows
from harness.datasets.mapping import ColumnMap
from harness.datasets.promptfoo_csv import Refused, expected_check, expected_criterion, is_expected_column
from harness.errors import DatasetError

NESTED_FIELDS = ("turns", "context", "expectations", "recorded_replies", "metadata", "checks", "criteria")
# Where null is refused, and absent means the same: read null there as absent (:func:`without_nulls`).
_NULL_IS_ABSENT = ("context", "expectations", "recorded_replies", "metadata")
_CONTEXT_LISTS = ("allowed_offers", "forbidden_offers", "facts")
_AGENT_ONLY = ("author", "replies", "expectations")


def _shaped_csv_rows(path: Path, columns: ColumnMap = ColumnMap()) -> Iterator[tuple[int, Any]]:
    """:func:`~harness.datasets.csv_rows.csv_rows`, each row shaped as a case (complaint, reply:, JSON cells),
    its columns read through the eval file's mapping (:mod:`harness.datasets.mapping`)."""
    source = str(path)
    header: list[str] = []

    def check_header(names: list[str], line: int) -> None:
        header.extend(columns.check_header(names, source, line))

    for line, row, check_text in csv_rows(path, check_header, yield_errors=True):
        yield line, row if isinstance(row, DatasetError) else _shaped_or_error(
            columns.table_row(row) if columns else row, source, line, check_text=check_text,
            complaint="complaint" in header)


def _shaped_or_error(row: dict[str, Any], source: str, number: int, **how: bool) -> dict[str, Any] | DatasetError:
    """:func:`_case_shaped`, or the DatasetError it raised: a row source yields a bad row's error in its
    place, and the loader raises it (a run) or lists it and reads on (``harness validate``)."""
    try:
        return _case_shaped(row, source, number, **how)
    except DatasetError as exc:
        return exc


def _arrow_rows(kind: str, path: Path, columns: ColumnMap = ColumnMap()) -> Iterator[tuple[int, Any]]:
    """Each row of a Parquet file, read through ``datasets`` (CSV has :mod:`harness.datasets.csv_rows`)."""
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
    complaint = "complaint" in columns.check_header(table.column_names, str(path), None)
    for index, row in enumerate(table):  # Parquet "lines" are row numbers
        yield index + 1, _shaped_or_error(columns.table_row(row) if columns else row, str(path), index + 1,
                                          complaint=complaint)


def _hub_rows(source: str, split: str, columns: ColumnMap = ColumnMap()) -> Iterator[tuple[int, Any]]:
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
    complaint = "complaint" in columns.check_header(table.column_names, source, None)
    for index, row in enumerate(table):
        yield index + 1, _shaped_or_error(columns.table_row(row) if columns else row, source, index + 1,
                                          complaint=complaint)


def _reason(exc: BaseException) -> str:
    """The first line of the error that says what is wrong with the file.

    ``datasets`` wraps the reader's own error ("No columns to parse from file", "'utf-8' codec
    can't decode byte 0xe9 ...") in a generic "An error occurred while generating the dataset".
    """
    while type(exc).__name__ == "DatasetGenerationError" and (exc.__cause__ or exc.__context__):
        exc = exc.__cause__ or exc.__context__
    lines = str(exc).splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _case_shaped(row: dict[str, Any], source: str, number: int, check_text: bool = True,
                 complaint: bool = False) -> dict[str, Any]:
    """:func:`_unflatten` of a CSV/Parquet/hub row, refusing cells that hold no valid text.

    Arrow hands over bytes (Parquet binary columns) as they are, and a JSON cell may hold a
    ``\\ud83e`` escape: either validates, then fails the dataset hash without naming the row.
    ``check_text=False`` skips that walk, for a row known to hold neither. ``complaint``: the table has a
    ``complaint`` column, so a row with nothing in it is refused as that (it has no ``turns`` to name).
    """
    # A short CSV row lacks the key; a blank cell is no message either (the loader refuses a blank customer turn).
    if complaint and (row.get("complaint") is None or isinstance(row["complaint"], str) and not row["complaint"].strip()):
        raise DatasetError("empty cell (each row needs the customer's message)", file=source, line=number,
                           field="complaint")
    try:
        out = _unflatten(row)
    except _CellError as exc:
        raise row_error(exc, source, number) from None
    if check_text:
        _refuse_bad_text(out, source, number)
    return out


def _unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV/Parquet row in the case shape: JSON text decoded, shorthand columns folded in, nulls dropped."""
    out: dict[str, Any] = {}
    replies: dict[str, Any] = {}
    own: dict[str, Any] = {}  # metadata.<key> columns
    fields: dict[str, dict[str, Any]] = {}  # context.<field> and expectations.<field> columns, by object
    expected: list[dict[str, Any]] = []  # promptfoo's __expected<n> cells, as checks of the case
    judged: list[dict[str, Any]] = []  # and its llm-rubric cells, as criteria of the case
    refused: list[_CellError] = []
    for key, value in row.items():
        if value is None or value == "":
            continue
        if is_expected_column(key):
            criterion = expected_criterion(value) if isinstance(value, str) else None
            if criterion is not None:  # llm-rubric: a judge criterion of the case
                judged.append(criterion)
                continue
            try:
                expected.append(_expected_cell(key, value))
            except _CellError as exc:  # every bad cell of the row is listed, not the first: one round of fixes
                refused.append(exc)
        elif key.startswith(REPLY_PREFIX):
            replies[key[len(REPLY_PREFIX):]] = value
        elif key.startswith(METADATA_PREFIX):
            own[key[len(METADATA_PREFIX):]] = value
        elif key == "complaint":
            out.setdefault("turns", [{"role": "customer", "content": value}])
        elif key in NESTED_FIELDS and isinstance(value, str):
            out[key] = _json_cell(key, value)
        elif key.startswith(FIELD_PREFIXES):
            head, _, name = key.partition(".")
            fields.setdefault(head, {})[name] = _json_cell(key, value) \
                if key in LIST_FIELDS and isinstance(value, str) else value
        else:
            out[key] = value
    if refused:
        raise refused[0] if len(refused) == 1 else _CellErrors(refused)
    if replies and isinstance(out.get("recorded_replies", {}), dict):  # else validation names the field
        out["recorded_replies"] = {**out.get("recorded_replies", {}), **replies}
    if own:
        _merge_metadata_columns(out, own)
    for head, values in fields.items():
        _merge_columns(out, head, values)
    if expected and isinstance(out.get("checks", []), list):  # else validation names the `checks` cell
        out["checks"] = [*out.get("checks", []), *expected]
    if judged and isinstance(out.get("criteria", []), list):  # else validation names the `criteria` cell
        out["criteria"] = [*out.get("criteria", []), *judged]
    return without_nulls(out)


def _expected_cell(key: str, value: Any) -> dict[str, Any]:
    """One ``__expected`` cell as a check of the case (:mod:`harness.datasets.promptfoo_csv`)."""
    if not isinstance(value, str):
        raise _CellError(key, "expected a promptfoo assertion as text (contains: ..., regex: ..., ...)")
    try:
        return expected_check(value)
    except Refused as exc:
        raise _CellError(key, str(exc)) from None


def without_nulls(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with a null read as absent where validation would refuse it and absent means the same: a
    top-level ``context``, ``expectations``, ``recorded_replies`` or ``metadata``, a list of ``context``, a
    reply in ``recorded_replies`` or a turn's ``replies``, and a customer turn's agent-only fields.

    Arrow gives every row every key any row has, filling the missing ones with null: a dataset saved by
    ``datasets`` (``to_parquet``, ``to_json``) from rows with different keys holds ``"facts": null`` where a
    row had no facts. A null accepted already (``max_refund``, an expectation: "not known") keeps its
    meaning, and a null ``id``, ``turns``, ``role`` or ``content`` stays, for validation to refuse.
    """
    out = {key: value for key, value in row.items() if value is not None or key not in _NULL_IS_ABSENT}
    if isinstance(out.get("context"), dict):
        out["context"] = {k: v for k, v in out["context"].items() if v is not None or k not in _CONTEXT_LISTS}
    if isinstance(out.get("recorded_replies"), dict):
        out["recorded_replies"] = _present(out["recorded_replies"])
    if isinstance(out.get("turns"), list):
        out["turns"] = [_turn_without_nulls(turn) for turn in out["turns"]]
    return out


def _turn_without_nulls(turn: Any) -> Any:
    if not isinstance(turn, dict):  # validation names the turn
        return turn
    agent = turn.get("role") == "agent"
    out = {key: value for key, value in turn.items()
           if value is not None or key not in _AGENT_ONLY or (agent and key != "replies")}
    if "metadata" in out and out["metadata"] is None:  # Arrow's null for a turn without fields of its own
        del out["metadata"]
    if isinstance(out.get("replies"), dict):
        out["replies"] = _present(out["replies"])
    return out


def _present(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _merge_columns(out: dict[str, Any], head: str, values: dict[str, Any]) -> None:
    """The ``<head>.<key>`` columns of a row into its ``head`` object (from a JSON cell, if it has one);
    a key set in both places is refused."""
    base = out.get(head, {})
    if not isinstance(base, dict):  # validation names the field
        return
    for key in values:
        if key in base:
            raise _CellError(f"{head}.{key}", f"`{key}` is also set in this row's `{head}` JSON: set it in one place")
    out[head] = {**base, **values}


def _merge_metadata_columns(out: dict[str, Any], own: dict[str, Any]) -> None:
    """The ``metadata.<key>`` columns of a row into its ``metadata`` (from a JSON cell, if it has one); a
    dotted key nests (``metadata.a.b`` is ``{"a": {"b": ...}}``, as ``{{ metadata.a.b }}`` and ``--where``
    read it). A key also set in the row's JSON is refused."""
    base = out.get("metadata", {})
    if not isinstance(base, dict):  # validation names the field
        return
    merged = dict(base)
    for key, value in own.items():
        parts = key.split(".")
        if parts[0] in base:
            raise _CellError(f"metadata.{key}", f"`{parts[0]}` is also set in this row's `metadata` JSON: "
                                                f"set it in one place")
        target = merged
        for part in parts[:-1]:  # the header refused `metadata.a` beside `metadata.a.b`
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    out["metadata"] = merged


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


class _CellErrors(_CellError):
    """Several bad cells of one row (its ``__expected`` cells), read as the first; ``each`` holds them all."""

    def __init__(self, each: list[_CellError]) -> None:
        super().__init__(each[0].field, each[0].problem)
        self.each = each


def row_error(exc: _CellError, source: str, number: int) -> DatasetError:
    """The DatasetError of a row's bad cell, or of each of its bad cells (a SeveralErrors)."""
    errors = [DatasetError(one.problem, file=source, line=number, field=one.field)
              for one in getattr(exc, "each", [exc])]
    return all_at_once(DatasetError, errors)  # type: ignore[return-value]
