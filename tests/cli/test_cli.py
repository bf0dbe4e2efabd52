"""The `harness` command as a user runs it: against a real HTTP server on 127.0.0.1, and on bad input."""

import json

import pytest

from harness.records.store import iter_records
from tests.cli.conftest import REPO, harness_cmd, last_line


def test_run_against_openai_compatible_server_then_report(served_project):
    root, server = served_project["dir"], served_project["server"]
    done = harness_cmd("run", "eval.yaml", "--out", "results/r1", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "scorecard: results/r1/scorecard.md" in done.stdout
    records = list(iter_records(root / "results/r1"))
    assert len(records) == 12 and not any(r.error for r in records)
    served = [r for r in records if r.candidate == "served"]
    assert all(r.reply.startswith("I apologize for the delay") for r in served)
    assert all(r.judge["acknowledgement"].score == 4 for r in records)
    assert all(r.judge["policy_compliance"].passed for r in records)
    # 6 responder calls + 12 records x 2 criteria judged, each exactly once.
    assert len(server.requests) == 6 + 24
    judge_request = next(r.body for r in server.requests if r.body["model"] == "test-judge")
    assert judge_request["response_format"]["type"] in {"json_schema", "json_object"}
    scorecard = json.loads((root / "results/r1/scorecard.json").read_text())
    assert scorecard["schema_version"] == 7

    again = harness_cmd("run", "eval.yaml", "--out", "results/r2", cwd=root)
    assert again.returncode == 0 and len(server.requests) == 30  # all from the cache

    report = harness_cmd("report", "results/r1", "--quiet", cwd=root)
    assert report.returncode == 0 and "report:    results/r1/report.html" in report.stdout


def test_server_faults_are_retried_or_recorded(served_project):
    root, server = served_project["dir"], served_project["server"]
    server.queue("server_error", "rate_limit_retry_after", "unavailable", "unavailable", "unavailable")
    done = harness_cmd("run", "eval.yaml", "--out", "results/f", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stderr
    records = list(iter_records(root / "results/f"))
    assert len(records) == 12
    errors = [r for r in records if r.error] + [r for r in records for c in r.judge.values() if c.error]
    assert len(errors) <= 1  # three 503s in a row exhaust 2 retries of one call at most


def test_existing_run_is_not_overwritten(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "results/x", "--quiet", cwd=root).returncode == 0
    before = (root / "results/x/records.jsonl").read_bytes()
    again = harness_cmd("run", "eval.yaml", "--out", "results/x", cwd=root)
    assert again.returncode == 2 and "already holds a run" in again.stderr
    assert "Traceback" not in again.stderr and (root / "results/x/records.jsonl").read_bytes() == before


def test_bad_dataset_row_is_one_line_exit_2(served_project):
    root = served_project["dir"]
    with open(root / "cases.jsonl", "a") as handle:
        handle.write('{"id": "bad", "turns": [{"role": "agent", "content": "hi"}]}\n')
    done = harness_cmd("run", "eval.yaml", "--out", "results/y", cwd=root)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert last_line(done.stderr) == ("harness: error: cases.jsonl:7: turns: no customer turn (a thread needs the customer's "
                                     "message to answer)")
    assert not (root / "results/y").exists()


def test_missing_api_key_is_reported_before_any_call(served_project):
    root, server = served_project["dir"], served_project["server"]
    text = (root / "eval.yaml").read_text().replace("model: openai/test-judge",
                                                    "model: openai/test-judge\n  api_key_env: CANARY_KEY_FOR_TEST")
    (root / "eval.yaml").write_text(text)
    done = harness_cmd("run", "eval.yaml", "--out", "results/z", cwd=root, env={"CANARY_KEY_FOR_TEST": ""})
    assert done.returncode == 2 and "CANARY_KEY_FOR_TEST" in done.stderr
    assert server.requests == []


def test_validate(served_project, tmp_path):
    root = served_project["dir"]
    good = harness_cmd("validate", "cases.jsonl", "eval.yaml", cwd=root)
    assert good.returncode == 0 and "ok    cases.jsonl: dataset, 6 cases" in good.stdout
    (root / "broken.yaml").write_text("dataset: cases.jsonl\ncandidates:\n  - name: a\n    recordd: v\n")
    bad = harness_cmd("validate", ".", cwd=root)
    assert bad.returncode == 2 and "broken.yaml:4: candidates[0].recordd: unknown field" in bad.stderr


ROUTED_EVAL = """\
name: routed
dataset: cases.jsonl
candidates:
  - name: bot
    recorded: bot
  - name: routed-bot
    model: bot-model
    prompt: "You are a support agent."
    deployments:
      - {{name: a, model: {candidate_second}, api_base: "http://127.0.0.1:9/v1"}}
      - {{name: b, model: openai/served-model, api_base: "http://127.0.0.1:9/v1"}}
checks: [apology_wording]
judge:
  model: support-model
  rubric: {rubric}
  deployments:
    - {{name: eu, model: openai/served-model, api_base: "http://127.0.0.1:9/v1"}}
    - {{name: us, model: {judge_second}, api_base: "http://127.0.0.1:9/v1"}}
"""


@pytest.mark.parametrize("candidate_second, judge_second, expected", [
    ("no-such-provider-model-xyz", "openai/served-model",
     "eval.yaml:10: candidates[1].deployments[0].model: unknown model or provider 'no-such-provider-model-xyz'"),
    ("openai/served-model", "no-such-provider-model-xyz",
     "eval.yaml:18: judge.deployments[1].model: unknown model or provider 'no-such-provider-model-xyz'"),
])
def test_validate_refuses_a_deployment_model_name_as_the_run_does(tmp_path, candidate_second, judge_second,
                                                                   expected):
    # A routed model's `model` is a label; its deployments' names are what a run checks (and refuses) before
    # its first call. validate said ok to them.
    (tmp_path / "cases.jsonl").write_text(
        '{"id": "c1", "turns": [{"role": "customer", "content": "where is my parcel"}], '
        '"recorded_replies": {"bot": "Sorry about that."}}\n')
    rubric = REPO / "rubrics" / "support-reply.yaml"
    (tmp_path / "eval.yaml").write_text(ROUTED_EVAL.format(rubric=rubric, candidate_second=candidate_second,
                                                           judge_second=judge_second))
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    validated = harness_cmd("validate", "eval.yaml", cwd=tmp_path, env=env)
    ran = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path, env=env)
    assert ran.returncode == 2 and ran.stderr.startswith(f"harness: error: {expected}"), ran.stderr
    assert validated.returncode == 2 and validated.stdout == "", validated.stdout
    assert validated.stderr.strip() == "error " + ran.stderr.strip().removeprefix("harness: error: ")
    assert len(validated.stderr.strip().splitlines()) == 1


def test_validate_passes_routable_deployments(tmp_path):
    (tmp_path / "cases.jsonl").write_text(
        '{"id": "c1", "turns": [{"role": "customer", "content": "where is my parcel"}], '
        '"recorded_replies": {"bot": "Sorry about that."}}\n')
    (tmp_path / "eval.yaml").write_text(ROUTED_EVAL.format(
        rubric=REPO / "rubrics" / "support-reply.yaml", candidate_second="azure/gpt-4o-mini",
        judge_second="openai/served-model"))
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path, env={"LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    assert done.returncode == 0 and "ok    eval.yaml: eval routed, 2 candidates" in done.stdout, done.stderr


def test_help_is_fast_and_lists_commands(tmp_path):
    done = harness_cmd("--help", cwd=tmp_path)
    assert done.returncode == 0 and all(c in done.stdout for c in ("run", "validate", "report"))


def test_provider_schema_drops_keywords_strict_modes_refuse():
    from harness.judges.prompt import answer_schema
    from harness.judges.rubric import load_rubric
    from harness.models.litellm_provider import portable_schema

    criterion = load_rubric("rubrics/support-reply.yaml").criteria[0]
    sent = portable_schema(answer_schema(criterion))
    assert "maxLength" not in sent["properties"]["reason"] and sent["properties"]["score"]["enum"] == [1, 2, 3, 4, 5]
    assert sent["additionalProperties"] is False and sent["required"] == ["reason", "score"]


def test_validate_names_a_duplicate_criterion_at_its_line_and_a_missing_path_as_missing(tmp_path):
    # The duplicate was reported at line 1 with no field; a missing path without a suffix as "not a dataset".
    (tmp_path / "dup.yaml").write_text("id: r\nversion: '1'\ncriteria:\n"
                                       "  - {id: a, question: q, scale: pass_fail, levels: {pass: p, fail: f}}\n"
                                       "  - {id: b, question: q, scale: pass_fail, levels: {pass: p, fail: f}}\n"
                                       "  - {id: a, question: q, scale: pass_fail, levels: {pass: p, fail: f}}\n")
    done = harness_cmd("validate", "dup.yaml", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error dup.yaml:6: criteria[2].id: duplicate criterion id: a",
                                        "error nowhere: file not found"]


def test_validate_a_directory_reads_only_what_it_recognises_and_says_what_it_skipped(tmp_path):
    """`harness validate .` reported every JSON Schema, run directory, label file and CI workflow as a broken
    dataset or eval file (exit 2); now those are skipped with the reason, and real mistakes still fail."""
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "turns": [{"role": "customer", "content": "hi"}], '
                                          '"recorded_replies": {"a": "sorry"}}\n')
    (tmp_path / "eval.yaml").write_text("dataset: cases.jsonl\ncandidates:\n  - {name: a, recorded: a}\n")
    (tmp_path / "case.schema.json").write_text('{\n  "$defs": {},\n  "type": "object"\n}\n')
    (tmp_path / "report.json").write_text('{\n  "a": 1\n}\n')
    (tmp_path / "prompt.json").write_text('[\n  {"role": "user", "content": {{ x | dump }}}\n]\n')
    (tmp_path / "labels.jsonl").write_text('{"case_id": "a", "criterion": "tone", "label": "pass"}\n')
    (tmp_path / "export.csv").write_text("case_id,candidate,reply\na,b,c\n")
    (tmp_path / "table.csv").write_text("id,complaint\nb,where is my parcel\n")
    ci = tmp_path / ".github" / "workflows"
    ci.mkdir(parents=True)
    (ci / "nightly.yml").write_text("on: push\njobs:\n  eval:\n    env:\n      KEY: ${{ secrets.KEY }}\n")
    (tmp_path / "workflow.yml").write_text("on: push\njobs:\n  eval:\n    env:\n      KEY: ${{ secrets.KEY }}\n")
    run = tmp_path / "results" / "r1"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text('{\n  "schema_version": 1\n}\n')
    (run / "records.jsonl").write_text('{"schema_version": 1, "case_id": "a"}\n')
    done = harness_cmd("validate", ".", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "skip  case.schema.json: a JSON Schema, not a dataset",
        "ok    cases.jsonl: dataset, 1 case",
        "ok    eval.yaml: eval eval, 1 candidate",
        "skip  export.csv: not a dataset (no turns or complaint column in its header)",
        "skip  labels.jsonl: not a dataset (its first row has no turns or complaint)",
        "skip  prompt.json: not JSON Lines (its first line is not JSON)",
        "skip  report.json: a JSON document, not a dataset (JSON Lines: one case per line)",
        "skip  results/r1/: a run directory (manifest.json): not validated",
        "ok    table.csv: dataset, 1 case",
        "skip  workflow.yml: not an eval file or rubric (no dataset:, candidates: or criteria: key)",
    ], lines
    # What names a harness field is still validated, mistakes and all; a file named on its own always is.
    (tmp_path / "broken.yml").write_text("dataset: cases.jsonl\ncandidates: [\n")
    (tmp_path / "bad.jsonl").write_text('{"id": "b", "turns": []}\n')
    bad = harness_cmd("validate", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "bad.jsonl:1: turns" in bad.stderr and "broken.yml:" in bad.stderr, bad.stderr
    named = harness_cmd("validate", "report.json", cwd=tmp_path)
    assert named.returncode == 2 and "report.json:1: invalid JSON" in named.stderr


# diff takes --pair several times (one comparison per pair, see tests/cli/test_diff_pairs_cli.py); pairwise
# still compares one pair, so a second --pair there is refused rather than silently the last.
@pytest.mark.parametrize("command", ["pairwise"])
def test_pair_given_twice_is_refused_not_silently_the_last(command, capsys):
    from harness.cli.main import main

    try:
        code = main([command, "runA", "--pair", "bot=bot", "--pair", "v1=v9"])
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert "--pair given twice (bot=bot and v1=v9)" in capsys.readouterr().err


def test_validate_a_directory_with_nothing_it_recognises_is_an_error_not_a_silent_pass(tmp_path):
    (tmp_path / "notes.yaml").write_text("title: not a harness file\n")
    (tmp_path / "empty").mkdir()
    done = harness_cmd("validate", "empty", cwd=tmp_path)
    assert done.returncode == 2 and "empty: no eval file, dataset or rubric found to validate" in done.stderr
    done = harness_cmd("validate", ".", cwd=tmp_path)
    assert done.returncode == 2 and "skip  notes.yaml" in done.stdout
