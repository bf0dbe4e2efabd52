"""Which of the calls ``harness estimate`` counts the response cache already answers.

A run serves a call from the cache when its key (model, api_base, resolved params, messages, salt) is
there. The keys of the responders' calls are known before a run: the rendered prompt and the sample's
salt. A judge call's key holds the reply it grades, so it is known only when the reply is: a recorded
or re-graded reply, or a model candidate's reply found in the cache. The keys are made with
``Model``'s own key function, so they match a run's; the cache is opened read-only and never created.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from harness.datasets.case_criteria import criteria_of
from harness.candidates.responders import thread_messages
from harness.models.base import Message

@dataclass
class CacheView:
    """A read-only look at a response cache file: which keys it holds, and their answers' text."""

    where: str
    conn: sqlite3.Connection | None = None

    @property
    def found(self) -> bool:
        return self.conn is not None

    @classmethod
    def at(cls, path: Path | None) -> "CacheView":
        from harness.errors import ConfigError
        from harness.models.cache import default_cache_path, read_only_connection

        path = Path(path) if path is not None else default_cache_path()
        if not path.is_file():
            return cls(f"{path} (none there: every call counted)")
        try:
            conn = read_only_connection(path)  # as `harness cache` reads it: no -wal/-shm left behind
        except ConfigError as exc:
            return cls(f"{path} (not read: {exc.problem}; every call counted)")
        return cls(str(path), conn)

    def __enter__(self) -> "CacheView":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()

    def holds(self, key: str) -> bool:
        return self.conn is not None and self.conn.execute(
            "SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone() is not None

    def text(self, key: str) -> str | None:
        """The cached answer's text (stripped, as a responder keeps it), or None."""
        row = self.conn.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone() \
            if self.conn is not None else None
        try:
            text = json.loads(row[0]).get("text") if row is not None else None
        except (ValueError, AttributeError):
            return None
        return text.strip() if isinstance(text, str) else None


def count_cached(estimate: Any, loaded: Any, chosen: list, cases: list, templates: dict, criteria: list,
                 judges: list[tuple[str, str, Any]], view: CacheView) -> None:
    """Fill in each of ``estimate``'s lines' ``cached`` (responders by name, judges by label)."""
    lines = {(line.role, line.label): line for line in estimate.lines}
    judge_keys = [(lines[("judge", label)], _JudgeKeys(fields, loaded.spec.judge.epochs)) for label, _, fields
                  in judges] if criteria else []
    for spec in chosen:
        replies = _replies(loaded, spec, cases, templates.get(spec.name), view, lines.get(("responder", spec.name)))
        for case, reply in replies:
            if reply is None:
                continue
            for criterion in [*criteria, *criteria_of(case)]:  # the rubric's, then the case's own
                if criterion.applies_to(case):
                    for line, keys in judge_keys:
                        line.cached += sum(view.holds(k) or view.holds(w) for k, w in keys.of(case, reply, criterion))


def _replies(loaded: Any, spec: Any, cases: list, rendered: Any, view: CacheView, line: Any) -> list[tuple]:
    """(case, the reply a judge would grade) per case and sample; the reply None when not known before the run.

    For a model candidate, counts its cached calls on ``line`` on the way."""
    from harness.runner.estimate import _given_replies, system_prompt

    if spec.kind != "model":
        reply_of = _given_replies(loaded, spec)
        return [(case, reply_of(case)) for case in cases]
    from harness.models.model import _Resolved
    from harness.runner.plan import model_spec

    resolved = _Resolved.of(_first_round_config(loaded, spec), model_spec(spec))
    found: list[tuple] = []
    for case in cases:
        messages = [Message(role="system", content=system_prompt(rendered, case)), *thread_messages(case)]
        for sample in range(spec.epochs):
            text = view.text(resolved.key(messages, f"sample:{sample}" if sample else ""))
            # With tools the first round's answer may be a call, not the reply: the judge's prompt is unknown.
            found.append((case, None if spec.tools else text))
            line.cached += text is not None
    return found


def _first_round_config(loaded: Any, spec: Any) -> Any:
    """What a responder's first call adds to its spec's params: the tools it offers, or nothing."""
    if not spec.tools:
        return None
    from harness.config.tools_spec import candidate_tools
    from harness.runner.tool_loop import tools_config

    return tools_config(candidate_tools(loaded, spec))


class _JudgeKeys:
    """The cache keys one judge model (or panellist) asks a criterion under, per judge epoch.

    A run asks with token logprobs where the judge's provider returns them, which is known only once the
    provider is built (and may import litellm): both keys are looked up, the run uses one of them."""

    def __init__(self, fields: Any, epochs: int) -> None:
        from harness.runner.plan import model_spec

        self.spec, self.epochs, self.resolved = model_spec(fields), epochs, {}

    def of(self, case: Any, reply: str, criterion: Any) -> Iterator[tuple[str, str]]:
        from harness.judges.judge import judge_salt
        from harness.judges.prompt import build_judge_messages

        plain, with_logprobs = self._configs(criterion.scale)
        messages = build_judge_messages(case, reply, criterion)
        for epoch in range(self.epochs):
            salt = judge_salt(criterion.id) + (f"|epoch:{epoch}" if epoch else "")
            yield plain.key(messages, salt), with_logprobs.key(messages, salt)

    def _configs(self, scale: str):
        if scale not in self.resolved:
            from harness.judges.judge import judge_config
            from harness.models.model import _Resolved

            config = judge_config(scale, self.spec.params)
            self.resolved[scale] = (_Resolved.of(config, self.spec),
                                    _Resolved.of(config.model_copy(update={"logprobs": True}), self.spec))
        return self.resolved[scale]
