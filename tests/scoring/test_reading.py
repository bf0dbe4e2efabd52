"""The slim scoring reader gives the same scorecard as the full reader, and the same errors."""

from __future__ import annotations

import json

import pytest

from harness.errors import ResultsError
from harness.records.store import RecordWriter, iter_records
from harness.scoring.reading import iter_scoring_records
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import CRITERIA, check, judge_error, manifest, record, score


def _write(run_dir, records) -> None:
    writer = RecordWriter(run_dir)
    for rec in records:
        writer.write(rec)
    writer.close()


def _records():
    return [
        record("c1", judge={"empathy": score(5), "boundary": score(1)},
               checks={"apology_wording": check(True, "apologize"), "no_contradiction": check(None)}, cost=0.01),
        record("c1", "bot_v2", judge={"empathy": judge_error()}, checks={"apology_wording": check(False, "none")},
               persona=None, reply="No."),
        record("c2", error="rate_limit", category=None),
        record("c2", "bot_v2", judge={"empathy": score(3)}, checks={"no_contradiction": check(False)}, cache_hits=1),
    ]


def test_scorecard_from_the_slim_reader_equals_the_full_reader(tmp_path):
    _write(tmp_path, _records())
    full = build_scorecard(iter_records(tmp_path), manifest(), CRITERIA)
    slim = build_scorecard(iter_scoring_records(tmp_path), manifest(), CRITERIA)
    assert slim.model_dump() == full.model_dump()


def test_slim_reader_fields_match_the_record(tmp_path):
    _write(tmp_path, _records())
    for full, slim in zip(iter_records(tmp_path), iter_scoring_records(tmp_path), strict=True):
        assert slim.key == full.key and slim.reply == full.reply and slim.judge == full.judge
        assert {k: (v.passed, v.data) for k, v in slim.checks.items()} == \
               {k: (v.passed, v.data) for k, v in full.checks.items()}


def test_slim_reader_skips_a_torn_tail_and_reports_bad_lines_like_the_full_reader(tmp_path):
    good = record("c1").model_dump_json()
    newer = json.dumps(record("c2").model_dump(mode="json") | {"schema_version": 99, "new_field": 1})
    for body, message in ((good + "\n{oops\n", "corrupt record"), (newer + "\n", "newer than this harness"),
                          ('{"case_id": "c3"}\n', "invalid record")):
        (tmp_path / "records.jsonl").write_text(body)
        with pytest.raises(ResultsError, match=message) as slim:
            list(iter_scoring_records(tmp_path))
        with pytest.raises(ResultsError) as full:
            list(iter_records(tmp_path))
        assert str(slim.value) == str(full.value)
    (tmp_path / "records.jsonl").write_text(good + "\n" + '{"case_id": "c3", "cand')
    assert [r.case_id for r in iter_scoring_records(tmp_path)] == ["c1"]
