"""report.html for threads and prompts, in the page's markup: the identity counts turn cases in scorecard.md's
words; the "By thread" table (the same rows and weight note as scorecard.md) follows "By agent turn"; an opened
turn case is titled with its thread and "turn k of n" and links to the same candidate's other turns, and its
history names who wrote each recorded agent turn; the system prompt is folded, escaped and only in the detail."""

from __future__ import annotations

import re

from harness.checks.base import CheckResult
from harness.records.schema import Record
from harness.report.html import render_run_html
from harness.report.html_parts import render_identity
from harness.report.markdown import render_scorecard_md
from harness.report.threads_table import thread_rows, weight_note
from harness.scoring.schema import RunIdentity
from harness.scoring.scorecard import build_scorecard


def _rec(thread: str, turn: int, passed: bool, candidate: str = "bot", **fields) -> Record:
    return Record(case_id=f"{thread}@t{turn}", candidate=candidate, turn_index=turn, reply=f"reply {thread} {turn}",
                  reply_source="recorded", checks={"apology": CheckResult(passed=passed)}, **fields)


def _case(thread: str, turn: int, total: int) -> dict:
    turns = [{"role": "customer", "content": "Hi"}]
    if turn > 1:
        turns += [{"role": "agent", "content": "Earlier answer.", "author": "bot-v1"},
                  {"role": "customer", "content": "And?"}]
    return {"id": f"{thread}@t{turn}", "turns": turns,
            "metadata": {"thread_id": thread, "turn_index": turn, "n_agent_turns": total}}


def _thread_run():
    records = [_rec("big", k, k % 2 == 0) for k in range(1, 7)] + [_rec("small", 1, True)]
    cases = {c["id"]: c for c in [_case("big", k, 6) for k in range(1, 7)] + [_case("small", 1, 1)]}
    return records, cases, build_scorecard(records, None)


def _detail(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[page.index('<tr class="detail"', start):page.index("</tr>", page.index('<tr class="detail"', start))]


def test_the_identity_counts_turn_cases_in_the_scorecards_words():
    run = RunIdentity(eval_name="t", n_selected=29, n_cases=10, n_threads=10, replay="turns")
    assert "<dt>cases</dt><dd>29 turn cases from 10 of 10 threads</dd>" in render_identity(run, 58)
    plain = RunIdentity(eval_name="t", n_selected=29, n_cases=40)
    assert "<dt>cases</dt><dd>29 of 40 cases</dd>" in render_identity(plain, 29)


def test_the_by_thread_table_follows_by_agent_turn_with_the_weight_note():
    records, cases, card = _thread_run()
    page = render_run_html(card, records, cases)
    assert page.index("<h2>By agent turn</h2>") < page.index("<h2>By thread</h2>") < page.index("<h2>Records</h2>")
    section = page[page.index("<h2>By thread</h2>"):page.index("<h2>Records</h2>")]
    note = weight_note(card)
    assert note and note.replace("'", "&#x27;") in section  # big holds 6 of 7 turn cases
    for row in thread_rows(card):
        # One figure a line in the page, so a cell of three fits a phone's width.
        assert f"<td>{row.label.split(' (')[0]}" in section
        assert all(cell.replace(" · ", "<br>") in section for cell in row.cells)
    assert "2 threads, 7 turn cases" in section
    # The same figures as scorecard.md's table.
    assert all(cell in render_scorecard_md(card) for row in thread_rows(card) for cell in row.cells)


def test_a_run_without_threads_has_no_by_thread_table():
    record = Record(case_id="c1", candidate="bot", reply="ok", reply_source="recorded")
    page = render_run_html(build_scorecard([record], None), [record], {"c1": {"id": "c1", "turns": []}})
    assert "<h2>By thread</h2>" not in page and "<h3>Complaint</h3>" in page and 'class="turn-link"' not in page


def test_an_opened_turn_case_names_its_thread_and_turn_and_links_its_other_turns():
    records, cases, card = _thread_run()
    page = render_run_html(card, records, cases)
    detail = _detail(page, "big%40t3.bot.0")
    assert "<h3>Thread big · turn 3 of 6</h3>" in detail and "Complaint" not in detail
    links = re.findall(r'<a class="turn-link" href="#rec=([^"]+)"', detail)
    assert links == [f"big%40t{k}.bot.0" for k in (1, 2, 4, 5, 6)]
    assert '<b aria-current="true">3</b>' in detail
    assert "<b>agent (bot-v1):</b> Earlier answer." in detail  # the recorded turn names its author
    # A thread of one turn has no other turns to link.
    assert "turn-link" not in _detail(page, "small%40t1.bot.0")


def test_the_system_prompt_is_folded_escaped_and_only_in_the_opened_record():
    prompt = "You are <b>support</b>.\nRefunds: never.\n\u202eexe.png"
    record = Record(case_id="c1", candidate="bot", reply="ok", reply_source="model", system_prompt=prompt)
    recorded = Record(case_id="c1", candidate="old", reply="ok", reply_source="recorded")
    page = render_run_html(build_scorecard([record, recorded], None), [record, recorded], None)
    detail = _detail(page, "c1.bot.0")
    assert '<details class="sysprompt"><summary>System prompt (3 lines)</summary>' in detail
    assert "You are &lt;b&gt;support&lt;/b&gt;." in detail and "<b>support</b>" not in page
    assert "\u202e" not in page and "U+202E" in detail
    row = page[page.index('id="c1.bot.0"'):page.index('<tr class="detail"', page.index('id="c1.bot.0"'))]
    assert "Refunds" not in row
    assert "sysprompt" not in _detail(page, "c1.old.0")  # a recorded reply had no prompt
