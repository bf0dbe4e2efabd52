"""A judge grading replies its own model wrote is flagged in the manifest and the scorecard."""

import json

from harness.runner.engine import RunOptions, run_eval
from tests.runner.conftest import project  # noqa: F401  (the fixture: a small project with fake models)


def both(messages, config):
    """One model writing replies and judging them."""
    from tests.runner.conftest import judge_script, responder_script

    return (judge_script if "Criterion `" in messages[-1].content else responder_script)(messages, config)


def test_judge_model_that_wrote_a_candidates_replies_is_flagged(project):
    from harness.models.fake import register_fake

    register_fake("judge", both)
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace("model: fake/responder", "model: fake/judge"))
    out = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    expected = "judge model fake/judge also wrote candidate polite's replies: judges favour their own outputs"
    for name in ("manifest.json", "scorecard.json"):
        notices = json.loads((out / name).read_text())["notices"]
        assert sum(expected in notice for notice in notices) == 1
    assert expected in (out / "scorecard.md").read_text()


def test_no_self_judging_notice_when_models_differ(project):
    out = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    notices = json.loads((out / "scorecard.json").read_text())["notices"]
    assert not any("also wrote" in notice for notice in notices)


def test_no_self_judging_notice_for_a_candidate_that_wrote_no_reply():
    # Every responder call of 'local' failed: the judge graded nothing of it, so nothing of it is inflated.
    from harness.runner.outputs import without_idle_self_judging
    from harness.runner.plan import SELF_JUDGING_NOTICE
    from harness.scoring.schema import CandidateScores, Scorecard

    notices = [SELF_JUDGING_NOTICE.format(model="openai/ok", candidate=name) for name in ("local", "local-2")]
    card = Scorecard.model_construct(notices=notices + ["another notice"], candidates={
        "local": CandidateScores(name="local", n_records=10, n_case_errors=10),
        "local-2": CandidateScores(name="local-2", n_records=10, n_case_errors=9)})
    assert without_idle_self_judging(card) == [notices[1], "another notice"]
