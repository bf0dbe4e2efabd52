"""What a dataset row that is no JSON object is told: its type as JSON names it, and how to write it as cases.

Split out of :mod:`harness.datasets.loader`.
"""

from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    """``value``'s type as JSON names it (``an array``, ``a string``), not as Python does (``list``, ``str``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    for kind, name in ((dict, "an object"), (list, "an array"), (str, "a string"), ((int, float), "a number")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _not_an_object(row: Any, source: str, number: int) -> str:
    """Why a row that is no JSON object is refused, the same way on every line; an array in a JSON Lines file
    (cases pasted as an array) gets the jq command that writes them one per line."""
    problem = f"expected a JSON object, got {json_type(row)}"
    if not isinstance(row, list) or not source.lower().endswith(".jsonl"):
        return problem
    if number == 1:  # the whole file may be one array: reading it as .json is the other way out
        return (problem + ": name the file .json to read it as an array of cases, or write one case per line "
                "(jq -c '.[]' x.json > x.jsonl)")
    return problem + ": put each of its cases on a line of its own (jq -c '.[]' prints an array's items one per line)"
