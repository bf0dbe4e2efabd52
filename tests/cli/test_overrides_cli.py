"""`harness run/estimate/validate --model/--judge-model/--set`: one eval file, another model or setting for one
command; the run says so at its start, its manifest records it, and `harness diff` shows it as the setup change."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import harness_cmd


def _sent_models(server) -> set[str]:
    return {r.body["model"] for r in server.requests}


def test_run_with_model_and_judge_model_records_them_and_diff_shows_the_change(served_project):
    project, server = served_project["dir"], served_project["server"]
    first = harness_cmd("run", "eval.yaml", "--out", "r1", "--quiet", "--no-cache", cwd=project)
    assert first.returncode == 0, first.stderr
    assert _sent_models(server) == {"test-model", "test-judge"}
    server.requests.clear()

    done = harness_cmd("run", "eval.yaml", "--out", "r2", "--no-cache", "--model", "openai/other-model",
                       "--set", "candidates.1.params.temperature=0.1", cwd=project)
    assert done.returncode == 0, done.stderr
    assert _sent_models(server) == {"other-model", "test-judge"}
    assert ("harness: from the command line: --model openai/other-model: every model candidate's model (the eval "
            "file: openai/test-model)") in done.stderr
    manifest = json.loads((project / "r2" / "manifest.json").read_text())
    assert manifest["eval_spec"]["overrides"] == ["--model openai/other-model",
                                                  "--set candidates.1.params.temperature=0.1"]
    assert [c.get("model", {}).get("name") for c in manifest["candidates"]] == [None, "openai/other-model"]
    assert "overrides" not in json.loads((project / "r1" / "manifest.json").read_text())["eval_spec"]
    # The scorecard's header says where the run's model came from, so nobody reads it as the file's.
    said = "- from the command line: --model openai/other-model, --set candidates.1.params.temperature=0.1"
    assert said in (project / "r2" / "scorecard.md").read_text()
    assert "from the command line" not in (project / "r1" / "scorecard.md").read_text()
    assert "<dt>from the command line</dt>" in (project / "r2" / "report.html").read_text()

    diff = harness_cmd("diff", "r1", "r2", "--out", "d", cwd=project)  # the same judge: comparable as they are
    assert "setup changed: model openai/test-model → openai/other-model; temperature" in diff.stdout, diff.stdout


def test_resume_continues_with_the_options_the_run_started_with(served_project):
    project, server = served_project["dir"], served_project["server"]
    started = harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--judge-model", "openai/other-judge",
                          cwd=project)
    assert started.returncode == 0, started.stderr
    assert _sent_models(server) == {"test-model", "other-judge"}
    assert ("harness: from the command line: --judge-model openai/other-judge: the judge (the eval file: "
            "openai/test-judge)") in started.stderr
    assert json.loads((project / "r" / "manifest.json").read_text())["judge"]["name"] == "openai/other-judge"
    again = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--resume", cwd=project)
    assert again.returncode == 2
    assert again.stderr.strip() == ("harness: error: --resume: the run in r was started with --judge-model "
                                    "openai/other-judge; give the same to continue it (now: none)")


def test_a_wrong_option_is_named_before_anything_is_written(served_project):
    project = served_project["dir"]
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--set", "judge.modle=openai/x", cwd=project)
    assert done.returncode == 2 and not (project / "r").exists()
    assert done.stderr.strip() == ("harness: error: --set judge.modle: no such key in the eval file; did you mean "
                                   "judge.model?")
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--model", "no-such-provider-xyz", cwd=project)
    assert done.returncode == 2 and not (project / "r").exists()
    assert "harness: error: --model: unknown model or provider 'no-such-provider-xyz'" in done.stderr


def test_validate_and_estimate_take_the_same_options(served_project):
    project = served_project["dir"]
    ok = harness_cmd("validate", "eval.yaml", "--model", "openai/gpt-4o", "--set", "concurrency=4", cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert "(changed by --model openai/gpt-4o, --set concurrency=4)" in ok.stdout
    bad = harness_cmd("validate", "eval.yaml", "--set", "concurrency=0", "--set", "candidates.0.modle=x",
                      cwd=project)
    assert bad.returncode == 2
    assert "error eval.yaml: --set concurrency: Input should be greater than or equal to 1" in bad.stderr
    assert "error eval.yaml: --set candidates.0.modle: no such key in the eval file" in bad.stderr
    nothing = harness_cmd("validate", "cases.jsonl", "--model", "openai/gpt-4o", cwd=project)
    assert "warn  --model openai/gpt-4o: no eval file among the paths, nothing to change" in nothing.stderr
    estimate = harness_cmd("estimate", "eval.yaml", "--json", "--judge-model", "openai/gpt-4o", cwd=project)
    assert estimate.returncode == 0, estimate.stderr
    rows = json.loads(estimate.stdout)
    assert "openai/gpt-4o" in json.dumps(rows) and "test-judge" not in json.dumps(rows)


@pytest.mark.parametrize("command", ["run", "estimate", "validate"])
def test_help_lists_the_options(command, tmp_path):
    done = harness_cmd(command, "--help", cwd=tmp_path)
    for option in ("--model MODEL", "--judge-model MODEL", "--judge-api-base URL", "--judge-api-key-env VAR",
                   "--set KEY=VALUE"):
        assert option in done.stdout, (command, option)


def test_an_option_given_twice_is_refused(tmp_path):
    done = harness_cmd("validate", "x.yaml", "--model", "a/b", "--model", "c/d", cwd=tmp_path)
    assert done.returncode == 2 and "--model given twice (a/b and c/d): give it once" in done.stderr
