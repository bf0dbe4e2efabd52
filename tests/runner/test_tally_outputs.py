"""A run's outputs built from its tally (records folded in as they were written) are the files a rebuild
from the run directory writes, and what the readers that stream ``records.jsonl`` make of it: fresh, resumed
(the records on disk join the tally from the resume's own read), retrying errors, and with a judge panel."""

from __future__ import annotations

import json

from harness.ci.nightly import NightlyOptions, run_gated
from harness.errors import ServerError
from harness.models.fake import register_fake
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.runner.outputs import load_cases
from harness.runner.tally import CaseSnapshot, RunTally
from tests.runner.outputs_both_ways import assert_same_outputs, read_outputs, rebuilt_outputs, reference_outputs

PANEL = """judge:
  rubric: rubric.yaml
  panel:
    - model: fake/judge
      name: strict
    - model: fake/lenient
"""


def _gated(project, out: str, **options) -> tuple:
    gated = run_gated("eval.yaml", NightlyOptions(run=RunOptions(out=project["dir"] / out, **options)))
    return gated, gated.result.run_dir


def _check_three_ways(run_dir) -> None:
    as_run = read_outputs(run_dir)
    assert_same_outputs(as_run, reference_outputs(run_dir))
    assert_same_outputs(rebuilt_outputs(run_dir), as_run)


def test_a_fresh_run_writes_what_a_rebuild_writes(project):
    gated, run_dir = _gated(project, "out")
    tally = gated.result.tally
    assert tally is not None and tally.errors.records == 9 and tally.rows is None  # rows let go once rendered
    assert "Complaint" in (run_dir / "report.html").read_text()
    _check_three_ways(run_dir)


def test_the_cached_rerun_writes_what_a_rebuild_writes(project):
    _gated(project, "a")
    _, run_dir = _gated(project, "b")  # every call a cache hit: no latencies, the trends hold two runs
    assert all(r.judging.cache_hits == r.judging.calls for r in iter_records(run_dir))
    assert "Trends over runs" in (run_dir / "report.html").read_text()
    _check_three_ways(run_dir)


def test_a_resumed_run_tallies_the_records_it_found(project):
    out = project["dir"] / "out"
    run_eval("eval.yaml", RunOptions(out=out, candidates=["v1", "v2"], use_cache=False))
    lines = (out / "records.jsonl").read_text().splitlines()
    (out / "records.jsonl").write_text("\n".join(lines[:4]) + "\n" + lines[4][:15])  # torn last line
    gated, run_dir = _gated(project, "out", resume=True, use_cache=False)
    assert gated.result.skipped == 4 and gated.result.tally.errors.records == 9
    _check_three_ways(run_dir)


def test_retrying_errors_tallies_only_the_records_kept(project):
    register_fake("responder", [ServerError("boom")] * 20)
    eval_file = project["dir"] / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace("model: fake/responder",
                                                       "model: fake/responder\n    max_retries: 1"))
    _, run_dir = _gated(project, "out", use_cache=False)
    assert sum(r.error is not None for r in iter_records(run_dir)) == 3
    _check_three_ways(run_dir)  # errors in junit.xml, summary.md and the report
    register_fake("responder", lambda messages, config: "I apologize. Ticket 12 is open; I will email you today.")
    gated, run_dir = _gated(project, "out", resume=True, retry_errors=True, use_cache=False)
    assert gated.result.evaluated == 3 and gated.result.tally.errors.with_error == 0
    _check_three_ways(run_dir)


def test_a_panel_run_writes_what_a_rebuild_writes(project):
    register_fake("lenient", lambda messages, config: json.dumps({"reason": "lenient", "score": 5})
                  if '"pass" or "fail"' not in messages[-1].content else json.dumps({"reason": "ok", "score": "pass"}))
    path = project["dir"] / "eval.yaml"
    path.write_text(path.read_text().split("judge:")[0] + PANEL)
    gated, run_dir = _gated(project, "out")
    assert gated.result.outputs.scorecard.panel is not None
    _check_three_ways(run_dir)


def test_a_tally_for_gates_keeps_no_report_rows_or_scores(project):
    tally = RunTally.for_gates()
    assert tally.rows is None and tally.scoring is None and tally.outcomes is not None
    _, run_dir = _gated(project, "out")
    tally.add_all(iter_records(run_dir))
    assert tally.errors.records == 9 and len(tally.outcomes.result()) == 9


def test_harness_report_alone_matches_the_reference(project):
    run_dir = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out")).run_dir
    assert_same_outputs(rebuilt_outputs(run_dir, gates=False), reference_outputs(run_dir, gates=False))


def test_the_case_snapshot_a_run_keeps_reads_as_cases_jsonl(project):
    run_dir = run_eval("eval.yaml", RunOptions(out=project["dir"] / "out", candidates=["v1"])).run_dir
    on_disk = load_cases(run_dir)
    lines = (run_dir / "cases.jsonl").read_text().splitlines()
    snapshot = CaseSnapshot({json.loads(line)["id"]: line for line in lines})
    assert {case_id: snapshot[case_id] for case_id in snapshot} == on_disk
    assert len(snapshot) == 3 and snapshot.get("nope") is None
    assert snapshot["c2"] == snapshot["c2"] and snapshot["c2"] is not snapshot["c2"]  # only the line is kept


def test_a_bug_in_an_output_does_not_stop_the_run(project, monkeypatch, capsys):
    """The tally is set aside at its first error; the records keep being written, the outputs read them back."""
    from harness.report.html_records import RecordRows

    add, calls = RecordRows.add, []

    def fails_once(self, record):
        calls.append(record.key)
        if len(calls) == 3:
            raise ValueError("a rendering bug")
        add(self, record)

    monkeypatch.setattr(RecordRows, "add", fails_once)
    gated, run_dir = _gated(project, "out")
    assert gated.result.evaluated == 9 and not gated.result.tally.usable
    assert "outputs will be read back from its records (ValueError: a rendering bug)" in capsys.readouterr().err
    _check_three_ways(run_dir)
