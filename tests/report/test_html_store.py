"""report.html keeps its records as text (html_store): a big run's shared parts once, a judge error's calls."""

from __future__ import annotations

import re

from harness.records.schema import CriterionResult, ErrorInfo
from harness.report.html import render_run_html
from harness.report.html_store import COMPACT_AT, SEP, SharedParts
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import chk, rec

PROMPT = "You are the support agent of Acme. Apologise once."


def _page(n: int, judge=None) -> str:
    records = [rec(f"c{i:04d}", "bot", reply=f"Sorry {i}.", checks={"tone": chk(True)}, judge=judge or {})
               .model_copy(update={"system_prompt": PROMPT}) for i in range(n)]
    return render_run_html(build_scorecard(records, None, {}), records, None)


def _store(page: str, element_id: str) -> list[str]:
    found = re.search(f'<script type="text/x-harness-records" id="{element_id}">(.*?)</script>', page, re.S)
    return found.group(1).split(SEP) if found else []


def test_a_small_run_keeps_each_record_whole() -> None:
    page = _page(3)
    records = _store(page, "record-store")
    assert len(records) == 3 and not _store(page, "record-parts")
    assert all(PROMPT in r and '<li><b>tone</b>: <span class="pass">pass</span> — because</li>' in r for r in records)
    assert '<tbody></tbody>' in page  # no row in the table until the script shows its page


def test_a_big_run_writes_what_its_records_share_once() -> None:
    page = _page(COMPACT_AT)
    records, parts = _store(page, "record-store"), _store(page, "record-parts")
    assert len(records) == COMPACT_AT and page.count(PROMPT) == 1
    assert '<li><b>tone</b>: <span class="pass">pass</span> — because</li>' in parts
    assert all("<|0>" in r for r in records)
    shared = SharedParts()
    shared.texts = parts
    whole = shared.expand(records[1])  # what the page's script puts in the record's detail
    assert PROMPT in whole and "<|" not in whole


def test_a_judge_error_says_how_many_calls_it_took() -> None:
    # As `harness show` says it ("(2 attempts)"): a retried error reads otherwise than one that never got a call.
    erred = {"empathy": CriterionResult(error=ErrorInfo(kind="judge_output", message="junk", attempts=2))}
    assert "judge_output — junk (2 attempts)</li>" in _page(1, erred)
    none = {"empathy": CriterionResult(error=ErrorInfo(kind="budget", message="spent", attempts=0))}
    assert "(no call made)</li>" in _page(1, none)
