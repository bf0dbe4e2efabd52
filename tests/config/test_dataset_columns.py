"""`dataset: {path, columns}`: the eval file maps the case's fields to a file's own column names, and every
mistake in the mapping is one line naming the eval file, the line and `dataset.columns.<field>`."""

import textwrap
from pathlib import Path

import pytest

from harness.cli.validation import validate_paths
from harness.config.evalfile import load_eval
from harness.datasets.loader import load_dataset
from harness.errors import ConfigError, UserError

HELPDESK = ("ticket_id,customer_message,bot_response,window\n"
            "t1,my parcel is three weeks late,I apologize for the delay.,30\n"
            "t2,refund me now,Sorry for any inconvenience.,14\n")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tickets.csv").write_text(HELPDESK)
    return tmp_path


def write(project, columns: str, path: str = "tickets.csv"):
    mapping = "".join(f"    {line}\n" for line in textwrap.dedent(columns).splitlines())
    (project / "eval.yaml").write_text(f"name: tickets\ndataset:\n  path: {path}\n  columns:\n{mapping}"
                                       "candidates:\n  - name: bot-prod\n    recorded: bot-prod\n")
    return Path("eval.yaml")


def problems(eval_path) -> list[str]:
    """What `harness validate` says about the eval file, one line each (the run refuses it with the first)."""
    return [item.one_line() for _, item in validate_paths([eval_path]) if isinstance(item, UserError)]


MAPPED = """\
    id: ticket_id
    complaint: customer_message
    reply:bot-prod: bot_response
    context.refund_window_days: window
"""


def test_the_long_form_loads_and_the_plain_form_still_does(project):
    loaded = load_eval(write(project, MAPPED))
    assert loaded.dataset_path == "tickets.csv" and loaded.spec.dataset_file == "tickets.csv"
    assert loaded.spec.dataset_columns == {"id": "ticket_id", "complaint": "customer_message",
                                           "reply:bot-prod": "bot_response", "context.refund_window_days": "window"}
    # The manifest's eval_spec is this dump: the mapping is part of what a run records.
    assert loaded.spec.model_dump(mode="json")["dataset"]["columns"]["complaint"] == "customer_message"
    cases = load_dataset(loaded.dataset_path, columns=loaded.column_map).cases
    assert [c.id for c in cases] == ["t1", "t2"] and cases[0].context.refund_window_days == 30
    assert cases[1].recorded_replies == {"bot-prod": "Sorry for any inconvenience."}
    assert problems(Path("eval.yaml")) == []
    (project / "plain.yaml").write_text("dataset: tickets.csv\ncandidates: [{name: b, recorded: b}]\n")
    assert load_eval("plain.yaml").spec.dataset_columns == {}


def test_a_column_the_file_lacks_is_named_at_its_line_with_the_closest(project):
    path = write(project, "id: ticket_id\ncomplaint: customer_msg\n")
    assert problems(path) == ["eval.yaml:6: dataset.columns.complaint: no column 'customer_msg' in tickets.csv; "
                              "did you mean customer_message?"]
    path = write(project, "id: ticket_id\ncomplaint: body\n")
    assert problems(path) == ["eval.yaml:6: dataset.columns.complaint: no column 'body' in tickets.csv (its columns "
                              "are ticket_id, customer_message, bot_response, window)"]


def test_a_field_the_case_has_no_column_for_is_refused_each_at_its_line(project):
    path = write(project, "id: ticket_id\ncomplaintt: customer_message\ncontext.window: window\nreply:: x\n")
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    lines = [e.one_line() for e in info.value.errors]
    assert lines[0].startswith("eval.yaml:6: dataset.columns.complaintt: not a field a column can fill; did you "
                               "mean complaint? (the fields are id, complaint (or turns),")
    assert lines[1].startswith("eval.yaml:7: dataset.columns.context.window: `context` has no field `window` "
                               "(its fields are allowed_offers,")
    assert lines[2] == "eval.yaml:8: dataset.columns.reply:: `reply:` names no version"


def test_two_sources_for_one_field_are_refused(project):
    # complaint and turns are one field (the thread)
    path = write(project, "id: ticket_id\ncomplaint: customer_message\nturns: bot_response\n")
    assert problems(path) == ["eval.yaml:7: dataset.columns.turns: `complaint` and `turns` are alternatives (a "
                              "complaint is a thread of one customer turn): map one"]
    # a field given twice
    path = write(project, "id: ticket_id\nid: customer_message\n")
    assert problems(path)[0].startswith("eval.yaml:6: duplicate key 'id'")
    # the file has a column of the field's own name too, which the mapping leaves as it is
    (project / "both.csv").write_text("ticket_id,complaint,customer_message\nt1,a,b\n")
    path = write(project, "id: ticket_id\ncomplaint: customer_message\n", path="both.csv")
    assert problems(path) == ["eval.yaml:6: dataset.columns.complaint: both.csv has a column `complaint` too: two "
                              "columns for one field (map that one elsewhere, `metadata.complaint: complaint`, or "
                              "drop this line)"]
    # mapped elsewhere, it is no second source
    path = write(project, "id: ticket_id\ncomplaint: customer_message\nmetadata.first: complaint\n"
                          "reply:bot-prod: complaint\n", path="both.csv")
    assert problems(path) == []


def test_the_long_form_s_own_mistakes(project):
    assert problems(write(project, "id: ''\n")) == ["eval.yaml:5: dataset.columns.id: String should have at least "
                                                    "1 character"]
    path = write(project, "id: ticket_id\n", path="nowhere.csv")
    assert problems(path) == ["eval.yaml:3: dataset.path: dataset file not found: nowhere.csv"]
    (project / "eval.yaml").write_text("dataset: {path: tickets.csv, colums: {id: a}}\ncandidates: [{name: b, "
                                       "recorded: b}]\n")
    assert problems(Path("eval.yaml")) == ["eval.yaml:1: dataset.colums: unknown field (check the spelling); "
                                               "did you mean columns?"]
    (project / "eval.yaml").write_text("dataset: ''\ncandidates: [{name: b, recorded: b}]\n")
    assert problems(Path("eval.yaml")) == ["eval.yaml:1: dataset: String should have at least 1 character"]


def test_an_unmapped_column_is_told_how_to_map_it(project):
    path = write(project, "id: ticket_id\ncomplaint: customer_message\n")
    # every unmapped column of the header, each told how to map it (not only the first one)
    assert problems(path) == ["tickets.csv:1: bot_response: unknown column: map it in eval.yaml's dataset.columns "
                              "(`metadata.bot_response: bot_response` keeps it in the case's metadata), or remove "
                              "it from the file",
                              "tickets.csv:1: window: unknown column: map it in eval.yaml's dataset.columns "
                              "(`metadata.window: window` keeps it in the case's metadata), or remove it from the "
                              "file"]
    # without a mapping, the header's first unknown column says the mapping is there to use
    (project / "plain.yaml").write_text("dataset: tickets.csv\ncandidates: [{name: b, recorded: b}]\n")
    assert problems(Path("plain.yaml"))[0].endswith(
        "or leave the file as it is and map its columns to these in the eval file (dataset: {path: <file>, "
        "columns: {<field>: ticket_id}})")


def test_a_bad_row_names_the_file_s_column(project):
    (project / "tickets.csv").write_text(HELPDESK + "t3,   ,hi,7\nt4,hi,there,soon\n")
    assert problems(write(project, MAPPED)) == [
        "tickets.csv:4: customer_message (as complaint): empty cell (each row needs the customer's message)",
        "tickets.csv:5: window (as context.refund_window_days): Input should be a valid integer, unable to parse "
        "string as an integer"]


def test_a_folder_s_export_is_validated_with_the_eval_file_that_maps_it(project):
    write(project, MAPPED)
    said = {path.name: str(item) for path, item in validate_paths([Path(".")])}
    assert said == {"eval.yaml": "eval tickets, 1 candidate",
                    "tickets.csv": "read through eval.yaml's dataset.columns: validated with it"}
