"""End-to-end runs with fake models into a temp dir: records, manifest, scorecard, resume, cache."""

import json

import jsonschema
import pytest

from harness.errors import ResultsError
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.schemas import schema_of


def test_full_run_writes_records_manifest_and_scorecard(project):
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out"))
    out = result.run_dir
    records = list(iter_records(out))
    assert len(records) == 9 and result.evaluated == 9
    assert {(r.case_id, r.candidate) for r in records} == {(c, n) for c in ("c1", "c2", "c3")
                                                          for n in ("v1", "v2", "polite")}
    by_key = {(r.case_id, r.candidate): r for r in records}
    v2 = by_key[("c1", "v2")]
    assert v2.reply_source == "recorded" and v2.checks["apology_wording"].data["form"] == "apologize"
    assert v2.judge["apology_quality"].score == 5 and v2.judge["clarifying_questions"].applicable is False
    assert by_key[("c1", "v1")].judge["apology_quality"].score == 2
    polite = by_key[("c2", "polite")]
    assert polite.reply_source == "model" and polite.responder.calls == 1
    # The responder saw the rendered system prompt, then the thread with roles mapped and merged.
    first_call = next(m for m, _ in project["responder"].history if "you idiots" in m[1].content)
    assert [m.role for m in first_call] == ["system", "user", "assistant", "user"]
    assert first_call[0].content == "You are a telecom agent. Max refund 40.0."
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["dataset"]["n_selected"] == 3
    assert manifest["rubric"]["id"] == "mini" and set(manifest["checks"]) >= {"apology_wording", "no_contradiction"}
    for name in ("manifest", "scorecard"):
        jsonschema.validate(json.loads((out / f"{name}.json").read_text()), schema_of(name))
    for record in records:
        jsonschema.validate(json.loads(record.model_dump_json()), schema_of("record"))
    assert (out / "scorecard.md").exists() and (out / "report.html").exists()


def test_rerun_is_served_from_cache(project):
    run_eval("eval.yaml", RunOptions(out=project["dir"] / "a"))
    calls = project["judge"].calls + project["responder"].calls
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "b"))
    assert project["judge"].calls + project["responder"].calls == calls
    assert all(r.judging.cache_hits == r.judging.calls for r in iter_records(result.run_dir))


def test_resume_skips_finished_cases(project):
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["v1"], use_cache=False))
    with pytest.raises(ResultsError, match="already holds a run"):
        run_eval("eval.yaml", RunOptions(out=out))
    lines = (out / "records.jsonl").read_text().splitlines()
    (out / "records.jsonl").write_text("\n".join(lines[:2]) + "\n" + lines[2][:15])  # torn last line
    before = project["judge"].calls
    result = run_eval("eval.yaml", RunOptions(out=out, resume=True, use_cache=False))
    assert result.skipped == 2 and result.evaluated == 7
    assert project["judge"].calls - before == 7 * 2 + 3  # 2 criteria per record, a 3rd on the 3 of c3
    assert len(list(iter_records(out))) == 9


def test_responder_failure_is_recorded_and_the_run_goes_on(project):
    from harness.errors import ServerError
    from harness.models.fake import register_fake

    register_fake("responder", [ServerError("boom")] * 20)
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace("model: fake/responder", "model: fake/responder\n    max_retries: 1"))
    result = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out", candidates=["polite", "v2"],
                                              use_cache=False))
    failed = [r for r in iter_records(result.run_dir) if r.error]
    assert {r.candidate for r in failed} == {"polite"} and failed[0].error.kind == "server_error"
    scorecard = json.loads((result.run_dir / "scorecard.json").read_text())
    assert "polite" in json.dumps(scorecard)


def test_resume_refuses_a_changed_prompt_file(project):
    eval_file = project["dir"] / "eval.yaml"
    (project["dir"] / "agent.jinja").write_text("You are a {{ category or 'general' }} agent.")
    text = eval_file.read_text()
    start = text.index("prompt: ")
    end = text.index("\n", start)
    eval_file.write_text(text[:start] + "prompt: agent.jinja" + text[end:])
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["polite"], use_cache=False))
    lines = (out / "records.jsonl").read_text().splitlines()
    (out / "records.jsonl").write_text("\n".join(lines[:1]) + "\n")
    (project["dir"] / "agent.jinja").write_text("You are a rude agent.")
    with pytest.raises(ResultsError, match="candidate settings .a prompt template file"):
        run_eval("eval.yaml", RunOptions(out=out, resume=True, use_cache=False))
    assert len((out / "records.jsonl").read_text().splitlines()) == 1


def test_a_bug_mid_run_leaves_an_interrupted_run_that_resumes(project, monkeypatch):
    import harness.runner.engine as engine
    from harness.records.store import read_manifest

    out = project["dir"] / "bug"
    real, seen = engine.evaluate_case, []

    async def flaky(case, *args, **kwargs):
        seen.append(case.id)
        if len(seen) == 4:
            raise RuntimeError("a bug outside the case's fault handling")
        return await real(case, *args, **kwargs)

    monkeypatch.setattr(engine, "evaluate_case", flaky)
    with pytest.raises(RuntimeError, match="a bug"):
        run_eval("eval.yaml", RunOptions(out=out, use_cache=False))
    assert read_manifest(out).status == "interrupted"  # was left "running"
    monkeypatch.setattr(engine, "evaluate_case", real)
    result = run_eval("eval.yaml", RunOptions(out=out, resume=True, use_cache=False))
    assert read_manifest(out).status == "complete" and len(list(iter_records(out))) == 9
    assert result.skipped + result.evaluated == 9


def test_new_run_refuses_a_directory_of_other_files(project):
    """--out naming a folder of the user's own (a mistyped --out . or docs) is refused; nothing in it changes."""
    out = project["dir"] / "mydocs"
    out.mkdir()
    (out / "summary.md").write_text("my own notes\n")
    (out / "report.html").write_text("<html>my page</html>")
    with pytest.raises(ResultsError, match=r"not empty and holds no run \(report.html, summary.md\)"):
        run_eval("eval.yaml", RunOptions(out=out))
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "summary.md"]
    assert (out / "summary.md").read_text() == "my own notes\n"
    a_file = project["dir"] / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(ResultsError, match="is a file, not a directory"):
        run_eval("eval.yaml", RunOptions(out=a_file))


def test_new_run_goes_into_an_empty_directory_or_one_only_the_harness_left(project):
    empty = project["dir"] / "empty"
    empty.mkdir()
    assert run_eval("eval.yaml", RunOptions(out=empty)).evaluated == 9
    leftovers = project["dir"] / "leftovers"  # a run stopped before its manifest: its lock and a temp file
    leftovers.mkdir()
    (leftovers / ".lock").write_text("")
    (leftovers / ".cases.jsonl.abc123.tmp").write_text("half")
    assert run_eval("eval.yaml", RunOptions(out=leftovers)).evaluated == 9
    assert not (leftovers / ".cases.jsonl.abc123.tmp").exists()
