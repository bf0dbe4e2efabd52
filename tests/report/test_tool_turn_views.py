"""report.html's and `harness show`'s thread views show the bot's tool use apart from what either side wrote:
each call and result collapsed, named by its tool, with the arguments or result inside."""

from __future__ import annotations

from harness.checks.base import CheckResult
from harness.records.schema import Record
from harness.report.html import render_run_html
from harness.report.html_threads import history_html
from harness.report.show import thread_lines
from harness.scoring.scorecard import build_scorecard

CASE = {"id": "o1", "turns": [
    {"role": "customer", "content": "Where is my order 1234?"},
    {"role": "agent", "content": "", "tool_calls": [{"id": "call_1", "name": "lookup_order",
                                                     "arguments": "{\"order_id\": \"1234\"}"}]},
    {"role": "tool", "content": "order 1234: shipped 3 Nov, delivered 5 Nov", "tool_call_id": "call_1"}]}


class Labels(dict):
    def __missing__(self, key):
        return key


def test_show_sets_tool_use_apart_and_names_the_tool_a_result_answers():
    assert thread_lines(CASE) == ["thread:", "  customer: Where is my order 1234?",
                                  "  [tool] agent called lookup_order: {\"order_id\": \"1234\"}",
                                  "  [tool] lookup_order returned: order 1234: shipped 3 Nov, delivered 5 Nov"]


def test_show_cuts_a_long_tool_result():
    case = {"turns": [{"role": "customer", "content": "x"}, {"role": "tool", "content": "word " * 100}]}
    last = " ".join(line.strip() for line in thread_lines(case)[2:])
    assert last.startswith("[tool] result: word word") and "more characters)" in last


def test_the_report_folds_each_call_and_result_under_its_tools_name():
    html = history_html(CASE, Labels())
    assert html.count('<details class="sysprompt tool">') == 2 and "<details open" not in html
    assert "<summary>agent called tool lookup_order" in html
    assert "<summary>tool lookup_order returned" in html
    assert "order 1234: shipped 3 Nov, delivered 5 Nov" in html
    assert '<div class="turn"><b>customer:</b>' in html
    assert '<b>agent:</b>' not in html  # an agent turn of calls only says nothing to the customer


def test_an_opened_record_in_report_html_holds_the_folded_tool_turns():
    record = Record(case_id="o1", candidate="bot", reply="Delivered on 5 Nov.", reply_source="recorded",
                    checks={"apology": CheckResult(passed=False)})
    page = render_run_html(build_scorecard([record], None), [record], {"o1": CASE})
    assert "tool lookup_order returned" in page and "agent called tool lookup_order" in page
