"""``--resume --retry-errors`` keeps a reply whose only error was the judge's (or a crashed check's): it asks
only the failed criteria again, never the responder (with --no-cache at temperature 0.7 a new reply would
replace one whose checks were fine), says so at the start, and loses no reply when interrupted."""

from __future__ import annotations

import json

from harness.errors import ServerError
from harness.models.fake import register_fake
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, _prepare_records, run_eval
from harness.runner.retry import PENDING
from tests.runner.conftest import judge_script


def _setup(project, judge_down_on: str):
    """A responder that numbers its replies (a new call shows), and a judge down on one case's asks."""
    said = []

    def responder(messages, config):
        said.append(1)
        return f"I apologize. Ticket {len(said)} is open; I will email you today."

    def judge(messages, config):
        if judge_down_on in messages[-1].content:
            raise ServerError("judge down")
        return judge_script(messages, config)

    register_fake("responder", responder)
    register_fake("judge", judge)
    path = project["dir"] / "eval.yaml"
    if "max_retries" not in path.read_text():
        path.write_text(path.read_text().replace("model: fake/judge", "model: fake/judge\n  max_retries: 0"))
    return said


def _by_case(run_dir):
    return {r.case_id: r for r in iter_records(run_dir) if r.candidate == "polite"}


def test_a_judge_error_is_asked_again_on_the_reply_it_had(project, capsys):
    said = _setup(project, "cut my line")  # c2's judge asks fail; its reply is fine
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], use_cache=False))
    before = _by_case(out)
    assert before["c2"].error is None and any(v.error for v in before["c2"].judge.values())
    calls = len(said)
    register_fake("judge", judge_script)  # the judge is back
    capsys.readouterr()
    result = run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], resume=True, retry_errors=True,
                                              use_cache=False))
    assert len(said) == calls  # no responder call
    assert "1 record to redo: 1 judge only" in capsys.readouterr().err
    after = _by_case(out)
    assert after["c2"].reply == before["c2"].reply and after["c2"].checks == before["c2"].checks
    assert all(v.error is None for v in after["c2"].judge.values())
    assert after["c2"].judging.calls > before["c2"].judging.calls  # the asks again are accounted
    assert result.evaluated == 1 and len(list(iter_records(out))) == 3
    assert not (out / PENDING).exists()


def test_a_record_without_a_reply_is_redone_from_the_reply(project, capsys):
    _setup(project, "no-such-text")

    def down(messages, config):
        raise ServerError("down")

    register_fake("responder", down)
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], use_cache=False))
    said = _setup(project, "no-such-text")  # the bot is back
    capsys.readouterr()
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], resume=True, retry_errors=True, use_cache=False))
    assert "3 records to redo: 3 from the reply" in capsys.readouterr().err
    assert all(r.error is None and r.reply for r in _by_case(out).values()) and len(said) == 3


def test_an_interrupted_retry_puts_the_kept_replies_back(project):
    _setup(project, "cut my line")
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], use_cache=False))
    reply = _by_case(out)["c2"].reply
    retry = _prepare_records(out, True, planned=None)  # as a retry does before its first call; then it stops
    assert list(retry.rejudge) == [("c2", "polite", 0)] and "c2" not in _by_case(out)
    assert json.loads((out / PENDING).read_text().splitlines()[0])["reply"] == reply
    kept = _prepare_records(out, False)  # a plain --resume next: the reply is back, as it was
    assert _by_case(out)["c2"].reply == reply and len(kept.kept) == 3 and not (out / PENDING).exists()


def test_a_candidate_left_out_of_the_resume_keeps_its_errored_records(project):
    _setup(project, "cut my line")
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], use_cache=False))
    plan = _prepare_records(out, True, planned={("c1", "polite", 0)})  # c2 is not asked this time
    assert not plan.rejudge and len(_by_case(out)) == 3
