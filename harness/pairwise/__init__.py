"""Pairwise judging: two candidates' replies to the same complaint, judged against each other in both orders.

    from harness.pairwise import JudgeSettings, PairwiseOptions, run_pairwise, write_pairwise
    report = run_pairwise("results/a", "results/b",
                          PairwiseOptions(judge=JudgeSettings(model="openai/gpt-4o-mini",
                                                              rubric=Path("rubrics/support-reply.yaml"))))
    write_pairwise(report, "results/pairwise")

Modules, in the order data flows: ``sides`` (read runs, refuse different
complaints, pair replies), ``prompt`` (the fenced two-reply prompt),
``judge`` (one pair in both orders), ``stats`` (wins, ties, consistency,
position bias), ``notices``, ``run`` (the whole comparison), ``schema``
(``pairwise.json``), ``markdown`` and ``outputs`` (files).
"""

from harness.pairwise.outputs import load_pairwise, write_pairwise
from harness.pairwise.run import JudgeSettings, PairwiseOptions, run_pairwise, run_pairwise_async
from harness.pairwise.schema import PAIRWISE_SCHEMA_VERSION, PairwiseReport
from harness.pairwise.stats import StatsOptions

__all__ = ["JudgeSettings", "PairwiseOptions", "StatsOptions", "run_pairwise", "run_pairwise_async",
           "write_pairwise", "load_pairwise", "PairwiseReport", "PAIRWISE_SCHEMA_VERSION"]
