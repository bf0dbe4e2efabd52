"""With several samples per case, a case left out of a diff row is labelled by its real reason: a case error
only when every sample errored; otherwise what its answered samples say (a judge error, else n/a)."""

from __future__ import annotations

from harness.compare import build_diff, write_diff
from tests.compare.runs import chk, crit, manifest, rec, write_run

EPOCHS = 3


def _man():
    man = manifest()
    man.eval_spec = {"candidates": [{"name": "bot", "epochs": EPOCHS}]}
    return man


def _sample(case: str, s: int, kind: str):
    """``ok``: graded; ``err``: a case error; ``na``: next_step n/a, empathy not applicable; ``je``: a judge
    error on empathy, next_step n/a."""
    if kind == "err":
        return rec(case, sample=s, error=True)
    if kind == "na":
        return rec(case, sample=s, checks={}, judge={"empathy": crit(None, applicable=False)})
    if kind == "je":
        return rec(case, sample=s, checks={}, judge={"empathy": crit(None, error=True)})
    return rec(case, sample=s, checks={"next_step": chk(True)}, judge={"empathy": crit(4.0)})


def _run(path, kinds: dict[str, list[str]]):
    return write_run(path, [_sample(c, s, k) for c, ks in kinds.items() for s, k in enumerate(ks)], _man())


def _rows(tmp_path, a_kinds):
    a = _run(tmp_path / "a", a_kinds)
    b = _run(tmp_path / "b", {c: ["ok"] * EPOCHS for c in a_kinds})
    return {r.name: r for r in build_diff(a, b).comparisons[0].rows}, a, b


A_KINDS = {"c_na": ["err", "na", "na"], "c_all_na": ["na", "na", "na"], "c_err": ["err", "err", "err"],
           "c_je": ["err", "je", "na"], "c_ok": ["ok", "err", "ok"]}


def test_a_case_n_a_on_its_answered_samples_is_n_a_not_a_case_error(tmp_path):
    rows, _, _ = _rows(tmp_path, A_KINDS)
    left = rows["next_step"].left_out
    assert (left.case_error, left.judge_error, left.not_applicable) == (1, 0, 3)  # was (4, 0, 1)
    assert rows["next_step"].n_cases == 1 and left.samples_a == 1


def test_a_judge_error_among_the_answered_samples_outranks_n_a(tmp_path):
    left = _rows(tmp_path, A_KINDS)[0]["empathy"].left_out
    assert (left.case_error, left.judge_error, left.not_applicable) == (1, 1, 2)


def test_the_diff_table_splits_the_left_out_cell_by_reason(tmp_path):
    _, a, b = _rows(tmp_path, A_KINDS)
    markdown = write_diff(build_diff(a, b), tmp_path / "out")["md"].read_text()
    assert "| 1 | 4 (case error 1, n/a 3); 1 sample of compared cases |" in markdown


def test_one_sample_per_case_still_puts_an_error_on_either_side_first(tmp_path):
    a = write_run(tmp_path / "a", [rec("c1", error=True), rec("c2", checks={})])
    b = write_run(tmp_path / "b", [rec("c1", checks={}), rec("c2", error=True)])
    left = {r.name: r for r in build_diff(a, b).comparisons[0].rows}["next_step"].left_out
    assert (left.case_error, left.not_applicable) == (2, 0)
