"""A run with `perturb` and `gates.robustness`: a judge criterion that falls on the variants fails the gate, named
with its kind and figures (the gate held checks only before fix_left4a)."""

from __future__ import annotations

import json
import re

from harness.gates.evaluate import evaluate_gates
from harness.models.fake import register_fake
from harness.runner.engine import RunOptions, run_eval
from harness.scoring.scorecard import load_scorecard


def shout_hating_judge(messages, config):
    """Scores every criterion low on a shouted complaint (the variant's complaint is in capitals)."""
    user = messages[-1].content
    criterion = re.search(r"Criterion `([a-z_]+)`", user).group(1)
    shouted = "WHERE IS ORDER" in user or "YOU IDIOTS" in user or "NOT SURE WHICH PLAN" in user
    if '"pass" or "fail"' in user:
        return json.dumps({"reason": f"{criterion} judged", "score": "fail" if shouted else "pass"})
    return json.dumps({"reason": f"{criterion} judged", "score": 2 if shouted else 5})


def test_a_criterion_falling_on_shouted_complaints_fails_the_robustness_gate(project):
    register_fake("judge", shout_hating_judge)
    path = project["dir"] / "eval.yaml"
    path.write_text(path.read_text().replace("checks: all\n", "checks: none\nperturb: [shout]\n")
                    + "gates: {robustness: {max_drop: 0.1}}\n")
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    card = load_scorecard(result.run_dir)
    assert card.candidates["polite"].robustness["shout"].criteria["apology_quality"].diff == -3.0
    outcome = evaluate_gates(result.run_dir, manifest["eval_spec"], card)
    gate = next(g for g in outcome.gates if g.name == "max_drop robustness" and g.candidate == "polite")
    assert not gate.passed
    assert "criterion apology_quality falls 3.00 points (75% of its scale) on shout variants (5.00 → 2.00 over 3 " \
           "pairs)" in gate.detail
    assert "criterion policy_compliance falls 100 pp on shout variants (100% → 0% over 3 pairs)" in gate.detail
    # The criteria's own limit: 1 leaves them ungated (no check is selected here, so nothing else is measured).
    manifest["eval_spec"]["gates"]["robustness"]["max_drop_criteria"] = 1
    loose = evaluate_gates(result.run_dir, manifest["eval_spec"], card)
    assert next(g for g in loose.gates if g.name == "max_drop robustness" and g.candidate == "polite").passed
