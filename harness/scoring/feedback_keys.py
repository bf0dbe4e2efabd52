"""The eval file's ``feedback:``: case fields holding what the customer said of the conversation.

    feedback: [metadata.csat, metadata.thumbs=up, metadata.escalated=yes]

A production export often carries the customer's own verdict on the conversation: a CSAT score (1-5), a thumbs
up or down, "resolved" yes/no, an escalation flag. Mapped as ``metadata.<name>`` columns, they are case fields;
``feedback:`` names them, and the scorecard summarises each and sets every check and criterion against it
(:mod:`harness.scoring.feedback`).

- A key is **numeric** (a mean) when most of the cases that have it hold a number (a CSV's "4" too); its few
  other values ("n/a", "skipped") are left out of the mean and said once, with their case ids. Otherwise it is
  **categorical** (the share of each value).
- ``=value`` names the value whose share is compared (``metadata.thumbs=up``); without it, a categorical key
  follows the first value of :data:`POSITIVE` it holds (``up``, ``yes``, ``true``...), else its most frequent.
  Values told apart only by case or surrounding spaces are one (:mod:`harness.scoring.feedback_values`).
- A numeric key and its ``=value`` (``metadata.csat`` and ``metadata.csat=5``, CSAT's top box) are two
  measures of one field: both may be named; the same entry twice may not.
  Which value is *good* is the user's call (``escalated=yes`` is bad news): the scorecard names the value it
  counts, never calls it good.

Like ``breakdowns``, the values are read from the cases when the run starts and kept in the manifest
(``dataset.feedback``: each value's case ids), so a scorecard made again from the run directory needs no
dataset. Unlike a breakdown, a key no case has is warned of, not refused: a week's export without a survey
answer is still a week to grade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harness.checks.custom_refs import Reference, filled_names, lookup, parse
from harness.scoring.feedback_values import fold, folded, folded_note, look_alike_note, look_alikes
from harness.scoring.fields import number_key

MAX_FEEDBACK = 10  # each key is a table per candidate
NUMBER, CATEGORY = "number", "category"
# Values read as the favourable one of a two-sided answer, in order of preference; compared lower-cased.
POSITIVE = ("up", "thumbs_up", "👍", "yes", "true", "y", "positive", "good", "resolved", "satisfied", "1")
SHOWN_IDS = 5


@dataclass(frozen=True)
class FeedbackKey:
    """One entry of ``feedback:``: the case field and, with ``=value``, the value whose share is compared."""

    field: str
    value: str | None = None

    @property
    def written(self) -> str:
        return self.field + (f"={self.value}" if self.value is not None else "")


def parse_key(entry: str) -> FeedbackKey:
    """``metadata.thumbs=up`` as a key; ValueError, worded for the eval file, when it names no metadata field."""
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError("name a case field: metadata.<key> (e.g. metadata.csat), optionally =value")
    field, eq, value = entry.strip().partition("=")
    field, value = field.strip(), value.strip()
    if eq and not value:
        raise ValueError(f"{entry.strip()!r}: name the value after '=' (metadata.thumbs=up), or leave '=' out")
    if not field.startswith("metadata.") or field == "metadata.":
        raise ValueError(f"{field!r}: feedback is a metadata field of the case (metadata.csat: map the export's "
                         f"column in dataset.columns, as `metadata.csat: csat`)")
    reference(field)
    return FeedbackKey(field, value if eq else None)


def reference(field: str) -> Reference:
    try:
        parts = parse("{{ " + field + " }}")
    except ValueError:
        parts = []
    if len(parts) != 1 or not isinstance(parts[0], Reference):
        raise ValueError(f"{field!r}: not a field name (metadata.<key>, letters, digits and _)")
    return parts[0]


def checked_feedback(entries: list[str]) -> list[str]:
    """The eval file's ``feedback``, trimmed; each entry that is no metadata field refused at its own line
    (``feedback[1]``), as is an entry named twice and more than :data:`MAX_FEEDBACK`. A field may be named
    with and without ``=value`` (a CSAT's mean and its top box: two measures)."""
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

    problems, seen = [], {}
    for index, entry in enumerate(entries):
        try:
            key = parse_key(entry)
            same = (key.field, named_value(key))  # metadata.thumbs=Up is metadata.thumbs=up; csat=5.0 is csat=5
            if same in seen:
                raise ValueError(f"{key.written} named twice (as feedback[{seen[same]}])")
            seen[same] = index
        except ValueError as exc:
            problems.append(InitErrorDetails(type=PydanticCustomError("value_error", str(exc)), loc=(index,),
                                             input=entry))
    if len(entries) > MAX_FEEDBACK:
        raise ValueError(f"{len(entries)} feedback keys: at most {MAX_FEEDBACK} (each is a table per candidate)")
    if problems:
        raise ValidationError.from_exception_data("feedback", problems)
    return [entry.strip() for entry in entries]


def feedback_keys(spec_value: Any) -> list[FeedbackKey]:
    """The keys of a manifest's ``eval_spec["feedback"]`` (none for a run made before there were any)."""
    if not isinstance(spec_value, list):
        return []
    keys = []
    for entry in spec_value:
        try:
            keys.append(parse_key(entry))
        except ValueError:
            continue  # refused when the eval was loaded; an edited manifest is not worth failing a report
    return keys


def case_feedback(ref: Reference, case: Any) -> tuple[str, bool] | None:
    """The case's value at ``ref`` and whether it is a number; None where it has none (absent, blank, a list)."""
    value = lookup(ref, case)
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, (int, float)):
        return (number_key(float(value)), True) if math.isfinite(value) else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    number = as_number(text)
    return (number_key(number), True) if number is not None else (text, False)


def as_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def feedback_values(entries: Iterable[str], cases: Iterable[Any]) -> dict[str, dict[str, list[str]]]:
    """The manifest's ``dataset.feedback``: per key's field, ``{value: [case ids]}`` (most cases first)."""
    keys = [parse_key(entry) for entry in entries]
    found: dict[str, dict[str, list[str]]] = {key.field: {} for key in keys}
    refs = {key.field: reference(key.field) for key in keys}
    for case in cases:
        for field, ref in refs.items():
            value = case_feedback(ref, case)
            if value is not None:
                found[field].setdefault(value[0], []).append(case.id)
    return {field: dict(sorted(values.items(), key=lambda item: (-len(item[1]), item[0])))
            for field, values in found.items()}


def key_kind(key: FeedbackKey, values: dict[str, list[str]]) -> str:
    """``number`` when more cases hold a number than not (and no ``=value`` is named), else ``category``."""
    if key.value is not None:
        return CATEGORY
    numeric = sum(len(ids) for value, ids in values.items() if as_number(value) is not None)
    other = sum(len(ids) for value, ids in values.items() if as_number(value) is None)
    return NUMBER if numeric > other else CATEGORY


def counted_value(key: FeedbackKey, values: dict[str, list[str]]) -> str | None:
    """The value whose share a categorical key compares: the one named, else a favourable one, else the most
    frequent (``values`` is most frequent first)."""
    if key.value is not None:
        return named_value(key)
    lowered = {value.lower(): value for value in values}
    return next((lowered[word] for word in POSITIVE if word in lowered), next(iter(values), None))


def named_value(key: FeedbackKey) -> str | None:
    """The ``=value`` as the stored values write it: ``5.0`` as ``5`` (a CSV's "5" and a JSON 5 are one value)."""
    if key.value is None:
        return None
    number = as_number(key.value)
    return number_key(number) if number is not None else fold(key.value)


def not_numbers(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """A numeric key's values that are no number, with their case ids: left out of its mean."""
    return {value: ids for value, ids in values.items() if as_number(value) is None}


def feedback_warnings(loaded: Any, cases: list[Any]) -> list[str]:
    """A line (``eval.yaml:9: feedback[0]: ...``) per key no case has (with a did-you-mean), per numeric key's
    values that are no number (once, with their case ids), per ``=value`` no case holds, per categorical key
    whose values were folded together or look like one answer written differently. Said by ``harness
    validate`` and before a run's first call; none stops the run."""
    entries = loaded.spec.feedback or []
    if not entries:
        return []
    stored = feedback_values(entries, cases)
    lines = []
    for index, entry in enumerate(entries):
        key = parse_key(entry)
        problems = _problems(key, stored[key.field], loaded.spec.dataset_file, cases)
        lines += [loaded.error(problem, "feedback", index).one_line() for problem in problems]
    return lines


def _problems(key: FeedbackKey, raw: dict[str, list[str]], source: str, cases: list[Any]) -> list[str]:
    if not raw:
        return [_no_case_has(key, source, cases)]
    values = folded(raw)
    problem = _problem(key, values.values)
    if key_kind(key, values.values) == NUMBER:
        return [problem] if problem else []
    counted = counted_value(key, values.values)
    notes = [problem, folded_note(key.field, values.spellings),
             look_alike_note(key.field, look_alikes(values.values), values.values, counted)]
    return [note for note in notes if note]


def _problem(key: FeedbackKey, values: dict[str, list[str]]) -> str | None:
    if key_kind(key, values) == NUMBER:
        odd = not_numbers(values)
        if not odd:
            return None
        n = sum(len(ids) for ids in odd.values())
        listed = "; ".join(f"{value!r} ({_ids(ids)})" for value, ids in odd.items())
        total = sum(len(ids) for ids in values.values())
        verb = "is not a number and is" if n == 1 else "are not numbers and are"
        return f"{key.field}: {n} of the {total} values {verb} left out of its mean, counted as missing: {listed}"
    if key.value is not None and named_value(key) not in values:
        from harness.config.yamlfile import did_you_mean

        have = ", ".join(list(values)[:20])
        hint = did_you_mean(key.value, list(values))
        return f"no case has {key.field} = {key.value!r}{hint} (its values: {have}): its share will read 0"
    return None


def _no_case_has(key: FeedbackKey, source: str, cases: list[Any]) -> str:
    from harness.config.yamlfile import did_you_mean

    have = filled_names("metadata", cases)
    keys = {name.split(".", 1)[-1]: name for name in have}
    hint = did_you_mean(key.field.split(".", 1)[-1], keys, show=lambda name: keys[name]) if have else ""
    listed = ", ".join(have[:20]) + (f" and {len(have) - 20} more" if len(have) > 20 else "")
    return (f"no case of {source} has a value at {key.field} (the cases have {listed or 'no metadata'}){hint}; "
            f"the scorecard will count it missing on every case")


def _ids(ids: list[str]) -> str:
    more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return ", ".join(ids[:SHOWN_IDS]) + more
