"""A perturbed run of a variant's id (`--cases c1~shout`), and the counts that say how many variants a run holds."""

import json

from harness.config.evalfile import load_eval
from harness.datasets.selection import CaseSelection, parse_ids
from harness.records.store import iter_records
from harness.report.estimate import estimate_json, render_estimate
from harness.runner.engine import RunOptions, run_eval
from harness.runner.estimate import estimate_run
from harness.scoring.scorecard import load_scorecard


def _perturb(project, line="perturb: [shout, abuse, injection]\n"):
    path = project["dir"] / "eval.yaml"
    path.write_text(path.read_text().replace("checks: all\n", f"checks: all\n{line}"))


def test_a_variant_id_runs_its_original_and_that_variant_paired(project):
    _perturb(project)
    selection = CaseSelection(ids=parse_ids("c1~shout"))
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out", selection=selection))
    keys = {(r.case_id, r.candidate) for r in iter_records(result.run_dir)}
    assert keys == {("c1", "v1"), ("c1", "v2"), ("c1", "polite"), ("c1~shout", "polite")}
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["dataset"]["selection"] == {"cases": ["c1~shout"]}  # reruns as typed
    assert (manifest["dataset"]["n_selected"], manifest["dataset"]["n_perturbed"]) == (1, 1)
    robustness = load_scorecard(result.run_dir).candidates["polite"].robustness
    assert robustness["shout"].n_pairs == 1  # paired with its original
    assert robustness["abuse"].n_pairs == robustness["injection"].n_pairs == 0  # not run: no pair claimed


def test_the_start_line_splits_cases_from_variants(project):
    _perturb(project)
    started = []
    run_eval("eval.yaml", RunOptions(out=project["dir"] / "out", on_start=lambda *a: started.append(a)))
    # 3 cases x 3 candidates, and 9 variants answered by the model candidate only.
    assert started == [(18, 0, 9)]


def test_the_progress_line_says_what_the_count_holds(capsys):
    from harness.cli.progress import RunProgress

    RunProgress().start(18, 0, 9)
    RunProgress().start(9, 0)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("harness: 18 case x candidate evaluations to run (0 already done): 9 on cases + 9 on "
                             "perturbed variants (rates are over the cases")
    assert err[1] == "harness: 9 case x candidate evaluations to run (0 already done)"


def test_the_estimate_says_how_many_of_its_cases_are_variants(project):
    _perturb(project, "perturb: [shout, typos]\n")
    estimate = estimate_run(load_eval("eval.yaml"))
    assert (estimate.n_cases, estimate.n_variants) == (9, 6)
    assert "eval mini: 9 cases (3 + 6 perturbed variants; a run's rates are over the 3)" in render_estimate(estimate, 1.0)
    assert estimate_json(estimate, 1.0)["n_variants"] == 6
    picked = estimate_run(load_eval("eval.yaml"), selection=CaseSelection(ids=("c2~typos",)))
    assert (picked.n_cases, picked.n_variants) == (2, 1)
