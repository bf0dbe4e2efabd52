"""The run directory: torn lines repaired, atomic rewrites, one writer at a time, newer schemas refused."""

import json

import pytest

from harness.errors import ResultsError
from harness.records.schema import Record
from harness.records.store import (RecordWriter, RunDirLock, atomic_write_json, iter_records, repair_torn_tail)


def record(i):
    return Record(case_id=f"c{i}", candidate="bot", reply=f"reply {i}")


def test_write_read_and_repair_torn_tail(tmp_path):
    writer = RecordWriter(tmp_path)
    for i in range(3):
        writer.write(record(i))
    writer.close()
    path = tmp_path / "records.jsonl"
    with open(path, "a") as handle:
        handle.write('{"case_id": "c3", "candi')  # a write cut short by kill -9
    assert [r.case_id for r in iter_records(tmp_path)] == ["c0", "c1", "c2"]
    removed = repair_torn_tail(path)
    assert removed == len('{"case_id": "c3", "candi')
    assert path.read_text().endswith("\n") and len(path.read_text().splitlines()) == 3
    assert repair_torn_tail(path) == 0


def test_torn_single_line_file_is_emptied(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"half')
    repair_torn_tail(path)
    assert path.read_text() == ""


def test_newer_schema_is_refused(tmp_path):
    data = record(0).model_dump(mode="json") | {"schema_version": 99}
    (tmp_path / "records.jsonl").write_text(json.dumps(data) + "\n")
    with pytest.raises(ResultsError, match="schema_version 99 is newer"):
        list(iter_records(tmp_path))


def test_corrupt_middle_line_is_reported_with_its_line(tmp_path):
    (tmp_path / "records.jsonl").write_text(record(0).model_dump_json() + "\n{oops\n" + record(1).model_dump_json() + "\n")
    with pytest.raises(ResultsError, match=r"records.jsonl:2: corrupt record"):
        list(iter_records(tmp_path))


def test_second_writer_is_refused(tmp_path):
    with RunDirLock(tmp_path):
        with pytest.raises(ResultsError, match="another run is writing"):
            with RunDirLock(tmp_path):
                pass
    with RunDirLock(tmp_path):
        pass  # released


def test_atomic_write_leaves_no_temp_files(tmp_path):
    atomic_write_json(tmp_path / "m.json", {"a": 1})
    atomic_write_json(tmp_path / "m.json", {"a": 2})
    assert json.loads((tmp_path / "m.json").read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_load_versioned_json_names_the_file_for_every_failure(tmp_path):
    from pydantic import BaseModel

    from harness.records.store import load_versioned_json

    class Report(BaseModel):
        schema_version: int = 1
        title: str

    path = tmp_path / "report.json"
    path.write_text('{"schema_version": 1, "title": "ok"}')
    assert load_versioned_json(path, Report, 1, "report", "report file").title == "ok"
    for text, message in (("not json", "cannot read a report file"),
                          ('{"schema_version": 3, "title": "x"}', "report schema_version 3 is newer"),
                          ('{"schema_version": 1}', "invalid report file: Field required")):
        path.write_text(text)
        with pytest.raises(ResultsError, match=message) as caught:
            load_versioned_json(path, Report, 1, "report", "report file")
        assert caught.value.file == str(path)
    with pytest.raises(ResultsError, match="cannot read a report file"):
        load_versioned_json(tmp_path / "missing.json", Report, 1, "report", "report file")


@pytest.mark.parametrize("line, problem", [
    (b"\x00\xff not text\n", "corrupt record"),
    ('{"case_id": "c\\ud83e", "candidate": "bot", "reply": "r"}\n'.encode(), "lone surrogate"),
    (b'{"x": ' + b"[" * 3000 + b"]" * 3000 + b"}\n", "nested too deeply"),
])
def test_unreadable_record_lines_name_their_line(tmp_path, line, problem):
    # They used to escape as UnicodeDecodeError / RecursionError, or fail later writing the report.
    (tmp_path / "records.jsonl").write_bytes(record(0).model_dump_json().encode() + b"\n" + line)
    with pytest.raises(ResultsError, match=rf"records.jsonl:2: .*{problem}"):
        list(iter_records(tmp_path))
    from harness.compare.columns import _slim_records  # the diff's own reader
    with pytest.raises(ResultsError, match=rf"records.jsonl:2: .*{problem}"):
        list(_slim_records(tmp_path / "records.jsonl"))


def test_records_path_that_is_a_directory_is_a_results_error(tmp_path):
    (tmp_path / "records.jsonl").mkdir()
    with pytest.raises(ResultsError, match="cannot read records"):
        list(iter_records(tmp_path))


@pytest.mark.parametrize("text, problem", [
    ('{"schema_version": 1, "run_id"', "corrupt manifest"),
    ("[]", "corrupt manifest: not a JSON object"),
    ("null", "corrupt manifest: not a JSON object"),
    ("[" * 5000 + "]" * 5000, "corrupt manifest: nested too deeply"),
    ('{"schema_version": 1, "eval_spec": "x"}', "invalid manifest"),
])
def test_corrupt_manifest_is_one_results_error(tmp_path, text, problem):
    from harness.records.store import read_manifest

    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(ResultsError, match=problem):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_bytes(b"\xff\xfe")
    with pytest.raises(ResultsError, match="corrupt manifest"):
        read_manifest(tmp_path)


CASE = b'{"id": "c1", "turns": [{"role": "customer", "content": "where is it?"}]}\n'


@pytest.mark.parametrize("line, problem", [
    (b'{"id": "c2", oops\n', "corrupt case snapshot: Expecting property name"),
    (b"\x00\xff not text\n", "corrupt case snapshot: bytes that are not UTF-8"),
    (b'{"id": "c\\ud83e"}\n', "corrupt case snapshot: a lone surrogate escape"),
    (b"[" * 3000 + b"]" * 3000 + b"\n", "corrupt case snapshot: JSON nested too deeply"),
    (b"[1, 2]\n", "corrupt case snapshot: not a case"),
    (b'{"turns": []}\n', "corrupt case snapshot: not a case"),
    (b'{"id": ["c2"]}\n', "corrupt case snapshot: not a case"),
])
def test_corrupt_case_snapshot_lines_name_their_line(tmp_path, line, problem):
    # They used to escape from report, diff, pairwise and run --resume as JSONDecodeError (or KeyError,
    # TypeError, RecursionError) tracebacks.
    from harness.compare.columns import read_cases  # the diff's reader
    from harness.runner.outputs import load_cases  # report, pairwise, run --resume

    (tmp_path / "cases.jsonl").write_bytes(CASE + b"\n" + line)  # a blank line still counts
    for read in (lambda: load_cases(tmp_path), lambda: read_cases(tmp_path, {"c1"})):
        with pytest.raises(ResultsError, match=rf"cases.jsonl:3: {problem}"):
            read()


def test_case_snapshot_reads_back_and_may_be_missing(tmp_path):
    from harness.compare.columns import read_cases
    from harness.runner.outputs import load_cases

    assert load_cases(tmp_path) == {} and read_cases(tmp_path, {"c1"}) == {}
    (tmp_path / "cases.jsonl").write_bytes(CASE + CASE.replace(b'"c1"', b'"c2"'))
    assert list(load_cases(tmp_path)) == ["c1", "c2"]
    assert list(read_cases(tmp_path, {"c2"})) == ["c2"]


def test_case_snapshot_that_is_a_directory_is_a_results_error(tmp_path):
    from harness.runner.outputs import load_cases

    (tmp_path / "cases.jsonl").mkdir()
    with pytest.raises(ResultsError, match="cases.jsonl: cannot read the case snapshot: Is a directory"):
        load_cases(tmp_path)


def test_lock_file_that_is_a_directory_is_a_results_error(tmp_path):
    (tmp_path / ".lock").mkdir()
    with pytest.raises(ResultsError, match=r"\.lock: cannot open the run directory's lock file: Is a directory"):
        with RunDirLock(tmp_path):
            pass


def test_repairing_records_that_are_a_directory_is_a_results_error(tmp_path):
    (tmp_path / "records.jsonl").mkdir()
    with pytest.raises(ResultsError, match="records.jsonl: cannot open records to resume them: Is a directory"):
        repair_torn_tail(tmp_path / "records.jsonl")
