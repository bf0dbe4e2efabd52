"""What exporting does to a production conversation's rows, said or undone rather than graded silently.

The review (QA lead, s22): a row exported twice was merged into the graded reply (`Sorry.\\n\\nSorry.`); a
newest-first export paired replies with the wrong messages; `harness validate` named only the first bad row of
each thread; a conversation ending on the customer was said in words about JSONL turns (or not at all).
"""

from __future__ import annotations

import pytest

from harness.cli.main import main
from harness.datasets.loader import load_dataset
from harness.datasets.mapping import ColumnMap
from harness.errors import DatasetError, SeveralErrors

REPEATED = """conversation_id,role,content,timestamp,message_id
c1,user,Where is my refund,t1,m1

c1,assistant,Sorry.,t2,m2
c1,assistant,Sorry.,t2,m2
c2,user,charged twice,t3,m3
c2,assistant,ok,t4,m4
"""
IDS = {"thread_id": "conversation_id", "metadata.ts": "timestamp", "metadata.message_id": "message_id"}
# The README's export, newest first (as some helpdesks write it).
REVERSED = """conversation_id,role,content,timestamp
t2,assistant,Calm down. Our records show one charge.,2026-11-01T11:00
t2,user,You people charged me twice. Unbelievable.,2026-11-01T11:00
t1,assistant,"I'm sorry, you're right. I've issued a refund.",2026-11-01T10:02
t1,user,The FAQ is useless. I want a refund.,2026-11-01T10:01
t1,assistant,Sorry for any inconvenience. Please check our FAQ.,2026-11-01T10:00
t1,user,My package is 2 weeks late.,2026-11-01T10:00
"""
TS = {"thread_id": "conversation_id", "metadata.ts": "timestamp"}


def _load(tmp_path, text, columns):
    path = tmp_path / "export.csv"
    path.write_text(text)
    return load_dataset(path, columns=ColumnMap(columns))


def test_a_row_exported_twice_is_dropped_and_said_with_its_lines(tmp_path):
    dataset = _load(tmp_path, REPEATED, IDS)
    assert dataset.cases[0].recorded_replies == {"thread": "Sorry."}
    assert dataset.cases[0].metadata["recorded_reply"] == [{"ts": "t2", "message_id": "m2"}]
    assert dataset.notes == (f"{tmp_path / 'export.csv'}:5: 1 row the same as an earlier row of its conversation "
                             "in every column, dropped as the export's repeats: line 5 (= line 4)",)


def test_equal_rows_without_a_message_field_are_kept_and_said(tmp_path):
    text = "conversation_id,role,content\nc1,user,hi\nc1,user,hi\nc1,assistant,hello\n"
    dataset = _load(tmp_path, text, {"thread_id": "conversation_id"})
    assert [t.content for t in dataset.cases[0].turns] == ["hi", "hi"]  # a customer may send it twice
    assert "3: 1 row the same as an earlier row of its conversation in every column, kept:" in dataset.notes[0]


def test_a_message_id_repeated_with_other_content_is_refused_at_the_later_row(tmp_path):
    text = REPEATED.replace("c1,assistant,Sorry.,t2,m2\nc2", "c1,assistant,Sorry!,t2,m2\nc2")
    with pytest.raises(DatasetError) as err:
        _load(tmp_path, text, IDS)
    assert err.value.line == 5 and err.value.field == "message_id (as metadata.message_id)"
    assert "message id 'm2' is line 4's too, with other content" in err.value.problem


def test_times_that_go_down_in_a_thread_are_warned_of_with_the_mapping_to_write(tmp_path):
    dataset = _load(tmp_path, REVERSED, TS)
    assert len(dataset.notes) == 1
    note = dataset.notes[0]
    assert note.startswith(f"{tmp_path / 'export.csv'}:5: timestamp (as metadata.ts): conversation 't1' goes back "
                           "in time here (2026-11-01T10:01 after 2026-11-01T10:02 at line 4)")
    assert "dataset: {columns: {time: timestamp}}" in note
    header, *rows = REVERSED.splitlines()
    assert not _load(tmp_path, "\n".join([header, *reversed(rows)]) + "\n", TS).notes  # oldest first: nothing


def test_a_time_column_orders_each_thread_newest_first_export_included(tmp_path):
    dataset = _load(tmp_path, REVERSED, {**TS, "time": "timestamp"})
    assert not dataset.notes
    t2, t1 = dataset.cases
    assert [t.content for t in t1.turns] == ["My package is 2 weeks late.",
                                             "Sorry for any inconvenience. Please check our FAQ.",
                                             "The FAQ is useless. I want a refund."]
    assert t1.recorded_replies == {"thread": "I'm sorry, you're right. I've issued a refund."}
    # Sent in the same minute: read the way the export runs (newest first), so the customer still comes first.
    assert [t.role for t in t2.turns] == ["customer"] and "Calm down" in t2.recorded_replies["thread"]
    assert t1.turns[0].metadata == {"ts": "2026-11-01T10:00", "time": "2026-11-01T10:00"}


def test_an_unreadable_time_is_refused_at_its_row(tmp_path):
    with pytest.raises(DatasetError) as err:
        _load(tmp_path, REVERSED.replace("2026-11-01T10:01", "yesterday"), {**TS, "time": "timestamp"})
    assert (err.value.line, err.value.field) == (5, "timestamp (as time)")
    assert "'yesterday' is no time" in err.value.problem


def test_every_bad_row_of_a_thread_is_listed(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("conversation_id,role,content\na,user,late\na,assistant,ok\nb,user,charged twice\n"
                    "b,moderator,hello\nb,assistant,\nb,user,?\nc,user,\nc,assistant,hi\n")
    with pytest.raises(SeveralErrors) as err:
        load_dataset(path, all_errors=True, columns=ColumnMap({"thread_id": "conversation_id"}))
    said = [(e.line, e.field) for e in err.value.errors]
    assert said == [(5, "role"), (6, "content"), (8, "content")]


VALIDATE = """\
name: prod
dataset:
  path: export.csv
  columns: {thread_id: conversation_id, metadata.ts: timestamp}
candidates:
  - {name: prod, recorded: thread}
"""


def test_validate_names_a_conversation_that_ends_on_the_customer(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export.csv").write_text(
        "conversation_id,role,content,timestamp\nc1,user,hi,1\nc1,assistant,hello,2\nc2,user,charged twice,3\n"
        "c2,assistant,Calm down.,4\nc2,user,Get me a manager.,5\n")
    (tmp_path / "eval.yaml").write_text(VALIDATE)
    assert main(["validate", "eval.yaml"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warn")]
    assert warnings == ["warn  eval.yaml:6: candidates[0].recorded: conversation c2 (line 4) ends on the customer's "
                        "message: no bot reply to grade; it will be a missing_recorded_reply error, counted apart "
                        "from the graded cases"]


def test_validate_of_the_export_says_the_dropped_repeat(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export.csv").write_text(REPEATED)
    (tmp_path / "eval.yaml").write_text(VALIDATE.replace("metadata.ts: timestamp",
                                                         "metadata.ts: timestamp, metadata.message_id: message_id"))
    assert main(["validate", "eval.yaml"]) == 0
    err = capsys.readouterr().err
    assert "warn  export.csv:5: 1 row the same as an earlier row of its conversation in every column" in err
