"""Repeated sampling end to end: candidate epochs (one record per sample), judge epochs, the scorecard's
epoch summary (consistency, pass^k), and the diff clustering a case's samples."""

from __future__ import annotations

import asyncio
import json

import pytest

from harness.compare import build_diff
from harness.judges.judge import Judge
from harness.judges.rubric import load_rubric
from harness.models.base import ModelSpec
from harness.models.fake import FakeModelProvider
from harness.models.model import Model
from harness.records.schema import CallStats
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.sampling.judge_epochs import EpochJudge
from harness.scoring.scorecard import load_scorecard
from tests.nightly.conftest import BAD, DATA, GOOD, write_eval


class FlakyOnN02:
    """Disputes the customer on every third call for case n02: samples of one case disagree."""

    def __init__(self, bot) -> None:
        self.bot, self.calls = bot, 0

    def __call__(self, messages, config):
        if "billed me twice" in messages[-1].content:
            self.calls += 1
            return BAD if self.calls % 3 == 0 else GOOD
        return self.bot(messages, config)


def test_candidate_epochs_record_each_sample_and_summarize_consistency(nightly):
    project, bot = nightly
    from harness.models.fake import register_fake

    register_fake("fake/nightly-bot", FlakyOnN02(bot))
    write_eval(project, epochs="epochs: 3\n    reducer: pass^3")
    result = run_eval("nightly.yaml", RunOptions(out=project / "results/e", use_cache=False))
    records = list(iter_records(result.run_dir))
    assert len(records) == 8 * 3
    assert sorted({r.sample for r in records}) == [0, 1, 2]

    card = load_scorecard(result.run_dir)
    bot_scores = card.candidates["bot"]
    assert bot_scores.checks["no_contradiction"].pass_rate.n == 8  # one reduced record per case, not 24
    assert bot_scores.checks["no_contradiction"].pass_rate.passed == 8  # n02 passed 2 of 3: majority passes
    epochs = bot_scores.epochs
    assert (epochs.epochs, epochs.reducer, epochs.n_cases) == (3, "pass^3", 8)
    stat = epochs.checks["no_contradiction"]
    assert stat.consistency == 7 / 8
    assert stat.pass_hat_k["1"] == pytest.approx((7 + 2 / 3) / 8)
    assert stat.pass_hat_k["3"] == 7 / 8
    assert stat.reduced.mean == 7 / 8  # the reducer is pass^3
    markdown = (result.run_dir / "scorecard.md").read_text()
    assert "Consistency across epochs" in markdown and "pass^3" in markdown


def test_diff_clusters_samples_by_case(nightly):
    project, bot = nightly
    write_eval(project, epochs="epochs: 3")
    run_eval("nightly.yaml", RunOptions(out=project / "results/a", use_cache=False))
    bot.bad_cases = {"n02"}
    run_eval("nightly.yaml", RunOptions(out=project / "results/b", use_cache=False))
    row = next(r for r in build_diff(project / "results/a", project / "results/b").comparisons[0].rows
               if r.name == "no_contradiction")
    assert (row.n_cases, row.n_samples_a, row.n_samples_b) == (8, 24, 24)
    assert row.difference == -1 / 8


def _judge_model(scores):
    answers = iter(scores)
    provider = FakeModelProvider(lambda m, c: json.dumps({"reason": "r", "score": next(answers)}), "fake/j")
    return Model(provider, ModelSpec(name="fake/j"))


def _grade(judge):
    from harness.checks.base import CheckContext
    from harness.datasets.schema import Case

    case = Case.model_validate({"id": "x", "turns": [{"role": "customer", "content": "where is my order"}]})
    return asyncio.run(judge.grade(CheckContext(case=case, reply="sorry", candidate="c"), CallStats()))


def test_judge_epochs_reduce_each_criterion(tmp_path):
    rubric = load_rubric(DATA / "rubric.yaml")
    judge = EpochJudge(Judge(model=_judge_model(["pass", "fail", "fail"]), rubric=rubric), epochs=3,
                       reducer="majority")
    verdict = _grade(judge)["owns_the_problem"]
    assert (verdict.score, verdict.passed) == (0.0, False)
    assert "judge epochs: 1, 0, 0" in verdict.reason


def test_judge_epochs_ask_with_distinct_cache_salts(tmp_path):
    from harness.models.cache import ResponseCache

    rubric = load_rubric(DATA / "rubric.yaml")
    answers = iter(["pass", "fail", "pass"])
    provider = FakeModelProvider(lambda m, c: json.dumps({"reason": "r", "score": next(answers)}), "fake/j")
    model = Model(provider, ModelSpec(name="fake/j"), cache=ResponseCache(tmp_path / "c.sqlite"))
    verdict = _grade(EpochJudge(Judge(model=model, rubric=rubric), epochs=3, reducer="mean"))["owns_the_problem"]
    assert provider.calls == 3  # three epochs, three cache keys: no epoch is served another's answer
    assert verdict.score == 2 / 3 and verdict.passed is False


def test_a_per_case_rate_that_never_varies_still_has_an_interval():
    # Three cases, every sample passing: the t interval is [1, 1], certainty from three cases.
    from harness.sampling.epochs import _mean_stat
    stat = _mean_stat([1.0, 1.0, 1.0], 0.95)
    assert stat.mean == 1.0 and stat.ci is not None
    assert stat.ci.hi == 1.0 and stat.ci.lo < 0.8


def test_a_criterion_every_epoch_failed_counts_every_epochs_calls():
    # Three epochs, each asked twice (max_attempts 2), every answer junk: 6 provider calls, not the last 2.
    rubric = load_rubric(DATA / "rubric.yaml")
    provider = FakeModelProvider(lambda m, c: "not json at all", "fake/junk")
    judge = EpochJudge(Judge(model=Model(provider, ModelSpec(name="fake/junk")), rubric=rubric, max_attempts=2),
                       epochs=3)
    verdict = _grade(judge)["owns_the_problem"]
    assert verdict.error.kind == "judge_output" and verdict.error.attempts == 6
