"""The gates banner of ``report.html``, put into the written report once the run's gates are held.

A run writes ``report.html`` when it ends (its trends need the run indexed
first), before its gates are held; rendering the whole report again for a
banner would cost as much as the first time. The report leaves an empty place
between :data:`~harness.report.html.GATES_START` and ``GATES_END``;
:func:`write_gates_banner` rewrites the head of the file up to that place with
the banner and copies the rest as it is. ``harness report RUN`` does the same
from the run's ``gates.json``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.records.store import atomic_file
from harness.report.html import GATES_END, GATES_START, render_gates_banner

CHUNK = 1 << 16
HEAD_LIMIT = 1 << 22  # the place is near the top (after the notices and the title): never read further for it


def with_gates_banner(text: str, outcome) -> str:
    """``text`` (a report's HTML) with the banner of ``outcome`` in its gates place; unchanged without one."""
    start = text.find(GATES_START)
    end = text.find(GATES_END, start) if start >= 0 else -1
    if end < 0:
        return text
    return text[:start + len(GATES_START)] + render_gates_banner(outcome) + text[end:]


def write_gates_banner(path: str | Path, outcome) -> bool:
    """Put the banner of ``outcome`` into the report at ``path`` (replacing any banner there), atomically.

    Returns False, leaving the file as it is, when there is no report or it has no gates place (a
    report written before banners existed).
    """
    path = Path(path)
    if not path.exists():
        return False
    with open(path, "rb") as source:
        head = _head_through(source, GATES_END.encode())
        if head is None or GATES_START.encode() not in head:
            return False
        start = head.index(GATES_START.encode()) + len(GATES_START)
        end = head.index(GATES_END.encode(), start)
        _replace(path, head[:start] + render_gates_banner(outcome).encode("utf-8") + head[end:], source)
    return True


def _head_through(source, marker: bytes) -> bytes | None:
    """The first bytes of ``source`` up to at least ``marker`` (None when it is not in the first HEAD_LIMIT)."""
    head = b""
    while marker not in head:
        chunk = source.read(CHUNK)
        if not chunk or len(head) > HEAD_LIMIT:
            return None
        head += chunk
    return head


def _replace(path: Path, head: bytes, rest) -> None:
    """Write ``head`` then the rest of the open file ``rest`` in ``path``'s place, atomically."""
    with atomic_file(path, binary=True) as out:
        out.write(head)
        shutil.copyfileobj(rest, out, CHUNK * 16)
