"""summary.md's Figures table shows each criterion and check as scorecard.md does, n/a and crashed counts
included (it showed 'crashy (check) | 100% [34, 100] (2)' where the scorecard said '· 8 crashed')."""

from __future__ import annotations

from harness.cli.main import main
from tests.nightly.conftest import EVAL

CHECKS = """checks:
  - no_contradiction
  - escalation_offered
  - {name: crashy, type: python, value: house.py:crashy}
"""


def rows(text: str, section: str | None = None) -> dict[str, str]:
    """The table rows of ``text`` (after ``section``, when given) by their first cell."""
    if section is not None:
        text = text.split(section, 1)[1]
    found = {}
    for line in text.splitlines():
        if line.startswith("| ") and line.count("|") >= 3:
            found.setdefault(line.split(" | ")[0][2:], line)
    return found


def test_figures_carry_the_n_a_and_crashed_counts_of_the_scorecard(nightly):
    project, _ = nightly
    (project / "house.py").write_text("def crashy(ctx):\n    if ctx.case.id in ('n01', 'n02'):\n"
                                      "        raise ValueError('bad day')\n    return True\n")
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    (project / "nightly.yaml").write_text(text.replace("checks: [no_contradiction, apology_wording, next_step]\n",
                                                       CHECKS))
    main(["run", "nightly.yaml", "--out", "results/r", "--no-cache", "--quiet"])
    scorecard = rows((project / "results/r/scorecard.md").read_text())
    figures = rows((project / "results/r/summary.md").read_text(), "### Figures")
    assert figures["crashy (pass rate)"] == scorecard["crashy (pass rate)"]
    assert figures["crashy (pass rate)"].endswith("· 2 crashed |")
    assert figures["escalation_offered (pass rate)"] == scorecard["escalation_offered (pass rate)"]
    assert figures["escalation_offered (pass rate)"].endswith("· 8 n/a |")
    assert figures["owns_the_problem (pass rate)"] == scorecard["owns_the_problem (pass rate)"]
    assert "| **Judge criteria** | |" in figures.values() and "| **Checks** | |" in figures.values()
    assert "records" not in figures and "case errors" not in figures  # the figures, not the whole scorecard
