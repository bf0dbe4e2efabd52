"""The baseline of a gated run: refused before the first call when it could not be compared (graded another
way, no case or gated candidate in common), and, when that is found only after the run, the run is still
held to its minimums with junit.xml, summary.md and gates.json written. The first night of a nightly runs
without a baseline (``--baseline accepted-if-any``); ``harness accept`` refuses a run that failed its gates
unless forced."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from harness.ci.nightly import gate_run
from harness.cli.main import main
from harness.errors import ResultsError
from harness.history.index import accepted_run
from harness.records.store import read_manifest


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def change_rubric(project: Path) -> None:
    """Another definition of the rubric's one criterion (same id and version): the runs are graded another way.
    (A changed dataset case no longer makes a baseline incomparable: that case is left out, named in a note;
    tests/nightly/test_case_changes.py.)"""
    path = project / "rubric.yaml"
    path.write_text(path.read_text().replace("without blaming them?", "without blaming them at all?"))


def test_an_incomparable_baseline_is_refused_before_any_call(nightly, capsys):
    project, bot = nightly
    assert run("base") == 0
    change_rubric(project)
    bot.failing_cases = {"n01"}  # a call would show in the records; none may be made
    capsys.readouterr()
    assert run("next", "--baseline", "results/base") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("harness: error: results/base: --baseline: not comparable with this run (A: the "
                          "baseline, B: this run): criterion owns_the_problem definition differs (A ")
    assert err.endswith("hold the run to a baseline graded the same way, or run without --baseline")
    assert not (project / "results/next").exists()


def test_a_baseline_sharing_no_case_is_refused_before_any_call(nightly, capsys):
    project, _ = nightly
    assert run("base", "--cases", "n01,n02,n03,n04") == 0
    capsys.readouterr()
    assert run("next", "--cases", "n05,n06", "--baseline", "results/base") == 2
    assert capsys.readouterr().err.strip() == (
        "harness: error: results/base: --baseline: shares no case with this run: it has 4 cases (n01, n02, n03, …), "
        "this run selects 2 cases (n05, n06): nothing would be compared")
    assert not (project / "results/next").exists()
    assert run("overlap", "--cases", "n04,n05", "--baseline", "results/base") == 0  # one shared case is enough


def test_a_baseline_without_the_gated_candidates_is_refused(nightly):
    from harness.gates.baseline import check_comparable

    project, _ = nightly
    assert run("base") == 0
    manifest = read_manifest(project / "results/base")
    with pytest.raises(ResultsError, match=r"has none of the gated candidates \(zeta; it has: bot\)"):
        check_comparable(Path("results/base"), manifest, ["n01"], ["zeta"])


def test_incomparable_found_after_the_run_still_writes_every_ci_file(nightly, capsys):
    project, bot = nightly
    assert run("base") == 0
    change_rubric(project)
    bot.bad_cases = {"n02", "n04", "n05"}  # below the no_contradiction minimum of 0.75
    assert run("next") == 1  # without a baseline: the minimum fails
    for name in ("summary.md", "junit.xml", "gates.json"):
        (project / "results/next" / name).unlink()
    gated = gate_run(project / "results/next", Path("results/base"))
    assert gated.exit_code == 2
    names = {g.name: g for g in gated.outcome.gates}
    assert not names["min check no_contradiction"].passed  # the minimums were still held
    assert "runs are not comparable: criterion owns_the_problem definition differs" in names["baseline usable"].detail
    assert not any(name.startswith("max regression") for name in names)
    for name in ("summary.md", "junit.xml", "gates.json"):
        assert (project / "results/next" / name).exists()
    summary = (project / "results/next/summary.md").read_text()
    assert summary.startswith("## nightly: ❌ the baseline could not be used (exit code 2)")
    assert "- max_regression gates were not evaluated: the baseline could not be used" in summary
    capsys.readouterr()
    assert main(["history", "--results", "results"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if row.startswith("next "))
    # the exit code follows the gates (the candidate's setup is the last column now)
    assert re.search(r"failed \(2\)\s+2\s", line), line


def test_the_first_night_runs_without_a_baseline_then_later_nights_use_the_accepted_one(nightly, capsys):
    project, bot = nightly
    capsys.readouterr()
    assert run("night-1", "--baseline", "accepted-if-any") == 0
    note = ("max_regression gates were skipped: eval 'nightly' has no accepted baseline in results/ yet (a first "
            "night; accept a run with: harness accept RUN)")
    assert f"harness: note: {note}" in capsys.readouterr().err
    assert f"- {note}" in (project / "results/night-1/summary.md").read_text()
    assert json.loads((project / "results/night-1/gates.json").read_text())["baseline"] is None
    assert main(["accept", "results/night-1"]) == 0
    bot.bad_cases = {"n02", "n04"}  # a drop of 0.25 exceeds the max_regression 0.10
    assert run("night-2", "--baseline", "accepted-if-any") == 1
    outcome = json.loads((project / "results/night-2/gates.json").read_text())
    assert outcome["baseline"] == "results/night-1"
    assert any(g["name"] == "max regression check no_contradiction" and g["status"] == "failed"
               for g in outcome["gates"])


def test_plain_accepted_still_refuses_when_none_is_accepted_and_names_the_first_night_option(nightly, capsys):
    assert run("x", "--baseline", "accepted") == 2
    assert "on a first night, --baseline accepted-if-any runs without one" in capsys.readouterr().err


def test_accept_refuses_a_run_that_failed_its_gates_unless_forced(nightly, capsys):
    project, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}  # 37.5% of records in error, above max_error_rate 0.25
    assert run("errors") == 3
    capsys.readouterr()
    assert main(["accept", "results/errors"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("harness: error: results/errors: not accepted: it failed its gates (exit code 3: run completed "
                   "within max_error_rate: 3 of 8 records (37.5%) with an error: 3 without a reply, above max_error_rate 25.0%); "
                   "later runs would be held to it (accept it anyway with --force)")
    assert accepted_run(project / "results", "nightly") is None
    assert main(["accept", "results/errors", "--force"]) == 0
    assert "results/errors: it failed its gates (exit code 3" in capsys.readouterr().err
    assert accepted_run(Path("results"), "nightly") == Path("results/errors")


def test_accept_holds_a_run_without_gates_json_to_its_gates(nightly, capsys):
    project, bot = nightly
    bot.bad_cases = {"n02", "n04", "n05"}
    assert run("bad") == 1
    (project / "results/bad/gates.json").unlink()  # gated by an older harness, or run from the library
    assert main(["accept", "results/bad"]) == 2
    assert "min check no_contradiction [bot]: 62.5% over 8 cases is below the minimum 75.0%" in capsys.readouterr().err
    shutil.rmtree(project / "results/bad")
