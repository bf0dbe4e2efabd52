"""max_latency_ms and max_cost_usd in a run: they read the record's responder call, and say n/a where there is
no honest measure (a recorded reply; latency of an answer from the cache)."""

from __future__ import annotations

import asyncio
import textwrap

from harness.candidates.responders import Reply
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case
from harness.models.base import ModelResponse, Usage
from harness.models.fake import register_fake
from harness.records.schema import CallStats
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.runner.evaluate import evaluate_case

CHECKS = """\
checks:
  - {name: fast_enough, type: max_latency_ms, value: 60000}
  - {name: cheap_enough, type: max_cost_usd, value: 0.002}
  - {name: cites_max_refund, type: contains, value: '{{ context.max_refund }}'}
"""


def test_evaluate_case_hands_the_responder_call_to_the_checks():
    class Timed:
        name = "bot"

        async def respond(self, case, sample=0):
            stats = CallStats(usage=Usage(cost_usd=0.004), latency_s=2.5, calls=1)
            return Reply(text="ok", source="model", stats=stats)

    checks = [build_custom_check(CustomCheckSpec(name=n, type=t, value=v), lambda raw: None)
              for n, t, v in (("fast", "max_latency_ms", 2000), ("cheap", "max_cost_usd", 0.002))]
    case = Case(id="c", turns=[{"role": "customer", "content": "hi"}])
    record = asyncio.run(evaluate_case(case, Timed(), checks, None))
    assert record.checks["fast"].data == {"latency_ms": 2500.0, "limit_ms": 2000.0}
    assert record.checks["cheap"].passed is False and record.checks["cheap"].data["cost_usd"] == 0.004


def _priced(messages, config):
    return ModelResponse(text="We can refund up to 50 dollars.", usage=Usage(prompt_tokens=10, completion_tokens=7,
                                                                              cost_usd=0.001))


def test_a_run_a_cached_rerun_and_recorded_replies(project):
    register_fake("priced", _priced)
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(textwrap.dedent("""\
        name: calls
        dataset: cases.jsonl
        candidates:
          - name: v2
            recorded: v2
          - name: priced
            model: fake/priced
            prompt: "Be brief."
        """) + CHECKS)

    def records(out):
        run_eval("eval.yaml", RunOptions(out=project["dir"] / out))
        return {(r.candidate, r.case_id): r.checks for r in iter_records(project["dir"] / out)}

    first = records("a")
    live = first[("priced", "c1")]
    assert live["fast_enough"].passed is True and live["fast_enough"].data["latency_ms"] >= 0
    assert live["cheap_enough"].passed is True and live["cheap_enough"].data["cost_usd"] == 0.001
    assert live["cites_max_refund"].passed is True  # c1's max_refund is 50
    recorded = first[("v2", "c1")]
    assert recorded["fast_enough"].passed is None and "recorded" in recorded["fast_enough"].detail
    assert recorded["cheap_enough"].passed is None and "recorded" in recorded["cheap_enough"].detail
    assert first[("priced", "c3")]["cites_max_refund"].passed is None  # c3 has no max_refund
    assert first[("priced", "c3")]["cites_max_refund"].detail == "does not apply: the case has no context.max_refund"

    cached = records("b")[("priced", "c1")]
    assert cached["fast_enough"].passed is None and "from the cache" in cached["fast_enough"].detail
    assert cached["cheap_enough"].passed is True and "from the cache" in cached["cheap_enough"].detail
