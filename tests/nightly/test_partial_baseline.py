"""harness accept refuses a run of some of the cases (--failing, --cases, --where, --limit) unless --partial:
a --failing rerun of 2 cases accepted as the baseline held the next full night's regressions over those 2,
exit 0, with nothing said. A partial baseline used anyway is named in the notes and the summary."""

from __future__ import annotations

import json
from types import SimpleNamespace

from harness.cli.main import main
from harness.history.index import partial_run
from tests.nightly.conftest import REGRESSED_CASES


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def test_a_failing_rerun_is_refused_then_accepted_with_partial_and_named_on_later_nights(nightly, capsys):
    project, bot = nightly
    bot.bad_cases = set(REGRESSED_CASES[:2])
    assert run("night-1") == 0
    bot.bad_cases = set()
    assert run("rerun", "--failing", "results/night-1", "--failing-on", "no_contradiction") == 0
    capsys.readouterr()
    assert main(["accept", "results/rerun"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("harness: error: results/rerun: not accepted: it is a partial run (--failing results/night-1 "
                   "--failing-on no_contradiction: 2 of the dataset's 8 cases); later runs' max_regression gates "
                   "would be held over those cases only (accept it anyway with --partial)")
    assert main(["accept", "results/rerun", "--partial"]) == 0
    assert "harness: warning: results/rerun: a partial run (--failing results/night-1" in capsys.readouterr().err
    assert run("night-2", "--baseline", "accepted") == 0
    gates = json.loads((project / "results/night-2/gates.json").read_text())
    assert gates["baseline"] == "results/rerun"
    note = ("the baseline results/rerun is a partial run (--failing results/night-1 --failing-on no_contradiction: "
            "2 of the dataset's 8 cases): max_regression gates compare only the cases it ran")
    assert any(n.startswith(note) for n in gates["notes"])
    summary = (project / "results/night-2/summary.md").read_text()
    assert "baseline `results/rerun` (a partial run: regressions compare only its cases, see below)" in summary
    assert note in summary
    assert note in capsys.readouterr().err


def test_a_limited_run_is_partial_and_a_full_run_is_not(nightly):
    project, _ = nightly
    assert run("few", "--limit", "3") == 0
    assert main(["accept", "results/few"]) == 2
    assert run("all") == 0
    assert main(["accept", "results/all"]) == 0
    gates = json.loads((project / "results/all/gates.json").read_text())
    assert not any("partial" in note for note in gates["notes"])


def manifest(**dataset) -> SimpleNamespace:
    return SimpleNamespace(dataset=dataset)


def test_what_makes_a_run_partial():
    assert partial_run(manifest(n_cases=10, n_selected=10)) is None
    assert partial_run(manifest(n_cases=10, n_selected=10, selection={"where": ["persona=angry"]})) is None
    assert partial_run(manifest(n_cases=10, n_selected=4, selection={"where": ["persona=angry"]})) == \
        "--where persona=angry: 4 of the dataset's 10 cases"
    assert partial_run(manifest(selection={"cases": ["c1"]})) == "--cases c1: some of the dataset's cases"
