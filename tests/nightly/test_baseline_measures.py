"""A baseline that lacks a measure a max_regression gate holds (a check added to the eval since the baseline
was accepted): that gate is not measured (a warning in gates.json, summary.md, junit.xml and the notes),
never silently dropped; a baseline sharing no gated measure at all fails the ``baseline usable`` gate (exit 2)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from harness.ci.nightly import gate_run
from harness.cli.main import main
from tests.nightly.conftest import EVAL

FULL = "checks: [no_contradiction, apology_wording, next_step]"


def write(project, checks: str = FULL, gates: str | None = None) -> None:
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="").replace(FULL, checks)
    if gates is not None:
        text = text.split("gates:\n")[0] + gates
    (project / "nightly.yaml").write_text(text)


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def gates_of(project, out: str) -> dict[str, dict]:
    data = json.loads((project / f"results/{out}/gates.json").read_text())
    return {g["name"]: g for g in data["gates"]} | {"__notes__": data["notes"]}


FEW_GATES = "gates:\n  criteria:\n    owns_the_problem: {min: 0.5}\n"


def test_a_gated_check_the_baseline_lacks_is_not_measured(nightly, capsys):
    project, _ = nightly
    write(project, "checks: [apology_wording]", FEW_GATES)
    assert run("few") == 0
    write(project)  # no_contradiction (named) and next_step ("*") were added since
    capsys.readouterr()
    assert run("x", "--baseline", "results/few") == 0
    assert "all passed, 2 not measured (exit code 0)" in capsys.readouterr().out

    gates = gates_of(project, "x")
    for name in ("max regression check no_contradiction", "max regression check next_step"):
        assert gates[name]["status"] == "not_measured", gates[name]
        assert "the baseline has no check" in gates[name]["detail"]
        assert any(note.startswith(f"{name} [bot]: not measured") for note in gates["__notes__"])
    assert gates["max regression check apology_wording"]["status"] == "passed"
    summary = (project / "results/x/summary.md").read_text()
    assert "| ⚠️ | max regression check no_contradiction | bot |" in summary
    root = ET.parse(project / "results/x/junit.xml").getroot()
    case = next(c for c in root.iter("testcase") if c.get("name") == "max regression check no_contradiction [bot]")
    assert case.find("skipped") is not None


def test_a_baseline_sharing_only_ungated_measures_is_unusable(nightly, capsys):
    project, _ = nightly
    write(project, "checks: [apology_wording]", FEW_GATES)
    assert run("few") == 0
    # The baseline shares check apology_wording and criterion owns_the_problem, neither held by a regression.
    write(project, gates="gates:\n  checks:\n    no_contradiction: {max_regression: 0.10}\n")
    capsys.readouterr()
    # Refused before the first call, nothing written ...
    assert run("x", "--baseline", "results/few") == 2
    assert ("--baseline: graded none of the measures this run's max_regression gates hold (check no_contradiction)"
            in capsys.readouterr().err)
    assert not (project / "results/x").exists()
    # ... and a finished run held to it afterwards fails the baseline usable gate, exit 2.
    assert run("x") == 0
    gated = gate_run(project / "results/x", project / "results/few")
    usable = gates_of(project, "x")["baseline usable"]
    assert gated.exit_code == 2 and usable["status"] == "failed"
    assert "has none of the measures the max_regression gates hold (check no_contradiction" in usable["detail"]
