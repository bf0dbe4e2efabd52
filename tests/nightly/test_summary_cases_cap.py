"""summary.md lists the first ten cases that got worse on a failed regression gate and says how many more
there are (gates.json and junit.xml list them all), instead of cutting the list silently."""

from __future__ import annotations

from harness.ci.summary import MAX_CASES, render_summary, worse_on
from harness.cli.main import main
from harness.gates.outcome import GateOutcome, GateResult
from harness.scoring.scorecard import load_scorecard

CASES = [f"c{n:03d}" for n in range(40, 53)]  # 13 cases


def test_worse_on_says_how_many_are_not_shown():
    assert worse_on([]) == ""
    assert worse_on(CASES[:MAX_CASES]) == "; worse on " + ", ".join(CASES[:MAX_CASES])
    assert worse_on(CASES) == ("; worse on c040, c041, c042, c043, c044, c045, c046, c047, c048, c049, … and 3 more "
                               "(gates.json lists all)")


def test_summary_md_names_the_cases_left_out(nightly):
    project, _ = nightly
    assert main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"]) == 0
    gate = GateResult("max regression check no_contradiction", "bot", False, "100.0% → 0.0%", cases=CASES)
    outcome = GateOutcome(gates=[gate], complete=True, completion="done", baseline="results/base")
    text = render_summary(load_scorecard(project / "results/r"), [], outcome, "results/r")
    assert "worse on c040, c041, c042, c043, c044, c045, c046, c047, c048, c049, … and 3 more (gates.json lists all) |" in text
