"""Synthetic run directories for diff tests: a manifest, records and a case snapshot on disk."""

from __future__ import annotations

import json
from pathlib import Path

from harness.checks.base import CheckResult, Span
from harness.records.schema import CriterionResult, ErrorInfo, HashedRef, Manifest, Record
from harness.records.store import atomic_write_text, write_manifest

CRITERIA = {"empathy": {"scale": "1-5", "pass_threshold": 4, "applies_when": "always"},
            "policy": {"scale": "pass_fail", "pass_threshold": 1, "applies_when": "always"}}
CHECKS = {"apology_wording": "3", "next_step": "2", "no_contradiction": "1"}


def manifest(candidates=("bot",), *, dataset="d" * 64, rubric_version="1", judge="fake/judge",
             checks=None) -> Manifest:
    return Manifest(harness_version="0.1.0", eval_name="synthetic", eval_file=HashedRef(path="e.yaml", sha256="e" * 64),
                    eval_spec={}, dataset={"path": "d.jsonl", "sha256": dataset, "n_cases": 1, "n_selected": 1},
                    rubric={"id": "support", "version": rubric_version, "sha256": "r" * 64, "criteria": CRITERIA},
                    judge={"name": judge}, candidates=[{"name": c} for c in candidates],
                    checks=dict(CHECKS if checks is None else checks), started_at="2024-01-01T00:00:00+00:00",
                    status="complete")


def crit(score: float | None, *, error: bool = False, applicable: bool = True, reason: str = "") -> CriterionResult:
    if error:
        return CriterionResult(error=ErrorInfo(kind="judge_output", message="junk"))
    if not applicable:
        return CriterionResult(applicable=False)
    return CriterionResult(score=score, passed=score >= 4 if score is not None else None,
                           reason=reason or f"scored {score}")


def chk(passed: bool | None, reply: str = "", evidence: str | None = None) -> CheckResult:
    spans = []
    if evidence and evidence in reply:
        start = reply.index(evidence)
        spans = [Span(start=start, end=start + len(evidence), text=evidence)]
    return CheckResult(passed=passed, detail="because", evidence=spans)


def rec(case_id: str, candidate: str = "bot", *, sample: int = 0, reply: str = "We apologize.", checks=None,
        judge=None, error: bool = False, persona: str = "angry", category: str = "billing") -> Record:
    if error:
        return Record(case_id=case_id, candidate=candidate, sample=sample, persona=persona, category=category,
                      error=ErrorInfo(kind="server_error", message="500"))
    return Record(case_id=case_id, candidate=candidate, sample=sample, persona=persona, category=category,
                  reply=reply, reply_source="model", checks=checks or {}, judge=judge or {})


def write_run(path: Path, records: list[Record], man: Manifest | None = None, cases: dict | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    write_manifest(path, man or manifest(tuple(dict.fromkeys(r.candidate for r in records))))
    atomic_write_text(path / "records.jsonl", "".join(r.model_dump_json() + "\n" for r in records))
    ids = dict.fromkeys(r.case_id for r in records)
    rows = [(cases or {}).get(i) or {"id": i, "turns": [{"role": "customer", "content": f"complaint {i}"}]}
            for i in ids]
    atomic_write_text(path / "cases.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    return path
