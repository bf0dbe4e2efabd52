"""A candidate in one run only is not compared without --pair: every output names it and suggests --pair."""

from __future__ import annotations

import json

from harness.cli.main import main
from harness.compare import DiffOptions, build_diff, write_diff
from tests.compare.edge_runs import records, run

NOTE = ("candidates not compared (none of the same name on the other side): only_a in A only; only_b in B only; "
        "compare two of different names with --pair only_a=only_b")


def _sides(tmp_path):
    return (run(tmp_path / "a", records("bot", 6), records("only_a", 6)),
            run(tmp_path / "b", records("bot", 6), records("only_b", 6)))


def test_candidates_on_one_side_only_are_named(tmp_path):
    run_a, run_b = _sides(tmp_path)
    report = build_diff(run_a, run_b)
    assert [(c.candidate_a, c.candidate_b) for c in report.comparisons] == [("bot", "bot")]
    assert NOTE in report.notices
    paths = write_diff(report, tmp_path / "d")
    assert NOTE in paths["md"].read_text() and NOTE in json.loads(paths["json"].read_text())["notices"]
    assert "only_a in A only" in paths["html"].read_text()


def test_one_side_only_and_an_explicit_pair(tmp_path, capsys):
    run_a = run(tmp_path / "a", records("bot", 6), records("extra", 6))
    run_b = run(tmp_path / "b", records("bot", 6))
    assert ("candidates not compared (none of the same name on the other side): extra in A only; compare two of "
            "different names with --pair A_NAME=B_NAME") in build_diff(run_a, run_b).notices
    run_a, run_b = _sides(tmp_path)
    paired = build_diff(run_a, run_b, DiffOptions(pair=("only_a", "only_b")))
    assert not any("not compared" in n for n in paired.notices)  # the user chose the pair
    assert main(["diff", str(run_a), str(run_b)]) == 0
    assert "only_b in B only" in capsys.readouterr().out


def test_with_out_the_terminal_gets_the_notice_too(tmp_path, capsys):
    run_a, run_b = _sides(tmp_path)
    assert main(["diff", str(run_a), str(run_b), "--out", str(tmp_path / "d")]) == 0
    assert f"harness: note: {NOTE}" in capsys.readouterr().err
