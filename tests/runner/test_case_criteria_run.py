"""Judge criteria for one case: asked on that case only by the eval's judge, recorded, in the manifest (marked as
the case's), pooled in the scorecard, covered by the case's hash, never a reason to call runs incomparable."""

from __future__ import annotations

import json
import re

import pytest

from harness.compare.guard import case_changes, differences, one_sided_criteria
from harness.config.evalfile import load_eval
from harness.datasets.loader import load_dataset
from harness.datasets.schema import Case
from harness.errors import DatasetError
from harness.models.fake import clear_fakes, register_fake
from harness.records.store import iter_records, read_manifest
from harness.runner.engine import RunOptions, run_eval
from harness.runner.plan import build_plan

OWN = {"id": "names_order", "question": "Does the reply name order 4411?"}
CASES = [
    {"id": "a", "turns": [{"role": "customer", "content": "order 4411 lost"}],
     "recorded_replies": {"v1": "Sorry, order 4411 ships today."}, "criteria": [OWN]},
    {"id": "b", "turns": [{"role": "customer", "content": "charged twice"}], "recorded_replies": {"v1": "Refunded."}},
    {"id": "c", "turns": [{"role": "customer", "content": "order 77"}], "recorded_replies": {"v1": "Order 77 lost."},
     "criteria": [{"question": "Does the reply say sorry?"}]},
]
JUDGED = ("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\njudge:\n  model: fake/judge\n  rubric:\n"
          "    criteria:\n      - {id: polite, question: 'Is the reply polite?'}\n")
UNJUDGED = "dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\nchecks: none\n"


@pytest.fixture
def asked(tmp_path, monkeypatch):
    """The (criterion id, question) of every judge call, by the case's customer text."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    seen: dict[str, list[tuple[str, str]]] = {}

    def judge(messages, config):
        user = messages[-1].content
        complaint = user.split(" conversation\n", 1)[1].split("\n>>>END-", 1)[0]
        found = re.search(r"Criterion `([a-z0-9_]+)`: (.*)", user)
        seen.setdefault(complaint, []).append((found.group(1), found.group(2)))
        return json.dumps({"reason": "ok", "score": "pass" if "4411" in user or "polite" in found.group(1)
                           else "fail"})

    register_fake("judge", judge)
    yield seen
    clear_fakes()


def _project(tmp_path, cases=CASES, eval_text=JUDGED):
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(case) + "\n" for case in cases))
    (tmp_path / "e.yaml").write_text(eval_text)
    return tmp_path / "e.yaml"


def test_a_cases_criterion_is_asked_on_it_only_recorded_and_in_the_scorecard(tmp_path, asked):
    result = run_eval(_project(tmp_path), RunOptions(out=tmp_path / "run"))
    assert asked["[customer] order 4411 lost"] == [("polite", "Is the reply polite?"),
                                                   ("names_order", "Does the reply name order 4411?")]
    assert asked["[customer] charged twice"] == [("polite", "Is the reply polite?")]
    auto = "llm_rubric_does_the_reply_say_sorry"  # no id: one made from the question, as a check's name
    assert asked["[customer] order 77"] == [("polite", "Is the reply polite?"), (auto, "Does the reply say sorry?")]
    records = {r.case_id: r for r in iter_records(result.run_dir)}
    assert set(records["a"].judge) == {"polite", "names_order"} and records["a"].judge["names_order"].passed is True
    assert set(records["b"].judge) == {"polite"}  # absent where the case has none
    assert records["c"].judge[auto].passed is False
    criteria = read_manifest(result.run_dir).rubric["criteria"]
    assert criteria["names_order"] == {"scale": "pass_fail", "pass_threshold": 4, "applies_when": "always",
                                       "sha256": "case:spec", "case": True}
    card = json.loads((result.run_dir / "scorecard.json").read_text())
    assert card["candidates"]["v1"]["criteria"]["names_order"]["pass_rate"]["n"] == 1
    md = (result.run_dir / "scorecard.md").read_text()
    assert "criteria of single cases (2, pooled) | 1 of 2 passed" in md
    assert "| names_order (criterion) | pass |" in md and "Checks and criteria of single cases (2)" in md
    assert "| polite (pass rate)" in md


def test_a_criterion_several_cases_share_keeps_its_row(tmp_path, asked):
    cases = [CASES[0], {**CASES[2], "criteria": [OWN]}, CASES[1]]
    result = run_eval(_project(tmp_path, cases), RunOptions(out=tmp_path / "run"))
    md = (result.run_dir / "scorecard.md").read_text()
    assert "| names_order (pass rate) |" in md and "single cases" not in md


def test_the_criteria_are_part_of_the_cases_hash():
    plain = Case.model_validate(CASES[1])
    assert "criteria" not in plain.model_dump(mode="json")  # a case without criteria hashes as before
    edited = Case.model_validate({**CASES[0], "criteria": [{**OWN, "question": "Does it name 4412?"}]})
    assert Case.model_validate(CASES[0]).model_dump(mode="json") != edited.model_dump(mode="json")


def test_an_edited_criterion_is_a_changed_case_and_runs_stay_comparable(tmp_path, asked):
    first = run_eval(_project(tmp_path), RunOptions(out=tmp_path / "r1")).run_dir
    edited = [{**CASES[0], "criteria": [{**OWN, "question": "Does the reply name 4411 and a date?"}]}, *CASES[1:2],
              {**CASES[2], "criteria": []}]
    second = run_eval(_project(tmp_path, edited), RunOptions(out=tmp_path / "r2")).run_dir
    a, b = read_manifest(first), read_manifest(second)
    assert differences(a, b, unjudged_side=True) == []
    assert one_sided_criteria(a, b) is None  # c's criterion, gone: a changed case, not a criterion left out
    assert case_changes(first, second, a, b).changed == ["a", "c"]
    # The judge cache key covers the criterion's text: the edited question was asked again, not served.
    assert asked["[customer] order 4411 lost"][-1] == ("names_order", "Does the reply name 4411 and a date?")
    assert [r.judge["names_order"].cache_hit for r in iter_records(second) if r.case_id == "a"] == [False]


def test_a_case_with_criteria_and_an_eval_without_a_judge_is_refused_at_its_row(tmp_path, monkeypatch):
    from harness.cli.validation import validate_file

    monkeypatch.chdir(tmp_path)
    path = _project(tmp_path, eval_text=UNJUDGED)
    said = ("d.jsonl:1: criteria: this case has judge criteria of its own, but the eval has no judge to ask them: "
            "add a `judge:` (a model and a rubric) to the eval file, or remove the case's criteria")
    with pytest.raises(DatasetError) as info:
        build_plan(load_eval(path))
    assert info.value.one_line().endswith(said)
    with pytest.raises(DatasetError) as info:
        validate_file(path)
    assert info.value.one_line().endswith(said)


def test_a_case_criterion_named_as_a_rubric_criterion_is_refused(tmp_path, asked):
    cases = [{**CASES[0], "criteria": [{"id": "polite", "question": "x?"}]}]
    with pytest.raises(DatasetError) as info:
        build_plan(load_eval(_project(tmp_path, cases)))
    assert "d.jsonl:1: criteria[0].id: 'polite' is the id of a criterion of the eval's rubric" in info.value.one_line()


def test_promptfoo_llm_rubric_and_grade_cells_become_the_rows_criteria(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('id,complaint,__expected1,__expected2,criteria\n'
                    '1,where is 4411,llm-rubric: Names the order number,contains: 4411,\n'
                    '2,refund,grade: Offers a refund,,"[{""id"": ""kind"", ""question"": ""Is it kind?""}]"\n')
    cases = load_dataset(path).cases
    assert cases[0].criteria == [{"id": "llm_rubric_names_the_order_number", "question": "Names the order number"}]
    assert [c["name"] for c in cases[0].checks] == ["contains_4411"]
    assert cases[1].criteria == [{"id": "kind", "question": "Is it kind?"},
                                 {"id": "llm_rubric_offers_a_refund", "question": "Offers a refund"}]


def test_bad_criteria_are_each_named_at_their_row(tmp_path):
    from harness.errors import UserError

    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({**CASES[1], "criteria": [{"id": "Bad", "question": "q"}, 3]}) + "\n")
    with pytest.raises(UserError) as info:
        load_dataset(path, all_errors=True)
    assert [e.field for e in info.value.errors] == ["criteria[0].id", "criteria[1]"]


def test_estimate_counts_the_cases_own_criteria_calls(tmp_path, asked):
    from harness.runner.estimate import estimate_run

    estimate = estimate_run(load_eval(_project(tmp_path)), cache_path=tmp_path / "none.sqlite")
    [judge] = [line for line in estimate.lines if line.role == "judge"]
    assert judge.calls == 3 + 2  # the rubric's criterion on each case, and a's and c's own
    run_eval(tmp_path / "e.yaml", RunOptions(out=tmp_path / "run"))
    assert sum(map(len, asked.values())) == judge.calls
