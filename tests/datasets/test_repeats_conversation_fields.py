"""A conversation-level column (CSAT, thumbs) repeated on every row proves no repeated message (review s23).

Before: any non-empty metadata value counted as a message's own field, so with a `csat` column two identical
bot messages of one conversation were dropped as "the export's repeats", against the README (a repeat is
dropped only with a message id or timestamp).
"""

from __future__ import annotations

from harness.cli.main import main
from harness.datasets.loader import load_dataset
from harness.datasets.mapping import ColumnMap

# The review's w/rep.csv: the bot said the same thing twice; the csat is the conversation's.
REP = """conversation_id,role,content,csat
c1,user,Where is my order?,4
c1,assistant,Let me check that for you.,4
c1,user,Order 55.,4
c1,assistant,Let me check that for you.,4
"""
CSAT = {"thread_id": "conversation_id", "metadata.csat": "csat"}


def _export(n: int) -> str:
    """The review's w/fb2.csv shape: n conversations, each a reply repeated word for word, csat and thumbs on
    every row (the same within a conversation, different between them)."""
    rows = ["conversation_id,role,content,csat,thumbs"]
    for i in range(n):
        csat, thumbs = 1 + i % 5, "up" if i % 2 else "down"
        reply = f"I'm sorry order {i} is late. I've refunded the shipping."
        rows += [f"t{i:02},user,My order {i} is late.,{csat},{thumbs}", f"t{i:02},assistant,{reply},{csat},{thumbs}",
                 f"t{i:02},user,And the refund?,{csat},{thumbs}", f"t{i:02},assistant,{reply},{csat},{thumbs}"]
    return "\n".join(rows) + "\n"


def _load(tmp_path, text, columns):
    path = tmp_path / "export.csv"
    path.write_text(text)
    return load_dataset(path, columns=ColumnMap(columns))


def test_a_csat_column_does_not_make_a_second_equal_reply_a_repeat(tmp_path):
    dataset = _load(tmp_path, REP, CSAT)
    case = dataset.cases[0]
    assert [t.content for t in case.turns] == ["Where is my order?", "Let me check that for you.", "Order 55."]
    assert case.recorded_replies == {"thread": "Let me check that for you."}
    assert len(dataset.notes) == 1 and ":5: 1 row the same as an earlier row of its conversation" in dataset.notes[0]
    assert "kept:" in dataset.notes[0] and "dropped" not in dataset.notes[0]


def test_feedback_columns_at_scale_keep_every_real_reply(tmp_path):
    columns = {**CSAT, "metadata.thumbs": "thumbs"}
    dataset = _load(tmp_path, _export(12), columns)
    assert len(dataset.cases) == 12
    assert all(case.recorded_replies.get("thread") for case in dataset.cases)  # none ends on the customer
    assert all(len(case.turns) == 3 for case in dataset.cases)
    assert "12 rows the same as an earlier row of their conversation in every column, kept:" in dataset.notes[0]


def test_a_timestamp_that_changes_still_proves_the_repeat_beside_a_csat(tmp_path):
    text = ("conversation_id,role,content,csat,timestamp\nc1,user,hi,4,10:00\nc1,assistant,Sorry.,4,10:01\n"
            "c1,assistant,Sorry.,4,10:01\n")
    dataset = _load(tmp_path, text, {**CSAT, "metadata.ts": "timestamp"})
    assert dataset.cases[0].recorded_replies == {"thread": "Sorry."}
    assert "dropped as the export's repeats: line 4 (= line 3)" in dataset.notes[0]


def test_a_conversation_held_in_one_minute_still_has_per_message_times(tmp_path):
    # ts is the same on every row of c2, but changes in c1: it is a message's time, so c2's repeat is dropped.
    text = ("conversation_id,role,content,ts\nc1,user,hi,10:00\nc1,assistant,Hello.,10:01\n"
            "c2,user,yo,11:00\nc2,assistant,Sorry.,11:00\nc2,assistant,Sorry.,11:00\n")
    dataset = _load(tmp_path, text, {"thread_id": "conversation_id", "metadata.ts": "ts"})
    assert dataset.cases[1].recorded_replies == {"thread": "Sorry."}
    assert "dropped as the export's repeats: line 6 (= line 5)" in dataset.notes[0]


def test_a_conversation_start_time_repeated_on_every_row_proves_nothing(tmp_path):
    text = ("conversation_id,role,content,created_at\nc1,user,hi,2026-11-01\nc1,assistant,Sorry.,2026-11-01\n"
            "c1,assistant,Sorry.,2026-11-01\n")
    dataset = _load(tmp_path, text, {"thread_id": "conversation_id", "metadata.created_at": "created_at"})
    assert dataset.cases[0].recorded_replies == {"thread": "Sorry.\n\nSorry."}
    assert "kept:" in dataset.notes[0]


def test_a_run_id_shared_by_a_whole_conversation_is_no_message_id(tmp_path):
    # A trace's id on every row of its conversation: rows with other content under it are no clash.
    text = "conversation_id,role,content,run_id\nc1,user,hi,r1\nc1,assistant,Hello.,r1\nc2,user,yo,r2\nc2,assistant,Hey.,r2\n"
    dataset = _load(tmp_path, text, {"thread_id": "conversation_id", "metadata.run_id": "run_id"})
    assert [case.recorded_replies["thread"] for case in dataset.cases] == ["Hello.", "Hey."]


def test_validate_of_the_review_export_passes_and_says_the_kept_row(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rep.csv").write_text(REP)
    (tmp_path / "rep.yaml").write_text(
        "name: rep\ndataset:\n  path: rep.csv\n  columns: {thread_id: conversation_id, metadata.csat: csat}\n"
        "candidates:\n  - {name: prod, recorded: thread}\nchecks: [next_step]\nfeedback: [metadata.csat]\n")
    assert main(["validate", "rep.yaml"]) == 0
    err = capsys.readouterr().err
    assert "warn  rep.csv:5: 1 row the same as an earlier row of its conversation in every column, kept:" in err
    assert "error" not in err
