"""JSONL rows validated straight from their bytes load exactly as ``json.loads`` + ``Case.model_validate`` would.

The loader hands each line to pydantic's JSON validator first and falls back to the
``json.loads`` path when it refuses, so every row must come out the same both ways:
same cases (values, key order, fields set), same first error.
"""

import json

import pytest

from harness.datasets.loader import _decode_json_line, _jsonl_rows, _validate_rows, load_dataset, load_dataset_and_dumps
from harness.datasets.schema import Case
from harness.errors import DatasetError
from harness.hashing import hash_value

ROW = ('{"id":"ID","turns":[{"role":"customer","content":CONTENT}],"metadata":{"m":META},'
       '"context":{"max_refund":REFUND,"days_since_purchase":DAYS},"expectations":{"refund_allowed":ALLOWED}}')
DEFAULTS = {"CONTENT": '"x"', "META": "1", "REFUND": "1", "DAYS": "1", "ALLOWED": "true"}
VARIANTS = {
    "CONTENT": ['"\\ud83e"', '"\\udc00x"', '"\\ud83e\\udd2c"', "1", "null", '"a\\u0000b"', '"\u00e9 \u2019"', '"tab\\there"'],
    "META": ["NaN", "Infinity", "-Infinity", "1e400", "123456789012345678901234567890", "1.0000000000000002", "0.1",
             "-0.0", "1E5", '{"a":1,"b":2,"a":3}', '[1,2.5,"x",null,true]', "5e-324", '{"z":1,"a":{"y":2,"b":3}}'],
    "REFUND": ["1e400", "Infinity", "NaN", '"3.5"', "true", "3", '"inf"', "1e308", '" 3 "', "-1", "45"],
    "DAYS": ["3.0", "3.5", '"3"', "true", '"3.0"', "1e2", "12345678901234567890123", '" 3"', "false", "-0",
             "3.0000000000000001", "-1"],
    "ALLOWED": ["1", "0", '"yes"', '"true"', "1.0", "2", '"on"', '"1"', '"off"', "0.0", "null", '"Y"', '"t"'],
}


def variant_lines():
    for key, values in VARIANTS.items():
        for value in values:
            line = ROW
            for name, default in DEFAULTS.items():
                line = line.replace(name, value if name == key else default)
            yield line.encode("utf-8")
    good = ROW
    for name, default in DEFAULTS.items():
        good = good.replace(name, default)
    yield good.encode() + b"\r"
    yield b"\t " + good.encode()
    yield b"\x0c" + good.encode()
    yield good.encode() + b"\x0b"
    yield good.encode() + "\u00a0".encode()
    yield good.replace('"x"', '"x\xff"').encode("latin-1")  # not UTF-8
    yield good.replace('"x"', '"x').encode() + b"\xed\xa0\x80\""  # UTF-8-encoded surrogate
    yield good.replace('"x"', '"x').encode() + b"\xc0\xaf\""  # overlong encoding
    yield good.replace('"id":"ID"', '"id":"ID","id":"other"').encode()
    yield good.replace('"id":"ID"', '"id":"ID","turns":[]').encode()
    yield good.replace('"x"', '"x\nq"').encode().replace(b"\n", b"\\u000a")
    yield good.replace('"x"', '"x\tq"').encode()  # raw tab in a string
    yield good.encode() + b" x"
    yield (good + good).encode()
    yield b"[1, 2]"
    yield b'"text"'
    yield good.replace('"role":"customer"', '"role":"agent"').encode()
    yield good.replace('"content":"x"', '"content":"x","author":"bot"').encode()
    yield good.replace('"content":"x"', '"content":"x","replies":{"thread":"y"}').encode()
    yield good.replace('"turns":[', '"turns":[{"role":"agent","content":"a","author":"b","replies":{"c":"d"},'
                       '"expectations":{"notes":"n"}},').encode()
    yield good.replace('"metadata"', '"persna":"angry","metadata"').encode()


def reference(line: bytes, path):
    """The loader before the JSON fast path: json.loads, then validate_row on the decoded row (in
    _validate_rows, whose rules on a validated case, such as a finite metadata, both ways share)."""
    try:
        return _validate_rows(str(path), [(1, _decode_json_line(line, path, 1))])[0]
    except DatasetError as exc:
        return str(exc)


def fields_set(value):
    if isinstance(value, Case) or hasattr(value, "model_fields_set"):
        return (sorted(value.model_fields_set),
                {name: fields_set(getattr(value, name)) for name in type(value).model_fields})
    if isinstance(value, list):
        return [fields_set(v) for v in value]
    return None


@pytest.mark.parametrize("line", list(variant_lines()))
def test_each_line_loads_as_json_loads_then_validate_would(tmp_path, line):
    path = tmp_path / "d.jsonl"
    path.write_bytes(line + b"\n")
    expected = reference(line, path)
    try:  # rows, not load_dataset: its hash cannot encode a lone surrogate either way
        got = _validate_rows(str(path), _jsonl_rows(path))[0]
    except DatasetError as exc:
        got = str(exc)
    if isinstance(expected, str):
        assert got == expected
        return
    assert isinstance(got, Case)
    # repr keeps nan and key order visible; json text checks the same values, types and order
    assert repr(got.model_dump()) == repr(expected.model_dump())
    assert json.dumps(got.model_dump()) == json.dumps(expected.model_dump())
    assert fields_set(got) == fields_set(expected)


def test_a_bom_starting_the_file_is_dropped_and_one_later_is_refused(tmp_path):
    # Refused before ("Unexpected UTF-8 BOM"), while a CSV file's BOM was dropped: Windows editors write one.
    good = '{"id":"a","turns":[{"role":"customer","content":"x"}]}'
    plain, bom = tmp_path / "plain.jsonl", tmp_path / "bom.jsonl"
    plain.write_text(good + "\n")
    bom.write_bytes(b"\xef\xbb\xbf" + good.encode() + b"\r\n")
    assert load_dataset(bom).sha256 == load_dataset(plain).sha256
    later = tmp_path / "later.jsonl"
    later.write_bytes(good.encode() + b"\n\xef\xbb\xbf" + good.replace('"a"', '"b"').encode() + b"\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(later)
    assert str(info.value) == f"{later}:2: invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) at column 1"
    only = tmp_path / "only.jsonl"
    only.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(DatasetError, match="dataset has no rows"):
        load_dataset(only)


def test_a_bad_line_after_good_ones_fails_with_its_own_line(tmp_path):
    good = '{"id":"a","turns":[{"role":"customer","content":"x"}]}'
    path = tmp_path / "d.jsonl"
    path.write_text(good + "\n\n" + good.replace('"a"', '"b"') + "\n" + '{"id":"c","turns":"\\ud800"}' + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value).startswith(f"{path}:4: turns: ")


@pytest.mark.parametrize("extra", [
    {}, {"metadata": {"z": {"b": 1, "a": [1.5, 1e16, 1e-7, -0.0, 10**30]}, "a": "\u00e9\u2019\x01"}},
    {"turns": [{"role": "agent", "content": "a", "author": "b", "replies": {"c": "d"}, "expectations": {"notes": "n"}},
               {"role": "customer", "content": "x"}]},
])
def test_hash_is_over_the_json_mode_dumps(tmp_path, extra):
    rows = [{"id": "a", "turns": [{"role": "customer", "content": "x"}], **extra},
            {"id": "b", "turns": [{"role": "customer", "content": "y"}]}]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    dataset, dumps = load_dataset_and_dumps(path)
    assert dataset.sha256 == hash_value([case.model_dump(mode="json") for case in dataset.cases])
    assert load_dataset(path).sha256 == dataset.sha256
    # each case's Python-mode dump, keyed by id with the case itself
    assert {key: (case, dump) for key, (case, dump) in dumps.items()} == \
        {id(case): (case, case.model_dump()) for case in dataset.cases}
    assert all(dumps[id(case)][0] is case for case in dataset.cases)


@pytest.mark.parametrize("extra, field", [
    ({"metadata": {"x": float("nan")}}, "metadata.x"), ({"metadata": {"x": [1, float("inf")]}}, "metadata.x[1]"),
    ({"context": {"max_refund": "Infinity"}}, "context.max_refund"),
])
def test_a_nan_or_an_infinity_is_refused_not_hashed_as_null(tmp_path, extra, field):
    # These loaded, and the hash (and the run's case snapshot) read them as null: what was graded differed.
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "x"}], **extra}) + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset_and_dumps(path)
    assert str(info.value) == f"{path}:1: {field}: not a finite number"


def test_other_formats_return_no_dumps(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('id,complaint\nc1,"where is it"\n')
    dataset, dumps = load_dataset_and_dumps(path)
    assert dumps == {} and [c.id for c in dataset.cases] == ["c1"]
