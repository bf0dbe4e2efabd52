"""A broken ``results/index.sqlite``: a finished run keeps every output and warns once; ``history`` and
``accept``, which need the index, stop with one line naming it. The broken file itself is left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harness.cli.main import main

GARBAGE = b"this is not an SQLite file\x00\xff" * 200
NOT_READABLE = ("harness: error: results/index.sqlite: not a readable run index: file is not a database; "
                "remove it to start a new one")
OUTPUTS = ["manifest.json", "records.jsonl", "cases.jsonl", "scorecard.json", "scorecard.md", "report.html",
           "junit.xml", "summary.md"]


@pytest.fixture
def project(finished_run) -> Path:
    """A recorded project with one finished run in results/first."""
    return finished_run


def harness(*argv: str) -> int:
    return main(list(argv))


def err_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def break_index(project: Path, data: bytes = GARBAGE) -> bytes:
    (project / "results" / "index.sqlite").write_bytes(data)
    return data


def test_a_run_writes_every_output_and_warns_once(project, capsys):
    garbage = break_index(project)
    capsys.readouterr()
    code = harness("run", "eval.yaml", "--out", "results/second", "--no-cache", "--quiet", "--trend-pngs")
    lines = err_lines(capsys)
    assert code == 0
    assert lines == [NOT_READABLE.replace("error:", "warning:", 1) + " (the run's files are written without it)"]
    assert all((project / "results" / "second" / name).stat().st_size > 0 for name in OUTPUTS)
    assert (project / "results" / "index.sqlite").read_bytes() == garbage


def test_report_rebuilds_without_trends_and_warns_once(project, capsys):
    break_index(project)
    (project / "results" / "first" / "report.html").unlink()
    capsys.readouterr()
    assert harness("report", "results/first", "--quiet") == 0
    lines = err_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith("harness: warning: results/index.sqlite: not a readable run index")
    assert (project / "results" / "first" / "report.html").exists()


@pytest.mark.parametrize("argv", [["history"], ["accept", "results/first"],
                                  ["run", "eval.yaml", "--out", "results/x", "--no-cache", "--baseline", "accepted"]])
def test_commands_that_need_the_index_stop_with_one_line(project, capsys, argv):
    garbage = break_index(project)
    capsys.readouterr()
    assert harness(*argv) == 2
    assert err_lines(capsys) == [NOT_READABLE]
    assert (project / "results" / "index.sqlite").read_bytes() == garbage
    assert not (project / "results" / "x").exists()


def test_a_damaged_page_is_named_too(project, capsys):
    index = project / "results" / "index.sqlite"
    page = sqlite3.connect(index).execute("PRAGMA page_size").fetchone()[0]
    data = index.read_bytes()
    break_index(project, data[:page] + b"A" * (len(data) - page))  # the header is intact, the tables are not
    capsys.readouterr()
    assert harness("history") == 2
    assert err_lines(capsys) == [NOT_READABLE.replace("file is not a database", "database disk image is malformed")]


def test_a_directory_in_its_place_is_not_to_be_removed(project, capsys):
    index = project / "results" / "index.sqlite"
    index.unlink()
    index.mkdir()
    capsys.readouterr()
    assert harness("history") == 2
    lines = err_lines(capsys)
    assert lines == ["harness: error: results/index.sqlite: cannot use the run index: unable to open database file"]
    assert harness("run", "eval.yaml", "--out", "results/second", "--no-cache", "--quiet") == 0
    assert len(err_lines(capsys)) == 1 and (project / "results" / "second" / "summary.md").exists()
