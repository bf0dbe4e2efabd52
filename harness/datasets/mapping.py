"""Column mapping: an eval file's ``dataset: {path, columns}`` reads a file whose columns have names of its own.

A helpdesk export has ``ticket_id,customer_message,bot_response``, not ``id,complaint,reply:bot``; the eval
file maps each field the case reads (the target: a column name as a table dataset writes it, ``complaint``,
``reply:<version>``, ``context.<field>``, ``metadata.<key>``, ...) to the file's column (the source), so
the file is read as it is, never edited. One mapping, every format:

* CSV, Parquet, hub datasets: the header is read through it (a mapped column stands under its target's
  name, the rest as they are), then checked and shaped as ever (:mod:`harness.datasets.columns`).
* JSONL and ``.json`` arrays: the mapped top-level keys of each row are moved to their targets, shaped as a
  table's columns are (``complaint`` a single customer turn, ``reply:v`` a recorded reply, ``metadata.k``
  a key of ``metadata``), with their JSON values as they are; the other keys are the case's own.

A source the file lacks, a target that is no field, two sources for one target are the eval file's mistakes,
so they are named at its line (``eval.yaml:4: dataset.columns.complaint: no column 'customer_msg' in
tickets.csv; did you mean customer_message?``) through ``where``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

from harness.config.validation_errors import did_you_mean
from harness.config.yamlfile import all_at_once
from harness.datasets.columns import (COLUMNS_HELP, FIELD_COLUMNS, METADATA_PREFIX, NO_ID, NO_ID_ADD, REPLY_PREFIX,
                                      _known_column, check_columns)
from harness.datasets.long_rows import MESSAGE_KEYS
from harness.datasets.schema import Case
from harness.errors import DatasetError, SeveralErrors, UserError

# The case's fields, and the columns of a file with one row per message (harness.datasets.long_rows).
_FIELDS = frozenset(Case.model_fields) | {"complaint"} | frozenset(MESSAGE_KEYS)
_SHOWN = 12  # a file's column names listed in an error, at most


def target_problem(target: str, earlier: Iterable[str] = ()) -> str | None:
    """What is wrong with ``target`` as a field a column maps to (None: nothing); ``earlier``: the targets
    the mapping gives before it (``complaint`` and ``turns`` are alternatives)."""
    if _known_column(target, set(_FIELDS)):
        other = {"complaint": "turns", "turns": "complaint"}.get(target)
        if other in earlier:
            return f"`complaint` and `turns` are alternatives (a complaint is a thread of one customer turn): map one"
        return None
    head, dot, rest = target.partition(".")
    if dot and head in FIELD_COLUMNS:
        known = sorted(FIELD_COLUMNS[head])
        return f"`{head}` has no field `{rest}`{did_you_mean(rest, known)} (its fields are {', '.join(known)})"
    if target in (REPLY_PREFIX, METADATA_PREFIX):
        return f"`{target}` names no {'version' if target == REPLY_PREFIX else 'key'}"
    if target != target.strip():
        return "remove the spaces around the field's name"
    hint = did_you_mean(target, sorted(_FIELDS))
    return (f"not a field a column can fill{hint} (the fields are {COLUMNS_HELP}; a column of your own "
            f"goes in `{METADATA_PREFIX}<key>`)")


def _missing(column: str, kind: str, known: list[str], source: str) -> str:
    """``no column 'x' in f.csv; did you mean y?`` (else the file's names, or a few of them)."""
    hint = did_you_mean(column, known)
    if not hint and known:
        shown = ", ".join(known[:_SHOWN]) + (f" and {len(known) - _SHOWN} more" if len(known) > _SHOWN else "")
        hint = f" (its {kind}s are {shown})"
    where = "any row of " if kind == "key" else ""
    return f"no {kind} {column!r} in {where}{source}{hint}"


@dataclass(frozen=True)
class ColumnMap:
    """``columns``: target (the field the case reads) -> source (the file's column or key). ``where`` makes the
    error of a mapped target at the eval file's line; without it (a mapping given in code), a DatasetError.
    ``origin`` names where the mapping is written, in hints (``eval.yaml``)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    where: Callable[[str, str], UserError] | None = None
    origin: str = "the eval file"

    def __post_init__(self) -> None:
        for index, (target, _) in enumerate(self.columns.items()):
            problem = target_problem(target, list(self.columns)[:index])
            if problem is not None:
                raise self.error(target, problem)

    def __bool__(self) -> bool:
        return bool(self.columns)

    @cached_property
    def sources(self) -> frozenset[str]:
        """The file's columns (keys) the mapping reads: made once, as each row is read through it."""
        return frozenset(self.columns.values())

    def record(self) -> dict[str, str]:
        return dict(self.columns)

    def error(self, target: str, problem: str) -> UserError:
        if self.where is not None:
            return self.where(target, problem)
        return DatasetError(problem, field=f"dataset.columns.{target}")  # the problem names the file

    def header(self, names: list[str], source: str) -> list[str]:
        """A table's column names as the case reads them: each mapped source under its target's name (one
        source may fill several targets), the others as they are. Refuses a source the table lacks, and a
        target the table also has a column of its own for (two sources for one field)."""
        present = set(names)
        for target, column in self.columns.items():
            if column not in present:
                raise self.error(target, _missing(column, "column", names, source))
        for target, column in self.columns.items():
            if target in present and target not in self.sources:
                raise self.error(target, f"{source} has a column `{target}` too: two columns for one field "
                                         f"(map that one elsewhere, `{METADATA_PREFIX}{target}: {target}`, or "
                                         f"drop this line)")
        by_source: dict[str, list[str]] = {}
        for target, column in self.columns.items():
            by_source.setdefault(column, []).append(target)
        return [renamed for name in names for renamed in by_source.get(name, [name])]

    def check_header(self, names: list[str], source: str, line: int | None) -> list[str]:
        """:meth:`header`, then the columns checked as a table's are (:func:`check_columns`); an unknown or
        missing column is told how to map it. Returns the names as the case reads them."""
        renamed = self.header(names, source) if self else names
        try:
            check_columns(renamed, source, line)
        except DatasetError as exc:
            raise self._hinted(exc) from None
        return renamed

    def _hinted(self, exc: DatasetError) -> DatasetError:
        if not self:
            return exc
        if isinstance(exc, SeveralErrors):  # every bad column of the header, each told how to map it
            return all_at_once(DatasetError, [self._hinted(one) for one in exc.errors])  # type: ignore[arg-type]
        where = f"{self.origin}'s dataset.columns"
        if exc.problem.startswith("unknown column; ") and exc.field:
            problem = (f"unknown column: map it in {where} (`{METADATA_PREFIX}{exc.field}: {exc.field}` keeps it "
                       f"in the case's metadata), or remove it from the file")
        elif exc.problem == NO_ID:  # its own "or map a column" said once, where the mapping is
            problem = f"{NO_ID_ADD}, or map the file's column that holds one to it in {where} (id: <column>)"
        elif exc.problem.startswith("no `complaint` column"):
            problem = f"{exc.problem}; map the file's column to it in {where}"
        else:
            return exc
        return DatasetError(problem, file=exc.file, line=exc.line, field=exc.field)

    def table_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A table row with its mapped cells under their targets (a short CSV row lacks some: so does this)."""
        out = {key: value for key, value in row.items() if key not in self.sources}
        for target, column in self.columns.items():
            if column in row:
                out[target] = row[column]
        return out

    def check_keys(self, rows: list[tuple[int, Any]], source: str) -> None:
        """Refuse a mapped key that no row of a JSON dataset has (a typo, or the wrong file)."""
        seen: dict[str, None] = {}
        for _, row in rows:
            if isinstance(row, dict):
                seen.update(dict.fromkeys(row))
        for target, key in self.columns.items():
            if key not in seen:
                raise self.error(target, _missing(key, "key", list(seen), source))

    def json_row(self, row: Any, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        """A JSON row with its mapped keys moved to their targets: ``shape`` makes the case's fields of them
        (as a table's columns); they merge into the row's own objects (``metadata``, ``context``, ...). Raises
        ``Clash`` (naming the target) when the row sets the field itself too."""
        if not isinstance(row, dict):  # validation names what it is
            return row
        out = {key: value for key, value in row.items() if key not in self.sources}
        mapped = {target: row[key] for target, key in self.columns.items() if key in row}
        for key, value in shape(mapped).items():
            if key not in out:
                out[key] = value
                continue
            both = sorted(set(out[key]) & set(value)) if isinstance(out[key], dict) and isinstance(value, dict) \
                else None
            if both is None or both:
                where = f"{key}.{both[0]}" if both else key
                raise Clash(_target_of(key, where, mapped), where)
            out[key] = {**out[key], **value}
        return out

    def named(self, exc: DatasetError) -> DatasetError:
        """``exc`` with its field named by the file's column (``customer_message (as complaint)``) where a
        mapped target filled it, so the error points at what the file calls it."""
        if not exc.field or exc.field.startswith("item "):
            return exc
        for target, column in self.columns.items():
            for form in _field_forms(target):
                if exc.field == form or exc.field.startswith((form + ".", form + "[")):
                    return DatasetError(exc.problem, file=exc.file, line=exc.line, field=f"{column} (as {target})")
        return exc


class Clash(Exception):
    """A JSON row sets a field itself and through a mapped key."""

    def __init__(self, target: str, key: str) -> None:
        super().__init__(target)
        self.target, self.key = target, key


def _target_of(key: str, where: str, mapped: Mapping[str, Any]) -> str:
    """The mapped target that set ``where`` (``metadata.tier``, ``recorded_replies.v``), else the first that filled
    the case's ``key`` (``turns`` from ``complaint``)."""
    exact = [target for target in mapped if where in (target, _field_forms(target)[-1])]
    return next(iter(exact + [target for target in mapped if _case_key(target) == key]), key)


def _case_key(target: str) -> str:
    """The case's top-level field a target fills."""
    if target == "complaint":
        return "turns"
    if target.startswith(REPLY_PREFIX):
        return "recorded_replies"
    return target.partition(".")[0]


def _field_forms(target: str) -> list[str]:
    """How an error may name the field ``target`` fills: as written, and as the case holds it."""
    if target == "complaint":
        return ["complaint", "turns[0].content"]
    if target.startswith(REPLY_PREFIX):
        return [target, f"recorded_replies.{target[len(REPLY_PREFIX):]}"]
    return [target]
