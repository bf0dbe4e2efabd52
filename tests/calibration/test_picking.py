"""harness label's annotation queue: --failing, --borderline, --disagree, --from-diff and --share, on real runs.

Before these options a reviewer had to find the doubtful replies in the report and pass them by hand
(`--cases a01,a03,a05`), and two reviewers had no way to split a run without labelling the same replies.
"""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from harness.calibration.labelling import Item, Target
from harness.calibration.picking import in_share, is_borderline, is_disagreeing, is_failing
from harness.cli.main import main
from harness.models.fake import clear_fakes, register_fake
from harness.records.schema import CriterionResult, Record

# c1: clarity 3 (the middle); c2: clarity 2, and the check no_contradiction fails while the judge passes it;
# c3: the judge fails no_contradiction, the check passes it; c0, c4, c5: nothing doubtful.
REPLIES = {
    "c0": "I am sorry your order 100 is late; I have reopened it and will call you tomorrow.",
    "c1": "I am sorry your order 101 is late; someone will look at it (three).",
    "c2": "That's not true, your order 102 was delivered (two).",
    "c3": "I am sorry your order 103 is late; I have reopened it (judge-fails).",
    "c4": "I am sorry your order 104 is late; I have reopened it and will call you tomorrow.",
    "c5": "I am sorry your order 105 is late; I have reopened it and will call you tomorrow.",
}
RUBRIC = """\
id: r
version: "1"
criteria:
  - id: no_contradiction
    question: Does the reply accept the customer's account?
    scale: pass_fail
    levels: {pass: accepts it, fail: disputes it}
  - id: clarity
    question: How clear is the next step?
    scale: "1-5"
    levels: {"1": none, "2": vague, "3": some, "4": clear, "5": clear with a time}
"""


def _judge(strict: bool):
    def answer(messages, config) -> str:
        text = messages[-1].content
        if "Criterion `no_contradiction`" in text:
            fails = "(judge-fails)" in text or strict and "order 105" in text  # a strict panellist fails c5 too
            return json.dumps({"reason": "ok", "score": "fail" if fails else "pass"})
        return json.dumps({"reason": "ok", "score": 3 if "(three)" in text else 2 if "(two)" in text else 5})
    return answer


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"id": case_id, "persona": "angry", "category": "retail",
             "turns": [{"role": "customer", "content": f"Order {100 + i} is late."}],
             "recorded_replies": {"v1": reply, "v2": reply}} for i, (case_id, reply) in enumerate(REPLIES.items())]
    rows[1]["recorded_replies"]["v2"] = REPLIES["c0"]  # c1 gets better: clarity 3 -> 5 passes
    rows[4]["recorded_replies"]["v2"] = "That's not true, your order 104 was delivered (two)."  # c4 gets worse
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "rubric.yaml").write_text(RUBRIC)
    register_fake("judge", _judge(strict=False))
    register_fake("strict", _judge(strict=True))
    yield tmp_path
    clear_fakes()


def _run(root, name: str, version: str = "v1", judge: str = "model: fake/judge") -> None:
    (root / f"{name}.yaml").write_text(textwrap.dedent(f"""\
        name: {name}
        dataset: cases.jsonl
        candidates:
          - name: bot
            recorded: {version}
        checks: [no_contradiction, apology_wording]
        judge:
          rubric: rubric.yaml
        """) + textwrap.indent(judge, "  ") + "\n")
    assert main(["run", f"{name}.yaml", "--out", name, "--no-cache", "--quiet"]) == 0


def _label(monkeypatch, capsys, run: str, *more: str, answers: str = "", labeller: str = "ana") -> list[str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code = main(["label", run, "--labels", "labels.jsonl", "--labeller", labeller, *more])
    out = capsys.readouterr().out
    assert code == 0, out
    return out.splitlines()


def _asked(lines: list[str]) -> list[str]:
    """``c1 criterion clarity`` for each ``[i/n] c1 · bot · criterion clarity (1-5)`` header."""
    parts = [line.split("] ", 1)[1].split(" · ") for line in lines if line.startswith("[")]
    return [f"{case_id} {target.split(' (')[0]}" for case_id, _, target, *_ in parts]


def test_failing_asks_the_replies_whose_labelled_verdict_fails_and_goes_on_where_it_stopped(project, monkeypatch,
                                                                                          capsys):
    _run(project, "r")
    capsys.readouterr()
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", answers="q\n")
    assert "queue: 2 to label, kept by --failing (of 6 unlabelled)" in out
    assert _asked(out) == ["c1 criterion clarity"]  # q at the first: only the first header printed
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", answers="3\n")
    assert _asked(out) == ["c1 criterion clarity", "c2 criterion clarity"]
    # The queue skips what this labeller labelled: c1 is done, c2 is left; another labeller gets both.
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", answers="q\n")
    assert "queue: 1 to label, kept by --failing (of 5 unlabelled)" in out and _asked(out) == ["c2 criterion clarity"]
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", answers="q\n", labeller="bo")
    assert "queue: 2 to label" in " ".join(out)
    # A check fails on its own verdict: no_contradiction (the check) fails only c2.
    out = _label(monkeypatch, capsys, "r", "--checks", "no_contradiction", "--failing", answers="q\n")
    assert _asked(out) == ["c2 check no_contradiction"]
    # It narrows --cases, and --limit and --shuffle still apply to what it keeps.
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", "--cases", "c0,c2",
                 "--limit", "1", "--shuffle", "3", answers="4\n4\n")
    assert _asked(out) == ["c2 criterion clarity"] and "labelled 1 " in out[-2]


def test_an_empty_queue_is_said_and_is_not_an_error(project, monkeypatch, capsys):
    _run(project, "r")
    capsys.readouterr()
    out = _label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", "--cases", "c0,c4")
    assert out == ["nothing to label in r: --failing keeps no reply for criterion clarity"]


def test_borderline_asks_the_middle_of_the_scale_and_checks_are_never_borderline(project, monkeypatch, capsys):
    _run(project, "r")
    capsys.readouterr()
    out = _label(monkeypatch, capsys, "r", "--borderline", answers="q\n")
    assert "queue: 1 to label, kept by --borderline (of 12 unlabelled)" in out
    assert _asked(out) == ["c1 criterion clarity"]
    out = _label(monkeypatch, capsys, "r", "--failing", "--borderline", "--criteria", "clarity", answers="s\ns\n")
    assert _asked(out) == ["c1 criterion clarity", "c2 criterion clarity"]  # either option: both kinds


def test_a_judge_unsure_of_pass_or_fail_is_borderline():
    # Weighted scores come from judge models that report probabilities: made here, not by a fake model.
    def record(**verdict) -> Record:
        return Record(case_id="x", candidate="bot", reply="hi", judge={"tone": CriterionResult(**verdict)})
    scales = {"tone": "pass_fail", "clarity": "1-5"}
    assert is_borderline(record(score=1.0, passed=True, weighted_score=0.6), "tone", scales)
    assert not is_borderline(record(score=1.0, passed=True, weighted_score=0.9), "tone", scales)
    assert is_borderline(record(score=0.5, passed=False), "tone", scales)  # split over epochs
    assert not is_borderline(record(score=None, error={"kind": "judge_output", "message": "x"}), "tone", scales)
    scored = Record(case_id="x", candidate="bot", reply="hi",
                    judge={"clarity": CriterionResult(score=4.0, passed=True, weighted_score=3.2)})
    assert is_borderline(scored, "clarity", scales)


def test_disagree_asks_where_the_judge_and_the_same_named_check_part(project, monkeypatch, capsys):
    _run(project, "r")
    capsys.readouterr()
    out = _label(monkeypatch, capsys, "r", "--disagree", answers="q\n")
    assert "queue: 2 to label, kept by --disagree" in " ".join(out)
    out = _label(monkeypatch, capsys, "r", "--disagree", answers="s\ns\n")
    assert _asked(out) == ["c2 criterion no_contradiction", "c3 criterion no_contradiction"]
    out = _label(monkeypatch, capsys, "r", "--disagree", "--checks", "no_contradiction", answers="s\ns\n")
    assert _asked(out) == ["c2 check no_contradiction", "c3 check no_contradiction"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["label", "r", "--labels", "labels.jsonl", "--labeller", "ana", "--criteria", "clarity",
                 "--disagree"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("harness: error: --disagree: nothing labelled can disagree: run r has no judge panel, "
                           "and no criterion labelled has a check of the same name (criteria and checks that can: "
                           "no_contradiction)")


def test_disagree_asks_where_a_judge_panel_split(project, monkeypatch, capsys):
    _run(project, "p", judge="panel:\n  - model: fake/judge\n  - model: fake/strict\naggregate: majority")
    capsys.readouterr()
    out = _label(monkeypatch, capsys, "p", "--disagree", "--cases", "c4,c5", answers="s\n")
    assert _asked(out) == ["c5 criterion no_contradiction"]  # the strict panellist failed c5 alone
    record = Record(case_id="c5", candidate="bot", reply="hi", judge={"no_contradiction": CriterionResult(
        score=1.0, passed=True, panel={"a": CriterionResult(score=1.0, passed=True),
                                       "b": CriterionResult(score=0.0, passed=False)})})
    assert is_disagreeing(record, "no_contradiction", frozenset())
    assert not is_failing(record, "criterion", "no_contradiction")


def test_from_diff_asks_the_changed_cases_flips_first_on_either_side(project, monkeypatch, capsys):
    _run(project, "r1")
    _run(project, "r2", version="v2")
    assert main(["diff", "r1", "r2", "--out", "d"]) == 0
    capsys.readouterr()
    # c1 and c4 changed: c1 fail->pass (clarity 3 -> 5 crosses the pass threshold), c4 pass->fail (the
    # no_contradiction check): the regression first, whichever side is labelled; the others are not asked.
    out = _label(monkeypatch, capsys, "r2", "--from-diff", "d", "--criteria", "no_contradiction", answers="s\ns\n")
    assert "queue: 2 to label, kept by --from-diff d (of 6 unlabelled)" in out
    assert _asked(out) == ["c4 criterion no_contradiction", "c1 criterion no_contradiction"]
    out = _label(monkeypatch, capsys, "r1", "--from-diff", "d/diff.json", "--criteria", "clarity", answers="s\ns\n")
    assert _asked(out) == ["c4 criterion clarity", "c1 criterion clarity"]
    out = _label(monkeypatch, capsys, "r1", "--from-diff", "d", "--criteria", "clarity", "--shuffle", "1",
                 answers="s\ns\n")  # --shuffle still shuffles
    assert sorted(_asked(out)) == ["c1 criterion clarity", "c4 criterion clarity"]
    _run(project, "r3")
    capsys.readouterr()
    for path, message in (("r3", "no r3/diff.json"), ("d", "d/diff.json compares r1 and r2, not run r3")):
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert main(["label", "r3", "--labels", "labels.jsonl", "--labeller", "ana", "--from-diff", path]) == 2
        assert f"harness: error: --from-diff: {message}" in capsys.readouterr().err


def test_shares_are_disjoint_cover_the_queue_and_do_not_move_with_other_options(project, monkeypatch, capsys):
    _run(project, "r")
    capsys.readouterr()
    shares = [set(_asked(_label(monkeypatch, capsys, "r", "--criteria", "clarity", "--share", f"{k}/2",
                                answers="s\n" * 6))) for k in (1, 2)]
    assert shares[0] and shares[1] and not shares[0] & shares[1]
    assert shares[0] | shares[1] == {f"{c} criterion clarity" for c in REPLIES}
    failing = set(_asked(_label(monkeypatch, capsys, "r", "--criteria", "clarity", "--failing", "--share", "1/2",
                                answers="s\n" * 6)))
    assert failing == shares[0] & {"c1 criterion clarity", "c2 criterion clarity"}
    assert all(in_share(Record(case_id=c.split()[0], candidate="bot"), 1, 2) for c in shares[0])
    for bad in ("3/2", "0/2", "1", "a/b"):
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert main(["label", "r", "--labels", "labels.jsonl", "--labeller", "ana", "--share", bad]) == 2
        assert "harness: error: --share: give K/N" in capsys.readouterr().err


def test_the_doubt_options_look_at_the_target_being_labelled():
    record = Record(case_id="x", candidate="bot", reply="hi",
                    judge={"clarity": CriterionResult(score=2.0, passed=False)},
                    checks={"no_contradiction": {"passed": True}})
    picked = Target("criterion", "clarity", "1-5"), Target("check", "no_contradiction", "pass_fail")
    assert [is_failing(Item(record, t).record, t.kind, t.name) for t in picked] == [True, False]
