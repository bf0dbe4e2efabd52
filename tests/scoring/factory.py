"""Hand-made records and manifests for scoring and report tests."""

from __future__ import annotations

from harness.checks.base import CheckResult, Span
from harness.models.base import Usage
from harness.records.schema import CallStats, CriterionResult, ErrorInfo, HashedRef, Manifest, Record

NOTICE = "The embedded model is tiny: its scores only show the pipeline working."
CRITERIA = {"empathy": {"scale": "1-5", "pass_threshold": 4, "applies_when": "always"},
            "boundary": {"scale": "pass_fail", "pass_threshold": 4, "applies_when": "boundary_required"}}


def manifest(candidates: tuple[str, ...] = ("bot_v1", "bot_v2"), notices: list[str] | None = None) -> Manifest:
    return Manifest(harness_version="0.1.0", eval_name="smoke", eval_file=HashedRef(path="e.yaml", sha256="e" * 64),
                    eval_spec={}, dataset={"path": "d.jsonl", "sha256": "d" * 64, "n_cases": 4, "n_selected": 4},
                    rubric={"id": "support", "version": "1", "sha256": "r" * 64, "criteria": CRITERIA},
                    judge={"name": "fake/judge"}, candidates=[{"name": c} for c in candidates],
                    checks={"apology_wording": "1", "no_contradiction": "1"},
                    started_at="2024-01-01T00:00:00+00:00", finished_at="2024-01-01T00:05:00+00:00",
                    status="complete", notices=[NOTICE] if notices is None else notices)


def score(value: float, threshold: float = 4) -> CriterionResult:
    return CriterionResult(score=value, passed=value >= threshold, reason=f"scored {value}")


def judge_error(kind: str = "judge_output") -> CriterionResult:
    return CriterionResult(error=ErrorInfo(kind=kind, message="junk", attempts=3))


def check(passed: bool | None, form: str | None = None, evidence: list[Span] | None = None) -> CheckResult:
    return CheckResult(passed=passed, detail="because", data={"form": form} if form else {},
                       evidence=evidence or [])


def record(case_id: str, candidate: str = "bot_v1", *, persona: str | None = "angry", category: str | None = "billing",
           judge: dict | None = None, checks: dict | None = None, error: str | None = None,
           latency: float = 1.0, cost: float | None = None, cache_hits: int = 0, reply: str = "We apologize.") -> Record:
    usage = Usage(prompt_tokens=10, completion_tokens=5, cost_usd=cost)
    if error is not None:
        return Record(case_id=case_id, candidate=candidate, persona=persona, category=category,
                      error=ErrorInfo(kind=error, message="boom"))
    return Record(case_id=case_id, candidate=candidate, persona=persona, category=category, reply=reply,
                  reply_source="model", checks=checks or {}, judge=judge or {},
                  responder=CallStats(usage=usage, latency_s=latency, calls=1, cache_hits=cache_hits),
                  judging=CallStats(usage=Usage(prompt_tokens=100, completion_tokens=20), latency_s=2.0,
                                    calls=len(judge or {}), cache_hits=0))


def sample_records() -> list[Record]:
    """Four bot_v1 records and two bot_v2 records covering errors, n/a and breakdowns."""
    return [
        record("c1", judge={"empathy": score(5), "boundary": score(1, 1)},
               checks={"apology_wording": check(True, "apologize"), "no_contradiction": check(True)},
               latency=1.0, cost=0.01),
        record("c2", persona="abusive", judge={"empathy": score(3), "boundary": CriterionResult(applicable=False)},
               checks={"apology_wording": check(False, "non_apology"), "no_contradiction": check(None)},
               latency=2.0),
        record("c3", category="shipping", judge={"empathy": judge_error(), "boundary": judge_error("timeout")},
               checks={"apology_wording": check(True, "apologize"), "no_contradiction": check(False)},
               latency=3.0, cost=0.02),
        record("c4", error="rate_limit"),
        record("c1", "bot_v2", judge={"empathy": score(2)}, checks={"apology_wording": check(False, "none")},
               cache_hits=1),
        record("c2", "bot_v2", persona="abusive", judge={"empathy": score(4)},
               checks={"apology_wording": check(True, "sorry")}),
    ]
