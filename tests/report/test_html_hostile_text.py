"""report.html and diff.html with a support desk's real data (review_data #3, #5 and the 50 KB complaint): a
record with no reply reads so and sorts apart, bidi and control characters are shown and never obeyed, right-to-
left text keeps its own direction, and a very long complaint or reply opens folded."""

from __future__ import annotations

import html
import json
import re

from harness.checks.base import CheckResult, Span
from harness.compare import build_diff, write_diff
from harness.report.diff_case_detail import case_detail
from harness.report.html import render_run_html
from harness.report.html_evidence import reply_block
from harness.report.html_parts import json_for_script
from harness.report.html_records import RecordRenderer, RecordView
from harness.report.html_text import FOLD_AT, esc_isolated, esc_text, fold_cut, visible
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import chk, rec, write_run
from tests.scoring.factory import CRITERIA, check, manifest, record, score

RLO, PDF = "\u202e", "\u202c"
ARABIC = "نعتذر عن التأخير. سنتواصل معك خلال 24 ساعة."
# Every character the page must show as its code point: bidi controls, C0 controls but \t \n \r, DEL, C1.
HOSTILE = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _page(records, cases=None) -> str:
    card = build_scorecard(records, manifest(candidates=("bot_v1", "bot_v2")), CRITERIA)
    return render_run_html(card, records, cases or {})


def _summary_row(page: str, anchor: str) -> str:
    return re.search(rf'id="{re.escape(anchor)}">(.*?)</tr>', page).group(1)


def test_a_record_with_no_reply_reads_no_reply_and_sorts_blank():
    # Review #3: the row read "all pass" and data-sort="0": "most failures first" put it among the best.
    records = [record("c1", error="missing_recorded_reply"),
               record("c1", "bot_v2", judge={"empathy": score(5)}, checks={"apology_wording": check(True)})]
    page = _page(records)
    errored, replied = _summary_row(page, "c1.bot_v1.0"), _summary_row(page, "c1.bot_v2.0")
    assert "all pass" not in errored and errored.count("no reply") == 2  # checks and criteria cells
    assert errored.count('data-sort=""') == 2 and "missing_recorded_reply" in errored
    assert "all pass" in replied and 'data-sort="0"' in replied


def test_a_crashed_check_is_not_all_pass():
    crashed = CheckResult(passed=None, detail="raised", data={"error": "check_crashed"})
    page = _page([record("c1", checks={"apology_wording": check(True), "no_contradiction": crashed})])
    row = _summary_row(page, "c1.bot_v1.0")
    assert "all pass" not in row and "none failed" in row and "crashed" in row


def test_bidi_and_control_characters_are_shown_not_obeyed_anywhere_in_the_page():
    # Review #5: U+202E made "gnp.exe" read "exe.png"; NUL, ESC and BEL went into the file raw.
    reply = f"Sorry{HOSTILE} about it {RLO}erom{PDF} text\r\nbye"
    bad = record(f"c{RLO}1", persona=f"an{RLO}gry", category=f"bill\x1bing", reply=reply,
                 judge={"empathy": score(5).model_copy(update={"reason": f"kind{RLO} words"})},
                 checks={"apology_wording": CheckResult(passed=True, detail=f"said\x07 sorry", data={"form": "s\x00"},
                                                        evidence=[Span(start=0, end=5, text="Sorry")])})
    cases = {f"c{RLO}1": {"id": f"c{RLO}1", "turns": [{"role": "customer", "content": f"RTL {RLO}gnp.exe\x00"}]}}
    page = _page([bad], cases)
    assert not RAW.search(page), [hex(ord(c)) for c in RAW.findall(page)][:5]
    assert "⟨U+202E⟩</span>gnp.exe" in page and "⟨U+0000⟩" in page and "⟨U+001B⟩" in page
    for char in HOSTILE:
        assert f"⟨U+{ord(char):04X}⟩" in page, hex(ord(char))
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    assert data["records"][0]["reply"] == reply  # the labels still name the exact reply
    assert data["records"][0]["persona"] == f"an{RLO}gry"  # the filters still match the data


def test_arabic_text_is_kept_as_it_is_and_isolated():
    page = _page([record("c1", reply=ARABIC, judge={"empathy": score(5).model_copy(update={"reason": ARABIC})})],
                 {"c1": {"id": "c1", "turns": [{"role": "customer", "content": ARABIC}]}})
    assert f'<div class="reply">{ARABIC}</div>' in page
    assert f"<b>customer:</b> <bdi>{ARABIC}</bdi>" in page and f"— <bdi>{ARABIC}</bdi>" in page
    assert esc_text(ARABIC) == ARABIC and "unseen" not in page.split("<body>")[1].split("<script>")[0]
    assert esc_isolated("plain <ascii>") == "plain &lt;ascii&gt;"  # no <bdi> where no right-to-left can be
    # Joiners stay: an emoji family and a Persian word need them.
    assert visible("👨\u200d👩\u200d👧 می\u200cخواهم") == "👨\u200d👩\u200d👧 می\u200cخواهم"


def test_json_blocks_hold_no_raw_control_or_bidi_character():
    text = json_for_script({"a": f"x{RLO}y\x85\x7f\x00<"})
    assert not RAW.search(text) and json.loads(text) == {"a": f"x{RLO}y\x85\x7f\x00<"}


def _text_of(fragment: str) -> str:
    """What the browser's textContent of a fragment reads (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_a_long_reply_opens_folded_with_its_evidence_split_at_the_fold():
    reply = "word " * 2000 + "FAILING PART"
    start = reply.index("FAILING")
    marks = [(Span(start=1990, end=2010, text=reply[1990:2010]), "across"),
             (Span(start=start, end=len(reply), text="FAILING PART"), "tail")]
    out = reply_block(reply, marks, failing=["tail"])
    head, rest = re.match(r'<div class="fold"><div class="reply folded">(.*?)<span class="fold-rest">(.*)</span>'
                          r"</div><button", out).groups()
    assert len(_text_of(head)) <= FOLD_AT and _text_of(head) + _text_of(rest) == reply
    assert "show all 10,012 characters (2 highlighted passages in the rest)" in out
    assert head.count("<mark") == 1 and rest.count("<mark") == 2 and 'class="ev-fail"' in rest
    # The page's copy of the reply (what the labelling reads) is still the exact reply: the button is outside.
    reply_div = re.search(r'<div class="reply folded">(.*)</div><button', out).group(1)
    assert _text_of(reply_div) == reply


def test_only_texts_well_over_the_limit_fold_and_never_inside_a_joined_emoji():
    assert fold_cut("x" * (FOLD_AT + 400)) is None
    assert fold_cut("x" * 5000) == FOLD_AT
    joined = "x" * (FOLD_AT - 1) + "👨\u200d👩" + "y" * 3000
    cut = fold_cut(joined)
    assert joined[cut - 1] != "\u200d" and joined[cut] != "\u200d"


def test_a_50_kb_complaint_is_folded_in_report_html_and_its_text_kept_for_search():
    complaint = "My router has been dropping every 5 minutes. " * 1100
    page = _page([record("c1")], {"c1": {"id": "c1", "turns": [{"role": "customer", "content": complaint}]}})
    detail = re.search(r'<tr class="detail" id="d0" hidden>(.*?)</tr>', page, re.S).group(1)
    assert f"show all {len(complaint):,} characters" in detail
    turn = re.search(r'<div class="turn folded">(.*?)</div><button', detail).group(1)
    shown = _text_of(turn.split('<span class="fold-rest">')[0])
    assert len(shown) < FOLD_AT + 20 and _text_of(turn) == "customer: " + complaint


def test_the_labelling_data_names_a_reply_the_page_shows_escaped():
    renderer = RecordRenderer(RecordView(criteria=[], checks=["apology_wording"]))
    plain = rec("c1", reply="Sorry.", checks={"apology_wording": chk(True)})
    spoofed = rec("c2", reply=f"Sorry {RLO}erom", checks={"apology_wording": chk(True)})
    assert "reply" not in renderer.label_fields(plain, [])
    assert renderer.label_fields(spoofed, [])["reply"] == f"Sorry {RLO}erom"


def test_diff_html_shows_controls_folds_long_replies_and_says_no_reply(tmp_path):
    long = "Sorry. " + "We will look into it. " * 300
    a = [rec("c1", reply=f"Sorry {RLO}erom", checks={"next_step": chk(True)}),
         rec("c2", reply=long, checks={"next_step": chk(True)}), rec("c3", reply="ok", checks={"next_step": chk(True)})]
    b = [rec("c1", reply=f"Sorry {RLO}erom now", checks={"next_step": chk(False)}),
         rec("c2", reply=long + "!", checks={"next_step": chk(False)}), rec("c3", error=True)]
    cases = {"c1": {"id": "c1", "turns": [{"role": "customer", "content": f"RTL {RLO}gnp.exe"}]}}
    report = build_diff(write_run(tmp_path / "a", a, cases=cases), write_run(tmp_path / "b", b, cases=cases))
    page = write_diff(report, tmp_path / "diff", ["html"])["html"].read_text(encoding="utf-8")
    assert not RAW.search(page)
    assert "⟨U+202E⟩</span>gnp.exe" in page and "⟨U+202E⟩</span>erom" in page
    assert f"show all {len(long) + 1:,} characters" in page
    comparison = report.comparisons[0]
    detail = case_detail(comparison.cases["c1"], [], comparison)
    assert "⟨U+202E⟩erom" in detail  # the word changes compare the texts as shown
