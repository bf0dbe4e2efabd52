"""After a damaged index is removed (as the README says) and a run accepted again, ``harness history`` shows
that run's figures and gate results, read from its scorecard.json and gates.json, not '—'."""

from __future__ import annotations

import shutil

from harness.cli.main import main
from harness.history.table import history_rows
from tests.nightly import conftest as nightly_project

nightly = nightly_project.nightly  # the nightly project fixture: an eval with gates, a scripted bot


def test_accept_indexes_a_run_the_index_lacks_from_its_files(nightly, capsys):
    project, _ = nightly
    assert main(["run", "nightly.yaml", "--out", "results/base", "--no-cache", "--quiet"]) == 0
    before = {r.run: r for r in history_rows(project / "results")}["base"]
    (project / "results/index.sqlite").unlink()
    shutil.copytree(project / "results/base", project / "results/copied")
    (project / "results/copied/gates.json").unlink()

    assert main(["accept", "results/base"]) == 0
    rows = {r.run: r for r in history_rows(project / "results")}
    base = rows["base"]
    assert base.accepted and base.checks_mean == before.checks_mean is not None
    assert base.criteria_mean == before.criteria_mean is not None
    assert (base.gates, base.exit_code) == ("passed", 0) == (before.gates, before.exit_code)

    assert main(["accept", "results/copied"]) == 0
    copied = {r.run: r for r in history_rows(project / "results")}["copied"]
    assert copied.checks_mean == before.checks_mean and (copied.gates, copied.exit_code) == ("—", None)
    out = capsys.readouterr().out
    assert "accepted results/copied" in out
