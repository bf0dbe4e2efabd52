"""The CI examples state every exit code of ``harness run`` (4, a bug, included), and the workflow's job
summary, when the run stopped before writing summary.md, names the exit code it really stopped with."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples/ci/nightly.yml"


def steps() -> dict[str, dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return {step.get("name"): step for step in workflow["jobs"]["eval"]["steps"]}


@pytest.mark.parametrize("path", ["examples/ci/nightly.yml", "examples/ci/nightly-cron.sh"])
def test_the_headers_name_every_exit_code(path):
    header = (ROOT / path).read_text().split("\n\n")[0]
    for words in ("0 all gates passed", "1 a gate failed", "2 bad usage or input", "3 too many errors",
                  "4 an internal error (a bug)", "130 interrupted"):
        assert words in " ".join(line.lstrip("# ") for line in header.splitlines()), words


@pytest.mark.parametrize(("code", "why"), [
    ("2", "exit code 2: bad usage or input"), ("4", "exit code 4: an internal error (a bug in the harness)"),
    ("130", "exit code 130: interrupted"), ("", "exit code none: the job was cancelled or timed out")])
def test_the_job_summary_names_the_exit_code_the_run_stopped_with(tmp_path, code, why):
    step = steps()["Job summary"]
    assert step["env"] == {"DIR": "${{ steps.run.outputs.dir }}", "CODE": "${{ steps.run.outputs.exit }}"}
    summary = tmp_path / "step-summary.md"
    env = {**os.environ, "DIR": str(tmp_path / "results/nightly-1"), "CODE": code, "GITHUB_STEP_SUMMARY": str(summary)}
    subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True, timeout=30)
    assert f"The run stopped before it was gated ({why}" in summary.read_text()


def test_the_run_step_records_its_exit_code_and_fails_with_it(tmp_path):
    script = steps()["Run the eval and hold it to its gates"]["run"]
    bin_dir = tmp_path / ".venv/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "harness").write_text("#!/bin/sh\nexit 4\n")
    (bin_dir / "harness").chmod(0o755)
    output = tmp_path / "output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, timeout=30)
    assert done.returncode == 4
    assert "exit=4" in output.read_text().splitlines()
