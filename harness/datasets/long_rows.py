"""One row per message ("long" format): rows of ``thread_id, role, content`` read as threads.

Helpdesk and tracing exports (LangSmith runs, ticket messages) write a conversation as one row per message,
not one row per thread with a ``turns`` array. A file whose rows have ``thread_id`` and ``role`` (CSV,
Parquet, hub: ``thread_id``, ``role`` and ``content`` columns) and no ``turns`` or ``complaint`` is read so:
its rows are grouped by ``thread_id`` in file order (threads in the order they first appear, messages in
file order), each row a turn (``role``, ``content``, optional ``author``). The other columns are the
thread's own (``persona``, ``category``, ``context.*``, ``reply:<version>``, ``metadata.*``, ...), written
on one row of the thread (the first, usually) or repeated the same on each; two different values are
refused at the row that disagrees. Column mapping (``dataset: {path, columns}``) maps the file's names to
these, as for any file.

A grouped thread keeps the line of each of its rows (:class:`LongThread`), so a problem with one message
(an empty ``content``, an unknown ``role``) is named at that message's line, by its column.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable

from harness.errors import DatasetError

MESSAGE_KEYS = ("thread_id", "role", "content", "author")
REQUIRED_KEYS = ("thread_id", "role", "content")
_WIDE_KEYS = ("turns", "complaint")
# Keys exports use for a message's text: a message holding one is told its name here (`content`).
CONTENT_SYNONYMS = ("text", "message", "body", "content_text", "value")
# A message row has no id of its own in a case: the thread's id is thread_id (kept apart so it is never lost).
LONG_ID = ("in a one-row-per-message file the case id is `thread_id`; a message id has no place in a case: "
           "remove the column, or map it away (`metadata.<name>` if it is the same on every row of a thread)")


def is_long_header(names: Iterable[str]) -> bool:
    """Whether a table with these column names is one row per message."""
    names = set(names)
    return set(REQUIRED_KEYS) <= names and not names & set(_WIDE_KEYS)


def partly_long(names: Iterable[str]) -> list[str] | None:
    """The message columns a table lacks when it has some of them (and no thread column), else None."""
    names = set(names)
    present = [key for key in REQUIRED_KEYS if key in names]
    if len(present) < 2 or names & set(_WIDE_KEYS) or "thread_id" not in names and "id" in names:
        return None
    missing = [key for key in REQUIRED_KEYS if key not in names]
    return missing or None


def _is_long_row(row: Any) -> bool:
    return isinstance(row, dict) and not any(key in row for key in _WIDE_KEYS) and (
        "thread_id" in row or "role" in row)


@dataclass
class LongThread:
    """One thread grouped from message rows: ``data`` shaped as a case, the line of each turn's row, and the
    line that set each of the thread's own fields."""

    thread_id: str
    data: dict[str, Any]
    lines: list[int] = field(default_factory=list)
    fields: dict[str, int] = field(default_factory=dict)

    def located(self, exc: DatasetError) -> DatasetError:
        """``exc`` (about the case ``data`` made) named at the row it is about: a turn's problem at its message
        row, by the column (``content``); a thread's own field at the row that set it."""
        loc = exc.field or ""
        if loc.startswith("turns[") and "]" in loc:
            index = int(loc[len("turns["):loc.index("]")])
            rest = loc[loc.index("]") + 1:].lstrip(".")
            if 0 <= index < len(self.lines):
                return DatasetError(exc.problem, file=exc.file, line=self.lines[index], field=rest or "role")
        if loc == "turns" and self.lines:
            return DatasetError(f"thread {self.thread_id!r}: {exc.problem}", file=exc.file, line=self.lines[-1],
                                field="role")
        head = loc.partition(".")[0].partition("[")[0]
        if head == "id":
            return DatasetError(exc.problem, file=exc.file, line=self.lines[0], field="thread_id")
        if head in self.fields:
            return DatasetError(exc.problem, file=exc.file, line=self.fields[head], field=exc.field)
        return exc


def long_threads(rows: Iterable[tuple[int, Any]], source: str) -> Iterable[tuple[int, Any]]:
    """``rows`` as they are, or, when the first row that is read is a message row, the threads they make
    (each at its first row's line) with each row that cannot be a message as its DatasetError, in line order."""
    rows = iter(rows)
    head: list[tuple[int, Any]] = []
    for number, row in rows:  # rows the reader refused say nothing about the file's shape
        head.append((number, row))
        if not isinstance(row, DatasetError):
            break
    everything = itertools.chain(head, rows)
    if not head or not _is_long_row(head[-1][1]):
        return everything
    return _grouped(everything, source)


def _grouped(rows: Iterable[tuple[int, Any]], source: str) -> list[tuple[int, Any]]:
    threads: dict[str, LongThread] = {}
    out: list[tuple[int, Any]] = []
    for number, row in rows:
        if not isinstance(row, dict):  # a reader's error, or no object: validation names it at its line
            out.append((number, row))
            continue
        try:
            thread_id = _thread_id(row, source, number)
            thread = threads.get(thread_id)
            if thread is None:
                thread = threads[thread_id] = LongThread(thread_id, {"id": thread_id, "turns": []})
                out.append((number, thread))
            _add_message(thread, row, source, number)
        except DatasetError as exc:
            out.append((number, exc))
    return sorted(out, key=lambda item: item[0])


def _thread_id(row: dict[str, Any], source: str, number: int) -> str:
    value = row.get("thread_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problem = ("empty (each message row names its thread)" if value is None or value == ""
                   else "expected text or a whole number")
        raise DatasetError(problem, file=source, line=number, field="thread_id")
    if isinstance(value, str) and not value.strip():
        raise DatasetError("empty (each message row names its thread)", file=source, line=number, field="thread_id")
    return str(value)


def _add_message(thread: LongThread, row: dict[str, Any], source: str, number: int) -> None:
    """The row's message as the thread's next turn; its other keys merged into the thread's own fields. The turn
    is added before anything else of the row is refused, so the thread's other problems are still its own."""
    turn = {key: row[key] for key in ("role", "content", "author") if row.get(key) is not None}
    typo = next((key for key in CONTENT_SYNONYMS if key in row), None) if "content" not in row else None
    # A blank cell is read as absent: refused as an empty message, at this row (a typo'd key is refused as that).
    turn.setdefault("content", "" if typo is None else row[typo])
    thread.data["turns"].append(turn)
    thread.lines.append(number)
    if "id" in row:
        raise DatasetError(LONG_ID, file=source, line=number, field="id")
    if typo is not None:
        raise DatasetError("unknown field; did you mean 'content'? (a message's text is its `content`)",
                           file=source, line=number, field=typo)
    for key, value in row.items():
        if key not in MESSAGE_KEYS and key != typo:
            _refuse_flat_key(key, source, number)
            _merge(thread, key, value, source, number)


_NESTED = ("expectations", "context", "metadata")


def _refuse_flat_key(key: str, source: str, number: int) -> None:
    """A table's flat column name (``reply:v1``, ``expectations.escalation_expected``) in a JSON row: said with
    the JSON form to write instead (a table's columns are turned into those before they get here)."""
    if key.startswith("reply:") and key[6:]:
        raise DatasetError(f"`{key}` is a table column's name: in a JSON row write \"recorded_replies\": "
                           f"{{\"{key[6:]}\": \"...\"}}", file=source, line=number, field=key)
    head, dot, tail = key.partition(".")
    if dot and head in _NESTED and tail:
        raise DatasetError(f"`{key}` is a table column's name: in a JSON row write \"{head}\": {{\"{tail}\": ...}}",
                           file=source, line=number, field=key)


def _merge(thread: LongThread, key: str, value: Any, source: str, number: int) -> None:
    if value is None or value == "" or value == {}:
        return
    data = thread.data
    if key not in data:
        data[key] = value
        thread.fields[key] = number
        return
    old = data[key]
    if isinstance(old, dict) and isinstance(value, dict):
        for sub, item in value.items():
            if sub in old and old[sub] != item:
                raise _differs(f"{key}.{sub}", thread, key, source, number)
        data[key] = {**old, **value}
        return
    if old != value:
        raise _differs(key, thread, key, source, number)


def _differs(name: str, thread: LongThread, key: str, source: str, number: int) -> DatasetError:
    return DatasetError(f"differs from line {thread.fields[key]} of thread {thread.thread_id!r} (a thread's own "
                        f"fields are written on one of its rows, or the same on each)", file=source, line=number,
                        field=name)

