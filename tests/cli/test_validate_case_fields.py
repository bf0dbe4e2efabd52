"""`harness validate` on a check naming a case field: refused when no case has it (exit 2, one line), a `warn`
line with the count when some cases lack it (exit 0). It passed with exit 0 in both."""

import json

import pytest

from harness.cli.main import main


def row(case_id, metadata):
    return json.dumps({"id": case_id, "turns": [{"role": "customer", "content": "hi"}],
                       "recorded_replies": {"bot": "hello"}, "metadata": metadata}) + "\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(row("n01", {"order_id": "48213"}) + row("n02", {}))
    return tmp_path


def write_eval(project, field):
    (project / "eval.yaml").write_text(
        "dataset: cases.jsonl\ncandidates:\n  - {name: bot, recorded: bot}\nchecks:\n  - all\n"
        f"  - {{name: cites_order, type: contains, value: '{{{{ {field} }}}}'}}\n")


def test_a_field_no_case_has_fails_validate_with_one_line(project, capsys):
    write_eval(project, "metadata.orderid")
    assert main(["validate", "eval.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == ("error eval.yaml:6: checks[1].value: {{ metadata.orderid }}: no case of cases.jsonl has "
                   "metadata.orderid, so check cites_order would apply to none of its 2 cases (the cases have "
                   "metadata.order_id); did you mean {{ metadata.order_id }}?\n")


def test_a_field_some_cases_lack_passes_with_a_warn_line(project, capsys):
    write_eval(project, "metadata.order_id")
    assert main(["validate", "eval.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ok    eval.yaml: eval eval, 1 candidate, 1 check of its own")
    assert err == ("warn  eval.yaml:6: checks[1].value: {{ metadata.order_id }}: 1 of the 2 cases have no text or "
                   "number at metadata.order_id: check cites_order does not apply to them (n/a)\n")
