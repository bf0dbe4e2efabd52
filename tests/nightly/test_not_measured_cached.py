"""A min gate on a max_latency_ms check over a run whose every reply came from the cache names the cache as
why it was not measured (review_new item 7: it read "it applied to no case", as if the check were broken)."""

from __future__ import annotations

from harness.gates.evaluate import latency_checks, minimum_gates
from harness.gates.spec import GatesSpec
from harness.scoring.schema import CallSummary, CandidateScores, CheckSummary, Scorecard

CACHED = ("not measured: every reply came from the cache, so no latency was measured (run with --no-cache to "
          "measure it) (minimum 90.0%)")


def _gate(scores, latency=frozenset({"fast"})):
    spec = GatesSpec.model_validate({"checks": {"fast": {"min": 0.9}}})
    card = Scorecard.model_construct(candidates={"gpt": scores}, checks=["fast"], criteria={})
    [gate] = minimum_gates(spec, card, ["gpt"], None, latency)
    return gate


def _scores(calls: int, cache_hits: int) -> CandidateScores:
    return CandidateScores(name="gpt", n_records=4, checks={"fast": CheckSummary(n_not_applicable=4)},
                           responder=CallSummary(calls=calls, cache_hits=cache_hits))


def test_a_cached_run_names_the_cache():
    gate = _gate(_scores(4, 4))
    assert gate.status == "not_measured" and gate.detail == CACHED


def test_other_reasons_keep_their_words():
    # recorded replies (no call) and a check that is not a latency check: nothing was cached to blame
    assert _gate(_scores(0, 0)).detail == "not measured: it applied to no case (minimum 90.0%)"
    assert _gate(_scores(4, 4), latency=frozenset()).detail == "not measured: it applied to no case (minimum 90.0%)"


def test_latency_checks_are_read_from_the_manifest_spec():
    spec = {"checks": ["all", {"name": "fast", "type": "max_latency_ms", "value": 500},
                       {"name": "cheap", "type": "max_cost_usd", "value": 0.01}]}
    assert latency_checks(spec) == {"fast"}
    assert latency_checks({"checks": "all"}) == frozenset() and latency_checks({}) == frozenset()
