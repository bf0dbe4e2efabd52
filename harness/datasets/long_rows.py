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

Production exports (LangSmith traces, a deployed bot's logs) are read as they are exported:

* A ``metadata.<key>`` whose value changes between the rows of a thread (in any thread of the file: a
  timestamp, a message id) is the message's own, kept in each turn's ``metadata``, not the thread's
  (:func:`_per_message_keys`). Deciding it per file, not per thread, gives every thread the same shape.
* A thread whose last rows are the agent's ends on the reply the deployed bot sent: those rows are that
  reply (:meth:`LongThread.finish`), ``recorded_replies["thread"]`` (and under their ``author``, when they
  name one), and the case ends on the customer message it answered, as every case does. Their own fields
  go to ``metadata.recorded_reply``, so no column of the export is lost.

A grouped thread keeps the line of each of its rows (:class:`LongThread`), so a problem with one message
(an empty ``content``, an unknown ``role``) is named at that message's line, by its column.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
import json
from typing import Any, Iterable, Iterator, Mapping

from pydantic import ValidationError

from harness.config.yamlfile import first_error, format_loc
from harness.datasets.export_rows import (TIME_KEY, drop_repeats, newest_first, order_by_time, time_keys,
                                          time_warning)
from harness.datasets.schema import REPLY_METADATA, ROLE_ALIASES, THREAD_VERSION, TOOL_ROLE_ALIASES, Turn
from harness.errors import DatasetError

# A message row's tool columns: a `tool` row's result names its tool and the call it answers; an agent row
# that made one call names it the same way (`tool_name`, `tool_arguments`, `tool_call_id`), several as JSON
# in `tool_calls` (OpenAI's form). :mod:`harness.datasets.tool_turns`.
TOOL_KEYS = ("tool_name", "tool_call_id", "tool_arguments", "tool_calls")
MESSAGE_KEYS = ("thread_id", "role", "content", "author", TIME_KEY, *TOOL_KEYS)
REQUIRED_KEYS = ("thread_id", "role", "content")
_WIDE_KEYS = ("turns", "complaint")
# Keys exports use for a message's text: a message holding one is told its name here (`content`).
CONTENT_SYNONYMS = ("text", "message", "body", "content_text", "value")
# A message row has no id of its own in a case: the thread's id is thread_id (kept apart so it is never lost).
RECIPE = "README: Grading production conversations"
# A blank agent turn would be replayed as an empty assistant message, and leave its position without a reply.
BLANK_TURN = {"customer": "empty (a customer turn needs the customer's message)",
              "agent": "empty (an agent turn needs what the agent said; remove the turn if nothing was sent)"}
LONG_ID = ("in a one-row-per-message file the case id is `thread_id`; a message id is kept on its message: map it "
           f"in the eval file (dataset: {{path: <file>, columns: {{metadata.message_id: id}}}}), or remove the "
           f"column ({RECIPE})")


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
    times: list[Any] = field(default_factory=list)  # each row's `time`, when the file has that column

    def message_errors(self, source: str) -> list[DatasetError]:
        """Every row of the thread that is no valid message (an unknown role, an empty text), each at its line:
        the case made of them would name only the first."""
        errors = []
        for turn, line in zip(self.data["turns"], self.lines):
            try:
                checked = Turn.model_validate(turn)
            except ValidationError as exc:
                loc, message = first_error(exc)
                errors.append(DatasetError(message.removeprefix("Value error, "), file=source, line=line,
                                           field=format_loc(loc) or "role"))
                continue
            if not (checked.is_tool_step or checked.content.strip()):
                errors.append(DatasetError(BLANK_TURN[checked.role], file=source, line=line, field="content"))
        return errors

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
            return DatasetError(f"thread {self.thread_id!r}: {exc.problem} ({RECIPE})", file=exc.file,
                                line=self.lines[-1], field="role")
        head = loc.partition(".")[0].partition("[")[0]
        if head == "id":
            return DatasetError(exc.problem, file=exc.file, line=self.lines[0], field="thread_id")
        if head in self.fields:
            return DatasetError(exc.problem, file=exc.file, line=self.fields[head], field=exc.field)
        return exc

    def finish(self, source: str) -> None:
        """A thread that ends on agent rows after a customer one: those rows are the recorded reply to the last
        customer message (``recorded_replies["thread"]``, and its ``author``'s when they name one author), taken
        out of ``turns`` so the case ends on what was answered. A row that is no valid agent message is left in
        place for validation to name at its row; a blank one is refused here, at its row."""
        turns = self.data["turns"]
        # The agent's messages at the end, after its tool calls and their results (which stay: the reply's context).
        start = len(turns)
        while start > 0 and _side(turns[start - 1]) == "agent" and not turns[start - 1].get("tool_calls"):
            start -= 1
        if start == len(turns) or not any(_side(turn) == "customer" for turn in turns[:start]):
            return  # no customer turn at all: refused by validation, as a thread with nothing to answer
        tail = turns[start:]
        if not all(_is_agent_message(turn) for turn in tail):
            return
        blank = next((i for i, turn in enumerate(tail) if not turn["content"].strip()), None)
        if blank is not None:
            raise DatasetError("empty (an agent turn needs what the agent said; remove the turn if nothing was sent)",
                               file=source, line=self.lines[start + blank], field="content")
        self._record_reply(tail, source, self.lines[start])
        del turns[start:], self.lines[start:]

    def _record_reply(self, tail: list[dict[str, Any]], source: str, line: int) -> None:
        text = "\n\n".join(turn["content"] for turn in tail)  # one reply sent in several messages, as in replay
        authors = {turn.get("author") for turn in tail}
        versions = [THREAD_VERSION] + ([authors.pop()] if len(authors) == 1 and None not in authors else [])
        replies = self.data.setdefault("recorded_replies", {})
        if not isinstance(replies, dict):  # validation names the field
            return
        for version in versions:
            if replies.get(version, text) != text:
                raise DatasetError(f"thread {self.thread_id!r} ends on {version!r}'s reply at line {line}, and a "
                                   f"different one is given here: keep one ({RECIPE})", file=source,
                                   line=self.fields.get("recorded_replies", line), field=f"reply:{version}")
            replies[version] = text
        self.fields.setdefault("recorded_replies", line)
        own = [turn.get("metadata", {}) for turn in tail]
        metadata = self.data.setdefault("metadata", {})
        if any(own) and isinstance(metadata, dict):
            if REPLY_METADATA in metadata:
                raise DatasetError(f"`{REPLY_METADATA}` holds the per-message fields of the reply the thread ends "
                                   f"on (line {line}): name this key otherwise", file=source,
                                   line=self.fields.get("metadata", line), field=f"metadata.{REPLY_METADATA}")
            metadata[REPLY_METADATA] = own
        if not metadata:
            del self.data["metadata"]


def _side(turn: dict[str, Any]) -> Any:
    role = turn.get("role")
    return {**ROLE_ALIASES, **TOOL_ROLE_ALIASES}.get(role, role) if isinstance(role, str) else role


def with_turn_lines(rows: Iterable[tuple[int, Any]], sink: dict[str, list[int]]) -> Iterator[tuple[int, Any]]:
    """``rows`` as they are, each grouped thread's row per turn put in ``sink`` by its id as it passes (so a
    problem found in the case, a tool turn's, is named at its row)."""
    for number, row in rows:
        if isinstance(row, LongThread):
            sink[row.thread_id] = row.lines
        yield number, row


def _is_agent_message(turn: dict[str, Any]) -> bool:
    """Whether a row is a valid agent message but for a blank text (its own error, said at its row)."""
    if _side(turn) != "agent" or not isinstance(turn.get("content"), str):
        return False
    try:
        Turn.model_validate(turn)
    except ValidationError:
        return False
    return True


def long_threads(rows: Iterable[tuple[int, Any]], source: str, notes: list[DatasetError] | None = None,
                 columns: Mapping[str, str] | None = None) -> Iterable[tuple[int, Any]]:
    """``rows`` as they are, or, when the first row that is read is a message row, the threads they make
    (each at its first row's line) with each row that cannot be a message as its DatasetError, in line order.
    What a valid export still gets wrong (repeated rows dropped, times that go down) goes to ``notes``;
    ``columns``: the eval file's mapping (target -> the file's column), to name a column in them."""
    rows = iter(rows)
    head: list[tuple[int, Any]] = []
    for number, row in rows:  # rows the reader refused say nothing about the file's shape
        head.append((number, row))
        if not isinstance(row, DatasetError):
            break
    everything = itertools.chain(head, rows)
    if not head or not _is_long_row(head[-1][1]):
        return everything
    return _grouped(everything, source, [] if notes is None else notes, columns or {})


def _grouped(rows: Iterable[tuple[int, Any]], source: str, notes: list[DatasetError],
             columns: Mapping[str, str]) -> list[tuple[int, Any]]:
    rows = drop_repeats(list(rows), source, notes)
    per_message = _per_message_keys(rows)
    timed = any(isinstance(row, dict) and TIME_KEY in row for _, row in rows)
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
            _add_message(thread, row, source, number, per_message, timed)
        except DatasetError as exc:
            out.append((number, exc))
    if not any(thread.times for thread in threads.values()):  # ordered by a `time` column, they cannot go down
        warning = time_warning(threads.values(), time_keys(rows, per_message), source, columns)
        notes.extend([warning] if warning else [])
    return sorted(_finished(out, source), key=lambda item: item[0])


def _finished(out: list[tuple[int, Any]], source: str) -> list[tuple[int, Any]]:
    """Each thread ordered by its rows' times (when given) and finished (:meth:`LongThread.finish`); a thread with
    rows that are no valid message is replaced by their errors, one per row, so validate lists every one."""
    done: list[tuple[int, Any]] = []
    reverse_first = newest_first(item for _, item in out if isinstance(item, LongThread) and item.times)
    for number, item in out:
        if not isinstance(item, LongThread):
            done.append((number, item))
            continue
        try:
            if item.times:
                order_by_time(item.data["turns"], item.lines, item.times, item.thread_id, source, reverse_first)
            errors = item.message_errors(source)
            if errors:
                done.extend((error.line or number, error) for error in errors)
                continue
            item.finish(source)
        except DatasetError as exc:
            done.append((number, exc))
            continue
        done.append((number, item))
    return done


def _per_message_keys(rows: list[tuple[int, Any]]) -> frozenset[str]:
    """The ``metadata`` keys whose value changes between two rows of a thread, in any thread: a message's own
    fields (a timestamp, a message id), kept on each turn; the others are the thread's, as before."""
    first: dict[tuple[str, str], Any] = {}
    keys: set[str] = set()
    for _, row in rows:
        metadata = row.get("metadata") if isinstance(row, dict) else None
        if not isinstance(metadata, dict):
            continue
        for key, value in metadata.items():
            if value is None or value == "" or value == {}:  # a blank cell: written on another row
                continue
            if first.setdefault((str(row.get("thread_id")), key), value) != value:
                keys.add(key)
    return frozenset(keys)


def _thread_id(row: dict[str, Any], source: str, number: int) -> str:
    value = row.get("thread_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problem = ("empty (each message row names its thread)" if value is None or value == ""
                   else "expected text or a whole number")
        raise DatasetError(problem, file=source, line=number, field="thread_id")
    if isinstance(value, str) and not value.strip():
        raise DatasetError("empty (each message row names its thread)", file=source, line=number, field="thread_id")
    return str(value)


def _add_message(thread: LongThread, row: dict[str, Any], source: str, number: int,
                 per_message: frozenset[str] = frozenset(), timed: bool = False) -> None:
    """The row's message as the thread's next turn (with its ``per_message`` metadata keys); its other keys merged
    into the thread's own fields. The turn is added before anything else of the row is refused, so the thread's
    other problems are still its own. ``timed``: the file has a `time` column (each row's kept, blank or not, to
    order the thread by, and on its message as ``metadata.time``)."""
    turn = {key: row[key] for key in ("role", "content", "author") if row.get(key) is not None}
    turn.update(_tool_fields(row, source, number))
    if timed:  # kept on the message too, as its metadata (nothing of the row is lost)
        thread.times.append(row.get(TIME_KEY))
        if row.get(TIME_KEY) not in (None, ""):
            turn["metadata"] = {TIME_KEY: row[TIME_KEY]}
    metadata = row.get("metadata")
    if per_message and isinstance(metadata, dict):
        own = {key: value for key, value in metadata.items() if key in per_message and value not in (None, "")}
        if own:
            turn["metadata"] = {**own, **turn.get("metadata", {})}
        row = {**row, "metadata": {key: value for key, value in metadata.items() if key not in per_message}}
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


def _tool_fields(row: dict[str, Any], source: str, number: int) -> dict[str, Any]:
    """A message row's tool columns (:data:`TOOL_KEYS`) as its turn's fields: on a tool row the result's
    ``name`` and ``tool_call_id``, on an agent row its ``tool_calls`` (one from ``tool_name``, or the JSON list)."""
    given = {key: row[key] for key in TOOL_KEYS if row.get(key) not in (None, "")}
    if not given:
        return {}
    if _side(row) == "tool":
        if "tool_arguments" in given or "tool_calls" in given:
            key = "tool_arguments" if "tool_arguments" in given else "tool_calls"
            raise DatasetError("a tool result's row names its tool (`tool_name`) and the call it answers "
                               "(`tool_call_id`); calls are the agent row's", file=source, line=number, field=key)
        return {key: value for key, value in (("name", given.get("tool_name")),
                                              ("tool_call_id", given.get("tool_call_id"))) if value is not None}
    calls = given.get("tool_calls")
    if isinstance(calls, str):
        try:
            calls = json.loads(calls)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"invalid JSON: {exc.msg} at column {exc.colno} (the agent's tool calls, a JSON "
                               f"list)", file=source, line=number, field="tool_calls") from None
    if calls is not None and "tool_name" in given:
        raise DatasetError("`tool_calls` and `tool_name` both give this row's calls: keep one", file=source,
                           line=number, field="tool_name")
    if calls is None:
        calls = [{"id": given.get("tool_call_id"), "name": given.get("tool_name", ""),
                  "arguments": given.get("tool_arguments", "")}]
    return {"tool_calls": calls}


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
                        f"fields are written on one of its rows, or the same on each; a message's own field goes in a "
                        f"`metadata.<key>` column, kept per message: {RECIPE})", file=source, line=number,
                        field=name)

