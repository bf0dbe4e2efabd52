"""Turn-level replay in diffs: the turn cases of one thread move together in every interval and test."""

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from harness.compare.diff import THREAD_UNIT_NOTICE, DiffOptions, build_diff
from harness.report.diff_cells import fmt_mde
from harness.compare.paired import Clusters, cluster_bootstrap_diff, minimum_detectable_effect
from harness.compare.rows import StatOptions, build_row
from harness.compare.schema import LeftOut
from harness.datasets.turns import thread_of
from harness.report.diff_markdown import render_diff_md
from harness.runner.engine import RunOptions, run_eval

ROOT = Path(__file__).resolve().parents[2]


def clusters(rows):
    ids = [r[0] for r in rows]
    a = np.array([r[1] for r in rows], dtype=float)
    b = np.array([r[2] for r in rows], dtype=float)
    return Clusters(ids, a, np.ones(len(rows)), b, np.ones(len(rows)))


# Three threads; thread x has three turn cases that all flip fail -> pass, y and z one each.
ROWS = [("x@t1", 0, 1), ("x@t2", 0, 1), ("x@t3", 0, 1), ("y@t1", 1, 1), ("y@t2", 0, 0), ("z@t1", 1, 0)]


def test_thread_of_reads_replayed_ids_only():
    assert thread_of("c017@t3") == "c017"
    assert thread_of("a@b@t12") == "a@b"
    assert thread_of("c017") == "c017"
    assert thread_of("c017@tx") == "c017@tx"
    assert thread_of("@t1") == "@t1"


def test_grouped_sums_each_threads_cases():
    grouped = clusters(ROWS).grouped({cid: thread_of(cid) for cid, _, _ in ROWS})
    assert grouped.case_ids == ["x", "y", "z"]
    assert grouped.sum_a.tolist() == [0, 1, 1] and grouped.n_a.tolist() == [3, 2, 1]
    assert grouped.sum_b.tolist() == [3, 1, 0] and grouped.n_b.tolist() == [3, 2, 1]
    assert grouped.delta.tolist() == [1.0, 0.0, -1.0]


def test_row_tests_and_resamples_threads_but_reports_cases():
    case_level = clusters(ROWS)
    units = {cid: thread_of(cid) for cid, _, _ in ROWS}
    options = StatOptions(n_resamples=2000)
    row = build_row("check", "next_step", "pass_fail", case_level, LeftOut(), options, units)
    plain = build_row("check", "next_step", "pass_fail", case_level, LeftOut(), options)
    grouped = case_level.grouped(units)
    assert (row.n_cases, row.n_units, plain.n_units) == (6, 3, None)
    # Same values and same changed cases either way; only the unit of inference differs.
    assert (row.value_a, row.value_b, row.difference) == (plain.value_a, plain.value_b, plain.difference)
    assert [c.case_id for c in row.changes] == [c.case_id for c in plain.changes]
    assert (row.pass_to_fail, row.fail_to_pass) == (1, 3)
    # Case level: McNemar on 1 vs 3 discordant turn cases; thread level: Wilcoxon on the thread differences.
    assert plain.test == "mcnemar_exact" and row.test == "wilcoxon_signed_rank"
    expected_p = stats.wilcoxon(grouped.delta[grouped.delta != 0], zero_method="wilcox").pvalue
    assert row.p_value == pytest.approx(expected_p)
    _, ci = cluster_bootstrap_diff(grouped, 0.95, 2000, options.seed)
    assert (row.ci.lo, row.ci.hi) == pytest.approx((ci.lo, ci.hi))
    # Three threads are fewer than an exact test can ever call significant (6): nothing is detectable.
    assert row.mde == 2.0 and fmt_mde(row) == "none at this n"
    assert plain.mde == pytest.approx(minimum_detectable_effect(case_level.delta))


def test_shipped_threads_diff_counts_threads(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    run = run_eval("evals/threads.yaml", RunOptions(out=tmp_path / "threads")).run_dir
    report = build_diff(run, None, DiffOptions(pair=("bot-v1", "bot-v2")))
    assert THREAD_UNIT_NOTICE in report.notices
    rows = {r.name: r for r in report.comparisons[0].rows}
    assert rows["next_step"].n_cases == 29 and rows["next_step"].n_units == 10
    assert all(r.n_units is not None and r.n_units <= r.n_cases for r in rows.values())
    assert "29 / 10 threads" in render_diff_md(report)


def test_last_turn_runs_keep_cases_as_units(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    eval_file = tmp_path / "last.yaml"
    eval_file.write_text((ROOT / "evals/threads.yaml").read_text().replace("replay: turns", "replay: last")
                         .replace("datasets/threads.jsonl", str(ROOT / "datasets/threads.jsonl")))
    run = run_eval(eval_file, RunOptions(out=tmp_path / "last")).run_dir
    report = build_diff(run, None, DiffOptions(pair=("bot-v1", "bot-v2")))
    assert THREAD_UNIT_NOTICE not in report.notices
    assert all(r.n_units is None for r in report.comparisons[0].rows)
