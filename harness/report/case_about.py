"""What a reader of a check's result needs beside its name, and the case's inputs, for ``harness show``,
``report.html`` and ``harness export``.

A case's own check is named from its type and value, cut to a readable length (``regex_d`` for
``regex: \\$\\d+``): its name alone does not say what it asked. Its ``description`` (a promptfoo cell converted
keeps the cell there: ``promptfoo: regex: \\$\\d+``) is in the run's case snapshot (``cases.jsonl``), and
differs from case to case under one name; a check without one is said as its spec (type, value, letter case).
A check of the eval file is described only when the file gives it a ``description``: the built-in checks'
names are documented, and writing their descriptions on every record would swell a big run's report.

The case's inputs: its metadata (promptfoo's vars), flattened to ``key.sub`` names, as a spreadsheet and the
side-by-side view show them; a replayed turn's bookkeeping (thread, turn, agent turns) is left out, as the
thread's own columns and heading say it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

_CASE_SENSITIVE = ("contains", "contains_all", "not_contains", "not_contains_all", "equals", "not_equals",
                   "starts_with", "not_starts_with", "regex", "not_regex")  # phrase types that honour ignore_case
_TURN_KEYS = ("thread_id", "turn_index", "n_agent_turns")  # what turn replay adds to a turn case's metadata


def spec_words(spec: Mapping[str, Any]) -> str:
    """A check spec (as a case keeps it) in words: its ``description``, else ``regex '\\$\\d+'`` from its type
    and value, ``(case-sensitive)`` after a phrase matched with the letter case."""
    about = spec.get("description")
    if isinstance(about, str) and about.strip():
        return about.strip()
    kind, value = str(spec.get("type", "?")), spec.get("value")
    if value is None:
        return kind
    if isinstance(value, list):
        shown = ", ".join(repr(v) for v in value)
    else:
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else repr(value)
    sensitive = " (case-sensitive)" if spec.get("ignore_case") is False and kind in _CASE_SENSITIVE else ""
    return f"{kind} {shown}{sensitive}"


def case_check_about(case: Mapping[str, Any] | None) -> dict[str, str]:
    """Name -> words (:func:`spec_words`) of the case's own checks; empty for a case without any."""
    specs = case.get("checks") if isinstance(case, Mapping) else None
    if not isinstance(specs, list):
        return {}
    return {spec["name"]: spec_words(spec) for spec in specs
            if isinstance(spec, Mapping) and isinstance(spec.get("name"), str)}


def eval_check_about(eval_spec: Mapping[str, Any] | None) -> dict[str, str]:
    """Name -> ``description`` of the eval file's checks that give one (the manifest's ``eval_spec``)."""
    checks = (eval_spec or {}).get("checks")
    if not isinstance(checks, list):
        return {}
    return {c["name"]: c["description"].strip() for c in checks
            if isinstance(c, Mapping) and isinstance(c.get("name"), str)
            and isinstance(c.get("description"), str) and c["description"].strip()}


class CheckAbout:
    """Each record's checks in words: the eval file's described checks, then the case's own (by case, kept)."""

    def __init__(self, cases: Mapping[str, Mapping[str, Any]], eval_about: Mapping[str, str] | None = None) -> None:
        self.cases = cases
        self.eval_about = dict(eval_about or {})
        self._by_case: dict[str, dict[str, str]] = {}

    def of(self, case_id: str) -> dict[str, str]:
        found = self._by_case.get(case_id)
        if found is None:
            own = case_check_about(self.cases.get(case_id))
            found = self._by_case[case_id] = {**self.eval_about, **own} if own else self.eval_about
        return found


def flat_metadata(case: Mapping[str, Any] | None) -> dict[str, Any]:
    """The case's metadata, nested objects flattened to ``key.sub``, lists written as JSON text, other values as
    they are; a turn case's bookkeeping left out."""
    meta = case.get("metadata") if isinstance(case, Mapping) else None
    if not isinstance(meta, Mapping):
        return {}
    if meta.get("thread_id") is not None and isinstance(meta.get("turn_index"), int):
        meta = {k: v for k, v in meta.items() if k not in _TURN_KEYS}
    out: dict[str, Any] = {}
    _flatten(meta, "", out)
    return out


def _flatten(value: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping) and item:
            _flatten(item, f"{name}.", out)
        elif isinstance(item, (list, dict)):
            out[name] = json.dumps(item, ensure_ascii=False)
        else:
            out[name] = item


def metadata_keys(cases: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every flattened metadata key of ``cases``, in the order they first appear."""
    seen: dict[str, None] = {}
    for case in cases:
        for key in flat_metadata(case):
            seen.setdefault(key, None)
    return list(seen)


def last_customer(case: Mapping[str, Any] | None) -> str | None:
    """The case's last customer turn: the complaint a reply answers."""
    if not case:
        return None
    turns = [t.get("content", "") for t in case.get("turns") or [] if isinstance(t, dict) and t.get("role") == "customer"]
    return turns[-1] if turns else None
