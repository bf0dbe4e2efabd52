"""A replayed reply (`replies_from`) says where it came from, and a case the source run has no reply to says
why: the error that case ended in there, or that the case was not in that run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from harness.candidates.responders import MissingReplyError, ReplayedResponder
from harness.datasets.schema import Case
from harness.records.schema import ErrorInfo, Record, ReplayedFrom
from harness.records.store import atomic_write_text, candidate_failures
from harness.report.show import reply_lines


def _case(case_id: str) -> Case:
    return Case(id=case_id, turns=[{"role": "customer", "content": "where is my order?"}])


def _source_run(path: Path) -> Path:
    path.mkdir()
    records = [Record(case_id="c1", candidate="bot", reply="Sorry, it ships today.", reply_source="model"),
               Record(case_id="c2", candidate="bot", error=ErrorInfo(kind="rate_limit", message="429 Too Many "
                                                                     "Requests: slow down", attempts=3)),
               Record(case_id="c2", candidate="other", error=ErrorInfo(kind="timeout", message="took too long"))]
    atomic_write_text(path / "records.jsonl", "".join(r.model_dump_json() + "\n" for r in records))
    return path


def _responder(run: Path) -> ReplayedResponder:
    return ReplayedResponder(name="bot-again", run=str(run), candidate="bot", replies={("c1", 0): "Sorry, it ships today."})


def test_a_replayed_reply_is_named_as_replayed_from_its_run(tmp_path):
    run = _source_run(tmp_path / "v1")
    reply = asyncio.run(_responder(run).respond(_case("c1")))
    assert reply.source == "replayed" and reply.replayed_from == ReplayedFrom(run=str(run), candidate="bot")
    record = Record(case_id="c1", candidate="bot-again", reply=reply.text, reply_source=reply.source,
                    replayed_from=reply.replayed_from)
    assert record.reply_origin == f"replayed from {run} (bot)"
    assert reply_lines(record)[0] == f"reply (replayed from {run} (bot)):"
    assert Record.model_validate_json(record.model_dump_json()) == record


def test_records_written_before_replayed_existed_still_read():
    old = '{"schema_version": 3, "case_id": "c1", "candidate": "bot", "reply": "ok", "reply_source": "recorded"}'
    record = Record.model_validate_json(old)
    assert record.replayed_from is None and record.reply_origin == "recorded"
    assert Record(case_id="c1", candidate="bot", reply_source="replayed", reply="ok").reply_origin == "replayed"


def test_a_case_that_failed_in_the_source_run_names_its_error_kind(tmp_path):
    # Before: "run ... has no reply of candidate 'bot' to this case", not saying it ended in rate_limit there.
    run = _source_run(tmp_path / "faulty")
    with pytest.raises(MissingReplyError) as caught:
        asyncio.run(_responder(run).respond(_case("c2")))
    assert str(caught.value) == (f"run {run} has no reply of candidate 'bot' to this case: the case ended in error "
                                 "rate_limit there (429 Too Many Requests: slow down)")


def test_a_case_not_in_the_source_run_says_so(tmp_path):
    run = _source_run(tmp_path / "v1")
    responder = _responder(run)
    with pytest.raises(MissingReplyError, match=r"to this case: the case is not in that run$"):
        asyncio.run(responder.respond(_case("c9")))
    with pytest.raises(MissingReplyError, match=r"to this case \(sample 1\)$"):  # the case is there, not sample 1
        asyncio.run(responder.respond(_case("c1"), sample=1))


def test_candidate_failures_reads_only_that_candidates_case_errors(tmp_path):
    run = _source_run(tmp_path / "v1")
    assert {key: error.kind for key, error in candidate_failures(run, "bot").items()} == {("c2", 0): "rate_limit"}


def test_a_conversation_without_its_own_reply_says_so():
    # An export's conversation that ends on the customer: the error named a version, not what happened.
    import asyncio

    from harness.candidates.responders import MissingReplyError, RecordedResponder
    from harness.datasets.schema import Case

    case = Case(id="c2", turns=[{"role": "customer", "content": "Anyone there?"}])
    with pytest.raises(MissingReplyError) as thread:
        asyncio.run(RecordedResponder(name="prod", version="thread").respond(case))
    assert str(thread.value).startswith("the conversation ends on the customer's message: no bot reply to grade")
    with pytest.raises(MissingReplyError) as other:
        asyncio.run(RecordedResponder(name="v1", version="v1").respond(case))
    assert str(other.value) == "case has no recorded reply for version 'v1'"
