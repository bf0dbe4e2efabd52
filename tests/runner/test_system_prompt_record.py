"""Each record of a model candidate keeps the system prompt its template rendered for the case, as sent
(also when the call failed); `harness show` prints its first lines, all of it with --prompt."""

from __future__ import annotations

import asyncio

import jinja2

from harness.candidates.responders import ModelResponder, RecordedResponder
from harness.errors import ModelCallError
from harness.models.fake import fake_model
from harness.records.schema import Record
from harness.report.show import PROMPT_LINES, render_record
from harness.runner.evaluate import evaluate_case
from tests.judges.test_judge import CASE

TEMPLATE = jinja2.Template("You answer mail for case {{ id }}.\nBe kind.")


def _record(model) -> Record:
    responder = ModelResponder(name="bot", model=model, template=TEMPLATE)
    return asyncio.run(evaluate_case(CASE, responder, [], None))


def test_a_model_reply_keeps_the_rendered_prompt():
    model = fake_model(["Sorry about that."])
    record = _record(model)
    assert record.system_prompt == f"You answer mail for case {CASE.id}.\nBe kind."
    assert model.provider.last_messages[0].content == record.system_prompt  # what was sent, exactly


def test_a_failed_call_keeps_the_prompt_too():
    record = _record(fake_model([ModelCallError("400 content filter")]))
    assert record.error is not None and record.system_prompt.startswith("You answer mail for case")


def test_a_recorded_reply_has_none():
    case = CASE.model_copy(update={"recorded_replies": {"v1": "Hello."}})
    assert asyncio.run(evaluate_case(case, RecordedResponder(name="v1", version="v1"), [], None)).system_prompt is None


def test_a_line_written_before_the_field_still_reads():
    line = '{"schema_version": 2, "case_id": "c1", "candidate": "bot", "reply": "ok", "reply_source": "model"}'
    assert Record.model_validate_json(line).system_prompt is None


def test_show_prints_the_first_lines_and_all_of_them_with_prompt():
    prompt = "\n".join(f"rule {i}" for i in range(10))
    record = Record(case_id="c1", candidate="bot", reply="ok", reply_source="model", system_prompt=prompt)
    short = render_record(record, None)
    assert "system prompt:\n  rule 0\n" in short and f"  rule {PROMPT_LINES - 1}\n" in short
    assert f"rule {PROMPT_LINES}\n" not in short and f"… {10 - PROMPT_LINES} more lines (--prompt shows it all)" in short
    whole = render_record(record, None, whole_prompt=True)
    assert "  rule 9\n" in whole and "--prompt shows" not in whole
    # A prompt is shown as text: an escape sequence in it cannot restyle the terminal.
    hostile = render_record(record.model_copy(update={"system_prompt": "a\x1b[2Jb"}), None)
    assert "\x1b" not in hostile and "a\\x1b[2Jb" in hostile
