"""A mistyped candidate or check name given to show, diff or label names the closest one the run has
(validate and run did; these listed the names only): ``--candidates bot-v3`` where the run has bot-v2."""

from __future__ import annotations

from harness.cli.main import main

from runs import chk, manifest, rec, write_run


def _run(path):
    records = [rec(i, "bot-v2", checks={"apology_wording": chk(True)}) for i in ("c1", "c2")]
    return write_run(path, records, manifest(("bot-v2",), checks={"apology_wording": "3", "next_step": "2"}))


def _error(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def test_show_candidates(tmp_path, capsys):
    run = _run(tmp_path / "r")
    assert f"run {run} has no candidate bot-v3; did you mean bot-v2? (it has: bot-v2)" in _error(
        capsys, "show", str(run), "--candidates", "bot-v3")


def test_diff_pair(tmp_path, capsys):
    run = _run(tmp_path / "r")
    err = _error(capsys, "diff", str(run), str(_run(tmp_path / "s")), "--pair", "bot-v3=bot-v2")
    assert "run A has no records for candidate 'bot-v3'; did you mean bot-v2? (candidates: bot-v2)" in err


def test_label_checks_and_criteria(tmp_path, capsys):
    run = _run(tmp_path / "r")
    label = ["label", str(run), "--labels", str(tmp_path / "l.jsonl"), "--labeller", "ana"]
    err = _error(capsys, *label, "--checks", "apology_wordin")
    assert "--checks: run" in err and "has no check apology_wordin; did you mean apology_wording? (it has: " in err
    err = _error(capsys, *label, "--criteria", "empathyy")
    assert "has no criterion empathyy; did you mean empathy? (it has: empathy, policy)" in err
    # Two unknown names: which one a hint would be for is unclear, so the list alone.
    assert "did you mean" not in _error(capsys, *label, "--checks", "apology_wordin,nxt")
    assert not (tmp_path / "l.jsonl").exists()
