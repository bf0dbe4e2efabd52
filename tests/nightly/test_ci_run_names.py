"""The CI examples name each run by its UTC start time to the second: a run by hand on the day of the
scheduled one got the same results/nightly-YYYYMMDD and stopped with "already holds a run" (exit 2). The
names still work with `harness accept`, as a path or as the name `harness history` lists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import yaml

from tests.nightly.test_ci_examples import CRON, ROOT, project

NAME = re.compile(r"^nightly-\d{8}-\d{6}$")


def night(cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RUN"}
    env |= {"PUBLISH_DIR": str(cwd / "no-such-dir"), "HARNESS_CACHE_DIR": str(cwd / ".cache")}
    return subprocess.run(["sh", str(CRON)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def runs(cwd) -> list[str]:
    return sorted(p.name for p in (cwd / "results").iterdir() if p.is_dir())


def test_two_cron_runs_on_one_day_each_get_a_run_and_accept_works(tmp_path):
    cwd = project(tmp_path)
    first = night(cwd)
    assert first.returncode == 0, first.stdout + first.stderr
    [scheduled] = runs(cwd)
    assert NAME.match(scheduled)
    while time.strftime("%H%M%S", time.gmtime()) == scheduled[-6:]:
        time.sleep(0.1)  # a name is to the second: a run by hand starts later than that
    by_hand = night(cwd)
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
    later = [name for name in runs(cwd) if name != scheduled]
    assert len(later) == 1 and NAME.match(later[0])
    gates = json.loads((cwd / "results" / later[0] / "gates.json").read_text())
    assert gates["baseline"] == f"results/{scheduled}"  # held to the first, accepted on its first night
    accepted = subprocess.run([str(cwd / ".venv/bin/harness"), "accept", f"results/{later[0]}"], cwd=cwd,
                              capture_output=True, text=True, env=os.environ, timeout=120)
    assert accepted.returncode == 0, accepted.stderr


def test_the_workflow_names_runs_to_the_second_and_accepts_a_listed_name(tmp_path):
    workflow = yaml.safe_load((ROOT / "examples/ci/nightly.yml").read_text())
    steps = {step.get("name"): step for step in workflow["jobs"]["eval"]["steps"]}
    script = steps["Run the eval and hold it to its gates"]["run"]
    assert "RUN=results/nightly-$(date -u +%Y%m%d-%H%M%S)" in script
    accept = steps["Accept the run asked for as the baseline"]["run"].replace(".venv/bin/harness accept", "echo")
    for given, expected in (("nightly-20261123-023012", "results/nightly-20261123-023012"),
                            ("results/nightly-20261123-023012", "results/nightly-20261123-023012")):
        done = subprocess.run(["sh", "-c", accept], env={**os.environ, "ACCEPT": given}, capture_output=True,
                              text=True, timeout=30)
        assert done.stdout.strip() == expected
    keys = [step["with"]["key"] for step in workflow["jobs"]["eval"]["steps"]
            if str(step.get("uses", "")).startswith("actions/cache/")]
    # A re-run of a failed job saves its results under a key of its own.
    assert len(keys) == 2 and all(key.endswith("${{ github.run_attempt }}") for key in keys)
