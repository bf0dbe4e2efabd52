"""With several samples (epochs) per case: pass^k and agreement count one set of cases for every k (the cases
with every sample graded), and the scorecard counts errored samples as well as cases whose every sample errored."""

from __future__ import annotations

import pytest

from harness.report.markdown import render_scorecard_md
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import chk, crit, manifest, rec

EPOCHS = 3


def _man(epochs=EPOCHS):
    man = manifest()
    man.eval_spec = {"candidates": [{"name": "bot", "epochs": epochs}]}
    return man


def _records(passes: dict[str, list]) -> list:
    """Case id → one entry per sample: True/False (next_step passed or failed), None (n/a), "err" (case error)."""
    return [rec(case, sample=s, error=True) if p == "err" else
            rec(case, sample=s, checks={} if p is None else {"next_step": chk(p)},
                judge={"empathy": crit(4.0 if p else 2.0)})
            for case, samples in passes.items() for s, p in enumerate(samples)]


def _card(passes, epochs=EPOCHS):
    return build_scorecard(_records(passes), _man(epochs), _man(epochs).rubric["criteria"])


# c_partial has one graded sample: it used to count in pass^1 only, so pass^2 (without its fail) rose above pass^1.
PARTIAL = {"c_mixed": [True, True, False], "c_partial": [False, "err", "err"], "c_good": [True, True, True]}


def test_every_k_counts_the_same_cases_so_pass_hat_k_never_rises():
    stat = _card(PARTIAL).candidates["bot"].epochs.checks["next_step"]
    assert (stat.n_cases, stat.n_complete) == (3, 2)
    assert stat.pass_hat_k == pytest.approx({"1": (2 / 3 + 1) / 2, "2": (1 / 3 + 1) / 2, "3": 1 / 2})
    assert stat.pass_hat_k["1"] >= stat.pass_hat_k["2"] >= stat.pass_hat_k["3"]
    assert stat.reduced.n == 3  # the reducer still counts every case with a graded sample


def test_a_case_with_one_graded_sample_does_not_count_as_agreeing():
    stat = _card({"c_partial": [False, "err", "err"], "c_mixed": [True, False, True]}).candidates["bot"].epochs
    assert stat.checks["next_step"].consistency == 0.0 and stat.checks["next_step"].n_complete == 1


def test_an_n_a_sample_leaves_its_case_out_of_pass_hat_k():
    stat = _card({"c1": [True, None, True], "c2": [True, True, True]}).candidates["bot"].epochs.checks["next_step"]
    assert (stat.n_cases, stat.n_complete, stat.pass_hat_k["3"]) == (2, 1, 1.0)


def test_no_case_with_every_sample_graded_leaves_pass_hat_k_empty():
    stat = _card({"c1": [True, "err", "err"]}).candidates["bot"].epochs.checks["next_step"]
    assert stat.pass_hat_k == {} and stat.consistency is None and stat.reduced.mean == 1.0


def test_the_consistency_table_says_how_many_cases_pass_hat_k_counts():
    markdown = render_scorecard_md(_card(PARTIAL))
    assert "| cases with all 3 samples graded |" in markdown
    assert "| next_step (check) | 56% [0%, 100%] | 83% | 67% | 50% | 50% | 2 of 3 |" in markdown


def test_the_scorecard_counts_errored_samples_not_only_cases_whose_every_sample_errored():
    card = _card({"c1": ["err", "err", "err"], "c2": [True, "err", True], "c3": [True, True, "err"],
                  "c4": [True, True, True]})
    epochs = card.candidates["bot"].epochs
    assert (epochs.n_samples, epochs.n_sample_errors, epochs.sample_errors_by_kind) == (12, 5, {"server_error": 5})
    assert card.candidates["bot"].n_case_errors == 1
    markdown = render_scorecard_md(card)
    assert "| case errors (every sample errored) | 1 (server_error 1) |" in markdown
    assert "| sample errors | 5 of 12 (server_error 5) |" in markdown
    assert "| records (one per case, samples reduced) | 4 |" in markdown and "| samples | 12 |" in markdown
    assert "- records: 4 (one per case, samples reduced; 12 samples)" in markdown
    assert "**bot**: 3 epochs, 3 cases, 12 samples, 5 errored (server_error 5), reducer `mean`" in markdown


def test_one_sample_per_case_keeps_the_plain_rows():
    markdown = render_scorecard_md(build_scorecard(_records({"c1": ["err"], "c2": [True]}), manifest(),
                                                   manifest().rubric["criteria"]))
    assert "| case errors | 1 (server_error 1) |" in markdown and "sample errors" not in markdown
    assert "| records | 2 |" in markdown and "- records: 2" in markdown
