"""One rule for blank text in every format: an empty or whitespace-only recorded reply is no reply (the
case's missing_recorded_reply, as an empty CSV cell always was), never a reply graded; an empty or
whitespace-only customer message is refused at its line and field."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness.datasets.loader import load_dataset
from harness.datasets.turns import expand_cases
from harness.errors import DatasetError

BLANKS = ["", "   ", " \n\t "]
TURN = [{"role": "customer", "content": "where is my refund"}]


def _jsonl(tmp_path, rows, name="x.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_jsonl_reply_is_no_reply(tmp_path, blank):
    path = _jsonl(tmp_path, [{"id": "a", "turns": TURN, "recorded_replies": {"bot": blank, "new": "Sorry!"}}])
    assert load_dataset(path).cases[0].recorded_replies == {"new": "Sorry!"}


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_json_array_reply_is_no_reply(tmp_path, blank):
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"id": "a", "turns": TURN, "recorded_replies": {"bot": blank}}]))
    assert load_dataset(path).cases[0].recorded_replies == {}


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_csv_reply_is_no_reply(tmp_path, blank):
    path = tmp_path / "x.csv"
    path.write_text(f"id,complaint,reply:bot,recorded_replies\na,hi,{blank},\"{{\"\"old\"\": \"\" \"\"}}\"\n")
    assert load_dataset(path).cases[0].recorded_replies == {}


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_parquet_reply_is_no_reply(tmp_path, blank):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id": ["a"], "complaint": ["hi"], "reply:bot": [blank],
                             "recorded_replies": [json.dumps({"old": blank})]}), path)
    assert load_dataset(path).cases[0].recorded_replies == {}


def test_a_blank_reply_in_a_datasets_export_is_no_reply(tmp_path):
    # `Dataset.to_json` writes every key of every row, null where a row lacks it.
    path = _jsonl(tmp_path, [{"id": "a", "turns": TURN, "recorded_replies": {"bot": "  ", "new": None}},
                             {"id": "b", "turns": TURN, "recorded_replies": {"bot": "ok", "new": " "}}])
    assert [case.recorded_replies for case in load_dataset(path).cases] == [{}, {"bot": "ok"}]


def test_blank_turn_replies_are_no_reply_in_replay(tmp_path):
    # A blank agent turn itself is refused now (test_thread_import.py); a blank reply beside a turn is dropped.
    turns = [{"role": "customer", "content": "a"}, {"role": "agent", "content": "sorry", "replies": {"v2": ""}},
             {"role": "customer", "content": "b"}]
    path = _jsonl(tmp_path, [{"id": "t", "turns": turns, "recorded_replies": {"v2": "fine"}}])
    dataset = load_dataset(path)
    first, final = expand_cases(dataset.cases, dataset.source, dataset.lines)
    assert first.recorded_replies == {"thread": "sorry"}  # not v2's blank reply
    assert final.recorded_replies == {"v2": "fine"}


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_customer_turn_is_refused_in_jsonl(tmp_path, blank):
    turns = [{"role": "customer", "content": "hello"}, {"role": "agent", "content": "hi"},
             {"role": "customer", "content": blank}]
    path = _jsonl(tmp_path, [{"id": "a", "turns": TURN}, {"id": "b", "turns": turns}])
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert err.value.one_line().startswith(f"{path}:2: turns[2].content: empty")


@pytest.mark.parametrize("cell", ["", "   ", '"  \n "'])
def test_a_blank_csv_complaint_is_an_empty_cell(tmp_path, cell):
    path = tmp_path / "x.csv"
    path.write_text(f"id,complaint,reply:bot\nw0,ok,hi\nw1,{cell},hi\n")
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert err.value.one_line().startswith(f"{path}:3: complaint: empty cell")


def test_a_blank_customer_turn_in_a_csv_turns_cell_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,turns\na,"[{""role"": ""customer"", ""content"": "" ""}]"\n')
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert err.value.one_line().startswith(f"{path}:2: turns[0].content: empty")


def test_a_blank_parquet_complaint_is_refused(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "complaint": ["hi", "  "]}), path)
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert err.value.one_line().startswith(f"{path}:2: complaint: empty cell")
