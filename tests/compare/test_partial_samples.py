"""With several samples per case, a case one of whose samples errored is compared on its graded samples (the
row says how many samples were left out), as the scorecard folds it; a case with no graded sample on a side is
left out whole, as before."""

from __future__ import annotations

import pytest

from harness.compare import build_diff, write_diff
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import chk, crit, manifest, rec, write_run

EPOCHS = 3


def _man():
    man = manifest()
    man.eval_spec = {"candidates": [{"name": "bot", "epochs": EPOCHS}]}
    return man


def _side(score, *, errored=frozenset(), judge_errors=frozenset(), n=10):
    """Each case c0..c{n-1} with EPOCHS samples; (case, sample) in ``errored`` is a case error, in
    ``judge_errors`` a judge error on empathy only."""
    return [rec(f"c{i}", sample=s, error=(i, s) in errored, checks={"next_step": chk(True)},
                judge={"empathy": crit(None, error=True) if (i, s) in judge_errors else crit(score(i, s))})
            for i in range(n) for s in range(EPOCHS)]


def _rows(report):
    return {r.name: r for r in report.comparisons[0].rows}


def test_a_case_with_one_errored_sample_is_compared_on_the_others(tmp_path):
    a = write_run(tmp_path / "a", _side(lambda i, s: 3.0), _man())
    errored = {(0, 0), (1, 0), (2, 2)}
    b = write_run(tmp_path / "b", _side(lambda i, s: 4.0 + (s == 1), errored=errored), _man())
    rows = _rows(build_diff(a, b))
    empathy = rows["empathy"]
    assert empathy.n_cases == 10  # was 7: the whole case went with its errored sample
    assert (empathy.left_out.case_error, empathy.left_out.samples_a, empathy.left_out.samples_b) == (0, 0, 3)
    assert (empathy.n_samples_a, empathy.n_samples_b) == (30, 27)
    by_case = {c.case_id: c for c in empathy.changes}
    assert by_case["c0"].b == pytest.approx(4.5) and by_case["c2"].b == pytest.approx(4.5)  # mean of 5 and 4
    assert by_case["c5"].b == pytest.approx(13 / 3)
    assert rows["next_step"].left_out.samples_b == 3 and rows["next_step"].n_cases == 10


def test_the_diff_and_the_scorecard_agree_on_cases_and_values(tmp_path):
    errored = {(0, 0), (1, 0), (1, 1), (2, 2)} | {(9, s) for s in range(EPOCHS)}  # c9: every sample errored
    records_b = _side(lambda i, s: 4.0 + (s == 1), errored=errored)
    a = write_run(tmp_path / "a", _side(lambda i, s: 3.0), _man())
    b = write_run(tmp_path / "b", records_b, _man())
    empathy = _rows(build_diff(a, b))["empathy"]
    card = build_scorecard(records_b, _man(), _man().rubric["criteria"]).candidates["bot"].criteria["empathy"]
    assert empathy.n_cases == card.score.n == 9 and empathy.left_out.case_error == 1  # c9 drops from both
    assert empathy.value_b == pytest.approx(card.score.mean)  # the mean of the cases' means, not of samples
    assert empathy.left_out.samples_b == 4


def test_a_judge_error_on_one_sample_leaves_that_sample_out_of_that_criterion_only(tmp_path):
    a = write_run(tmp_path / "a", _side(lambda i, s: 3.0, judge_errors={(4, 1)}), _man())
    b = write_run(tmp_path / "b", _side(lambda i, s: 3.0), _man())
    rows = _rows(build_diff(a, b))
    assert rows["empathy"].n_cases == 10 and rows["empathy"].left_out.samples_a == 1
    assert rows["empathy"].left_out.judge_error == 0 and rows["next_step"].left_out.samples_a == 0


def test_a_case_with_no_graded_sample_on_a_side_is_left_out_whole(tmp_path):
    a = write_run(tmp_path / "a", _side(lambda i, s: 3.0, judge_errors={(3, s) for s in range(EPOCHS)}), _man())
    b = write_run(tmp_path / "b", _side(lambda i, s: 3.0), _man())
    empathy = _rows(build_diff(a, b))["empathy"]
    assert empathy.n_cases == 9 and empathy.left_out.judge_error == 1
    assert empathy.left_out.samples_a == empathy.left_out.samples_b == 0


def test_the_tables_say_how_many_samples_were_left_out(tmp_path):
    a = write_run(tmp_path / "a", _side(lambda i, s: 3.0), _man())
    b = write_run(tmp_path / "b", _side(lambda i, s: 4.0, errored={(0, 0), (5, 1)}), _man())
    paths = write_diff(build_diff(a, b), tmp_path / "out")
    assert "| 10 | 0; 2 samples of compared cases |" in paths["md"].read_text()
    assert "0; 2 samples of compared cases" in paths["html"].read_text()
