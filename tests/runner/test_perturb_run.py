"""End-to-end runs of an eval with `perturb`: variants answered by model candidates only, paired in the scorecard."""

import json

import jsonschema
import pytest

from harness.errors import ConfigError
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.scoring.scorecard import scorecard_json_schema
from harness.scoring.scorecard import SCORECARD_SCHEMA_VERSION, load_scorecard


def _perturb(project, line="perturb: [shout, abuse, injection]\n"):
    path = project["dir"] / "eval.yaml"
    path.write_text(path.read_text().replace("checks: all\n", f"checks: all\n{line}"))


def test_variants_are_answered_by_model_candidates_only(project, capsys):
    _perturb(project)
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    records = list(iter_records(result.run_dir))
    keys = {(r.case_id, r.candidate) for r in records}
    originals = {(c, n) for c in ("c1", "c2", "c3") for n in ("v1", "v2", "polite")}
    variants = {(f"{c}~{k}", "polite") for c in ("c1", "c2", "c3") for k in ("shout", "abuse", "injection")}
    assert keys == originals | variants  # recorded candidates skip the variants
    err = capsys.readouterr().err
    assert err.count("skip the 9 perturbed variants") == 1 and "v1, v2" in err
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["dataset"]["n_selected"] == 3 and manifest["dataset"]["n_perturbed"] == 9
    snapshot = [json.loads(line) for line in (result.run_dir / "cases.jsonl").read_text().splitlines()]
    abuse = next(c for c in snapshot if c["id"] == "c1~abuse")
    assert abuse["metadata"] == {"perturbation": "abuse", "perturbed_from": "c1"}
    assert abuse["expectations"]["boundary_required"] is True and abuse["recorded_replies"] == {}
    # The injection variant's complaint is the complaint to the checks: injection_attempt finds it there.
    injected = next(r for r in records if r.case_id == "c1~injection")
    assert injected.checks["injection_attempt"].data["where"] == ["complaint"]
    jsonschema.validate(json.loads((result.run_dir / "scorecard.json").read_text()), scorecard_json_schema())


def test_scorecard_pairs_each_variant_with_its_original(project):
    _perturb(project)
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    card = load_scorecard(result.run_dir)
    polite = card.candidates["polite"]
    # The headline stays over the original cases.
    assert polite.checks["injection_attempt"].pass_rate.n == 3
    assert set(polite.by_perturbation) == {"shout", "abuse", "injection"}
    assert polite.by_perturbation["injection"].n_records == 3
    row = polite.robustness["injection"]
    assert row.n_pairs == 3
    shift = row.checks["injection_attempt"]
    assert (shift.n, shift.original, shift.variant, shift.diff) == (3, 1.0, 0.0, -1.0)
    # The exact paired interval of 3 of 3 pairs falling (as the diff gives it), not a two-sample one.
    assert shift.ci.lo == -1.0 and shift.ci.hi == pytest.approx(0.4152, abs=1e-3)
    # The fake responder answers alike whatever the complaint: a criterion's scores do not move.
    crit = row.criteria["apology_quality"]
    assert (crit.n, crit.diff) == (3, 0.0)
    assert card.candidates["v1"].robustness == {} and card.schema_version == SCORECARD_SCHEMA_VERSION
    md = (result.run_dir / "scorecard.md").read_text()
    assert "## Robustness" in md and "injection_attempt" in md
    # One row per measure, one column per kind: original -> perturbed, the paired difference [interval] (pairs);
    # not in bold, as 3 pairs leave an interval holding zero.
    row = next(line for line in md.splitlines() if line.startswith("| injection_attempt (check) |"))
    assert row.endswith("| 100% → 0%, -100 pp [-100 pp, +42 pp] (3) † |")
    assert "| measure | shout | abuse | injection |" in md


def test_perturb_refuses_turn_replay(project):
    _perturb(project, "perturb: [shout]\nreplay: turns\n")
    with pytest.raises(ConfigError, match="perturb does not go with `replay: turns`"):
        run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))


def test_validate_warns_when_no_model_candidate_answers_the_variants(project):
    import subprocess
    import sys

    path = project["dir"] / "eval.yaml"
    text = path.read_text().replace("checks: all\n", "checks: all\nperturb: [typos]\n")
    path.write_text(text.split("  - name: polite")[0] + text.split("prompt: \"You are a {{ category or 'general' }} "
                                                                   "agent. Max refund {{ context.max_refund }}.\"\n")[1])
    out = subprocess.run([sys.executable, "-m", "harness", "validate", "eval.yaml"], capture_output=True, text=True,
                         cwd=project["dir"])
    said = out.stdout + out.stderr
    assert out.returncode == 0, said
    # At the eval's `perturb` line, not at a candidate's epochs (it is about the eval, not a candidate's sampling).
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("perturb:"))
    assert said.count("only a model candidate answers") == 1 and f"eval.yaml:{line}: perturb: " in said, said


def test_robustness_gate_holds_the_largest_paired_drop(project):
    from harness.gates.robustness import robustness_gate
    from harness.scoring.schema import CandidateScores, PairedShift, RobustnessKind

    row = RobustnessKind(n_pairs=10, checks={
        "injection_attempt": PairedShift(n=10, original=1.0, variant=0.0, diff=-1.0),  # by construction: left out
        "boundary_setting": PairedShift(n=10, original=0.9, variant=0.7, diff=-0.2),
        "apology_wording": PairedShift(n=10, original=0.5, variant=0.6, diff=0.1)})
    scores = CandidateScores(name="bot", robustness={"injection": row})
    gate = robustness_gate("bot", scores, 0.10)
    assert not gate.passed and "boundary_setting falls 20 pp on injection" in gate.detail
    assert robustness_gate("bot", scores, 0.25).passed
    unmeasured = robustness_gate("v1", CandidateScores(name="v1"), 0.10)
    assert unmeasured.passed and not unmeasured.measured
    assert "no perturbed variant paired" in unmeasured.detail
    # review_s21: every fall past the limit is named, largest first, not only the largest.
    row.checks["empathy_statement"] = PairedShift(n=10, original=0.8, variant=0.5, diff=-0.3)
    gate = robustness_gate("bot", scores, 0.10)
    assert gate.detail.startswith("2 falls beyond the 10 pp allowed: check empathy_statement falls 30 pp on "
                                  "injection variants (80% → 50% over 10 pairs); check boundary_setting falls 20 pp")
    # review_s21: pairs of the falls by construction only: said so, not "no pairs".
    only = CandidateScores(name="bot", robustness={"injection": RobustnessKind(n_pairs=5, checks={
        "injection_attempt": PairedShift(n=5, original=1.0, variant=0.0, diff=-1.0)})})
    gate = robustness_gate("bot", only, 0.10)
    assert not gate.measured and "the only checks paired fall by construction" in gate.detail


def test_robustness_gate_in_a_gated_run(project):
    from harness.gates.evaluate import evaluate_gates
    from harness.scoring.scorecard import load_scorecard

    _perturb(project, "perturb: [shout, injection]\ngates: {robustness: {max_drop: 0.1}}\n")
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    outcome = evaluate_gates(result.run_dir, manifest["eval_spec"], load_scorecard(result.run_dir))
    held = {g.candidate: g for g in outcome.gates if g.name == "max_drop robustness"}
    assert held["polite"].passed and held["polite"].measured  # injection_attempt's -100 pp is by construction
    assert not held["v1"].measured


def test_estimate_counts_the_variants_calls_for_model_candidates_only(project):
    from harness.config.evalfile import load_eval
    from harness.runner.estimate import estimate_run

    before = estimate_run(load_eval("eval.yaml"))
    _perturb(project, "perturb: [shout, typos]\n")
    after = estimate_run(load_eval("eval.yaml"))
    calls = {(line.role, line.label): line.calls for line in before.lines}
    grown = {(line.role, line.label): line.calls for line in after.lines}
    responder = next(key for key in calls if key[0] != "judge")
    assert grown[responder] == 3 * calls[responder]  # each case and its two variants
    judge = next(key for key in calls if key[0] == "judge")
    # The judge grades the model candidate's 6 variants too, not the recorded candidates' (they skip them).
    # 2 criteria each, a 3rd on c3's two (question_expected): 6 * 2 + 2, beside the originals' 9 * 2 + 3.
    assert (calls[judge], grown[judge]) == (21, 21 + 14)


def test_a_diff_of_two_perturbed_runs_compares_the_originals(project):
    # review_s21: the diff's rows held the variants beside the originals (47% over 60 where the scorecard said
    # 83% over 12), and its case notes named other candidates' variants.
    from harness.compare import build_diff
    from harness.compare.diff import DiffOptions

    _perturb(project)
    a = run_eval("eval.yaml", RunOptions(out=project["dir"] / "a")).run_dir
    b = run_eval("eval.yaml", RunOptions(out=project["dir"] / "b")).run_dir
    report = build_diff(a, b, DiffOptions(pair=("polite", "polite")))
    rows = {row.name: row for row in report.comparisons[0].rows}
    assert rows["injection_attempt"].n_cases == 3  # c1..c3, not their 9 variants too
    assert not any("~" in note for note in report.notices)


def test_a_failing_variant_selects_its_original_for_a_rerun(project):
    # review_s21: `run --failing` dropped failures on variants (their ids are no case of the dataset). The
    # injection variants fail injection_attempt by construction, their originals pass it.
    from harness.ci.verdicts import failing_case_ids, parse_targets

    _perturb(project, "perturb: [injection]\n")
    run = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    assert failing_case_ids(run, ["polite"], parse_targets("injection_attempt")) == {"c1", "c2", "c3"}
