"""diff.html's opened case shows the bot's tool use as report.html does: a call as "agent called NAME: ARGS", a
result folded and named by its tool, both escaped; diff.json's case views keep the tool's name."""

from __future__ import annotations

import json

from harness.compare import build_diff, write_diff
from harness.compare.diff import DiffOptions
from harness.report.diff_turns import turns_html, view_turns
from tests.compare.runs import chk, rec, write_run

HOSTILE = "<script>alert(1)</script>"
ARGS = json.dumps({"order_id": "1234", "note": HOSTILE})


def thread(i: int) -> dict:
    return {"id": f"c{i}", "persona": "angry", "category": "delivery", "turns": [
        {"role": "customer", "content": f"Where is my order {i}?"},
        {"role": "agent", "content": "Let me look.", "tool_calls": [{"id": "call_1", "name": "lookup_order",
                                                                     "arguments": ARGS}]},
        {"role": "tool", "content": f"order {i}: delivered 5 Nov {HOSTILE}", "tool_call_id": "call_1"}]}


def records(worse: int) -> list:
    out = []
    for i in range(6):
        reply = "Calm down." if i < worse else "Your order was delivered on 5 Nov, sorry for the worry."
        out.append(rec(f"c{i}", reply=reply, checks={"next_step": chk(i >= worse, reply)}))
    return out


def test_view_turns_keep_each_call_and_result_named_by_its_tool():
    assert view_turns(thread(0)) == [
        {"role": "customer", "content": "Where is my order 0?"},
        {"role": "agent", "content": "Let me look."},
        {"role": "tool_call", "name": "lookup_order", "content": ARGS},
        {"role": "tool", "content": f"order 0: delivered 5 Nov {HOSTILE}", "name": "lookup_order"}]
    plain = {"turns": [{"role": "customer", "content": "hi"}, {"role": "agent", "content": "hello"}]}
    assert view_turns(plain) == plain["turns"]  # a thread without tool use: as diff.json held it before


def test_the_thread_html_sets_tool_use_apart_escaped():
    html = turns_html(view_turns(thread(0)))
    assert "<b>agent called lookup_order:</b>" in html and "&lt;script&gt;" in html and HOSTILE not in html
    assert '<details class="turn tool-result"><summary><b>tool lookup_order returned</b></summary>' in html
    assert "<b>tool:</b>" not in html and "<b>tool_call:</b>" not in html
    named = turns_html([{"role": "tool_call", "name": HOSTILE, "content": "{}"}])
    assert HOSTILE not in named and "agent called &lt;script&gt;" in named


def test_a_diff_json_written_before_keeps_reading():
    old = [{"role": "customer", "content": "hi"}, {"role": "agent", "content": ""},
           {"role": "tool", "content": "order 1: delivered"}]
    html = turns_html(old)
    assert "<summary><b>tool result</b></summary>order 1: delivered" in html and "<b>agent:</b>" not in html


def test_diff_html_shows_tool_turns_in_changed_and_unchanged_cases(tmp_path):
    cases = {f"c{i}": thread(i) for i in range(6)}
    run_a = write_run(tmp_path / "a", records(0), cases=cases)
    run_b = write_run(tmp_path / "b", records(2), cases=cases)
    write_diff(build_diff(run_a, run_b, DiffOptions(views_per_direction=3)), tmp_path / "diff", ["html", "json"])
    page = (tmp_path / "diff" / "diff.html").read_text()
    # Every case's thread (two changed with an embedded view, four read from the runs) shows its call and result.
    assert page.count("agent called lookup_order:") == 6 and page.count("tool lookup_order returned") == 6
    assert HOSTILE not in page and "<b>tool:</b>" not in page
    views = json.loads((tmp_path / "diff" / "diff.json").read_text())["comparisons"][0]["cases"]
    assert views and all(v["turns"][2] == {"role": "tool_call", "name": "lookup_order", "content": ARGS}
                         for v in views.values())
