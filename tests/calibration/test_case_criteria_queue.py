"""harness label on a case's own criteria, and ``--from-diff``'s order by the verdict being labelled.

A case's own criterion (a dataset row's ``criteria``) is judged only on the cases that carry it, each with its
own question; ``harness label`` used to ask it on every case, without a question, where the record holds no
verdict to calibrate against (78 of 240 questions of a perturbed run were such). And ``--from-diff`` ordered
whole cases by their strongest change, whatever verdict was being labelled.
"""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from harness.calibration.labelling import Target, case_target
from harness.cli.main import main
from harness.models.fake import clear_fakes, register_fake
from harness.records.schema import CriterionResult, Record

RUBRIC = """\
id: r
version: "1"
criteria:
  - id: clarity
    question: How clear is the next step?
    scale: "1-5"
    levels: {"1": none, "2": vague, "3": some, "4": clear, "5": clear with a time}
"""


def _judge(messages, config) -> str:
    text = messages[-1].content
    if "Criterion `names_the_order`" in text:
        return json.dumps({"reason": "ok", "score": "pass" if "order" in text.split("Reply")[-1] else "fail"})
    return json.dumps({"reason": "ok", "score": 2 if "(two)" in text else 5})


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"id": f"c{i}", "turns": [{"role": "customer", "content": f"Order {100 + i} is late."}],
             "recorded_replies": {"v1": f"Sorry, order {100 + i} is on its way.",
                                  "v2": f"Sorry, order {100 + i} is on its way."}} for i in range(4)]
    rows[0]["criteria"] = [{"id": "names_the_order", "question": "Does the reply name order 100?"}]
    rows[1]["criteria"] = [{"id": "names_the_order", "question": "Does the reply name the order number?"}]
    rows[2]["recorded_replies"]["v2"] = "Sorry, it is on its way (two)."  # c2: clarity 5 -> 2, a pass->fail flip
    rows[3]["recorded_replies"]["v2"] = "Sorry, order 103 is on its way now."  # c3: the reply alone changed
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "rubric.yaml").write_text(RUBRIC)
    register_fake("judge", _judge)
    yield tmp_path
    clear_fakes()


def _run(root, name: str, version: str = "v1", more: str = "") -> None:
    (root / f"{name}.yaml").write_text(textwrap.dedent(f"""\
        name: {name}
        dataset: cases.jsonl
        candidates:
          - name: bot
            recorded: {version}
        checks: [no_contradiction, apology_wording]
        judge:
          model: fake/judge
          rubric: rubric.yaml
        """) + more)
    assert main(["run", f"{name}.yaml", "--out", name, "--no-cache", "--quiet"]) == 0


def _label(monkeypatch, capsys, run: str, *more: str, answers: str = "", code: int = 0) -> tuple[list[str], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    assert main(["label", run, "--labels", "labels.jsonl", "--labeller", "ana", *more]) == code
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def _asked(lines: list[str]) -> list[str]:
    parts = [line.split("] ", 1)[1].split(" · ") for line in lines if line.startswith("[")]
    return [f"{case_id} {target.split(' (')[0]}" for case_id, _, target, *_ in parts]


def test_a_cases_own_criterion_is_asked_only_on_the_cases_that_carry_it_with_their_question(
        project, monkeypatch, capsys):
    _run(project, "r")
    capsys.readouterr()
    out, _ = _label(monkeypatch, capsys, "r", "--criteria", "names_the_order", answers="s\n" * 9)
    assert _asked(out) == [f"{c} criterion names_the_order" for c in ("c0", "c1")]
    # each case's own question, not none (two cases ask different questions under one id)
    questions = [line for line in out if line.startswith("question: ")]
    assert questions == ["question: Does the reply name order 100?", "question: Does the reply name the order number?"]
    out, _ = _label(monkeypatch, capsys, "r", answers="s\n" * 20)  # every criterion: clarity on 4, its own on 2
    assert out[-1].endswith("; 6 left")
    _, err = _label(monkeypatch, capsys, "r", "--cases", "c2", "--criteria", "names_the_order", code=2)
    assert "harness: error: nothing to label: none of the 1 selected records of run r has a reply to which " \
           "criterion names_the_order applies (names_the_order is a case's own criterion, asked only on the " \
           "cases that carry it (c0, c1, and their variants))" in err
    labels = project / "labels.jsonl"
    _label(monkeypatch, capsys, "r", "--cases", "c1", "--criteria", "names_the_order", answers="p\n")
    assert json.loads(labels.read_text())["criterion"] == "names_the_order"
    assert main(["calibrate", "r", "--labels", str(labels)]) == 0


def test_a_cases_own_criterion_is_asked_on_a_variant_of_its_case_and_without_a_snapshot_where_judged():
    own = Target("criterion", "names_the_order", "pass_fail", own=True)
    dump = {"id": "names_the_order", "question": "Does the reply name order 100?"}
    variant = Record(case_id="c0~shout", candidate="bot", reply="hi")  # a perturbed copy carries its criteria
    asked = case_target(variant, own, {"c0~shout": {"id": "c0~shout", "criteria": [dump]}, "c4": {"id": "c4"}})
    assert asked is not None and asked.question == dump["question"] and dict(asked.levels).keys() == {"pass", "fail"}
    assert case_target(Record(case_id="c4", candidate="bot", reply="hi"), own, {"c4": {"id": "c4"}}) is None
    judged = Record(case_id="c0", candidate="bot", reply="hi", judge={"names_the_order": CriterionResult(score=1.0)})
    assert case_target(judged, own, {}) == own
    assert case_target(Record(case_id="c1", candidate="bot", reply="hi"), own, {}) is None
    rubric = Target("criterion", "clarity", "1-5")
    assert case_target(Record(case_id="c1", candidate="bot", reply="hi"), rubric, {"c1": {"id": "c1"}}) == rubric


def test_from_diff_asks_by_the_change_of_the_verdict_being_labelled(project, monkeypatch, capsys):
    _run(project, "r1")
    _run(project, "r2", version="v2")
    assert main(["diff", "r1", "r2", "--out", "d"]) == 0
    capsys.readouterr()
    out, _ = _label(monkeypatch, capsys, "r2", "--from-diff", "d", "--criteria", "clarity", "--checks",
                    "apology_wording", answers="s\n" * 9)
    diff = json.loads((project / "d" / "diff.json").read_text())
    moved = {(row["kind"], row["name"], change["case_id"]) for comparison in diff["comparisons"]
             for row in comparison["rows"] for change in row.get("changes") or []}
    assert ("criterion", "clarity", "c2") in moved and not any(case == "c3" for *_, case in moved)
    assert ("check", "apology_wording", "c2") not in moved
    # c2's clarity flipped: asked first; its unchanged check after it, then the reply whose text alone changed
    assert _asked(out) == ["c2 criterion clarity", "c2 check apology_wording", "c3 criterion clarity",
                           "c3 check apology_wording"]
    assert "--from-diff: 1 whose own verdict changed first (pass->fail flips, then fail->pass, then other " \
           "moves); 3 whose verdict stayed the same on a changed reply after them" in out
