"""What changed in a pair's responder setup: model, endpoint, parameters, prompt template, recorded version.

A diff says how the replies' measures moved; a reviewer also needs to know what
was changed to move them. Both runs' manifests record each candidate's settings
(``harness.runner.manifest``), and since manifest v2 the prompt template's text,
so a pair's changes are listed field by field and a changed template is shown as
a unified diff. A run made before the text was recorded names a changed prompt
by its hash only.

Settings that cannot change a reply (concurrency, timeouts, retries, price, the
key's variable name) are not listed.
"""

from __future__ import annotations

import difflib
from typing import Any

from harness.compare.schema import PromptDiff, SetupChange
from harness.scoring.setups import shown_value

# A prompt diff longer than this is cut (diff.json says so): a whole new template is not read line by line.
MAX_PROMPT_DIFF_LINES = 200
_CONTEXT_LINES = 2


def _candidate(candidates: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next((c for c in candidates if c.get("name") == name), {})


def _shown(value: object) -> str | None:
    """A setting as the change list shows it: None for unset, else as every report spells it."""
    return None if value is None else shown_value(value)


def _change(what: str, a: object, b: object) -> list[SetupChange]:
    shown_a, shown_b = _shown(a), _shown(b)
    return [] if shown_a == shown_b else [SetupChange(what=what, a=shown_a, b=shown_b)]


def _model_changes(a: dict[str, Any], b: dict[str, Any]) -> list[SetupChange]:
    found = _change("model", a.get("name"), b.get("name")) + _change("api_base", a.get("api_base"), b.get("api_base"))
    params_a, params_b = a.get("params") or {}, b.get("params") or {}
    for key in sorted(set(params_a) | set(params_b)):
        found += _change(key, params_a.get(key), params_b.get(key))
    return found


def _source(candidate: dict[str, Any]) -> str:
    """Where a model candidate's prompt came from: its file, or the eval file's inline ``prompt``."""
    return candidate.get("prompt_file") or "inline prompt"


def prompt_diff(a: str, b: str) -> PromptDiff:
    """The unified diff of two prompt templates (two lines of context), cut at :data:`MAX_PROMPT_DIFF_LINES`."""
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "A", "B", lineterm="", n=_CONTEXT_LINES))[2:]
    added = sum(line.startswith("+") for line in lines)
    removed = sum(line.startswith("-") for line in lines)
    return PromptDiff(lines=lines[:MAX_PROMPT_DIFF_LINES], added=added, removed=removed,
                      cut=len(lines) > MAX_PROMPT_DIFF_LINES)


def _prompt_changes(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[SetupChange], PromptDiff | None]:
    found = _change("prompt file", _source(a), _source(b))
    if a.get("prompt_sha256") == b.get("prompt_sha256"):
        if found:
            found[0].note = "same text"
        return found, None
    text_a, text_b = a.get("prompt_template"), b.get("prompt_template")
    if isinstance(text_a, str) and isinstance(text_b, str):
        diff = prompt_diff(text_a, text_b)
        return found + [SetupChange(what="prompt text", note=f"+{diff.added} −{diff.removed} lines")], diff
    older = " and ".join(side for side, text in (("A", text_a), ("B", text_b)) if not isinstance(text, str))
    note = f"run {older} records only its hash (an older harness)" if older else None
    return found + [SetupChange(what="prompt text", a=_short(a.get("prompt_sha256")), b=_short(b.get("prompt_sha256")),
                                note=note)], None


def _short(digest: object) -> str | None:
    return digest[:12] if isinstance(digest, str) else None


def setup_changes(candidates_a: list[dict[str, Any]], name_a: str, candidates_b: list[dict[str, Any]],
                  name_b: str) -> tuple[list[SetupChange], PromptDiff | None]:
    """How candidate ``name_b`` of run B was set up differently from ``name_a`` of run A, and its prompt diff."""
    a, b = _candidate(candidates_a, name_a), _candidate(candidates_b, name_b)
    if not a or not b:
        return [], None
    kind_a, kind_b = a.get("kind"), b.get("kind")
    if kind_a != kind_b:
        return [SetupChange(what="candidate", a=_kind_text(a), b=_kind_text(b))], None
    if kind_a == "recorded":
        return _change("recorded replies", a.get("recorded"), b.get("recorded")), None
    if kind_a == "replayed":
        return (_change("replies from run", a.get("replies_from"), b.get("replies_from"))
                + _change("replayed candidate", a.get("candidate"), b.get("candidate"))
                + _change("model", a.get("model"), b.get("model"))), None
    changes, diff = _prompt_changes(a, b)
    return _model_changes(a.get("model") or {}, b.get("model") or {}) + changes, diff


def _kind_text(candidate: dict[str, Any]) -> str:
    kind = candidate.get("kind")
    if kind == "recorded":
        return f"recorded replies {candidate.get('recorded')}"
    if kind == "replayed":
        return f"replies replayed from {candidate.get('replies_from')}"
    return f"model {(candidate.get('model') or {}).get('name')}"


def setup_text(changes: list[SetupChange]) -> str:
    """The changes in one line: ``model a → b; temperature 0.2 → 0.7; prompt text +3 −2 lines``."""
    parts = []
    for change in changes:
        if change.a is None and change.b is None:
            parts.append(f"{change.what} {change.note}" if change.note else change.what)
            continue
        moved = f"{change.what} {change.a if change.a is not None else 'unset'} → " \
                f"{change.b if change.b is not None else 'unset'}"
        parts.append(f"{moved} ({change.note})" if change.note else moved)
    return "; ".join(parts)
