"""A regression gate's detail says when Holm's correction, not the data, is why a drop is not called significant."""

from __future__ import annotations

from types import SimpleNamespace

from harness.gates.regression import _regression_detail


def _row(note: str | None) -> SimpleNamespace:
    return SimpleNamespace(ci=SimpleNamespace(lo=-0.429, hi=-0.114), p_holm=0.098, value_a=0.543, value_b=0.271,
                           difference=-0.271, n_cases=70, verdict="no detectable change", verdict_note=note)


def test_the_detail_names_the_family_and_the_correction():
    note = "not significant after correcting for 16 comparisons (p 0.012 before)"
    text = _regression_detail(_row(note), 0.271, 0.05, True, True, True, family=16)
    assert "p (Holm, across the 16 rows that could reach significance) 0.098" in text
    assert note in text and "no detectable change" not in text
    # Was "… ; largest drop allowed -5.0 pp (not significant, so allowed)": the pass is now said in words
    # that cannot be read as the opposite of the verdict (tests/nightly/test_regression_verdict_words.py).
    assert text.endswith("significant_only fails only a significant drop, so it passes")


def test_without_a_note_the_test_reads_not_significant():
    # Was ", p (Holm) 0.098, no detectable change;": beside a failed gate "no detectable change" read as a pass.
    text = _regression_detail(_row(None), 0.271, 0.05, True, True, False)
    assert "(significant_only is off; not significant, p (Holm) 0.098)" in text


def test_the_gates_line_of_an_incomplete_run_says_which_cause(nightly, capsys):
    from harness.cli.main import main

    _, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}  # 3 of 8 records in error, above max_error_rate 0.25
    assert main(["run", "nightly.yaml", "--out", "results/errors", "--no-cache", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "gates:     run incomplete: 3 of 8 records (37.5%) with an error: 3 without a reply, above max_error_rate 25.0% " \
           "(exit code 3)" in out


def test_an_interval_end_that_rounds_to_zero_reads_plus_zero():
    row = _row(None)
    row.ci.hi = -0.0001
    text = _regression_detail(row, 0.271, 0.05, True, True, False)
    assert "[-42.9 pp, +0.0 pp]" in text and "-0.0" not in text
