"""End to end: a panel of two scripted fake judges that disagree in a known way, through run, scorecard and report."""

from __future__ import annotations

import json
import re

import pytest

from harness.compare.guard import differences
from harness.errors import ModelCallError
from harness.models.fake import register_fake
from harness.records.schema import Manifest
from harness.runner.engine import RunOptions, run_eval
from tests.runner.conftest import project  # noqa: F401  (the fixture: a small project with fake models)

PANEL = """judge:
  rubric: rubric.yaml
  aggregate: {aggregate}
  panel:
    - model: fake/judge
      name: strict
    - model: fake/lenient
"""


def _criterion(messages) -> str:
    return re.search(r"Criterion `([a-z_]+)`", messages[-1].content).group(1)


def lenient_script(messages, config):
    """Always one level kinder than the project's judge: 5 where it says 2 or 5 ... (3 where it says 2)."""
    user = messages[-1].content
    good = "apologize" in user.split(" reply\n", 1)[1].split("\n>>>END-", 1)[0].lower()
    if '"pass" or "fail"' in user:
        return json.dumps({"reason": "lenient", "score": "pass"})
    return json.dumps({"reason": "lenient", "score": 5 if good else 3})


def _panel_eval(project, aggregate="mean") -> None:
    path = project["dir"] / "eval.yaml"
    text = path.read_text()
    head = text.split("judge:")[0]
    path.write_text(head + PANEL.format(aggregate=aggregate))


def _records(run_dir):
    return [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]


@pytest.fixture
def panel_run(project):
    register_fake("lenient", lenient_script)
    _panel_eval(project)
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    return project, result.run_dir


def test_every_record_keeps_each_panellists_verdict_and_their_mean(panel_run):
    _, run_dir = panel_run
    records = {(r["case_id"], r["candidate"]): r for r in _records(run_dir)}
    v1 = records[("c1", "v1")]["judge"]  # "Sorry for any inconvenience.": strict 2, lenient 3
    assert v1["apology_quality"]["panel"]["strict"]["score"] == 2
    assert v1["apology_quality"]["panel"]["fake/lenient"]["score"] == 3
    assert v1["apology_quality"]["score"] == 2.5 and v1["apology_quality"]["n_votes"] == 2
    assert v1["apology_quality"]["passed"] is False
    # pass/fail under mean: one pass of two is a tie, and a tie fails.
    assert v1["policy_compliance"]["score"] == 0.5 and v1["policy_compliance"]["passed"] is False
    v2 = records[("c1", "v2")]["judge"]  # "I apologize ...": both judges 5 / pass
    assert v2["apology_quality"]["score"] == 5 and v2["policy_compliance"]["passed"] is True
    assert "[panel strict 5, fake/lenient 5 → mean 5]" in v2["apology_quality"]["reason"]
    not_applicable = records[("c1", "v1")]["judge"]["clarifying_questions"]
    assert not_applicable["applicable"] is False


def test_scorecard_has_panel_agreement_and_each_panellists_mean(panel_run):
    _, run_dir = panel_run
    card = json.loads((run_dir / "scorecard.json").read_text())
    panel = card["panel"]
    assert panel["panellists"] == ["strict", "fake/lenient"] and panel["aggregate"] == "mean"
    apology = panel["criteria"]["apology_quality"]
    assert apology["n_units"] == 9 and apology["votes"] == {"2": 9}
    pair = apology["pairs"][0]
    assert (pair["a"], pair["b"], pair["n"]) == ("strict", "fake/lenient", 9)
    # Scores agree exactly only on the replies that apologise; elsewhere 2 vs 3.
    records = _records(run_dir)
    good = sum("apologize" in (r["reply"] or "").lower() for r in records)
    assert pair["raw_agreement"]["value"] == pytest.approx(good / 9)
    # Strict passes apology_quality only on apologising replies (5), lenient the same (5 vs 3 under threshold 4).
    assert pair["cohen_kappa"]["value"] == pytest.approx(1.0)
    means = panel["means"]["v1"]["apology_quality"]
    assert means["strict"]["mean"] < means["fake/lenient"]["mean"]
    markdown = (run_dir / "scorecard.md").read_text()
    assert "Judge panel" in markdown and "fake/lenient" in markdown and "Krippendorff" in markdown
    html = (run_dir / "report.html").read_text()
    assert "Judge panel" in html and "fake/lenient" in html


def test_manifest_records_the_panel_and_the_guard_sees_a_changed_panel(panel_run):
    project, run_dir = panel_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    judge = manifest["judge"]
    assert judge["aggregate"] == "mean"
    assert [m["panellist"] for m in judge["panel"]] == ["strict", "fake/lenient"]
    assert [m["name"] for m in judge["panel"]] == ["fake/judge", "fake/lenient"]
    changed = json.loads(json.dumps(manifest))
    changed["judge"]["panel_key"] = changed["judge"]["panel_key"].replace("fake/lenient", "fake/other")
    a, b = Manifest.model_validate(manifest), Manifest.model_validate(changed)
    assert differences(a, a) == []
    assert any(d.startswith("judge model differs") for d in differences(a, b))


def test_a_panellist_failing_leaves_the_vote_to_the_others(project):
    def flaky(messages, config):
        if _criterion(messages) == "apology_quality":
            return ModelCallError("fake/lenient: provider down")
        return lenient_script(messages, config)

    register_fake("lenient", flaky)
    _panel_eval(project, "median")
    run_dir = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    for record in _records(run_dir):
        apology = record["judge"]["apology_quality"]
        assert apology["n_votes"] == 1 and apology["error"] is None
        assert apology["score"] == apology["panel"]["strict"]["score"]
        assert apology["panel"]["fake/lenient"]["error"]["kind"] == "model_error"
    card = json.loads((run_dir / "scorecard.json").read_text())
    assert card["panel"]["criteria"]["apology_quality"]["votes"] == {"1": 9}
    assert card["panel"]["criteria"]["apology_quality"]["n_units"] == 0
    assert card["candidates"]["v1"]["criteria"]["apology_quality"]["n_errors"] == 0


def test_every_panellist_failing_is_a_judge_error(project):
    down = ModelCallError("fake: provider down")
    register_fake("lenient", lambda messages, config: down)
    project["judge"]._function = lambda messages, config: down
    _panel_eval(project, "majority")
    run_dir = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    record = _records(run_dir)[0]
    apology = record["judge"]["apology_quality"]
    assert apology["score"] is None and apology["n_votes"] == 0
    assert apology["error"]["message"].startswith("every panellist failed: strict: ")
    card = json.loads((run_dir / "scorecard.json").read_text())
    assert card["candidates"]["v1"]["criteria"]["apology_quality"]["n_errors"] == 3


def test_self_judging_notice_names_the_panellist_that_wrote_a_candidate(project):
    register_fake("lenient", lenient_script)
    _panel_eval(project)
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace("model: fake/responder", "model: fake/lenient"))
    run_dir = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    notices = json.loads((run_dir / "manifest.json").read_text())["notices"]
    assert any("judge model fake/lenient also wrote candidate polite's replies" in n for n in notices)
    assert not any("fake/judge also wrote" in n for n in notices)


def test_pairwise_asks_for_one_judge_when_run_a_had_a_panel(panel_run):
    from types import SimpleNamespace

    from harness.errors import ConfigError
    from harness.pairwise.run import JudgeSettings, judge_spec

    _, run_dir = panel_run
    side_a = SimpleNamespace(manifest=Manifest.model_validate_json((run_dir / "manifest.json").read_text()))
    with pytest.raises(ConfigError, match="judged by a panel; name one judge with --judge-model"):
        judge_spec(side_a, JudgeSettings())
    assert judge_spec(side_a, JudgeSettings(model="fake/judge")).name == "fake/judge"


def test_calibration_can_measure_one_panellist_instead_of_the_aggregate(panel_run):
    from harness.calibration.calibrate import CalibrationOptions, calibrate_run
    from harness.errors import ConfigError

    project, run_dir = panel_run
    labels = project["dir"] / "labels.jsonl"
    # The humans agree with the strict judge: 5 for replies that apologise, 2 otherwise.
    lines = [{"case_id": r["case_id"], "candidate": r["candidate"], "criterion": "apology_quality",
              "label": 5 if "apologize" in r["reply"].lower() else 2, "labeller": "ana"} for r in _records(run_dir)]
    labels.write_text("".join(json.dumps(line) + "\n" for line in lines))

    def apology(panellist):
        report = calibrate_run(run_dir, labels, CalibrationOptions(resamples=50, panellist=panellist))
        return report, next(a for a in report.criteria if a.name == "apology_quality")

    strict_report, strict = apology("strict")
    _, lenient = apology("fake/lenient")
    _, aggregate = apology(None)
    n_sorry = sum(line["label"] == 2 for line in lines)
    assert strict.n == lenient.n == aggregate.n == 9
    assert strict.raw_agreement.value == 1.0 and strict.leniency.value == 0.0
    assert lenient.leniency.value == pytest.approx(n_sorry / 9, abs=1e-3)  # one level kinder on each poor reply
    # The aggregate 2.5 is snapped to 3 by calibration (half up), so it reads as lenient as fake/lenient.
    assert aggregate.leniency.value == pytest.approx(n_sorry / 9, abs=1e-3) and aggregate.raw_agreement.value < 1
    assert strict_report.judge_model == "panellist strict of panel (mean): strict, fake/lenient"
    with pytest.raises(ConfigError, match="unknown panellist 'nobody' \\(panellists: strict, fake/lenient\\)"):
        apology("nobody")
