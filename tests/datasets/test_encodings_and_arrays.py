"""A file in the wrong encoding says so in one line, worded the same in every format; `harness validate DIR`
never crashes on a file it cannot read; a `.json` file holding one JSON array of cases is a dataset."""

import json

import pytest

from harness.cli.main import main
from harness.datasets.loader import load_dataset
from harness.errors import DatasetError, SeveralErrors

CASE = {"id": "a", "turns": [{"role": "customer", "content": "hi"}], "recorded_replies": {"bot": "Sorry."}}


def _error(path) -> str:
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    return err.value.one_line()


@pytest.mark.parametrize("name", ["x.csv", "x.jsonl", "x.json"])
def test_not_utf8_reads_the_same_in_every_format(tmp_path, name):
    path = tmp_path / name
    if name == "x.csv":
        path.write_bytes(b"id,complaint\nl1,Je suis tr\xe8s\n")
    else:
        path.write_bytes(json.dumps(CASE).encode() + b'\n{"id":"Je suis tr\xe8s"}\n')
    assert _error(path) == f"{path}:2: not UTF-8 text (byte 0xe8 at column {14 if name == 'x.csv' else 18})"


def test_not_utf8_in_a_json_array_reads_the_same(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b'[\n{"id": "a"},\n{"id":"Je suis tr\xe8s"}]\n')
    assert _error(path) == f"{path}:3: not UTF-8 text (byte 0xe8 at column 18)"


@pytest.mark.parametrize("name", ["x.csv", "x.jsonl", "x.json"])
@pytest.mark.parametrize("encoding,label", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                            ("utf-32", "UTF-32")])
def test_a_utf16_or_utf32_file_says_so(tmp_path, name, encoding, label):
    path = tmp_path / name
    text = "id,complaint\r\nu1,hi\r\n" if name == "x.csv" else json.dumps(CASE) + "\n"
    path.write_bytes(text.encode(encoding))
    assert _error(path) == f"{path}: {label} text: save it as UTF-8"


def test_validate_dir_never_crashes_on_a_file_it_cannot_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    (data / "x.csv").mkdir(parents=True)  # a directory named like a dataset
    (data / "u16.csv").write_bytes("id,complaint\r\nu1,hi\r\n".encode("utf-16"))
    (data / "junk.csv").write_bytes(bytes(range(256)) * 3)
    (data / "junk.jsonl").write_bytes(b"\x00\xff" * 40)
    (data / "junk.json").write_bytes(b"[" * 5000)
    (data / "empty.csv").write_bytes(b"")
    (data / "empty.jsonl").write_bytes(b"")
    (data / "good.jsonl").write_text(json.dumps(CASE) + "\n")
    code = main(["validate", "data"])
    out = capsys.readouterr()
    assert code == 2 and "internal error" not in out.err and "Traceback" not in out.err
    lines = (out.out + out.err).splitlines()
    assert "error data/u16.csv: UTF-16 text: save it as UTF-8" in lines
    assert "ok    data/good.jsonl: dataset, 1 case" in lines
    named = [line.split()[1].split(":")[0] for line in lines]
    assert all(name.startswith("data/") for name in named), lines  # every line names its file


def _array(tmp_path, rows, indent=None):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(rows, indent=indent))
    return path


def test_a_json_array_is_a_dataset(tmp_path):
    rows = [{**CASE, "id": f"c{i}", "persona": None} for i in range(3)]  # to_json writes null for absent keys
    dataset = load_dataset(_array(tmp_path, rows))
    assert [case.id for case in dataset.cases] == ["c0", "c1", "c2"]
    assert dataset.cases[0].persona is None and dict(dataset.lines) == {"c0": 1, "c1": 2, "c2": 3}


def test_pretty_printed_array_rows_are_named_by_line(tmp_path):
    rows = [CASE, {**CASE, "id": "b", "turns": []}]
    path = _array(tmp_path, rows, indent=2)
    line = [i for i, text in enumerate(path.read_text().splitlines(), 1) if text == "  {"][1]  # the second element
    assert _error(path) == f"{path}:{line}: turns: List should have at least 1 item after validation, not 0"


def test_one_line_array_rows_are_named_by_item(tmp_path):
    rows = [CASE, {**CASE, "id": "b"}, {**CASE, "id": "c", "turns": [{"role": "customer", "content": " "}]},
            {**CASE, "id": "a"}]
    with pytest.raises(SeveralErrors) as err:
        load_dataset(_array(tmp_path, rows), all_errors=True)
    path = tmp_path / "x.json"
    assert [e.one_line() for e in err.value.errors] == [
        f"{path}: item 3: turns[0].content: empty (a customer turn needs the customer's message)",
        f"{path}: item 4: id: duplicate id 'a' (first at item 1)"]


@pytest.mark.parametrize("text,problem", [
    ("[]", "dataset has no rows"),
    ('[{"id": "a"},\n {"id": ]', "2: invalid JSON: Expecting value at column 9"),
    ("[1, 2] 3", "1: invalid JSON: Extra data after the array at column 8"),
    ('[{"id": "a"} {"id": "b"}]', "1: invalid JSON: Expecting ',' delimiter at column 14"),
])
def test_a_broken_json_array_is_one_line(tmp_path, text, problem):
    path = tmp_path / "x.json"
    path.write_text(text)
    assert _error(path).removeprefix(f"{path}").lstrip(":").strip() == problem


def test_an_array_element_that_is_not_an_object(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps([CASE, "hello"]))
    assert _error(path) == f"{path}: item 2: expected a JSON object, got a string"


def test_an_array_in_a_jsonl_file_gets_a_hint(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps([CASE]) + "\n")
    assert "jq -c '.[]' x.json > x.jsonl" in _error(path)


def test_validate_dir_validates_a_pretty_printed_json_array(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _array(tmp_path, [CASE], indent=2)
    (tmp_path / "other.json").write_text(json.dumps([{"name": "not a case"}], indent=2))
    assert main(["validate", "."]) == 0
    out = capsys.readouterr().out
    assert "ok    x.json: dataset, 1 case" in out and "skip  other.json" in out
