"""Where a bad dataset is refused: the line (and column) of the problem itself."""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.errors import DatasetError

TURNS = [{"role": "customer", "content": "hello there"}]


def error_of(path) -> str:
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    return str(info.value)


def test_a_jsonl_line_cut_short_names_the_column_where_it_ends(tmp_path):
    # It said "at column 1": json counted from past the line's own end.
    cut = json.dumps({"id": "a2", "turns": TURNS})[:-1]
    for end in ("\n", "\r\n"):
        path = tmp_path / "trunc3.jsonl"
        path.write_text(json.dumps({"id": "a1", "turns": TURNS}) + "\n" + cut + end, newline="")
        assert error_of(path) == f"{path}:2: invalid JSON: Expecting ',' delimiter at column {len(cut) + 1}"


@pytest.mark.parametrize("data, line, column", [
    (b"id,complaint\n1,hello\n2,caf\xe9 bad\n", 3, 6),
    (b"id,complaint\r\n1,\"two\r\nlines caf\xe9\"\r\n", 3, 10),  # inside a cell spanning lines: the byte's own line
    (b"id,complaint\r1,ok\r2,\xe9\r", 3, 3),  # lines ending in a lone \r
    (b"\xef\xbb\xbfid,compl\xe9int\n", 1, 9),  # the BOM is not a column
    (b"id,complaint\n1,\xe2\x82\xac\xe2\x82\xac\xff\n", 2, 5),  # columns count characters, not bytes
])
def test_csv_that_is_not_utf8_names_the_line_and_column_of_the_bad_byte(tmp_path, data, line, column):
    # It said "c10.csv: cannot read csv: 'utf-8' codec can't decode byte 0xe9 in position 19", no line.
    path = tmp_path / "c10.csv"
    path.write_bytes(data)
    bad = data[data.index(b"\xe9") if b"\xe9" in data else data.index(b"\xff")]
    assert error_of(path) == f"{path}:{line}: not UTF-8 text (byte 0x{bad:02x} at column {column})"


@pytest.mark.parametrize("header", ["id,turns,complaint", "id,complaint,turns"])
def test_csv_with_both_a_complaint_and_a_turns_column_is_refused_at_the_header(tmp_path, header):
    # One of them was dropped without a word, which one by column order.
    path = tmp_path / "f6.csv"
    turns = json.dumps(TURNS).replace('"', '""')
    row = {"id,turns,complaint": f'1,"{turns}",other text', "id,complaint,turns": f'1,other text,"{turns}"'}[header]
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    assert error_of(path) == (f"{path}:1: complaint: columns `complaint` and `turns` are alternatives (a "
                              "complaint is a thread of one customer turn): keep one")


def test_parquet_with_both_thread_columns_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "f6.parquet"
    pq.write_table(pa.table({"id": ["1"], "complaint": ["x"], "turns": [json.dumps(TURNS)]}), path)
    assert error_of(path) == f"{path}: complaint: columns `complaint` and `turns` are alternatives (a complaint " \
                             "is a thread of one customer turn): keep one"


@pytest.mark.parametrize("field, value", [
    ("context.max_refund", "1e400"),  # infinity: validated as no limit, and the run's snapshot wrote null
    ("context.max_refund", "NaN"),  # it said "Input should be greater than or equal to 0"
    ("context.max_credit", "-Infinity"),
    ("context.refund_window_days", "Infinity"),
    ("context.days_since_purchase", "1e400"),
    ("metadata.score", "NaN"),
    ("metadata.a[1].b", "1e999"),
])
def test_a_number_that_is_not_finite_is_refused_at_its_field(tmp_path, field, value):
    top, *rest = field.split(".")
    inner = {"context.max_refund": f'{{"max_refund": {value}}}', "context.max_credit": f'{{"max_credit": {value}}}',
             "context.refund_window_days": f'{{"refund_window_days": {value}}}',
             "context.days_since_purchase": f'{{"days_since_purchase": {value}}}',
             "metadata.score": f'{{"score": {value}}}', "metadata.a[1].b": f'{{"a": [1, {{"b": {value}}}]}}'}[field]
    path = tmp_path / "f4.jsonl"
    path.write_text(json.dumps({"id": "ok", "turns": TURNS}) + "\n"
                    + f'{{"id": "a1", "{top}": {inner}, "turns": {json.dumps(TURNS)}}}\n', encoding="utf-8")
    assert error_of(path) == f"{path}:2: {field}: not a finite number"
    csv_path = tmp_path / "f4.csv"
    csv_path.write_text(f'id,complaint,{top}\n1,x,"{inner.replace(chr(34), 2 * chr(34))}"\n', encoding="utf-8")
    assert error_of(csv_path) == f"{csv_path}:2: {field}: not a finite number"


def test_finite_numbers_load_as_written(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"id": "a", "turns": TURNS, "context": {"max_refund": 1e300, "max_credit": 0},
                                "metadata": {"x": -2.5, "big": 10 ** 40}}) + "\n", encoding="utf-8")
    case = load_dataset(path).cases[0]
    assert (case.context.max_refund, case.context.max_credit, case.metadata) == (1e300, 0, {"x": -2.5, "big": 10 ** 40})


KNOWN = ("known: angry, genuine_grievance, unreasonable_demand, passive_aggressive, indecisive, abusive, loosely "
         "spelled too; leave it empty for none")


@pytest.mark.parametrize("persona, message", [
    # It validated and ran: no persona the checks and applies_when know, so a boundary or a question was
    # no longer expected where the persona would have said so, and the breakdowns split.
    ("furious", f"unknown persona 'furious' ({KNOWN})"),
    ("abusve", f"unknown persona 'abusve', did you mean abusive? ({KNOWN})"),
    ("passive agressive", f"unknown persona 'passive agressive', did you mean passive_aggressive? ({KNOWN})"),
    ("NA", f"unknown persona 'NA' ({KNOWN})"),
])
def test_an_unknown_persona_is_refused_at_its_line(tmp_path, persona, message):
    path = tmp_path / "f3.jsonl"
    path.write_text(json.dumps({"id": "a", "turns": TURNS, "persona": "angry"}) + "\n"
                    + json.dumps({"id": "b", "turns": TURNS, "persona": persona}) + "\n", encoding="utf-8")
    assert error_of(path) == f"{path}:2: persona: {message}"


def test_personas_in_loose_spellings_and_blank_ones_load(tmp_path):
    labels = ["Angry", "Passive-aggressive", "indecisive / confused", "Confused", "unreasonable", "GENUINE grievance",
              "abusive", "", "  "]
    path = tmp_path / "ok.jsonl"
    path.write_text("".join(json.dumps({"id": f"c{i}", "turns": TURNS, "persona": p}) + "\n"
                            for i, p in enumerate(labels)), encoding="utf-8")
    assert [c.persona for c in load_dataset(path).cases] == labels


def test_a_turn_replay_id_clash_is_named_at_the_line_of_the_case_holding_the_id(tmp_path):
    from harness.datasets.turns import expand_cases

    path = tmp_path / "clash.jsonl"
    path.write_text("".join(json.dumps({"id": i, "turns": TURNS}) + "\n" for i in ("a", "x", "x@t1")))
    dataset = load_dataset(path)
    assert dataset.lines == {"a": 1, "x": 2, "x@t1": 3}
    with pytest.raises(DatasetError) as info:
        expand_cases(dataset.cases, dataset.source, dataset.lines)
    assert str(info.value).startswith(f"{path}:3: id: turn-level replay names a case 'x@t1', but the dataset")
