"""Text no UTF-8 file can hold, refused at the row and field that holds it.

Split out of :mod:`harness.datasets.loader`: a JSONL line (:func:`~harness.datasets.loader._decode_json_line`)
and a table row (:func:`~harness.datasets.table_rows._case_shaped`) are both walked for it. A
``"\\ud83e"`` escape without its pair, or Parquet bytes that are not UTF-8, would validate as a case,
then fail when the dataset is hashed or a record written, without naming the row.
"""

from __future__ import annotations

from typing import Any

from harness.config.yamlfile import format_loc
from harness.errors import DatasetError

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


def _utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
