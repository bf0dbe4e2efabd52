"""An incomplete run's end says its cause in the same words on both streams: the failed completion gate
(stderr) and the `gates:` line (stdout), not "gate failed: run completed: …" beside "gates: run incomplete: …"."""

from __future__ import annotations


def test_the_failed_completion_gate_and_the_gates_line_agree(nightly, capsys):
    from harness.cli.main import main

    _, bot = nightly
    bot.failing_cases = {"n01", "n02", "n03"}  # 3 of 8 records in error, above max_error_rate 0.25
    assert main(["run", "nightly.yaml", "--out", "results/errors", "--no-cache", "--quiet"]) == 3
    said = capsys.readouterr()
    cause = "3 of 8 records (37.5%) with an error: 3 without a reply, above max_error_rate 25.0%"
    assert f"gate failed: run incomplete: {cause}" in said.err
    assert "gate failed: run completed" not in said.err
    assert f"gates:     run incomplete: {cause}" in said.out
