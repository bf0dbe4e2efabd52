"""A candidate's setup in a few words, read from the manifest's ``candidates``: what makes its replies its own.

``openai/gpt-4o-mini (temperature 0.7, prompt prompts/v2.jinja)`` for a model candidate (its model, the
parameters the eval file sets, and its prompt's file or ``inline prompt``), ``recorded bot-v1`` for recorded
replies, ``replayed from results/run-3 (bot)`` for replies taken from another run. Settings that cannot change
a reply (concurrency, timeouts, retries, price, the key's variable) are left out, as ``harness diff``'s
setup changes (:mod:`harness.compare.setup`) leave them out, and values are shown as they show them.
Every report names its candidates this way, so runs that differ only in prompt or temperature do not look alike.

Not imported from :mod:`harness.compare.setup`: importing ``harness.compare`` loads the diff's statistics
(scipy), which scoring a run and ``harness history`` must not pay for.
"""

from __future__ import annotations

import json
from typing import Any


def candidate_setup(record: Any) -> str | None:
    """One manifest candidate record in a few words; None for a record that says nothing usable."""
    if not isinstance(record, dict):
        return None
    kind = record.get("kind")
    if kind == "recorded":
        return f"recorded {record.get('recorded')}" if record.get("recorded") else "recorded replies"
    if kind == "replayed":
        source = record.get("replies_from") or "another run"
        return f"replayed from {source}" + (f" ({record['candidate']})" if record.get("candidate") else "")
    model = record.get("model") if isinstance(record.get("model"), dict) else {}
    if kind != "model" and not model:
        return None
    params = model.get("params") if isinstance(model.get("params"), dict) else {}
    settings = [f"{key} {shown_value(value)}" for key, value in params.items() if value is not None]
    if "prompt_file" in record:  # a manifest older than prompt files says nothing of its prompt's source
        prompt = f"prompt {record['prompt_file']}" if record["prompt_file"] else "inline prompt"
        digest = record.get("prompt_sha256")
        # The text's short hash, as git shows a commit: a prompt edited in place (or one of its partials) between
        # two runs reads differently in `harness history` and on the runs page, not the same.
        settings.append(f"{prompt} {digest[:7]}" if isinstance(digest, str) and len(digest) >= 7 else prompt)
    name = model.get("name") or "model"
    return f"{name} ({', '.join(settings)})" if settings else name


def candidate_setups(records: Any) -> dict[str, str]:
    """Each named candidate's words, in the manifest's order (a record without a name or words is left out)."""
    if not isinstance(records, list):
        return {}
    found = {}
    for record in records:
        words = candidate_setup(record)
        if words and isinstance(record, dict) and record.get("name") is not None:
            found[str(record["name"])] = words
    return found


def shown_value(value: object) -> str:
    """A parameter's value in a few characters: ``0.7``, ``true``, JSON for a list or mapping; the one spelling
    of a setting for every report and for ``harness diff``'s setup changes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return f"{value:g}" if isinstance(value, float) else str(value)
