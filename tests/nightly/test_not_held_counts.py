"""Gates that could not fail are counted as "not held", apart from those with nothing to measure (review #7:
"✅ all gates passed, 3 not measured" over three gates each reading "not held"); a --failing run with a baseline
prints one note for them, not one long line per gate on top of summary.md's table (#13); a failed regression
says "a significant drop" once (#8); a run held to a baseline notes, before its first call, that its
significant_only gates cannot fail over so few cases (#4); junit.xml and evals/nightly.yaml name things as the
CLI and examples/ci do (#11)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from harness.ci.summary import render_summary, verdict
from harness.cli.main import main
from harness.gates.evaluate import unmeasured_notes
from harness.gates.outcome import GateOutcome, GateResult
from harness.report.html import render_gates_banner
from tests.nightly.conftest import REGRESSED_CASES
from tests.nightly.test_regression_verdict_words import EVAL as FEW, _gate, _row

ROOT = Path(__file__).resolve().parents[2]


def outcome() -> GateOutcome:
    gates = [GateResult("min check a", "bot", True, "not held: 0.0% over 5 cases, which this run kept because they "
                                                    "failed in results/night (--failing); the minimum 70.0% is for "
                                                    "the eval's cases", measured=False),
             GateResult("min check b", "bot", True, "not held: 20.0% over 5 cases, …", measured=False),
             GateResult("max regression check c", "bot", True, "not measured: no case was graded on both sides",
                        measured=False),
             GateResult("run completed", None, True, "0 of 5 records ended in an error (0.0%)")]
    return GateOutcome(gates=gates, complete=True, completion="0 of 5 records ended in an error (0.0%)",
                       notes=unmeasured_notes(gates))


def test_not_held_is_counted_apart_from_not_measured():
    found = outcome()
    assert [g.label for g in found.not_held] == ["min check a [bot]", "min check b [bot]"]
    assert [g.label for g in found.not_measured] == ["max regression check c [bot]"]
    assert verdict(found) == "✅ all gates passed, 1 not measured, 2 not held"
    banner = render_gates_banner(found)
    assert "<p>1 not measured, 2 not held, 1 passed · no baseline" in banner
    assert '<span class="warn">not held</span> <b>min check a [bot]</b>' in banner
    assert "gates warned" in banner  # amber: every gate passed, but two were held to nothing


def test_several_gates_not_held_make_one_note():
    found = outcome()
    assert found.notes == [
        "max regression check c [bot]: not measured: no case was graded on both sides",
        "2 gates not held: min check a [bot], min check b [bot] (they could not fail over this run's cases; "
        "summary.md gives each one's figure and why)"]
    assert found.general_notes() == []  # both are the gates' own: shown beside the gates, not again below them
    single = [GateResult("min check a", "bot", True, "not held: 0.0% over 5 cases", measured=False)]
    assert unmeasured_notes(single) == ["min check a [bot]: not held: 0.0% over 5 cases"]  # one: its own note


def test_a_failing_rerun_with_a_baseline_prints_one_note_for_its_gates_not_held(nightly, capsys):
    project, bot = nightly
    assert main(["run", "nightly.yaml", "--out", "results/base", "--no-cache", "--quiet"]) == 0
    bot.bad_cases = set(REGRESSED_CASES)
    assert main(["run", "nightly.yaml", "--out", "results/night", "--no-cache", "--quiet"]) == 1
    capsys.readouterr()
    assert main(["run", "nightly.yaml", "--out", "results/rerun", "--failing", "results/night", "--baseline",
                 "results/base", "--no-cache", "--quiet"]) == 1  # its regressions are held as usual
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if line.startswith("harness: note:")]
    assert not [line for line in notes if ": not held: " in line]  # no long line per gate
    (line,) = [line for line in notes if "gates not held" in line]
    assert line.startswith("harness: note: 2 gates not held: min criterion owns_the_problem [bot], min check "
                           "no_contradiction [bot] (")
    summary = (project / "results/rerun/summary.md").read_text()
    assert "| ⚠️ | min check no_contradiction | bot | not held: " in summary  # the table keeps each one
    assert "gates not held" not in summary


def test_a_failed_regression_says_significant_once():
    found = _gate(_row(12, 1.0, 0.0, verdict="regressed", p=0.00293), significant_only=False)
    assert found.status == "failed"
    assert found.detail.endswith(": a significant drop, more than the 10.0 pp allowed (p (Holm, across the 16 rows "
                                 "that could reach significance) 0.00293)")
    assert found.detail.count("significant") == 1


def test_a_run_held_to_a_baseline_notes_unholdable_gates_before_its_first_call(nightly, capsys):
    project, bot = nightly
    (project / "few.yaml").write_text(FEW)
    run = ["run", "few.yaml", "--cases", "n02,n04,n05", "--no-cache", "--quiet"]
    assert main([*run, "--out", "results/base"]) == 0
    assert "significant_only" not in capsys.readouterr().err  # no baseline: nothing to say yet

    class Calls(set):  # the bot asks it on every call: mark the first call on stderr
        def __contains__(self, case) -> bool:
            print("CALLED", file=sys.stderr)
            return False

    bot.failing_cases = Calls()
    assert main([*run, "--out", "results/next", "--baseline", "results/base"]) == 0
    err = capsys.readouterr().err
    note = re.compile(r"^harness: note: few\.yaml:\d+: gates: significant_only: no max_regression gate it covers "
                      r"\(check no_contradiction\) can fail over 3 cases", re.M)
    assert len(note.findall(err)) == 1
    assert note.search(err).start() < err.index("CALLED")


def test_junit_names_the_option_and_the_nightly_eval_names_runs_to_the_second(nightly):
    project, bot = nightly
    bot.bad_cases = set(REGRESSED_CASES)
    assert main(["run", "nightly.yaml", "--out", "results/night", "--no-cache", "--quiet"]) == 1
    junit = (project / "results/night/junit.xml").read_text()
    assert "other failures are in system-out (--junit all or HARNESS_JUNIT=all fails on every one)" in junit
    header = (ROOT / "evals/nightly.yaml").read_text().split("\nname:", 1)[0]
    assert "--out results/nightly-$(date -u +%Y%m%d-%H%M%S)" in header
    assert re.search(r"harness accept results/nightly-\d{8}-\d{6}\b", header)
    assert not re.search(r"nightly-(\d{8}|\$\(date -u \+%Y%m%d\))(?![-\d])", header)


def test_a_summary_of_a_not_held_night_reads_so(tmp_path):
    from harness.scoring.schema import Scorecard

    text = render_summary(Scorecard(), [], outcome(), tmp_path)
    assert text.splitlines()[0] == "## run: ✅ all gates passed, 1 not measured, 2 not held (exit code 0)"
