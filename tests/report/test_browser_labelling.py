"""Labelling replies in report.html, in headless Chromium: the panel of an opened record (criteria on their
scale, checks pass/fail, a note), blind by default, kept over a reload (localStorage), downloaded as a label
file that `harness calibrate` reads and that holds exactly the lines `harness label` writes for the same
answers, and that `harness label` goes on from. No network, no CSP refusal.

Debian's ``chromium`` driven by Playwright (tests/support/browser.py), never a downloaded browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from harness.calibration.labelling import Answer, Item, Target, done_keys, label_for, pending_items
from harness.calibration.labels import load_labels
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, rec, write_run
from tests.report.test_browser_views import CONTRAST_JS
from tests.support.browser import needs_chromium, watched_page

pytestmark = needs_chromium

SCHEMA = Path(__file__).resolve().parents[2] / "harness" / "schemas" / "labels.schema.json"
# A reply the page's HTML cannot hold as it is (the parser turns \r\n into \n), with markup and an emoji:
# a label names its reply by exact text, so the page must give this text back byte for byte.
TRICKY = 'Sorry 😞 about "order" <b>#7</b>.\r\nA courier will call you today.  '


def _records() -> list:
    out = []
    for i, reply in enumerate(["Sorry about order 0. A courier will call you today.", TRICKY,
                               "We apologise. A courier calls."]):
        for candidate, bad in (("alpha", False), ("beta", True)):
            text = reply if candidate == "alpha" else reply.replace("Sorry", "Hmm")
            checks = {"apology_wording": chk(not bad, text, "Sorry"), "next_step": chk(True, text, "A courier"),
                      "no_contradiction": chk(None, text)}  # n/a: not offered for labelling
            judge = {"empathy": crit(2 if bad else 5), "policy": crit(1.0 if not bad else 0.0)}
            out.append(rec(f"c{i}", candidate, reply=text, checks=checks, judge=judge))
    out.append(rec("c0", "alpha", sample=1, reply="a second sample"))
    out.append(rec("c9", "alpha", error=True))
    return out


# The answers given in the page: (record id, kind, target, label as written, note typed)
ANSWERS = [("c0.alpha.0", "criterion", "empathy", 4, "  names the order "),
           ("c0.alpha.0", "criterion", "policy", "fail", ""),
           ("c0.alpha.0", "check", "next_step", "pass", ""),
           ("c1.alpha.0", "criterion", "empathy", 2, "cold"),
           ("c1.alpha.0", "check", "apology_wording", "fail", "")]


@pytest.fixture
def page(browser):
    with watched_page(browser, accept_downloads=True) as page:  # its own storage: each test starts with no labels
        yield page


@pytest.fixture
def run(tmp_path):
    return write_run(tmp_path / "run", _records())


def _clean(page) -> None:
    """No script errors (a CSP refusal is a console error), nothing fetched but the page and the download."""
    assert page.events["errors"] == [] and page.events["console"] == []
    assert all(url.startswith(("file:", "data:", "about:", "blob:")) for url in page.events["requests"])


def _row(page, record: str, kind: str, target: str):
    detail = page.locator(f"tr.rec#{record.replace('.', chr(92) + '.')} + tr.detail")
    return detail.locator(f'.lab-t[data-k="{kind}:{target}"]')


def _open(page, record: str):
    page.locator(f"tr.rec#{record.replace('.', chr(92) + '.')}").click()


def _label(page) -> None:
    for record in dict.fromkeys(a[0] for a in ANSWERS):
        _open(page, record)
    for record, kind, target, label, note in ANSWERS:
        row = _row(page, record, kind, target)
        row.locator(f'input[value="{label}"]').check()
        if note:
            row.locator("input.lab-note").fill(note)


def _download(page, path: Path) -> Path:
    with page.expect_download() as info:
        page.locator("#lab-download").click()
    assert info.value.suggested_filename == "labels-synthetic.jsonl"
    info.value.save_as(path)
    return path


def _terminal_lines(run) -> list[str]:
    """What `harness label RUN --labeller ana` writes for the same answers, in the same order."""
    records = {f"{r.case_id}.{r.candidate}.{r.sample}": r for r in _records() if not r.error}
    scales = {"empathy": "1-5", "policy": "pass_fail"}
    lines = []
    for record, kind, target, label, note in ANSWERS:
        item = Item(records[record], Target(kind, target, scales.get(target, "pass_fail")))
        value = float(label) if isinstance(label, int) else float(label == "pass")
        row = label_for(item, Answer(label=value, note=note.strip()), "ana", by_candidate=False)
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return lines


def test_label_two_records_reload_download_and_calibrate(page, run, tmp_path):
    report = finalize_run(run).report_html
    page.goto(report.as_uri())
    assert not page.locator("#lab-controls").is_visible()
    _open(page, "c0.alpha.0")
    assert page.locator("fieldset.lab-panel").count() == 0  # labelling is off: the report as it was
    verdicts = page.locator("tr.rec#c0\\.alpha\\.0 + tr.detail .verdicts")
    assert verdicts.is_visible()
    _open(page, "c0.alpha.0")  # closed again

    page.locator("#lab-on").check()
    assert page.locator("#lab-status").inner_text() == "give your name to label"
    _open(page, "c0.alpha.0")
    assert _row(page, "c0.alpha.0", "criterion", "empathy").locator("input").first.is_disabled()
    assert not verdicts.is_visible()  # blind by default, as harness label without --show-verdicts
    assert page.locator("tr.rec#c0\\.alpha\\.0 td").nth(4).evaluate("td => getComputedStyle(td).fontSize") \
        == "0px"  # the run's checks column
    page.locator("#lab-name").fill("ana")
    _open(page, "c0.alpha.0")  # closed; _label opens it again
    offered = page.locator("tr.rec#c0\\.alpha\\.0 + tr.detail .lab-t").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-k'))")
    assert offered == ["criterion:empathy", "criterion:policy", "check:apology_wording", "check:next_step"]
    assert _row(page, "c0.alpha.0", "criterion", "policy").locator("input[type=radio]").count() == 2
    _label(page)
    assert page.locator("#lab-download").inner_text() == "download labels (5)"

    # A later sample and an erred case say why they are not labelled.
    _open(page, "c0.alpha.1")
    assert "only first samples" in page.locator("tr.rec#c0\\.alpha\\.1 + tr.detail .lab-panel").inner_text()
    _open(page, "c9.alpha.0")
    assert "it has no reply" in page.locator("tr.rec#c9\\.alpha\\.0 + tr.detail .lab-panel").inner_text()

    page.reload()  # kept: the labels, the name, the mode
    assert page.locator("#lab-on").is_checked() and page.input_value("#lab-name") == "ana"
    assert page.locator("#lab-download").inner_text() == "download labels (5)"
    _open(page, "c0.alpha.0")
    empathy = _row(page, "c0.alpha.0", "criterion", "empathy")
    assert empathy.locator('input[value="4"]').is_checked()
    assert empathy.locator("input.lab-note").input_value() == "  names the order "
    # Cleared, then given again: a clear takes the label out of the file.
    empathy.locator("button.lab-clear").click()
    assert page.locator("#lab-download").inner_text() == "download labels (4)"
    empathy.locator('input[value="4"]').check()

    # Another labeller in the same browser sees none of ana's labels; both are downloaded.
    page.locator("#lab-name").fill("bo")
    assert not empathy.locator('input[value="4"]').is_checked()
    page.locator("#lab-name").fill("ana")
    assert empathy.locator('input[value="4"]').is_checked()

    for scheme in ("light", "dark"):  # the panel keeps text contrast
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(CONTRAST_JS) == [], scheme

    labels = _download(page, tmp_path / "labels.jsonl")
    assert len(load_labels(labels)) == 5
    env = {**os.environ, "HARNESS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "harness.cli.main", "calibrate", "--labels", str(labels), str(run),
                           "--resamples", "20"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    report_json = json.loads((run / "calibration.json").read_text())
    counts = {a["name"]: (a["n"], a["unmatched"]) for a in report_json["criteria"] + report_json["checks"]}
    # Every label found its reply (the \r\n one too) and a verdict.
    assert counts == {"empathy": (2, 0), "policy": (1, 0), "apology_wording": (1, 0), "next_step": (1, 0)}
    _clean(page)


def test_the_downloaded_lines_are_harness_labels_own_and_validate(page, run, tmp_path):
    report = finalize_run(run).report_html
    page.goto(report.as_uri())
    page.locator("#lab-on").check()
    page.locator("#lab-name").fill("ana")
    _label(page)
    labels = _download(page, tmp_path / "labels.jsonl")
    text = labels.read_text(encoding="utf-8")
    assert text.splitlines(keepends=True) == _terminal_lines(run)  # byte for byte, \r\n in the reply too
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for line in text.splitlines():
        validator.validate(json.loads(line))
    # `harness label` goes on from the file: what was labelled here is not asked again.
    records = [r for r in _records() if not r.error]
    targets = [Target("criterion", "empathy", "1-5"), Target("criterion", "policy", "pass_fail"),
               Target("check", "apology_wording", "pass_fail"), Target("check", "next_step", "pass_fail")]
    left = {(i.record.case_id, i.record.candidate, i.target.name)
            for i in pending_items(records, targets, done_keys(labels), "ana", False)}
    asked = {(i.record.case_id, i.record.candidate, i.target.name)
             for i in pending_items(records, targets, set(), "ana", False)}
    given = {(r.split(".")[0], r.split(".")[1], target) for r, _, target, _, _ in ANSWERS}
    assert asked - left == given
    _clean(page)


def test_a_linked_record_opens_with_its_panel_and_print_hides_it(page, run):
    report = finalize_run(run).report_html
    page.goto(report.as_uri())
    page.locator("#lab-on").check()
    page.locator("#lab-name").fill("ana")
    page.goto(report.as_uri() + "#rec=c2.beta.0")
    panel = page.locator("tr.rec#c2\\.beta\\.0 + tr.detail fieldset.lab-panel")
    assert panel.is_visible()
    page.locator("#lab-blind").uncheck()  # the labeller asks to see the run's verdicts
    assert page.locator("tr.rec#c2\\.beta\\.0 + tr.detail .verdicts").is_visible()
    page.emulate_media(media="print")
    assert not panel.is_visible() and not page.locator("#labelling").is_visible()
    _clean(page)
