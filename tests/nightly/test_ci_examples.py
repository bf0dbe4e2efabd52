"""The shipped CI examples bootstrap a nightly: the first night has no accepted baseline (with
``--baseline accepted`` it stopped with exit 2 and wrote nothing, so there was nothing to accept), so it runs
without one and becomes the baseline; later nights are held to it; the baseline outlives the 90-day cleanup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CRON = ROOT / "examples/ci/nightly-cron.sh"


def project(tmp_path: Path) -> Path:
    (tmp_path / "evals").mkdir()
    shutil.copy(ROOT / "evals/nightly.yaml", tmp_path / "evals/nightly.yaml")
    shutil.copytree(ROOT / "datasets", tmp_path / "datasets")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    (tmp_path / "results").mkdir()
    return tmp_path


def night(cwd: Path, run: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUN": run, "PUBLISH_DIR": str(cwd / "no-such-dir"), "HARNESS_CACHE_DIR": str(cwd / ".cache")}
    return subprocess.run(["sh", str(CRON)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def baseline_of(cwd: Path, run: str):
    return json.loads((cwd / run / "gates.json").read_text())["baseline"]


def test_cron_script_bootstraps_the_first_night_and_keeps_the_baseline(tmp_path):
    cwd = project(tmp_path)
    first = night(cwd, "results/nightly-1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "no baseline was accepted yet: results/nightly-1 is now the baseline" in first.stdout
    assert baseline_of(cwd, "results/nightly-1") is None

    old = 200 * 86400  # both runs are older than the 90 days the script keeps
    for run in ("results/nightly-1", "results/nightly-0"):
        (cwd / run).mkdir(exist_ok=True)
        stamp = (cwd / run).stat().st_mtime - old
        os.utime(cwd / run, (stamp, stamp))
    second = night(cwd, "results/nightly-2")
    assert second.returncode == 0, second.stdout + second.stderr
    assert baseline_of(cwd, "results/nightly-2") == "results/nightly-1"
    assert "is now the baseline" not in second.stdout
    assert (cwd / "results/nightly-1/manifest.json").exists()  # the baseline is kept however old
    assert not (cwd / "results/nightly-0").exists()


def test_github_workflow_runs_the_first_night_without_a_baseline_and_guards_missing_files():
    workflow = yaml.safe_load((ROOT / "examples/ci/nightly.yml").read_text())
    steps = {step.get("name"): step for step in workflow["jobs"]["eval"]["steps"]}
    script = steps["Run the eval and hold it to its gates"]["run"]
    assert "--baseline accepted-if-any" in script and "--baseline accepted " not in script
    assert "harness accept \"$RUN\"" in script and '"baseline": null' in script
    assert "if [ -f \"$SUMMARY\" ]" in steps["Job summary"]["run"]  # no summary.md when the run stopped early
    assert "hashFiles" in steps["Test report"]["if"] and "hashFiles" in steps["Stage the report for Pages"]["if"]
    assert "accept" in workflow[True]["workflow_dispatch"]["inputs"]  # YAML reads the key `on` as True
