"""report.html: self-contained, escaped everywhere (including the JSON block), marks evidence, filters work."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from harness.calibration.picking import share_key
from harness.checks.base import Span
from harness.records.schema import CriterionResult as CriterionResultModel
from harness.report.html import render_run_html
from harness.report.html_parts import esc, interval_bar_svg, json_for_script, json_script, page_shell
from harness.report.html_records import highlight
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import CRITERIA, NOTICE, check, manifest, record, sample_records, score

SCRIPT_TAG = "<script>alert(1)</script>"
IMG_TAG = "<img src=x onerror=alert(1)>"


def _evil_page() -> str:
    reply = f"We apologize {IMG_TAG} {SCRIPT_TAG} for the delay."
    start = reply.index("<img")
    evidence = [Span(start=start, end=start + 8, text=reply[start:start + 8]), Span(start=0, end=12, text=reply[:12])]
    bad = record("case<1>", SCRIPT_TAG, persona=SCRIPT_TAG, category=IMG_TAG, reply=reply,
                 judge={"empathy": score(4).model_copy(update={"reason": SCRIPT_TAG})},
                 checks={SCRIPT_TAG: check(False, form=SCRIPT_TAG, evidence=evidence)})
    records = [bad, *sample_records()]
    card = build_scorecard(records, manifest(candidates=(SCRIPT_TAG, "bot_v1", "bot_v2"), notices=[SCRIPT_TAG]),
                           CRITERIA)
    cases = {"case<1>": {"id": "case<1>", "turns": [{"role": "customer", "content": f"Hi {SCRIPT_TAG} {IMG_TAG}"}]}}
    return render_run_html(card, records, cases)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, attrs))


def _elements(page: str) -> list[tuple[str, list]]:
    """Every start tag a browser's parser would see, with its attributes."""
    collector = _Collector()
    collector.feed(page)
    return collector.elements


def _json_block(page: str) -> str:
    return re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)


def test_injected_markup_never_appears_unescaped() -> None:
    page = _evil_page()
    assert SCRIPT_TAG not in page
    assert "<img" not in page
    # the JSON block, the records' store (their rows as text until shown: html_store) and our own script
    assert page.count("<script") == 3
    elements = _elements(page)
    assert not [tag for tag, _ in elements if tag in ("img", "iframe", "object", "embed")]
    assert not [name for _, attrs in elements for name, _ in attrs if name.startswith("on")]  # no event handlers
    assert [tag for tag, _ in elements].count("script") == 3
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_json_block_is_escaped_and_round_trips() -> None:
    block = _json_block(_evil_page())
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert data["records"][0] == {"candidate": SCRIPT_TAG, "persona": SCRIPT_TAG, "category": IMG_TAG,
                                  "failing": [SCRIPT_TAG], "failing_criteria": [], "flips": [],
                                  # for the labelling panel: the criterion it was not judged on (1; offered
                                  # before with no verdict to calibrate against), the other records' checks it lacks
                                  "skip": [1, 3, 4],
                                  # for its queue (html_queue): the failing check (target 2), the share key
                                  "doubt": "00100", "share": format(share_key("case<1>", SCRIPT_TAG), "x")}
    # The manifest's notice, then the scorecard's own lost-work notice (the sample records hold errors).
    assert data["scorecard"]["notices"][0] == SCRIPT_TAG and len(data["scorecard"]["notices"]) == 2
    assert data["scorecard"]["notices"][1].startswith("errors: 1 of 7 records")
    assert {"kind": "check", "name": SCRIPT_TAG, "scale": "pass_fail"} in data["labelling"]["targets"]


def test_json_for_script_escapes_line_separators() -> None:
    assert json_for_script({"a": "</script>&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'
    assert json_script([1], 'x"y').startswith('<script type="application/json" id="x&quot;y">')


def test_evidence_is_marked_and_escaped() -> None:
    text = highlight("Sorry <b> ok", [(Span(start=0, end=5, text="Sorry"), "apology"),
                                      (Span(start=3, end=9, text="ry <b>"), "tone"),
                                      (Span(start=50, end=60, text=""), "out of range")])
    assert text == ('<mark title="apology" data-pass="apology">Sor</mark>'
                    '<mark title="apology, tone" data-pass="apology tone">ry</mark>'
                    '<mark title="tone" data-pass="tone"> &lt;b&gt;</mark> ok')


def test_failing_checks_evidence_is_marked_apart_from_passing_evidence() -> None:
    # Review #7: every span was the same yellow; a failing check's evidence now has its own class and colour,
    # and each mark names its checks by verdict for the page's evidence picker.
    text = highlight("We will refund $189 today", [(Span(start=0, end=7, text="We will"), "next_step"),
                                                   (Span(start=3, end=19, text=""), "policy_promises")],
                     failing=["policy_promises"])
    assert text == ('<mark title="next_step" data-pass="next_step">We </mark>'
                    '<mark class="ev-fail" title="next_step, policy_promises (fails)" data-pass="next_step" '
                    'data-fail="policy_promises">will</mark>'
                    '<mark class="ev-fail" title="policy_promises (fails)" data-pass="" data-fail="policy_promises">'
                    ' refund $189</mark> today')


def test_page_is_self_contained_and_has_every_section() -> None:
    evidence = [Span(start=3, end=12, text="apologize")]
    records = [*sample_records(), record("c5", checks={"apology_wording": check(True, "apologize", evidence)})]
    cases = {"c1": {"id": "c1", "turns": [{"role": "customer", "content": "Where is my parcel?"}]}}
    page = render_run_html(build_scorecard(records, manifest(), CRITERIA), records, cases)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, no network
    assert "Content-Security-Policy" in page and "connect-src" not in page
    assert page.index(NOTICE) < page.index("<h1>")
    for expected in ("Where is my parcel?", "We <mark title=\"apology_wording\" data-pass=\"apology_wording\">apologize</mark>.", "<svg", 'id="f-candidate"', 'id="f-persona"',
                     'id="f-category"', 'id="f-failing"', 'tabindex="0"', "2 (judge_output 1, timeout 1)", "rate_limit",
                     "scored 5", "form: apologize"):
        assert expected in page, expected
    assert page.count('class="rec"') == len(records)


def test_missing_case_and_no_records() -> None:
    page = render_run_html(build_scorecard([], None), [], None)
    assert "No records." in page and page.count('class="rec"') == 0
    records = [record("c9")]
    assert "not in the run" in render_run_html(build_scorecard(records, None), records, {})


def test_interval_bar_svg_clamps_and_labels() -> None:
    svg = interval_bar_svg(4.0, 3.0, 9.0, lower=1.0, upper=5.0, label="a<b")
    assert svg.startswith("<svg") and "<title>a&lt;b</title>" in svg and svg.count("<line") == 3
    assert 'x2="137.0"' in svg  # the whisker stops at the scale's end
    assert "<line" not in interval_bar_svg(None, None, None, lower=0, upper=1)
    assert "<line" not in interval_bar_svg(0.5, None, None, lower=0, upper=1)


def test_page_shell_allows_only_its_own_script() -> None:
    page = page_shell("t<", "<p>x</p>", script="1+1")
    assert "<title>t&lt;</title>" in page and "script-src 'sha256-" in page
    assert "script-src 'none'" in page_shell("t", "")
    assert esc(None) == "" and esc('"') == "&quot;"


def test_pass_fail_criteria_read_pass_fail_in_the_records_table_and_the_detail() -> None:
    # Review #6: a pass/fail criterion read "boundary 0" beside 1-5 scores, and "1 pass" in the detail.
    boundary = lambda passed: CriterionResultModel(score=float(passed), passed=passed, reason="r")  # noqa: E731
    records = [record("c1", judge={"empathy": score(2), "boundary": boundary(False)}),
               record("c2", judge={"empathy": score(5), "boundary": boundary(True)})]
    page = render_run_html(build_scorecard(records, manifest(), CRITERIA), records, None)
    assert 'empathy <span class="fail">2</span>, boundary <span class="fail">fail</span>' in page
    assert 'empathy 5, boundary <span class="pass">pass</span>' in page
    assert '<li><b>boundary</b>: <span class="pass">pass</span> — r</li>' in page
    assert '<li><b>empathy</b>: 5 <span class="pass">pass</span>' in page
    assert "boundary 0" not in page and "boundary 1" not in page


def test_records_are_listed_in_case_order_whatever_order_they_came_in() -> None:
    # Review #9: with a judge, records came in the order the calls finished (c003, c006, ...).
    records = [record(c, cand) for c, cand in (("c3", "bot_v2"), ("c1", "bot_v2"), ("c2", "bot_v1"),
                                                ("c1", "bot_v1"), ("c9", "bot_v1"))]
    cases = {c: {"id": c, "turns": []} for c in ("c1", "c2", "c3")}  # c9 is not in the snapshot: last
    page = render_run_html(build_scorecard(records, manifest(), CRITERIA), records, cases)
    rows = re.findall(r'<tr class="rec" tabindex="0" aria-expanded="false" aria-controls="(d\d+)" id="[^"]+"><td>'
                      r"(\w+)</td><td>(\w+)</td>", page)
    # within a case, the eval's candidate order (the manifest's: bot_v1, bot_v2), not the order first seen
    assert [(c, cand) for _, c, cand in rows] == [("c1", "bot_v1"), ("c1", "bot_v2"), ("c2", "bot_v1"),
                                                 ("c3", "bot_v2"), ("c9", "bot_v1")]
    assert [detail_id for detail_id, _, _ in rows] == ["d0", "d1", "d2", "d3", "d4"]  # ids by place in the page
    for detail_id, _, _ in rows:  # each row still opens its own detail
        assert f'<tr class="detail" id="{detail_id}" hidden>' in page
    data = json.loads(_json_block(page))["records"]
    assert [r["candidate"] for r in data] == ["bot_v1", "bot_v2", "bot_v1", "bot_v2", "bot_v1"]


def test_two_runs_whose_calls_finished_in_different_orders_write_the_same_page() -> None:
    # Review: a case's candidates (and their side-by-side replies) came in completion order, so two runs of
    # the same eval listed them differently. Candidates come in the eval's order, here not alphabetical.
    records = [record(c, cand, reply=f"{cand} answers {c}") for c in ("c1", "c2") for cand in ("zed", "amy", "bob")]
    cases = {c: {"id": c, "turns": []} for c in ("c2", "c1")}  # the dataset lists c2 first
    eval_order = manifest(candidates=("zed", "amy", "bob"))
    pages = {render_run_html(build_scorecard(order, eval_order, CRITERIA), order, cases)
             for order in (records, records[::-1], records[3:] + records[:3], sorted(records, key=lambda r: r.reply))}
    assert len(pages) == 1
    page = pages.pop()
    rows = re.findall(r'aria-controls="d\d+" id="[^"]+"><td>(\w+)</td><td>(\w+)</td>', page)
    assert rows == [(c, cand) for c in ("c2", "c1") for cand in ("zed", "amy", "bob")]
    detail = page[page.index('id="d1"'):page.index('id="d2"')]  # c2, amy: the others beside it, in eval order
    assert detail.index("zed answers c2") < detail.index("bob answers c2")
