"""nightly-cron.sh never deletes the accepted baseline in its 90-day cleanup: not on a night that stopped
before gates.json (exit 2), not with RUN given as an absolute path; and a baseline deleted by hand is named
as the accepted one, with how to recover."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.errors import ResultsError
from harness.gates.baseline import resolve_baseline
from tests.nightly.test_ci_examples import night, project

OLD = 200 * 86400  # older than the 90 days the script keeps


def age(path: Path) -> None:
    path.mkdir(exist_ok=True)
    stamp = path.stat().st_mtime - OLD
    os.utime(path, (stamp, stamp))


def accepted_first_night(tmp_path: Path) -> Path:
    cwd = project(tmp_path)
    first = night(cwd, "results/nightly-1")
    assert first.returncode == 0, first.stdout + first.stderr
    age(cwd / "results/nightly-1")
    age(cwd / "results/nightly-0")
    return cwd


def test_a_night_that_stops_before_its_gates_keeps_the_accepted_baseline(tmp_path):
    cwd = accepted_first_night(tmp_path)
    eval_file = cwd / "evals/nightly.yaml"
    good = eval_file.read_text()
    eval_file.write_text(good + "no_such_field: 1\n")  # tonight stops with exit 2, no gates.json
    second = night(cwd, "results/nightly-2")
    assert second.returncode == 2, second.stdout + second.stderr
    assert (cwd / "results/nightly-1/manifest.json").exists()
    assert not (cwd / "results/nightly-0").exists()  # the cleanup still ran
    eval_file.write_text(good)
    third = night(cwd, "results/nightly-3")
    assert third.returncode == 0, third.stdout + third.stderr


def test_an_absolute_run_path_keeps_the_accepted_baseline(tmp_path):
    cwd = accepted_first_night(tmp_path)
    second = night(cwd, str(cwd / "results/nightly-2"))
    assert second.returncode == 0, second.stdout + second.stderr
    assert (cwd / "results/nightly-1/manifest.json").exists()
    assert not (cwd / "results/nightly-0").exists()


def test_an_accepted_baseline_deleted_by_hand_is_named_with_the_way_out(tmp_path, monkeypatch):
    run = tmp_path / "results/nightly-1"  # accepted in the index, then removed
    monkeypatch.setattr("harness.gates.baseline.accepted_run", lambda results_dir, eval_name: run)
    for raw in ("accepted", "accepted-if-any"):
        with pytest.raises(ResultsError) as caught:
            resolve_baseline(raw, tmp_path / "results", "nightly")
        line = caught.value.one_line()
        assert line == (f"{run}: --baseline: the accepted baseline of eval 'nightly' is gone (no manifest.json): "
                        f"accept another run with: harness accept RUN")
