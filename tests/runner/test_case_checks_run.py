"""A run with checks for one case: they run on that case only, beside the eval's, and reach records,
the manifest, the scorecard and a diff's case comparison."""

from __future__ import annotations

import json

import pytest

from harness.compare.guard import case_changes
from harness.config.evalfile import load_eval
from harness.errors import DatasetError
from harness.records.store import iter_records, read_manifest
from harness.runner.engine import RunOptions, run_eval
from harness.runner.plan import build_plan

CASES = [
    {"id": "a", "turns": [{"role": "customer", "content": "order 4411 lost"}], "metadata": {"order": "4411"},
     "recorded_replies": {"v1": "Sorry, order 4411 ships today."},
     "checks": [{"type": "contains", "value": "4411"},
                {"name": "cites", "type": "contains", "value": "{{ metadata.order }}"}]},
    {"id": "b", "turns": [{"role": "customer", "content": "charged twice"}], "recorded_replies": {"v1": "Refunded."}},
    {"id": "c", "turns": [{"role": "customer", "content": "order 77"}], "metadata": {"order": "77"},
     "recorded_replies": {"v1": "Order 77: no idea."},
     "checks": [{"name": "cites", "type": "contains", "value": "{{ metadata.order }}"},
                {"name": "signed", "type": "python", "value": "house.py:signed"}]},
]
EVAL = "dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\ncheck" \
       "s:\n  - {name: polite, type: contains, value: sorry}\n"


def _project(tmp_path, cases=CASES, eval_text=EVAL):
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in cases))
    (tmp_path / "house.py").write_text("def signed(ctx):\n    return ctx.reply.endswith('.')\n")
    (tmp_path / "e.yaml").write_text(eval_text)
    return tmp_path / "e.yaml"


def test_checks_of_a_case_run_on_it_only_and_reach_manifest_and_scorecard(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_eval(_project(tmp_path), RunOptions(out=tmp_path / "run"))
    records = {r.case_id: r for r in iter_records(result.run_dir)}
    assert set(records["a"].checks) == {"polite", "contains_4411", "cites"}
    assert set(records["b"].checks) == {"polite"}  # absent where the case has none
    assert records["c"].checks["cites"].passed is True and records["c"].checks["signed"].passed is True
    assert set(read_manifest(result.run_dir).checks) == {"polite", "contains_4411", "cites", "signed"}
    card = json.loads((result.run_dir / "scorecard.json").read_text())
    checks = card["candidates"]["v1"]["checks"]
    assert checks["cites"]["pass_rate"]["n"] == 2 and checks["contains_4411"]["pass_rate"]["n"] == 1


def test_a_case_check_named_as_an_eval_check_is_refused_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = [*CASES[:2], {**CASES[2], "checks": [{"name": "polite", "type": "contains", "value": "x"}]}]
    with pytest.raises(DatasetError) as info:
        build_plan(load_eval(_project(tmp_path, cases)))
    assert info.value.one_line().endswith("d.jsonl:3: checks[0].name: 'polite' is the name of a check of the eval "
                                          "file (or a built-in one): give this check of the case another")


def test_a_changed_check_of_a_case_is_a_changed_case_in_a_diff(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run_eval(_project(tmp_path), RunOptions(out=tmp_path / "r1")).run_dir
    edited = [{**CASES[0], "checks": [{"type": "contains", "value": "4412"}]}, *CASES[1:]]
    second = run_eval(_project(tmp_path, edited), RunOptions(out=tmp_path / "r2")).run_dir
    changes = case_changes(first, second, read_manifest(first), read_manifest(second))
    assert changes.changed == ["a"]


def test_a_star_gate_holds_checks_of_cases_over_the_cases_that_carry_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gated = EVAL + 'gates:\n  checks:\n    "*": {min: 0.6}\n'
    cases = [*CASES[:2], {**CASES[2], "recorded_replies": {"v1": "No idea."}}]
    result = run_eval(_project(tmp_path, cases, gated), RunOptions(out=tmp_path / "run"))
    from harness.gates.evaluate import evaluate_gates
    from harness.scoring.scorecard import load_scorecard

    manifest = read_manifest(result.run_dir)
    outcome = evaluate_gates(result.run_dir, manifest.eval_spec, load_scorecard(result.run_dir))
    failed = {g.name: g.detail for g in outcome.failed}
    assert failed["min check cites"] == "50.0% over 2 cases is below the minimum 60.0%"


def test_turn_replay_gives_a_threads_checks_to_its_final_turn_case():
    from harness.datasets.schema import Case
    from harness.datasets.turns import expand_cases

    case = Case.model_validate({"id": "t", "turns": [{"role": "customer", "content": "a"},
                                                      {"role": "agent", "content": "b"},
                                                      {"role": "customer", "content": "c"}],
                                "checks": [{"type": "contains", "value": "x"}]})
    expanded = expand_cases([case], "d.jsonl", {})
    assert [bool(c.checks) for c in expanded] == [False, True]


def _gated(name: str) -> str:
    return EVAL + f"gates:\n  checks:\n    {name}: {{min: 0.4}}\n"


def test_a_gate_may_name_a_check_of_the_cases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = load_eval(_project(tmp_path, eval_text=_gated("cites")))  # refused here before
    assert loaded.gated_case_checks == ["cites"]
    result = run_eval(loaded.path, RunOptions(out=tmp_path / "run"))
    from harness.gates.evaluate import evaluate_gates
    from harness.scoring.scorecard import load_scorecard

    manifest = read_manifest(result.run_dir)
    outcome = evaluate_gates(result.run_dir, manifest.eval_spec, load_scorecard(result.run_dir))
    assert [g.name for g in outcome.gates if "cites" in g.name] == ["min check cites"] and not outcome.failed


def test_a_gate_on_a_mistyped_check_of_the_cases_is_refused_with_the_closest_at_its_line(tmp_path, monkeypatch):
    from harness.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        build_plan(load_eval(_project(tmp_path, eval_text=_gated("citez"))))
    assert info.value.one_line().endswith("e.yaml:8: gates.checks.citez: this run has no check 'citez'; did you mean "
                                     "cites? (it has: polite, cites, contains_4411, signed)")


def test_a_gate_on_a_check_only_cases_left_out_carry_says_so(tmp_path, monkeypatch):
    from harness.datasets.selection import CaseSelection
    from harness.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        build_plan(load_eval(_project(tmp_path, eval_text=_gated("cites"))), selection=CaseSelection(ids=("b",)))
    assert "this run has no check 'cites': only cases it leaves out" in info.value.one_line()


def test_validate_and_estimate_hold_a_gate_to_the_cases_checks(tmp_path, monkeypatch):
    from tests.cli.conftest import harness_cmd

    monkeypatch.chdir(tmp_path)
    _project(tmp_path, eval_text=_gated("cites"))
    (tmp_path / "typo.yaml").write_text(_gated("citez"))
    done = harness_cmd("validate", "e.yaml", "typo.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "ok    e.yaml" in done.stdout
    assert "typo.yaml:8: gates.checks.citez: this run has no check 'citez'; did you mean cites?" in done.stderr
    assert harness_cmd("estimate", "e.yaml", cwd=tmp_path).returncode == 0
    done = harness_cmd("estimate", "typo.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "gates.checks.citez: this run has no check 'citez'; did you mean cites?" \
        in done.stderr


def test_validate_does_not_fetch_a_hub_dataset_for_a_gates_check_and_says_so(tmp_path, monkeypatch):
    from harness.cli.validation import validate_file

    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(_gated("cites").replace("d.jsonl", "someone/support-set"))
    valid = validate_file(tmp_path / "e.yaml")
    assert len(valid.warnings) == 1 and "gates.checks.cites: no check of the eval file is named 'cites'; validate " \
        "does not fetch the hub dataset someone/support-set" in valid.warnings[0]


def test_a_gate_on_a_built_in_check_the_eval_does_not_select_is_still_refused_at_load(tmp_path, monkeypatch):
    from harness.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="gates.checks.no_contradiction: this run has no check"):
        load_eval(_project(tmp_path, eval_text=_gated("no_contradiction")))  # a case's check never takes that name
