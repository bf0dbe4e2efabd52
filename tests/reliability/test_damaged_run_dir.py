"""A damaged run directory (a corrupt case snapshot, a directory where a file belongs): every command that
reads it stops with one line naming the path, exit code 2, and leaves the directory as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from harness.cli.main import main

RESUME = ["run", "eval.yaml", "--out", "results/first", "--resume", "--no-cache", "--quiet"]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def one_error_line(argv: list[str], capsys) -> str:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, (code, lines)
    assert len(lines) == 1 and lines[0].startswith("harness: error: "), lines
    return lines[0].removeprefix("harness: error: ")


@pytest.mark.parametrize("argv", [
    ["report", "results/first", "--quiet"],
    ["diff", "results/first", "results/second", "--out", "diffs"],
    ["pairwise", "results/first", "results/second", "--judge-model", "fake/never-called", "--out", "pairs"],
    RESUME,
], ids=["report", "diff", "pairwise", "resume"])
def test_corrupt_case_snapshot_names_its_line(finished_run, capsys, argv):
    shutil.copytree(finished_run / "results" / "first", finished_run / "results" / "second")
    second = finished_run / "results" / "second" / "records.jsonl"
    flipped = second.read_text().replace('"passed":true', '"passed":false')
    assert flipped != second.read_text()
    second.write_text(flipped)  # the diff reads the snapshot of the cases that changed
    with open(finished_run / "results" / "first" / "cases.jsonl", "a") as handle:
        handle.write('{"id": "r9", oops\n')
    before = snapshot(finished_run)
    message = one_error_line(argv, capsys)
    assert message.startswith("results/first/cases.jsonl:4: corrupt case snapshot: Expecting property name"), message
    assert snapshot(finished_run) == before


@pytest.mark.parametrize("name, argv, problem", [
    (".lock", RESUME, "cannot open the run directory's lock file: Is a directory"),
    (".lock", ["run", "eval.yaml", "--out", "results/first", "--no-cache"],
     "cannot open the run directory's lock file: Is a directory"),  # a new run into a directory holding only it
    ("records.jsonl", RESUME, "cannot open records to resume them: Is a directory"),
])
def test_a_directory_where_a_file_belongs_is_named(finished_run, capsys, name, argv, problem):
    run_dir = finished_run / "results" / "first"
    if "--resume" not in argv:
        shutil.rmtree(run_dir)
        run_dir.mkdir()
    path = run_dir / name
    path.unlink(missing_ok=True)
    path.mkdir()
    before = snapshot(finished_run)
    assert one_error_line(argv, capsys) == f"results/first/{name}: {problem}"
    assert snapshot(finished_run) == before


def test_a_refused_resume_leaves_the_manifest_as_it_was(finished_run, capsys):
    # The manifest used to be rewritten (status "running") before the records were read and refused.
    records = finished_run / "results" / "first" / "records.jsonl"
    records.write_text("{oops\n" + records.read_text())
    before = snapshot(finished_run)
    assert one_error_line(RESUME, capsys).startswith("results/first/records.jsonl:1: corrupt record")
    assert snapshot(finished_run) == before
