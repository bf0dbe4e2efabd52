"""Scripted pairwise judges and small run directories for the pairwise tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.datasets.schema import Case
from harness.models.base import GenerateConfig, Message
from harness.records.schema import ErrorInfo, HashedRef, Manifest, Record
from harness.records.store import atomic_write_text, write_manifest

_REPLY = re.compile(r"<<<DATA-(\w+) reply-(\d)\n(.*?)\n>>>END-\1 reply-\2", re.DOTALL)


def shown(messages: list[Message]) -> tuple[str, str]:
    """The replies the judge was shown, in position order (Reply 1, Reply 2)."""
    found = {number: text for _, number, text in _REPLY.findall(messages[-1].content)}
    return found["1"], found["2"]


def criterion_of(messages: list[Message]) -> str:
    return re.search(r"Criterion `(\w+)`", messages[-1].content).group(1)


def answer(winner: str, reason: str = "because") -> str:
    return json.dumps({"reason": reason, "winner": winner})


def always_first(messages: list[Message], config: GenerateConfig) -> str:
    """A judge with pure position bias: whatever is shown first wins."""
    return answer("1", "the first one")


def prefers(word: str):
    """A consistent judge: the reply containing ``word`` wins, whatever its position; otherwise a tie."""
    def judge(messages: list[Message], config: GenerateConfig) -> str:
        first, second = shown(messages)
        if (word in first) == (word in second):
            return answer("tie")
        return answer("1" if word in first else "2")
    return judge


def case(case_id: str, persona: str = "angry", **expectations) -> Case:
    return Case(id=case_id, persona=persona, category="billing",
                turns=[{"role": "customer", "content": f"complaint {case_id}: I was charged twice!"}],
                context={"refund_window_days": 30, "currency": "EUR"}, expectations=expectations)


def manifest(candidates: list[str], dataset_sha: str = "d" * 64, judge: dict | None = None,
             rubric: dict | None = None, candidate_specs: list[dict] | None = None) -> Manifest:
    return Manifest(harness_version="0.1.0", eval_name="synthetic", eval_file=HashedRef(path="e.yaml", sha256="e" * 64),
                    eval_spec={}, dataset={"path": "d.jsonl", "sha256": dataset_sha, "n_cases": 1, "n_selected": 1},
                    rubric=rubric, judge=judge,
                    candidates=candidate_specs or [{"name": c, "kind": "recorded"} for c in candidates],
                    checks={}, started_at="2024-01-01T00:00:00+00:00", status="complete")


def write_run(path: Path, replies: dict[str, dict[str, str | None]], cases: list[Case], **manifest_fields) -> Path:
    """A run directory: ``replies`` is candidate → case id → reply (None: a case error)."""
    path.mkdir(parents=True, exist_ok=True)
    write_manifest(path, manifest(list(replies), **manifest_fields))
    records = []
    for candidate, by_case in replies.items():
        for case_id, reply in by_case.items():
            error = ErrorInfo(kind="server_error", message="500") if reply is None else None
            records.append(Record(case_id=case_id, candidate=candidate, reply=reply, error=error,
                                  reply_source=None if reply is None else "recorded"))
    atomic_write_text(path / "records.jsonl", "".join(r.model_dump_json() + "\n" for r in records))
    atomic_write_text(path / "cases.jsonl", "".join(c.model_dump_json() + "\n" for c in cases))
    return path
