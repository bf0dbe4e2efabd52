"""Gates on a case's own judge criteria (fix_left4a): a gate may name one as it may a case's check, held to the
criteria of the cases a run evaluates (a typo gets the closest name), its bound to that criterion's scale; an id
written by hand with two questions is warned of once, as a check's name is."""

from __future__ import annotations

import json

import pytest

from harness.config.evalfile import load_eval
from harness.datasets.case_checks import written_ways
from harness.datasets.loader import load_dataset
from harness.errors import ConfigError
from harness.gates.evaluate import evaluate_gates
from harness.models.fake import clear_fakes, register_fake
from harness.records.store import read_manifest
from harness.runner.engine import RunOptions, run_eval
from harness.runner.plan import build_plan
from harness.scoring.scorecard import load_scorecard

OWN = {"id": "names_order", "question": "Does the reply name order 4411?"}
CASES = [
    {"id": "a", "turns": [{"role": "customer", "content": "order 4411 lost"}],
     "recorded_replies": {"v1": "Sorry, order 4411 ships today."}, "criteria": [OWN]},
    {"id": "b", "turns": [{"role": "customer", "content": "charged twice"}], "recorded_replies": {"v1": "Refunded."}},
    {"id": "c", "turns": [{"role": "customer", "content": "order 4411 again"}],
     "recorded_replies": {"v1": "Order 4411 is late."}, "criteria": [OWN]},
]
JUDGED = ("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\nchecks: none\njudge:\n  model: fake/judge\n"
          "  rubric:\n    criteria:\n      - {id: polite, question: 'Is the reply polite?'}\n")


def _gated(name: str, bound: str = "min: 0.5") -> str:
    return JUDGED + f"gates:\n  criteria:\n    {name}: {{{bound}}}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in CASES))
    register_fake("judge", lambda messages, config: json.dumps({"reason": "ok", "score": "pass"}))
    yield tmp_path
    clear_fakes()


def _eval(project, text: str, name: str = "e.yaml"):
    (project / name).write_text(text)
    return project / name


def test_a_gate_may_name_a_criterion_of_the_cases(project):
    loaded = load_eval(_eval(project, _gated("names_order")))  # refused here before
    assert loaded.gated_case_checks == ["names_order"]
    result = run_eval(loaded.path, RunOptions(out=project / "run"))
    outcome = evaluate_gates(result.run_dir, read_manifest(result.run_dir).eval_spec, load_scorecard(result.run_dir))
    gate = next(g for g in outcome.gates if g.name == "min criterion names_order")
    assert gate.passed and gate.detail.startswith("100.0% over 2 cases meets the minimum")


def test_a_mistyped_criterion_of_the_cases_is_refused_with_the_closest_at_its_line(project):
    with pytest.raises(ConfigError) as info:
        build_plan(load_eval(_eval(project, _gated("names_ordr"))))
    assert info.value.one_line().endswith("e.yaml:12: gates.criteria.names_ordr: this run has no criterion "
                                          "'names_ordr'; did you mean names_order? (it has: polite, names_order)")


def test_a_criterion_only_cases_left_out_carry_says_so(project):
    from harness.datasets.selection import CaseSelection

    with pytest.raises(ConfigError) as info:
        build_plan(load_eval(_eval(project, _gated("names_order"))), selection=CaseSelection(ids=("b",)))
    assert "this run has no criterion 'names_order': only cases it leaves out" in info.value.one_line()


def test_a_bound_off_the_case_criterions_scale_is_refused_before_the_run(project):
    with pytest.raises(ConfigError) as info:
        build_plan(load_eval(_eval(project, _gated("names_order", "min: 3"))))
    assert info.value.one_line().endswith("gates.criteria.names_order.min: a pass rate is in [0, 1]")
    # `*` is held to the scale of every case criterion it covers too (the rubric's: by the run's plan, as before).
    star = JUDGED + 'gates:\n  criteria:\n    polite: {min: 0.5}\n    "*": {min: 3}\n'
    with pytest.raises(ConfigError, match=r"a pass rate is in \[0, 1\] \(`\*` covers criterion names_order\)"):
        build_plan(load_eval(_eval(project, star)))


def test_validate_and_estimate_hold_a_gate_to_the_cases_criteria(project):
    from harness.cli.validation import validate_file
    from harness.runner.estimate import estimate_run

    assert validate_file(_eval(project, _gated("names_order")))
    typo = _eval(project, _gated("names_ordr"), "typo.yaml")
    with pytest.raises(ConfigError, match="typo.yaml:12: gates.criteria.names_ordr: this run has no criterion "
                                          "'names_ordr'; did you mean names_order"):
        validate_file(typo)
    with pytest.raises(ConfigError, match="did you mean names_order"):
        estimate_run(load_eval(typo))


def test_validate_does_not_fetch_a_hub_dataset_for_a_gates_criterion_and_says_so(project):
    from harness.cli.validation import validate_file

    valid = validate_file(_eval(project, _gated("names_order").replace("d.jsonl", "someone/support-set")))
    assert len(valid.warnings) == 1 and "gates.criteria.names_order: no criterion of the rubric is named " \
        "'names_order'; validate does not fetch the hub dataset someone/support-set" in valid.warnings[0]


def test_a_gate_on_a_criterion_without_a_judge_is_still_refused_at_load(project):
    text = "dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\ngates:\n  criteria:\n    x: {min: 0.5}\n"
    with pytest.raises(ConfigError, match="gates.criteria.x: this run has no criterion 'x'"):
        load_eval(_eval(project, text))


def test_a_criterion_id_written_with_two_questions_warns_once(project):
    other = {"id": "names_order", "question": "Does the reply name the order number?"}
    rows = [*CASES, {"id": "d", "turns": [{"role": "customer", "content": "where is it"}], "criteria": [other]},
            {"id": "e", "turns": [{"role": "customer", "content": "and now?"}], "criteria": [other]}]
    (project / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in rows))
    warnings = written_ways(load_dataset(project / "d.jsonl"))
    assert warnings == [f"{project / 'd.jsonl'}: criterion names_order is written 2 ways: lines 1, 3 (\"Does the "
                        f"reply name order 4411?\") and lines 4, 5 (\"Does the reply name the order number?\"); "
                        f"their verdicts share one row"]
    # The same id with the same question in several cases is one criterion: no warning.
    (project / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in CASES))
    assert written_ways(load_dataset(project / "d.jsonl")) == []
