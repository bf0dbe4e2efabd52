"""A judge grading replies its own model wrote is flagged in the manifest and the scorecard."""

import json

from harness.runner.engine import RunOptions, run_eval
from tests.runner.conftest import project  # noqa: F401  (the fixture: a small project with fake models)


def test_judge_model_that_wrote_a_candidates_replies_is_flagged(project):
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
