"""gates.json has a JSON Schema (harness/schemas/gates.schema.json, generated from harness.gates.schema), every
file a run writes validates against it, and the reader holds files to it: a wrong field is named, a newer
schema_version refused, a file from before schema_version and status is still read."""

from __future__ import annotations

import json

import jsonschema
import pytest

from harness.cli.main import main
from harness.errors import ResultsError
from harness.gates.outcome import read_outcome
from harness.gates.schema import GatesFile
from harness.schemas import HERE
from tests.nightly.conftest import REGRESSED_CASES

SCHEMA = HERE / "gates.schema.json"


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def test_shipped_schema_is_generated_from_the_model():
    shipped = json.loads(SCHEMA.read_text())
    assert shipped == json.loads(json.dumps(GatesFile.model_json_schema())), "regenerate gates.schema.json"


def test_written_files_validate_and_read_back(nightly):
    project, bot = nightly
    assert run("base") == 0
    bot.bad_cases = set(REGRESSED_CASES)
    bot.failing_cases = {"n01"}
    assert run("worse", "--baseline", "results/base") == 1
    schema = json.loads(SCHEMA.read_text())
    for name in ("base", "worse"):
        data = json.loads((project / f"results/{name}/gates.json").read_text())
        jsonschema.validate(data, schema)
        assert data["schema_version"] == 2
        outcome = read_outcome(project / f"results/{name}")
        assert outcome.exit_code == data["exit_code"] and [g.status for g in outcome.gates] == \
            [g["status"] for g in data["gates"]]


def test_the_reader_names_a_wrong_field_and_refuses_a_newer_version(nightly):
    project, _ = nightly
    assert run("r") == 0
    path = project / "results/r/gates.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "gates": [{**data["gates"][0], "passed": "maybe"}]}))
    with pytest.raises(ResultsError, match=r"gates.json: corrupt gate outcome \(gates\[0\]\.passed: "):
        read_outcome(project / "results/r")
    path.write_text(json.dumps({**data, "schema_version": 3}))
    with pytest.raises(ResultsError, match=r"written by a newer harness \(schema_version 3; this one reads up to 2\)"):
        read_outcome(project / "results/r")
    old = {k: v for k, v in data.items() if k != "schema_version"}
    old["gates"] = [{k: v for k, v in g.items() if k not in ("status", "measured")} for g in data["gates"]]
    path.write_text(json.dumps(old))  # as a run gated before this change wrote it
    assert read_outcome(project / "results/r").passed


def test_crashed_checks_and_a_partial_baseline_are_fields_and_read_from_a_version_1_file(tmp_path):
    from harness.gates.outcome import GateOutcome, GateResult, crash_note, partial_baseline_note, write_outcome

    notes = [crash_note("gold_ok", 2, 8, {"bot": 2}), partial_baseline_note("results/base", "--cases: 2 of 8 cases"),
             "max_regression gates were skipped: no --baseline given"]
    outcome = GateOutcome(gates=[GateResult("min check x", "bot", True, "90% over 8 cases")], complete=True,
                          completion="8 of 8", baseline="results/base", notes=notes, crashed_checks=["gold_ok"],
                          partial_baseline="--cases: 2 of 8 cases")
    write_outcome(tmp_path, outcome)
    data = json.loads((tmp_path / "gates.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert (data["crashed_checks"], data["partial_baseline"]) == (["gold_ok"], "--cases: 2 of 8 cases")
    read = read_outcome(tmp_path)
    assert (read.crashed_checks, read.partial_baseline, read.crash_notes) == (["gold_ok"], "--cases: 2 of 8 cases",
                                                                              notes[:1])
    # a file gated before the fields existed told them only in its notes' words
    v1 = {k: v for k, v in data.items() if k not in ("crashed_checks", "partial_baseline")} | {"schema_version": 1}
    (tmp_path / "gates.json").write_text(json.dumps(v1))
    old = read_outcome(tmp_path)
    assert (old.crashed_checks, old.partial_baseline, old.crash_notes) == (["gold_ok"], "--cases: 2 of 8 cases",
                                                                           notes[:1])
    # a note that merely mentions a crash is no crash in a version 2 file
    (tmp_path / "gates.json").write_text(json.dumps(data | {"crashed_checks": []}))
    assert read_outcome(tmp_path).crash_notes == []
