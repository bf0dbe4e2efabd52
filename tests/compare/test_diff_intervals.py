"""A diff row with no changed case keeps an interval that reflects n, never ``+0 pp [+0, +0]``; a pass/fail row
where cases changed gets an interval that agrees with its exact McNemar test; a bootstrap interval that
disagrees with its test says so."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp

from harness.compare import build_diff
from harness.compare.paired import mcnemar_exact, mcnemar_exact_interval
from harness.compare.rows import TEST_REJECTS, UNRELIABLE, interval_note, no_change_interval
from harness.report.diff_cells import fmt_difference
from tests.compare.edge_runs import records, run
from tests.compare.runs import chk, crit, rec, write_run


def _records(n: int, candidate: str = "bot") -> list:
    return [rec(f"c{i:03d}", candidate, checks={"apology_wording": chk(True), "next_step": chk(i % 2 == 0),
                                                "no_contradiction": chk(True)},
                judge={"empathy": crit(3 + i % 3), "policy": crit(1.0)}) for i in range(n)]


def test_unchanged_rows_have_an_interval_that_narrows_with_n(tmp_path):
    widths = []
    for n in (10, 70, 700):
        run = write_run(tmp_path / f"a{n}", _records(n))
        rows = {r.name: r for r in build_diff(run, write_run(tmp_path / f"b{n}", _records(n))).comparisons[0].rows}
        next_step, empathy = rows["next_step"], rows["empathy"]
        assert next_step.difference == 0 and next_step.ci.lo < 0 < next_step.ci.hi
        assert next_step.ci.lo == pytest.approx(-next_step.ci.hi) and empathy.ci.lo < 0 < empathy.ci.hi
        widths.append(next_step.ci.hi)
        if n == 70:
            assert fmt_difference(next_step) == "+0 pp [-5, +5]"
            assert fmt_difference(empathy) == "+0.00 [-0.21, +0.21]"
    assert widths == sorted(widths, reverse=True)


def test_the_interval_with_no_change_is_clopper_pearsons_bound_on_the_share_of_changed_cases():
    # 0 of n cases changed: the share that changes is at most Clopper-Pearson's upper bound, and each
    # changes by at most the scale's largest difference (1 on pass/fail, 4 on 1-5).
    for n in (1, 6, 70):
        upper = sp.beta.ppf(0.975, 1, n)
        lo, hi = no_change_interval(np.zeros(n), "pass_fail", 0.95)
        assert hi == pytest.approx(upper, rel=1e-9) and lo == pytest.approx(-upper, rel=1e-9)
        assert no_change_interval(np.zeros(n), "1-5", 0.95)[1] == pytest.approx(4 * upper, rel=1e-9)
    assert no_change_interval(np.array([0.0, 0.25]), "pass_fail", 0.95) is None
    assert no_change_interval(np.zeros(5), "other", 0.95) is None


def test_it_covers_a_small_true_change_at_least_95_percent_of_the_time():
    # A true change of r (each case flips with probability r): the row shows no change with probability
    # (1 - r)^n; the interval must then hold r. Worst case just past the bound: below 2.5% of the time.
    n = 70
    hi = no_change_interval(np.zeros(n), "pass_fail", 0.95)[1]
    assert (1 - hi * 1.0001) ** n < 0.025


def test_a_constant_small_shift_is_regressed_and_its_interval_says_it_includes_0(tmp_path):
    # Ten cases x 4 samples; B's first sample of every case scores one point lower: every case -0.25.
    # The bootstrap read a certain -0.25 [-0.25, -0.25] (every resample is -0.25). The honest bound on the mean
    # over 10 cases (some unseen case could move by up to 4 points) includes 0 while the signed-rank test
    # rejects: the verdict stays the test's, and the cell says they disagree.
    def runs(lower: bool):
        return [rec(f"c{i}", sample=s, judge={"empathy": crit(3.0 if lower and s == 0 else 4.0)})
                for i in range(10) for s in range(4)]
    a, b = write_run(tmp_path / "a", runs(False)), write_run(tmp_path / "b", runs(True))
    row = next(r for r in build_diff(a, b).comparisons[0].rows if r.name == "empathy")
    assert row.difference == pytest.approx(-0.25) and row.verdict == "regressed"
    assert row.ci_method == "uniform_change" and row.ci.lo < -0.25 < 0 < row.ci.hi and row.ci_note == TEST_REJECTS
    assert fmt_difference(row) == "-0.25 [-1.41, +1.06] (interval includes 0; the test rejects)"


def test_a_clear_change_gets_an_interval_that_agrees_with_its_test(tmp_path):
    a = _records(60)
    b = [rec(r.case_id, checks={**r.checks, "next_step": chk(False)}, judge=r.judge) for r in _records(60)]
    row = next(r for r in build_diff(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)).comparisons[0].rows
               if r.name == "next_step")
    assert row.verdict == "regressed" and row.ci.hi < 0 and row.ci.lo > -0.7  # -50 pp, 30 flips of 60
    assert row.ci_method == "mcnemar_exact"


@pytest.mark.parametrize("n", [3, 6, 16, 70, 300])
def test_the_pass_fail_interval_excludes_0_exactly_when_the_exact_mcnemar_test_rejects(n):
    for down in (0, 1, 2, 3, 5, 8):
        for up in [u for u in range(0, 13) if down + u <= n]:
            ci = mcnemar_exact_interval(down, up, n)
            point = (up - down) / n
            assert ci.lo <= point <= ci.hi and -1 <= ci.lo and ci.hi <= 1
            assert (ci.lo > 0 or ci.hi < 0) == (mcnemar_exact(down, up) < 0.05), (down, up, n, ci)


def test_the_pass_fail_interval_is_fay_and_lumbards_melded_interval():
    # The melded interval by Monte Carlo, as R's exact2x2::mcnemarExactDP(nmc=...) computes it.
    rng = np.random.default_rng(0)
    for down, up, n in [(2, 9, 70), (5, 20, 70), (1, 2, 5), (7, 3, 10), (2, 1, 40)]:
        m, draws = down + up, 400_000
        tl, tu = rng.beta(m, n - m + 1, draws), rng.beta(m + 1, n - m, draws) if m < n else np.ones(draws)
        bl, bu = rng.beta(up, m - up + 1, draws), rng.beta(up + 1, m - up, draws)
        lo = min(np.quantile(tl * (2 * bl - 1), 0.025), np.quantile(tu * (2 * bl - 1), 0.025))
        hi = max(np.quantile(tl * (2 * bu - 1), 0.975), np.quantile(tu * (2 * bu - 1), 0.975))
        ci = mcnemar_exact_interval(down, up, n)
        assert ci.lo == pytest.approx(lo, abs=0.004) and ci.hi == pytest.approx(hi, abs=0.004)
    # No discordant case: Clopper-Pearson's bound on the share that could change unseen, as no_change_interval.
    assert mcnemar_exact_interval(0, 0, 70).hi == pytest.approx(no_change_interval(np.zeros(70), "pass_fail", 0.95).hi)


def test_three_cases_that_all_failed_are_not_a_certain_minus_100_pp(tmp_path):
    # Review finding: "-100 pp [-100, -100]" (every bootstrap resample is -1) beside p 0.25.
    worse = frozenset({"c00", "c01", "c02"})
    report = build_diff(run(tmp_path / "a", records("bot", 3)), run(tmp_path / "b", records("bot", 3, worse=worse)))
    row = next(r for r in report.comparisons[0].rows if r.name == "next_step")
    assert row.difference == -1.0 and row.p_value == 0.25 and row.ci_method == "mcnemar_exact"
    assert row.ci.lo == -1.0 and row.ci.hi > 0.4


def test_a_bootstrap_interval_narrower_than_the_test_is_marked(tmp_path):
    # Review finding: five 1-5 cases move 3 -> 4 among 60: "+0.08 [+0.02, +0.15]" beside "improved" (p 0.025
    # by the normal approximation); the exact p is 0.0625 and the interval excludes 0.
    def side(better: bool):
        return [rec(f"c{i:02d}", judge={"empathy": crit(4.0 if better and i < 5 else 3.0)}) for i in range(60)]
    report = build_diff(write_run(tmp_path / "a", side(False)), write_run(tmp_path / "b", side(True)))
    row = next(r for r in report.comparisons[0].rows if r.name == "empathy")
    assert row.p_value == pytest.approx(0.0625) and row.verdict == "no detectable change"
    assert row.ci_method == "bootstrap" and row.ci.lo > 0 and row.ci_note == UNRELIABLE
    assert row.verdict_note.startswith("not significant, even before correcting")


def test_interval_note_only_for_a_bootstrap_interval_that_disagrees():
    from harness.scoring.stats import Interval as StatInterval

    off = StatInterval(0.02, 0.15)
    across = StatInterval(-0.02, 0.15)
    assert interval_note(off, "bootstrap", 0.0625, 0.05) == UNRELIABLE
    assert interval_note(across, "bootstrap", 0.01, 0.05) == TEST_REJECTS
    assert interval_note(off, "bootstrap", 0.01, 0.05) is None and interval_note(across, "bootstrap", 0.2, 0.05) is None
    assert interval_note(off, "mcnemar_exact", 0.2, 0.05) is None and interval_note(None, None, None, 0.05) is None
