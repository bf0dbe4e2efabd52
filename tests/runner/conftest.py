"""A small project on disk (dataset, rubric, eval file) and scripted fake models for end-to-end runs."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from harness.models.fake import clear_fakes, register_fake

CASES = [
    {"id": "c1", "persona": "angry", "category": "parcel_delivery",
     "turns": [{"role": "customer", "content": "@shopco where is order #4411?? 3 weeks!!"},
               {"role": "customer", "content": "hello??? anyone"}],
     "recorded_replies": {"v1": "Sorry for any inconvenience.",
                          "v2": "I apologize for the delay with order #4411. I'll chase the courier today."},
     "context": {"refund_window_days": 30, "max_refund": 50, "currency": "USD"}},
    {"id": "c2", "persona": "abusive", "category": "telecom",
     "turns": [{"role": "customer", "content": "you idiots cut my line AGAIN"},
               {"role": "agent", "content": "Sorry about that, checking now ^JD"},
               {"role": "customer", "content": "useless. refund me 500 now"}],
     "recorded_replies": {"v1": "OK, I will refund $500 right away.",
                          "v2": "I understand you're frustrated. I can't refund $500, but I can credit this month."},
     "context": {"max_refund": 40}, "expectations": {"boundary_required": True}},
    {"id": "c3", "persona": "indecisive", "category": "saas_subscription",
     "turns": [{"role": "customer", "content": "not sure which plan, pro or team? <script>alert(1)</script>"}],
     "recorded_replies": {"v1": "How many people will use it?", "v2": "Team is great."},
     "expectations": {"question_expected": True}},
]


def judge_script(messages, config):
    """Answer every criterion: a higher score for replies that say 'apologize'."""
    user = messages[-1].content
    reply = user.split(" reply\n", 1)[1].split("\n>>>END-", 1)[0]
    criterion = re.search(r"Criterion `([a-z_]+)`", user).group(1)
    good = "apologize" in reply.lower()
    if '"pass" or "fail"' in user:
        return json.dumps({"reason": f"{criterion} judged", "score": "pass" if good else "fail"})
    return json.dumps({"reason": f"{criterion} judged", "score": 5 if good else 2})


def responder_script(messages, config):
    return "I apologize for the trouble. I have opened ticket 12 and will email you within 24 hours."


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    (tmp_path / "rubric.yaml").write_text(textwrap.dedent("""\
        id: mini
        version: "1"
        criteria:
          - id: apology_quality
            question: Does it apologise well?
            levels: {"1": a, "2": b, "3": c, "4": d, "5": e}
          - id: policy_compliance
            question: Within policy?
            scale: pass_fail
            use_context: true
            levels: {pass: ok, fail: no}
          - id: clarifying_questions
            question: Asks questions?
            applies_when: question_expected
            levels: {"1": a, "2": b, "3": c, "4": d, "5": e}
        """))
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        name: mini
        dataset: cases.jsonl
        candidates:
          - name: v1
            recorded: v1
          - name: v2
            recorded: v2
          - name: polite
            model: fake/responder
            prompt: "You are a {{ category or 'general' }} agent. Max refund {{ context.max_refund }}."
        checks: all
        judge:
          model: fake/judge
          rubric: rubric.yaml
        """))
    judge = register_fake("judge", judge_script)
    responder = register_fake("responder", responder_script)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    yield {"dir": tmp_path, "judge": judge, "responder": responder}
    clear_fakes()
