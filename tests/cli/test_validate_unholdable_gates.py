"""`harness validate` warns when the eval's significant_only max_regression gates cannot fail over its cases
(too few for any drop to be significant after Holm across its checks): every night would read them "not held"."""

import json

import pytest

from harness.cli.main import main


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(project, n_cases: int, significant_only: bool = True) -> None:
    rows = [json.dumps({"id": f"n{i:02}", "turns": [{"role": "customer", "content": "where is my order"}],
                        "recorded_replies": {"bot": "Sorry, it ships today."}}) for i in range(n_cases)]
    (project / "cases.jsonl").write_text("\n".join(rows) + "\n")
    (project / "eval.yaml").write_text(
        "dataset: cases.jsonl\ncandidates:\n  - {name: bot, recorded: bot}\nchecks: [all]\n"
        f"gates:\n  significant_only: {str(significant_only).lower()}\n  checks:\n"
        "    no_contradiction: {max_regression: 0.05}\n")


def test_too_few_cases_for_any_significant_drop_is_a_warn_line(project, capsys):
    write(project, 5)  # no drop over 5 cases is significant at 0.05
    assert main(["validate", "eval.yaml"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warn  eval.yaml:6: gates: significant_only: no max_regression gate it covers "
                          "(check no_contradiction) can fail over 5 cases")
    assert "add cases or set significant_only: false" in err


@pytest.mark.parametrize("n_cases, significant_only", [(6, True), (5, False)])
def test_enough_cases_or_every_drop_counting_is_silent(project, capsys, n_cases, significant_only):
    write(project, n_cases, significant_only)
    assert main(["validate", "eval.yaml"]) == 0
    assert capsys.readouterr().err == ""
