"""What exporting does to a conversation's rows: repeated rows, newest-first order (one row per message files).

A helpdesk or tracing export is read as exported (:mod:`harness.datasets.long_rows`), and two artifacts of
exporting would otherwise change what is graded without a word:

* **Repeated rows.** An export that pages or retries writes a message twice: the same thread, role, text,
  timestamp and message id. Read as it is, the repeat is merged into the graded reply (``Sorry.\\n\\nSorry.``).
  A row the same as an earlier row of its thread in every column, and holding a message's own field (a
  timestamp, a message id: what tells an exported message from another), is dropped, and said once with the
  lines (:func:`drop_repeats`). Without such a field two equal rows may be a message sent twice, so both are
  kept, and said. A field the same on every row of its conversation (a CSAT score, a thumbs, a channel,
  repeated on each row) says nothing of one message, so it proves no repeat (:func:`message_fields`). A message id that comes back with other content is refused at the later row: which of the
  two is the message is the user's call.
* **Order.** Rows are read in file order. A newest-first export (or one sorted by thread, then by anything
  but time) pairs replies with the wrong messages. A ``time`` column (mapped: ``columns: {time: timestamp}``)
  orders each thread's rows by it (:func:`order_by_time`; rows of one time keep the export's order, read
  newest-first when the export is); without one, a per-message field holding
  date-times that go down within a thread is warned of (:func:`time_warnings`).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping

from harness.errors import DatasetError

TIME_KEY = "time"  # a message row's send time: each thread's rows are ordered by it
RECIPE = "README: Grading production conversations"
SHOWN = 5  # lines named in a note; the rest are counted
# A per-message metadata key that names the message (its value unique within the thread), normalized.
_ID_NAMES = frozenset({"messageid", "msgid", "messageuuid", "runid"})
_TIME_NAME = re.compile(r"(^|_)(ts|time|timestamp|date|datetime)$|_at$|^created|^sent", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def is_message_id(key: str) -> bool:
    return re.sub(r"[^a-z]", "", key.lower()) in _ID_NAMES


def drop_repeats(rows: list[tuple[int, Any]], source: str, notes: list[DatasetError]) -> list[tuple[int, Any]]:
    """``rows`` without the rows that repeat an earlier row of their thread in every column (when they hold a
    message's own field, :func:`message_fields`; else kept), a repeated message id with other content replaced
    by its DatasetError. What was dropped or kept is said in ``notes``."""
    own_keys = message_fields(rows)
    seen: dict[tuple[str, str], int] = {}
    ids: dict[tuple[str, str, Any], tuple[int, str]] = {}
    dropped: list[tuple[int, int]] = []
    kept: list[tuple[int, int]] = []
    out: list[tuple[int, Any]] = []
    for number, row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("thread_id"), (str, int)):
            out.append((number, row))
            continue
        thread = str(row["thread_id"])
        text = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
        first = seen.setdefault((thread, text), number)
        own = own_keys.get(thread, frozenset())
        if first != number and _own_fields(row, own):
            dropped.append((number, first))
            continue
        if first != number:
            kept.append((number, first))
        clash = _id_clash(row, thread, text, number, ids, source, own)
        out.append((number, clash or row))
    if dropped:
        notes.append(_repeat_note(dropped, source, "dropped as the export's repeats"))
    if kept:
        notes.append(_repeat_note(kept, source, "kept: with no per-message column (a message id or timestamp that "
                                                 "changes within the conversation), a repeat and a message sent "
                                                 "twice look the same"))
    return out


def message_fields(rows: list[tuple[int, Any]]) -> dict[str, frozenset[str]]:
    """Per thread, the ``metadata`` keys that tell one of its messages from another: those whose value changes
    between its rows, and those named as a message id or a time (``message_id``, ``ts``, ``created_at``) whose
    value changes within some thread of the file (a conversation held in one minute still has per-message
    times). A key the same on every row of its conversation, and never changing in any (a CSAT score, a
    thumbs, a channel, a conversation's start time repeated on each row), is the conversation's: two bot
    messages alike in every column but it may still be two messages, so it proves no repeat. Blank cells are
    left out (a field written on one row only)."""
    values: dict[str, dict[str, set[str]]] = {}
    for _, row in rows:
        metadata = row.get("metadata") if isinstance(row, dict) else None
        if not isinstance(metadata, dict) or not isinstance(row.get("thread_id"), (str, int)):
            continue
        thread = values.setdefault(str(row["thread_id"]), {})
        for key, value in metadata.items():
            if value not in (None, "") and value != {}:
                thread.setdefault(key, set()).add(json.dumps(value, sort_keys=True, default=str))
    varying = {thread: frozenset(key for key, seen in keys.items() if len(seen) > 1) for thread, keys in values.items()}
    named = frozenset(key for keys in varying.values() for key in keys if is_message_id(key) or _TIME_NAME.search(key))
    return {thread: keys | named for thread, keys in varying.items()}


def _own_fields(row: dict[str, Any], own: frozenset[str]) -> bool:
    # `time` is mapped by the user as each message's send time: the message's own by what it says.
    metadata = row.get("metadata")
    return row.get(TIME_KEY) not in (None, "") or isinstance(metadata, dict) and any(
        metadata.get(key) not in (None, "") for key in own)


def _id_clash(row: dict[str, Any], thread: str, text: str, number: int,
              ids: dict[tuple[str, str, Any], tuple[int, str]], source: str, own: frozenset[str]) -> DatasetError | None:
    metadata = row.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, value in metadata.items():
        # A `run_id` the same on every row of every conversation is a trace's id, not a message's: no clash.
        if not is_message_id(key) or key not in own or value in (None, "") or not isinstance(value, (str, int)):
            continue
        first, first_text = ids.setdefault((thread, key, value), (number, text))
        if first_text != text:
            return DatasetError(f"message id {value!r} is line {first}'s too, with other content: an export writes a "
                                f"message once, so keep the row that is right (rows the same in every column are "
                                f"dropped as repeats; {RECIPE})", file=source, line=number, field=f"metadata.{key}")
    return None


def _repeat_note(pairs: list[tuple[int, int]], source: str, what: str) -> DatasetError:
    n = len(pairs)
    listed = ", ".join(f"line {line} (= line {first})" for line, first in pairs[:SHOWN]) + (
        f" and {n - SHOWN} more" if n > SHOWN else "")
    return DatasetError(f"{n} row{'s' if n != 1 else ''} the same as an earlier row of {'their' if n != 1 else 'its'} "
                        f"conversation in every column, {what}: {listed}", file=source, line=pairs[0][0])


def parsed_time(value: Any, numbers: bool = True) -> float | None:
    """``value`` as seconds (a date-time, an ISO 8601 text, or with ``numbers`` a number or numeric text: epoch
    seconds or any increasing count), else None. A date-time without a zone is read as UTC, so all compare."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if numbers and math.isfinite(value) else None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _ISO.match(text):
        try:
            return parsed_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return None
    if numbers:
        try:
            return parsed_time(float(text))
        except ValueError:
            return None
    return None


def newest_first(threads: Iterable[Any]) -> bool:
    """Whether more of the threads' times (LongThread.times) run down than up, first row to last: a newest-first
    export, whose messages sent at one time are newest-first too."""
    down = up = 0
    for thread in threads:
        ends = [parsed_time(value) for value in (thread.times[:1] + thread.times[-1:])]
        if len(ends) == 2 and None not in ends and ends[0] != ends[1]:
            down, up = down + (ends[0] > ends[1]), up + (ends[0] < ends[1])
    return down > up


def order_by_time(turns: list[dict[str, Any]], lines: list[int], times: list[Any], thread: str, source: str,
                  reverse_first: bool = False) -> None:
    """Order a thread's ``turns`` (and their ``lines``) by their ``times``, in place. Ties keep the export's own
    order, read the way its times run (``reverse_first``: :func:`newest_first`): a newest-first export is first
    turned around, so its messages sent in one minute are not read backwards. A missing or unreadable time is
    refused at its row."""
    keys = []
    for value, line in zip(times, lines):
        if value is None or value == "":
            raise DatasetError(f"empty (thread {thread!r} is ordered by its rows' `{TIME_KEY}`: each row needs one)",
                               file=source, line=line, field=TIME_KEY)
        key = parsed_time(value)
        if key is None:
            raise DatasetError(f"{value!r} is no time: write an ISO 8601 date-time (2026-11-01T10:00:00Z) or a "
                               f"number (epoch seconds)", file=source, line=line, field=TIME_KEY)
        keys.append(key)
    order = list(range(len(turns)))
    if reverse_first:
        order.reverse()
    order.sort(key=lambda i: keys[i])
    turns[:] = [turns[i] for i in order]
    lines[:] = [lines[i] for i in order]


def time_keys(rows: Iterable[tuple[int, Any]], per_message: Iterable[str]) -> list[str]:
    """The per-message ``metadata`` keys holding times in every row that has one: date-times, or numbers under
    a name that says time (``ts``, ``created_at``)."""
    candidates = {key: bool(_TIME_NAME.search(key)) for key in per_message if not is_message_id(key)}
    found = dict.fromkeys(candidates, False)
    for _, row in rows:
        metadata = row.get("metadata") if isinstance(row, dict) else None
        if not isinstance(metadata, dict):
            continue
        for key in [key for key in candidates if metadata.get(key) not in (None, "")]:
            if parsed_time(metadata[key], numbers=candidates[key]) is None:
                del candidates[key]
            else:
                found[key] = True
    return [key for key in candidates if found[key]]


def time_warning(threads: Iterable[Any], keys: list[str], source: str,
                 columns: Mapping[str, str]) -> DatasetError | None:
    """One note when, in any thread (a LongThread, before its reply is taken off), a time key of ``keys`` goes
    down from one row to the next: the first such row, and how many threads do."""
    first: tuple[int, str, str, Any, Any, int] | None = None
    count = 0
    for thread in threads:
        hit = next((found for key in keys if (found := _goes_down(thread, key))), None)
        if hit is not None:
            count += 1
            first = first or (hit[0], thread.thread_id, *hit[1:])
    if first is None:
        return None
    line, thread_id, key, value, earlier, earlier_line = first
    column = columns.get(f"metadata.{key}", f"metadata.{key}")
    more = f" (and in {count - 1} more conversation{'s' if count != 2 else ''})" if count > 1 else ""
    return DatasetError(f"conversation {thread_id!r} goes back in time here ({value} after {earlier} at line "
                        f"{earlier_line}){more}: rows are read in file order, so a reply may be graded against the "
                        f"wrong message; to order each conversation by this column, map it as `{TIME_KEY}` in the "
                        f"eval file (dataset: {{columns: {{{TIME_KEY}: {column}}}}}) ({RECIPE})", file=source,
                        line=line, field=f"metadata.{key}")


def _goes_down(thread: Any, key: str) -> tuple[int, str, Any, Any, int] | None:
    previous: tuple[float, Any, int] | None = None
    for turn, line in zip(thread.data["turns"], thread.lines):
        value = (turn.get("metadata") or {}).get(key)
        seconds = parsed_time(value)
        if seconds is None:
            continue
        if previous is not None and seconds < previous[0]:
            return line, key, value, previous[1], previous[2]
        previous = (seconds, value, line)
    return None
