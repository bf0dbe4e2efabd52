"""The eval file's ``breakdowns:``: which case fields the scorecard breaks results down by.

    breakdowns: [persona, category, metadata.channel, metadata.language]

``persona`` and ``category`` (the default) are on every record. Any other field (``channel``,
``metadata.<key>``, ``.<key>`` again for a nested mapping) is read from the cases when the run starts:
the manifest's ``dataset.breakdowns`` holds, per field, each value's case ids (:func:`field_groups`), so
the scorecard groups a record by its case id without the dataset, and old runs read as before.

A field no case of the dataset has is a typo: ``harness validate`` and the start of ``harness run`` refuse
it at its line, with a did-you-mean against the keys the cases do have (:func:`breakdown_problems`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from harness.checks.custom_refs import Reference, filled_names, lookup, parse

DEFAULT_BREAKDOWNS = ("persona", "category")
ON_RECORDS = ("persona", "category")  # a record carries these itself
ALLOWED_ROOTS = ("persona", "category", "channel", "metadata")
ALLOWED = "fields to break down by: persona, category, channel, metadata.<key>"
_NOT_A_GROUP = ("{name!r}: break down by persona, category, channel or metadata.<key> (a case field with a few "
                "values: a case's id, replies, context or expectations would make about one group per case)")
MAX_BREAKDOWNS = 10  # each is a table per candidate: more reads as noise, and scorecard.md has a size limit
NUMBER = "number"
TEXT = "text"


def field_reference(name: str) -> Reference:
    """``name`` as a case field reference; ValueError (worded for the eval file) when it cannot be one."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name a case field: persona, category, channel or metadata.<key>")
    if name.strip().split(".", 1)[0] in ("id", "context", "expectations", "recorded_replies"):
        raise ValueError(_NOT_A_GROUP.format(name=name.strip()))
    try:
        parts = parse("{{ " + name.strip() + " }}")
    except ValueError as exc:  # worded for a check's value: say it for a breakdown
        raise ValueError(_reworded(str(exc), name)) from None
    ref = parts[0] if len(parts) == 1 and isinstance(parts[0], Reference) else None
    if ref is None or ref.path[0] not in ALLOWED_ROOTS:
        raise ValueError(_NOT_A_GROUP.format(name=name.strip()))
    return ref


def checked_breakdowns(names: list[str]) -> list[str]:
    """The eval file's ``breakdowns``, trimmed; each entry that names no case field to group by refused at its own
    line (``breakdowns[2]``), as are a field named twice and more than :data:`MAX_BREAKDOWNS`."""
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

    problems, seen = [], set()
    for index, name in enumerate(names):
        try:
            field_reference(name)
            if name.strip() in seen:
                raise ValueError(f"{name.strip()} named twice")
        except ValueError as exc:
            problems.append(InitErrorDetails(type=PydanticCustomError("value_error", str(exc)), loc=(index,),
                                             input=name))
        seen.add(name.strip())
    if len(names) > MAX_BREAKDOWNS:
        raise ValueError(f"{len(names)} breakdowns: at most {MAX_BREAKDOWNS} (each is a table per candidate)")
    if problems:
        raise ValidationError.from_exception_data("breakdowns", problems)
    return [name.strip() for name in names]


def _reworded(message: str, name: str) -> str:
    """A reference's error (``{{ x }}: ...; write \\{{ x }} for the literal text``) as a breakdown's."""
    cut = message.split("; write \\", 1)[0].split(", or \\", 1)[0]
    cut = cut.removeprefix("{{ " + name.strip() + " }}: ")
    cut = re.sub(r"\(?(?:or another )?fields?: id, [^)]*\)", "(" + ALLOWED + ")", cut)
    return cut.replace("{{ ", "").replace(" }}", "")


def breakdown_names(spec_value: Any) -> list[str]:
    """The fields a run breaks down by: the eval file's ``breakdowns`` (trimmed), else the default."""
    if not isinstance(spec_value, list):
        return list(DEFAULT_BREAKDOWNS)
    return [name.strip() for name in spec_value if isinstance(name, str)]


def case_value(ref: Reference, case: Any) -> tuple[str, bool] | None:
    """The case's value at ``ref`` as a group key and whether it is a number; None where the case has no text
    or number there (a list, a mapping, true/false, blank text: the "(none)" group)."""
    value = lookup(ref, case)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return (number_key(float(value)), True) if math.isfinite(value) else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    number = _as_number(text)  # a CSV's CSAT column loads as text "4": still a number to group by
    return (number_key(number), True) if number is not None else (text, False)


def _as_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and text.lower() not in ("inf", "nan") else None


def number_key(value: float) -> str:
    """``4`` for 4.0, ``4.5`` for 4.5: the group's name, the same however the dataset wrote it."""
    return str(int(value)) if value.is_integer() else repr(value)


def field_groups(names: Iterable[str], cases: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The manifest's ``dataset.breakdowns``: for each field not on the records, ``{"kind": "text"|"number",
    "values": {value: [case ids]}}``, values by how many cases have them (most first, ties by name). A case without the
    field is in no list (its records go to "(none)"); a kind is ``number`` when every value is one."""
    refs = {name: field_reference(name) for name in names if name not in ON_RECORDS}
    if not refs:
        return {}
    found: dict[str, dict[str, list[str]]] = {name: {} for name in refs}
    texts: dict[str, bool] = {name: False for name in refs}
    for case in cases:
        for name, ref in refs.items():
            value = case_value(ref, case)
            if value is not None:
                found[name].setdefault(value[0], []).append(case.id)
                texts[name] = texts[name] or not value[1]
    return {name: {"kind": TEXT if texts[name] or not values else NUMBER,
                   "values": dict(sorted(values.items(), key=lambda item: (-len(item[1]), item[0])))}
            for name, values in found.items()}


def breakdown_problems(loaded: Any, cases: list[Any]) -> list[Any]:
    """A ConfigError (at ``breakdowns[i]``) for each field no case has a text or number at, naming the fields
    the cases do have (did-you-mean against them). ``cases`` are those the run evaluates; where none has the
    field, the whole dataset is read again (``--cases`` or ``limit`` may have left out the ones that have it:
    then the breakdown is only one "(none)" group in this run), as for a check's ``{{ metadata.<key> }}``."""
    unfilled = [(index, name) for index, name in enumerate(loaded.spec.breakdowns or [])
                if name not in ON_RECORDS and not _filled(name, cases)]
    if unfilled and Path(loaded.dataset_path).is_file():
        from harness.datasets.loader import load_dataset

        cases = load_dataset(loaded.dataset_path, columns=loaded.column_map).cases
        unfilled = [(index, name) for index, name in unfilled if not _filled(name, cases)]
    return [_no_case_has(loaded, index, name, cases) for index, name in unfilled]


def _filled(name: str, cases: list[Any]) -> bool:
    ref = field_reference(name)
    return any(case_value(ref, case) is not None for case in cases)


def _no_case_has(loaded: Any, index: int, name: str, cases: list[Any]) -> Any:
    from harness.config.yamlfile import did_you_mean

    have = _fields_cases_have(cases)
    keys = {key.split(".", 1)[-1]: key for key in have}
    hint = did_you_mean(name.split(".", 1)[-1], keys, show=lambda key: keys[key]) if have else ""
    listed = ", ".join(have[:20]) + (f" and {len(have) - 20} more" if len(have) > 20 else "")
    return loaded.error(f"no case of {loaded.spec.dataset_file} has a text or number at {name}, so its breakdown "
                        f"would be one group of every case (the cases have {listed or 'no metadata'}){hint}",
                        "breakdowns", index)


def _fields_cases_have(cases: list[Any]) -> list[str]:
    scalars = [root for root in ("channel",) if any(getattr(case, root, None) for case in cases)]
    return scalars + filled_names("metadata", cases)
