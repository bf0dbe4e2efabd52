"""Turn-level replay scored per thread: every turn, the final turn, each thread weighing once; the By thread
table, the note when one thread dominates, and the export's thread_id column."""

from __future__ import annotations

import csv
import io

from harness.checks.base import CheckResult
from harness.records.schema import CriterionResult, ErrorInfo, Record
from harness.report.threads_table import render_threads_md, weight_note
from harness.scoring.scorecard import build_scorecard


def _rec(thread: str, turn: int, passed: bool | None, *, sample: int = 0, judged: bool | None = None,
         error: bool = False) -> Record:
    if error:
        return Record(case_id=f"{thread}@t{turn}", candidate="bot", sample=sample, turn_index=turn,
                      error=ErrorInfo(kind="server_error", message="500"))
    judge = {} if judged is None else {"tone": CriterionResult(score=5 if judged else 1, passed=judged)}
    return Record(case_id=f"{thread}@t{turn}", candidate="bot", sample=sample, turn_index=turn, reply="ok",
                  reply_source="recorded", checks={"apology": CheckResult(passed=passed)}, judge=judge)


def _threads(records):
    return build_scorecard(records, None).candidates["bot"].threads


def test_every_turn_final_turn_and_each_thread_weighing_once():
    records = [_rec("a", 1, False), _rec("a", 2, True),            # fails early, passes at its final turn
               _rec("b", 1, True), _rec("b", 2, True), _rec("b", 3, True),
               _rec("c", 1, True), _rec("c", 2, None)]             # n/a at its final turn
    t = _threads(records)
    apology = t.checks["apology"]
    assert (t.n_threads, t.n_turn_cases) == (3, 7)
    assert (apology.every_turn.passed, apology.every_turn.n) == (2, 3)
    assert (apology.final_turn.passed, apology.final_turn.n) == (2, 2)  # c did not apply at its final turn
    assert apology.thread_weighted == (0.5 + 1 + 1) / 3
    assert (t.clean.passed, t.clean.n) == (2, 3)


def test_a_sample_that_fails_fails_the_turn_and_errors_spoil_a_clean_thread():
    t = _threads([_rec("a", 1, True), _rec("a", 1, False, sample=1), _rec("b", 1, True), _rec("b", 2, None, error=True)])
    assert t.checks["apology"].every_turn.passed == 1 and t.checks["apology"].thread_weighted == 0.5
    assert t.clean.passed == 0


def test_criteria_count_by_their_pass():
    t = _threads([_rec("a", 1, True, judged=True), _rec("a", 2, True, judged=False)])
    assert (t.criteria["tone"].every_turn.passed, t.criteria["tone"].final_turn.passed) == (0, 0)


def test_a_run_without_turn_replay_has_no_thread_breakdown():
    record = Record(case_id="c1", candidate="bot", reply="ok", reply_source="recorded",
                    checks={"apology": CheckResult(passed=True)})
    card = build_scorecard([record], None)
    assert card.candidates["bot"].threads is None and render_threads_md(card) == ""


def test_the_table_and_the_note_when_one_thread_holds_most_turn_cases():
    records = [_rec("long", k, k % 2 == 0) for k in range(1, 31)] + [_rec("short", 1, True), _rec("short", 2, True)]
    card = build_scorecard(records, None)
    note = weight_note(card)
    assert note.startswith("One thread, long, holds 30 of 32 turn cases (94%)")
    md = render_threads_md(card)
    assert "### By thread" in md and "| apology (check) | every turn 50% (2) · final 100% (2) · per thread 75% |" in md
    assert weight_note(build_scorecard(records[-4:], None)) == ""


def test_the_export_names_each_turn_case_thread():
    from harness.report.export import _row

    row = _row(_rec("t001", 2, True), None)
    assert (row["thread_id"], row["turn_index"]) == ("t001", 2)
    plain = _row(Record(case_id="c1", candidate="bot", reply="ok", reply_source="recorded"), None)
    assert plain["thread_id"] is None


def test_an_export_written_before_thread_id_is_still_an_export_to_replace(tmp_path):
    from harness.report.export import IDENTITY, TAIL, is_export

    old = [name for name in IDENTITY if name != "thread_id"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow([*old, "check.apology", *TAIL])
    (tmp_path / "old.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert is_export(tmp_path / "old.csv")
