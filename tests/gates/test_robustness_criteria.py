"""``gates.robustness`` holds judge criteria's paired falls too (fix_left4a): a pass/fail criterion's in its pass
rate, a 1-5 one's as a share of its scale, with ``max_drop_criteria`` for the criteria's own limit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from harness.gates.robustness import robustness_gate
from harness.gates.spec import GatesSpec
from harness.scoring.schema import CandidateScores, PairedShift, RobustnessKind

SCALES = {"tone": "1-5", "names_order": "pass_fail"}


def _scores(criteria: dict[str, PairedShift], checks: dict[str, PairedShift] | None = None) -> CandidateScores:
    row = RobustnessKind(n_pairs=10, checks=checks or {}, criteria=criteria)
    return CandidateScores(name="bot", robustness={"shout": row})


def test_a_scaled_criterions_fall_is_a_share_of_its_scale():
    # 4.2 -> 3.4: 0.8 points, 20% of the 1-5 scale's 4 points; past 10%, within 25%.
    scores = _scores({"tone": PairedShift(n=10, original=4.2, variant=3.4, diff=-0.8)})
    gate = robustness_gate("bot", scores, 0.10, SCALES)
    assert not gate.passed
    assert gate.detail == ("1 fall beyond the 10 pp allowed (0.40 points on a 1-5 criterion): criterion tone falls "
                           "0.80 points (20% of its scale) on shout variants (4.20 → 3.40 over 10 pairs)")
    assert robustness_gate("bot", scores, 0.25, SCALES).passed


def test_a_pass_fail_criterion_falls_in_points_as_a_check_does_and_both_are_named():
    scores = _scores({"names_order": PairedShift(n=10, original=0.9, variant=0.6, diff=-0.3)},
                     {"apology": PairedShift(n=10, original=0.8, variant=0.6, diff=-0.2)})
    gate = robustness_gate("bot", scores, 0.10, SCALES)
    assert gate.detail == ("2 falls beyond the 10 pp allowed: criterion names_order falls 30 pp on shout variants "
                           "(90% → 60% over 10 pairs); check apology falls 20 pp on shout variants (80% → 60% over "
                           "10 pairs)")


def test_max_drop_criteria_sets_the_criteria_own_limit():
    scores = _scores({"tone": PairedShift(n=10, original=4.2, variant=3.4, diff=-0.8)},
                     {"apology": PairedShift(n=10, original=0.8, variant=0.75, diff=-0.05)})
    loose = robustness_gate("bot", scores, 0.10, SCALES, max_drop_criteria=0.25)
    assert loose.passed and loose.detail.startswith("largest fall: criterion tone falls 0.80 points")
    assert "within the 10 pp allowed a check, 25 pp a criterion (1.00 points on a 1-5 criterion)" in loose.detail
    # 1 leaves criteria ungated: no fall of a share can pass 100%.
    assert robustness_gate("bot", _scores({"tone": PairedShift(n=2, original=5, variant=1, diff=-4)}), 0.1,
                           SCALES, max_drop_criteria=1).passed
    strict = robustness_gate("bot", scores, 0.10, SCALES, max_drop_criteria=0.05)
    assert not strict.passed and "criterion tone" in strict.detail and "apology" not in strict.detail


def test_criteria_pairs_alone_measure_the_gate_and_an_unknown_scale_is_left_out():
    gate = robustness_gate("bot", _scores({"tone": PairedShift(n=3, original=4.0, variant=4.0, diff=0.0)}), 0.1, SCALES)
    assert gate.passed and gate.measured
    unknown = robustness_gate("bot", _scores({"tone": PairedShift(n=3, original=4.0, variant=1.0, diff=-3.0)}), 0.1, {})
    assert unknown.passed and not unknown.measured


def test_the_spec_takes_max_drop_criteria_in_0_1():
    spec = GatesSpec.model_validate({"robustness": {"max_drop": 0.1, "max_drop_criteria": 0.2}})
    assert spec.robustness.max_drop_criteria == 0.2
    assert GatesSpec.model_validate({"robustness": {"max_drop": 0.1}}).robustness.max_drop_criteria is None
    with pytest.raises(ValidationError):
        GatesSpec.model_validate({"robustness": {"max_drop": 0.1, "max_drop_criteria": 20}})


def test_a_fall_over_one_pair_is_named_after_falls_over_many():
    # A single case's own criterion fell 100 pp over its one pair; it led the message, ahead of a check's
    # 75 pp over forty pairs, which is the fall a reader should see first.
    scores = _scores({"names_order": PairedShift(n=1, original=1.0, variant=0.0, diff=-1.0)},
                     {"positive_language": PairedShift(n=40, original=0.9, variant=0.15, diff=-0.75)})
    detail = robustness_gate("bot", scores, 0.10, SCALES).detail
    assert detail.index("check positive_language falls 75 pp") < detail.index("criterion names_order falls 100 pp")


def test_max_drop_criteria_1_says_the_criteria_are_not_gated():
    # It read "100 pp a criterion (4.00 points on a 1-5 criterion)", a limit no fall can pass.
    scores = _scores({"tone": PairedShift(n=10, original=4.2, variant=1.0, diff=-3.2)},
                     {"apology": PairedShift(n=10, original=0.8, variant=0.75, diff=-0.05)})
    gate = robustness_gate("bot", scores, 0.10, SCALES, max_drop_criteria=1)
    assert gate.passed and "tone" not in gate.detail
    assert gate.detail.endswith("within the 10 pp allowed a check; judge criteria not gated (their limit is 100%)")
