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
        assert data["schema_version"] == 1
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
    path.write_text(json.dumps({**data, "schema_version": 2}))
    with pytest.raises(ResultsError, match=r"written by a newer harness \(schema_version 2; this one reads up to 1\)"):
        read_outcome(project / "results/r")
    old = {k: v for k, v in data.items() if k != "schema_version"}
    old["gates"] = [{k: v for k, v in g.items() if k not in ("status", "measured")} for g in data["gates"]]
    path.write_text(json.dumps(old))  # as a run gated before this change wrote it
    assert read_outcome(project / "results/r").passed
