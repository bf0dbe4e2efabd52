"""Reading a provider's results file line by line: a bad line costs its own case at most.

Each line is read on its own. A line tied to a request of the batch (by its
``custom_id``) but not in the documented shape becomes a ``batch_error``
failure of that request, naming the file, the line and the field; a line that
cannot be tied to a request (not JSON, no known ``custom_id``) becomes a notice,
and its request, left without an answer, fails as unanswered. The other lines'
answers are kept either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.batch.requests import BatchRequest, Failure, kept_message
from harness.models.base import ModelResponse

Answer = ModelResponse | Failure
ParseLine = Callable[[dict[str, Any], BatchRequest], Answer]


class BadLine(ValueError):
    """A result line in no documented shape; ``field`` names the part that is wrong (``response.status_code``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass
class ReadLines:
    """The answers (or failures) of the lines read, by cache key, and a notice per line tied to no request."""

    answers: dict[str, Answer] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def read_lines(raw: bytes, source: str, requests: dict[str, BatchRequest], parse: ParseLine,
               read: ReadLines | None = None) -> ReadLines:
    """Every line of the results file ``source`` (``raw``), parsed by ``parse``; added to ``read`` if given."""
    read = read if read is not None else ReadLines()
    for number, text in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if text.strip():
            _read_line(text, f"{source} line {number}", requests, parse, read)
    read.notices = [kept_message(notice) for notice in read.notices]  # they quote what the provider sent
    return read


def _read_line(text: str, where: str, requests: dict[str, BatchRequest], parse: ParseLine, read: ReadLines) -> None:
    try:
        line = json.loads(text)
    except ValueError:
        read.notices.append(f"{where}: not JSON; skipped")
        return
    if not isinstance(line, dict):
        read.notices.append(f"{where}: not a JSON object; skipped")
        return
    custom_id = line.get("custom_id")
    request = requests.get(custom_id) if isinstance(custom_id, str) else None
    if request is None:
        read.notices.append(f"{where}: custom_id: {shown(custom_id)} is no request of this batch; skipped")
        return
    try:
        read.answers[request.key] = parse(line, request)
    except BadLine as bad:
        read.answers[request.key] = Failure("batch_error", f"{request.model}: {where}: {bad.field}: {bad.problem}")
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a shape no check foresaw
        read.answers[request.key] = Failure("batch_error", f"{request.model}: {where}: not a result line in the "
                                                           f"documented shape ({type(exc).__name__})")


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as JSON, cut to ``limit`` characters, for a message."""
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def an_object(line: dict[str, Any], name: str, where: str = "") -> dict[str, Any] | None:
    """``line[name]`` when it is an object, None when absent or null; BadLine otherwise."""
    value = line.get(name)
    if value is None or isinstance(value, dict):
        return value
    raise BadLine(where + name, f"not an object ({shown(value)})")
