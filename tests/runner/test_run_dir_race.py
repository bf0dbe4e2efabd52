"""A second run into a directory another run has just started in: the first writes its case snapshot under
the lock before its manifest, and the second, looking in that moment, refused the directory as "not empty and
holds no run (cases.jsonl)" (tests/reliability/test_concurrency.py failed so once in a busy suite)."""

from __future__ import annotations

import pytest

from harness.errors import ResultsError
from harness.records.store import RunDirLock
from harness.runner.engine import RunOptions, _check_run_dir


def test_a_run_starting_in_the_directory_is_named_as_such(tmp_path):
    run_dir = tmp_path / "out"
    run_dir.mkdir()
    with RunDirLock(run_dir):
        (run_dir / "cases.jsonl").write_text("{}\n")  # the snapshot, before the manifest
        with pytest.raises(ResultsError, match="another run is writing into this directory"):
            _check_run_dir(run_dir, RunOptions())
    assert not RunDirLock.held(run_dir)
    with pytest.raises(ResultsError, match="is not empty and holds no run"):  # no run holds it: a stray file
        _check_run_dir(run_dir, RunOptions())


def test_a_directory_without_a_lock_file_is_not_held(tmp_path):
    assert not RunDirLock.held(tmp_path) and not (tmp_path / ".lock").exists()
