"""A regression gate's words agree with its verdict, and a gate that could not have failed does not pass.

With ``significant_only`` a drop fails only when significant; over too few cases no drop can be (under 6 at
0.05: Holm's step-down tests the row it reaches last at 0.05 itself, so more rows ask no more of the bound),
so such a gate is "not held", a warning like a gate not measured, never ✅. A failing gate never reads "no
detectable change"; one case is "1 case".
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from harness.cli.main import main
from harness.gates.regression import _regression, fewest_significant, significance_warnings
from harness.gates.spec import GatesSpec, Threshold


def _row(n: int, a: float, b: float, verdict: str = "no detectable change", note: str | None = None,
         p: float = 1.0, units: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(kind="check", name="escalation_offered", scale="pass_fail", n_cases=n, n_units=units,
                           value_a=a, value_b=b, difference=b - a, ci=SimpleNamespace(lo=-1.0, hi=0.95),
                           p_holm=p, verdict=verdict, verdict_note=note, changes=[])


def _gate(row, significant_only: bool, family: int = 16, allowed: float = 0.10):
    return _regression("bot-v2", row, Threshold(max_regression=allowed), significant_only, family)


def test_a_significant_only_gate_over_too_few_cases_is_not_held_not_passed():
    gate = _gate(_row(1, 1.0, 0.0, note="too few cases to detect any change"), significant_only=True)
    assert gate.status == "not_measured" and gate.passed  # a warning: it does not fail the run
    assert gate.detail == (
        "not held: 100.0% → 0.0%: -100.0 pp [-100.0 pp, +95.0 pp] over 1 case; this gate could not fail: "
        "significant_only fails only a significant drop, and none over 1 case can be significant (it takes 6 "
        "cases, all dropping, and across the 16 rows of this pair that could reach significance Holm may ask for "
        "more); to hold it, add cases or set "
        "significant_only: false on it (largest drop allowed 10.0 pp)")
    unchanged = _gate(_row(3, 1.0, 1.0), significant_only=True)
    assert unchanged.status == "not_measured"  # no drop, but no drop could have failed it either


def test_enough_cases_to_fail_is_held_as_before():
    assert fewest_significant(16) == 10 and fewest_significant(1) == 6
    gate = _gate(_row(10, 1.0, 0.9), significant_only=True, allowed=0.05)
    assert gate.status == "passed"
    assert gate.detail.endswith("a drop of more than the 5.0 pp allowed, but not significant, p (Holm, across the 16 "
                                "rows that could reach significance) 1; significant_only fails only a significant "
                                "drop, so it passes")
    # Holm can call a drop over fewer cases significant when the pair's other rows are clearer still: it failed.
    found = _gate(_row(7, 1.0, 0.0, verdict="regressed", p=0.03), significant_only=True)
    assert found.status == "failed" and "a significant drop, more than the 10.0 pp allowed" in found.detail
    threads = _gate(_row(40, 1.0, 0.5, units=4), significant_only=True)
    assert threads.status == "not_measured" and "none over 4 threads can be significant" in threads.detail


def test_a_gate_holm_could_still_reach_is_held_not_called_unfailable():
    # Regression review #3: over 6 cases in a 2-row family, 3 drops read "this gate could not fail", yet 6 drops
    # failed it (Holm's last step tests at 0.05): the bound was 0.05 / rows, too strict.
    three = _gate(_row(6, 1.0, 0.5), significant_only=True, family=2)
    assert three.status == "passed" and "could not fail" not in three.detail
    six = _gate(_row(6, 1.0, 0.0, verdict="regressed", p=0.0312), significant_only=True, family=2)
    assert six.status == "failed"
    five = _gate(_row(5, 1.0, 0.0), significant_only=True, family=2)
    assert five.status == "not_measured"  # 2 / 2**5 = 0.0625: no drop over 5 cases is significant at 0.05


def test_a_failing_gate_never_reads_no_detectable_change():
    gate = _gate(_row(10, 1.0, 0.9), significant_only=False, allowed=0.05)
    assert gate.status == "failed"
    assert gate.detail == ("100.0% → 90.0%: -10.0 pp [-100.0 pp, +95.0 pp] over 10 cases: a drop of more than the "
                           "5.0 pp allowed, which fails whether significant or not (significant_only is off; not "
                           "significant, p (Holm, across the 16 rows that could reach significance) 1)")
    assert "no detectable change" not in gate.detail
    few = _gate(_row(1, 1.0, 0.0, note="too few cases to detect any change"), significant_only=False)
    assert few.status == "failed" and " over 1 case: " in few.detail and "1 cases" not in few.detail


def test_passing_gates_say_why():
    within = _gate(_row(10, 0.9, 0.8), significant_only=False)
    assert within.status == "passed" and "a drop within the 10.0 pp allowed (not significant" in within.detail
    rise = _gate(_row(10, 0.5, 0.9, verdict="improved", p=0.01), significant_only=False)
    assert "+40.0 pp" in rise.detail and ": no drop (a significant rise, p (Holm" in rise.detail


def test_significance_warnings_before_a_run():
    spec = GatesSpec(significant_only=True, checks={"*": {"max_regression": 0.1}})
    measures = [("check", f"c{i}") for i in range(16)]
    (line,) = significance_warnings(spec, 5, measures)
    assert line.startswith("significant_only: no max_regression gate it covers (check c0, check c1, check c2, "
                           "check c3, …) can fail over 5 cases: a drop is significant only with at least 6 "
                           "cases, all dropping (across 16 criteria and checks, Holm may ask for more)")
    assert significance_warnings(spec, 6, measures) == []
    assert significance_warnings(GatesSpec(checks={"*": {"max_regression": 0.1}}), 3, measures) == []


EVAL = """\
name: few
dataset: cases.jsonl
candidates:
  - name: bot
    model: fake/nightly-bot
    prompt: "You are a support agent for {{ category }}."
checks: [no_contradiction, apology_wording, next_step]
gates:
  significant_only: true
  checks:
    no_contradiction: {max_regression: 0.10}
"""


def test_a_night_over_three_cases_warns_instead_of_passing(nightly, capsys):
    project, bot = nightly
    (project / "few.yaml").write_text(EVAL)
    run = ["run", "few.yaml", "--cases", "n02,n04,n05", "--no-cache", "--quiet"]
    assert main([*run, "--out", "results/base"]) == 0
    bot.bad_cases = {"n02", "n04", "n05"}  # no_contradiction: 100% → 0%
    capsys.readouterr()
    assert main([*run, "--out", "results/next", "--baseline", "results/base"]) == 0  # a warning, not a failure
    out, err = capsys.readouterr()
    # "not held", as summary.md and the banner count it: it was measured, and could not fail (review #7).
    assert "gates:     all passed, 1 not held (exit code 0)" in out
    assert re.search(r"harness: note: max regression check no_contradiction \[bot\]: not held: 100.0% → 0.0%: "
                     r"-100.0 pp .* over 3 cases; this gate could not fail", err)
    gates = json.loads((project / "results/next/gates.json").read_text())
    (gate,) = [g for g in gates["gates"] if g["name"] == "max regression check no_contradiction"]
    assert gate["status"] == "not_measured" and gate["detail"].startswith("not held: ")
    summary = (project / "results/next/summary.md").read_text()
    assert "| ⚠️ | max regression check no_contradiction | bot | not held: " in summary
    assert '<skipped message="not held: 100.0% → 0.0%' in (project / "results/next/junit.xml").read_text()
