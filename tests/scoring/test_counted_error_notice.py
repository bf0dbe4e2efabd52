"""The scorecard's error notice, headed by the run's error count (the gates' split): the split says "without a
reply" once, and what follows names each candidate's lost records and their kinds, for every kind of error the
notice counts (no reply, judge verdicts), without repeating the split's words."""

from __future__ import annotations

from harness.gates.tolerance import ErrorCount
from harness.scoring.notices import error_notices
from harness.scoring.schema import CandidateScores, Scorecard


def _card(**judge) -> Scorecard:
    return Scorecard(n_records=12, candidates={
        "bot-v1": CandidateScores(name="bot-v1", n_records=4, judge_errors_by_criterion=judge,
                                  judge_errors_by_kind={"timeout": sum(judge.values())} if judge else {}),
        "toolonly": CandidateScores(name="toolonly", n_records=4, n_case_errors=4,
                                    case_errors_by_kind={"tool_call_reply": 4})})


def test_records_without_a_reply_are_said_once_then_by_candidate_and_kind():
    [notice] = error_notices(_card(), ErrorCount(records=12, with_error=4, no_reply=4))
    assert notice == ("errors: 4 of 12 records (33.3%) with an error: 4 without a reply. By candidate: toolonly 4 "
                      "of 4 with no reply (tool_call_reply 4); every score and pass rate leaves those records out, "
                      "so it describes only the cases that got a reply, with a smaller n (see Errors in the table)")
    assert notice.count("without a reply") == 1


def test_judge_errors_beside_them_read_as_their_own_part():
    count = ErrorCount(records=12, with_error=5, no_reply=4, judge_erred=1, judge_errors=1)
    [notice] = error_notices(_card(tone=1), count)
    assert notice.startswith("errors: 5 of 12 records (41.7%) with an error: 4 without a reply, 1 with a judge error. "
                             "By candidate: toolonly 4 of 4 with no reply (tool_call_reply 4); ")
    assert notice.endswith("; and 1 judge verdict ended in an error (bot-v1 1: timeout 1); those criteria's scores "
                           "leave them out (see Errors in the table)")
    assert notice.count("without a reply") == 1


def test_judge_errors_alone_name_no_lost_reply():
    card = Scorecard(n_records=4, candidates={"v1": CandidateScores(
        name="v1", n_records=4, judge_errors_by_criterion={"tone": 2}, judge_errors_by_kind={"judge_output": 2})})
    [notice] = error_notices(card, ErrorCount(records=4, with_error=2, judge_erred=2, judge_errors=2))
    assert notice == ("errors: 2 of 4 records (50.0%) with an error: 2 with a judge error. 2 judge verdicts ended "
                      "in an error (v1 2: judge_output 2); those criteria's scores leave them out (see Errors in "
                      "the table)")
