"""`harness diff --out DIR` never overwrites what diff did not write, and never leaves two comparisons' files
side by side (as `harness pairwise --out` and `harness run --out` refuse or announce)."""

from __future__ import annotations

import json

import pytest

from harness.cli.main import main
from harness.compare import build_diff, write_diff
from harness.compare.outputs import check_out_dir
from harness.errors import ResultsError
from tests.compare.edge_runs import records, run


@pytest.fixture
def sides(tmp_path):
    worse = frozenset({"c01", "c02"})
    return run(tmp_path / "a", records("bot", 8)), run(tmp_path / "b", records("bot", 8, worse=worse))


def test_a_run_directory_is_refused_and_left_untouched(sides, capsys):
    run_a, run_b = sides
    before = sorted(p.name for p in run_b.iterdir())
    assert main(["diff", str(run_a), str(run_b), "--out", str(run_b), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert f"{run_b}: is a run directory (manifest.json)" in err and err.count("\n") == 1
    assert sorted(p.name for p in run_b.iterdir()) == before


def test_a_file_of_your_own_named_diff_md_is_kept(sides, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "diff.md").write_text("precious\n")
    assert main(["diff", *map(str, sides), "--out", str(mine), "--format", "md"]) == 2
    assert "holds a diff.md that harness diff did not write" in capsys.readouterr().err
    assert (mine / "diff.md").read_text() == "precious\n"
    assert sorted(p.name for p in mine.iterdir()) == ["diff.md"]


def test_a_folder_with_other_files_is_refused(sides, tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("x")
    assert main(["diff", *map(str, sides), "--out", str(folder)]) == 2
    assert "holds files diff did not write (todo.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["todo.txt"]


def test_the_library_call_refuses_too(sides, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "diff.html").write_text("<p>my page</p>")
    with pytest.raises(ResultsError, match="diff.html that harness diff did not write"):
        write_diff(build_diff(*sides), folder, ["html"])
    assert (folder / "diff.html").read_text() == "<p>my page</p>"


def test_rewriting_an_earlier_diff_leaves_no_mixed_set(sides, tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["diff", *map(str, sides), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["diff.html", "diff.json", "diff.md"]
    capsys.readouterr()
    assert main(["diff", *map(str, sides), "--out", str(out), "--format", "md"]) == 0
    err = capsys.readouterr().err
    assert f"harness: note: replacing the earlier diff in {out} (" in err
    assert "removing its diff.html, diff.json, not written this time" in err
    assert sorted(p.name for p in out.iterdir()) == ["diff.md"]
    assert main(["diff", *map(str, sides), "--out", str(out), "--format", "md,json"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["diff.json", "diff.md"]


def test_an_empty_or_missing_folder_is_fine_and_silent(tmp_path):
    (tmp_path / "empty").mkdir()
    assert check_out_dir(tmp_path / "empty").notice is None
    assert check_out_dir(tmp_path / "missing").notice is None


def test_a_diff_json_this_harness_cannot_read_is_not_replaced(sides, tmp_path):
    out = tmp_path / "d"
    write_diff(build_diff(*sides), out, ["json"])
    data = json.loads((out / "diff.json").read_text())
    data["schema_version"] = 99
    (out / "diff.json").write_text(json.dumps(data))
    with pytest.raises(ResultsError, match="not a diff this harness can replace"):
        check_out_dir(out, ["md"])


def test_out_is_checked_before_the_runs_are_read(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    # Neither run exists: the refusal of --out comes first, as pairwise refuses before any judge call.
    assert main(["diff", str(tmp_path / "nope-a"), str(tmp_path / "nope-b"), "--out", str(folder)]) == 2
    assert "holds files diff did not write" in capsys.readouterr().err
