"""What report.html embeds for labelling replies in the page: which records and targets can be labelled
(as `harness label` asks them), the reply's exact text where the page's HTML would change it, the run's key."""

from __future__ import annotations

from harness.records.schema import Manifest
from harness.report.html import render_run_html
from harness.report.html_labelling import label_targets, labelling_info
from harness.report.html_records import RecordRenderer, RecordView
from harness.scoring.scorecard import build_scorecard
from tests.compare.runs import CRITERIA, chk, crit, manifest, rec

VIEW = RecordView(criteria=["empathy", "policy", "unscaled"], checks=["apology_wording", "next_step"],
                  scales={"empathy": "1-5", "policy": "pass_fail", "unscaled": None})


def _fields(record) -> dict:
    return RecordRenderer(VIEW).render(record).filters


def test_targets_are_the_scaled_criteria_then_the_checks():
    assert [(t["kind"], t["name"], t["scale"]) for t in label_targets(VIEW)] == [
        ("criterion", "empathy", "1-5"), ("criterion", "policy", "pass_fail"),
        ("check", "apology_wording", "pass_fail"), ("check", "next_step", "pass_fail")]


def test_a_record_says_what_of_it_cannot_be_labelled():
    full = rec("c1", reply="Sorry.", checks={"apology_wording": chk(True), "next_step": chk(False)},
               judge={"empathy": crit(4), "policy": crit(1.0)})
    assert not {"nolabel", "skip", "reply"} & set(_fields(full))  # the usual row carries nothing more
    partial = rec("c1", reply="Sorry.", checks={"apology_wording": chk(None)},
                  judge={"empathy": crit(None, applicable=False), "policy": crit(None, error=True)})
    # n/a check, a check the record lacks, a criterion that did not apply; an erred judge can still be labelled
    assert _fields(partial)["skip"] == [0, 2, 3]
    assert _fields(rec("c1", error=True))["nolabel"] == "it has no reply"
    assert "first samples" in _fields(rec("c1", sample=1))["nolabel"]


def test_the_exact_reply_is_embedded_only_where_html_would_change_it():
    assert _fields(rec("c1", reply="Sorry.\r\nWe call.", checks={"apology_wording": chk(True),
                                                                 "next_step": chk(True)}))["reply"] \
        == "Sorry.\r\nWe call."
    assert _fields(rec("c1", reply="a\0b"))["reply"] == "a\0b"
    assert "reply" not in _fields(rec("c1", reply="Sorry <b>\n</b> 😞"))


def test_the_run_key_and_file_name_and_no_bar_without_targets():
    records = [rec("c1", "bot", reply="Sorry.", checks={"next_step": chk(True)}, judge={"empathy": crit(4)})]
    card = build_scorecard(records, manifest(("bot",)), CRITERIA)
    info = labelling_info(card, VIEW)
    assert info["run"] == "synthetic@2024-01-01T00:00:00+00:00" and info["file"] == "labels-synthetic.jsonl"
    assert 'id="labelling"' in render_run_html(card, records, {})
    bare = manifest(("bot",), checks={}).model_dump()
    bare["rubric"] = None
    plain = [rec("c1", "bot", reply="Sorry.")]
    page = render_run_html(build_scorecard(plain, Manifest.model_validate(bare), None), plain, {})
    assert 'id="labelling"' not in page and '"labelling":null' in page
