"""Loading a label file into report.html's labelling, in headless Chromium: a file `harness label` wrote is read
(FileReader: no network, the CSP intact), its labels show in the panels of their replies, and the next download
holds them as they were written plus what was labelled in the page. Lines that match no reply of the run, and
invalid lines, are counted in one line, the first invalid one named by line and field; where this browser already
holds a label on the same reply and target for the same labeller, the browser's label is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.calibration.labelling import Answer, Item, LabelWriter, Target, label_for
from harness.calibration.labels import load_labels
from harness.runner.outputs import finalize_run
from tests.report.test_browser_labelling import (ANSWERS, TRICKY, _clean, _download, _open, _records, _row, page,
                                                 run)
from tests.report.test_browser_views import CONTRAST_JS
from tests.support.browser import needs_chromium

pytestmark = needs_chromium
__all__ = ["page", "run"]  # the fixtures, shared with test_browser_labelling

SCALES = {"empathy": "1-5", "policy": "pass_fail"}


def _line(record_id: str, kind: str, target: str, label, note: str = "", labeller: str = "ana",
          by_candidate: bool = False) -> dict:
    """The row `harness label` writes for one answer (its own function, validated as it validates)."""
    record = {f"{r.case_id}.{r.candidate}.{r.sample}": r for r in _records() if not r.error}[record_id]
    value = float(label) if isinstance(label, int) else float(label == "pass")
    item = Item(record, Target(kind, target, SCALES.get(target, "pass_fail")))
    return label_for(item, Answer(label=value, note=note.strip()), labeller, by_candidate=by_candidate)


def _write(path: Path, rows: list[dict]) -> Path:
    writer = LabelWriter(path)
    for row in rows:
        writer.write(row)
    writer.close()
    return path


def _load(page, path: Path) -> str:
    """Load ``path`` with the page's control; what the page then says of it (FileReader reads asynchronously)."""
    page.set_input_files("#lab-load", str(path))
    page.wait_for_function("() => !/^(reading |$)/.test(document.getElementById('lab-loaded').textContent)")
    return page.locator("#lab-loaded").inner_text()


def _start(page, run) -> None:
    page.goto(finalize_run(run).report_html.as_uri())
    page.locator("#lab-on").check()
    page.locator("#lab-name").fill("ana")


def test_a_file_from_harness_label_is_shown_and_downloaded_with_the_new_label(page, run, tmp_path):
    terminal = _write(tmp_path / "terminal.jsonl", [_line(*answer) for answer in ANSWERS])  # c0 and c1 (TRICKY)
    _start(page, run)
    assert _load(page, terminal) == \
        "terminal.jsonl: loaded 5 labels; 0 matched no reply of this run (not loaded); 0 invalid"
    assert page.locator("#lab-download").inner_text() == "download labels (5)"

    for record in ("c0.alpha.0", "c1.alpha.0"):
        _open(page, record)
    empathy = _row(page, "c0.alpha.0", "criterion", "empathy")
    assert empathy.locator('input[value="4"]').is_checked()
    assert empathy.locator("input.lab-note").input_value() == "names the order"  # as harness label wrote it
    assert _row(page, "c0.alpha.0", "criterion", "policy").locator('input[value="fail"]').is_checked()
    assert _row(page, "c1.alpha.0", "check", "apology_wording").locator('input[value="fail"]').is_checked()
    assert not _row(page, "c1.alpha.0", "criterion", "policy").locator("input:checked").count()
    for scheme in ("light", "dark"):  # the control and its line keep text contrast
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(CONTRAST_JS) == [], scheme

    _open(page, "c2.alpha.0")  # one more label, given in the page
    _row(page, "c2.alpha.0", "criterion", "empathy").locator('input[value="3"]').check()
    downloaded = _download(page, tmp_path / "labels.jsonl").read_text(encoding="utf-8")
    new = json.dumps(_line("c2.alpha.0", "criterion", "empathy", 3), ensure_ascii=False) + "\n"
    assert downloaded == terminal.read_text(encoding="utf-8") + new  # byte for byte, the \r\n reply too
    assert TRICKY in [label.reply for label in load_labels(tmp_path / "labels.jsonl")]
    _clean(page)


def test_unmatched_and_invalid_lines_are_counted_and_this_browsers_labels_win(page, run, tmp_path):
    _start(page, run)
    _open(page, "c0.alpha.0")
    _row(page, "c0.alpha.0", "criterion", "empathy").locator('input[value="4"]').check()  # ana, in this browser
    other_run = dict(_line("c0.alpha.0", "check", "next_step", "pass"), reply="a reply this run never gave")
    bo = _line("c2.beta.0", "check", "next_step", "pass", labeller="bo", by_candidate=True)
    lines = [json.dumps(_line("c0.alpha.0", "criterion", "empathy", 2, note="cold")),  # 1: ana's 4 here wins
             json.dumps(bo),                                                           # 2: by candidate, loaded
             json.dumps(other_run),                                                   # 3: no such reply
             json.dumps(dict(bo, case_id="c7")),                                       # 4: no such case
             "",
             json.dumps(dict(bo, label="maybe")),                                      # 6: invalid label
             json.dumps(dict(bo, label="4")),                                          # 7: quoted number
             json.dumps(dict(bo, label=7)),                                            # 8: off the scale
             "{not json",                                                              # 9
             json.dumps(dict(bo, check="made_up_check")),                              # 10: not a check of the run
             json.dumps(_line("c1.beta.0", "criterion", "empathy", 5, labeller="bo"))]  # 11: loaded
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = ("mixed.jsonl: loaded 3 labels (1 of them differed from this browser's own, kept as it had them); "
                "3 matched no reply of this run (not loaded); 4 invalid (first: line 6: label: \"maybe\" is not a "
                "label)")
    assert _load(page, path) == expected
    assert page.locator("#lab-download").inner_text() == "download labels (3)"
    assert _load(page, path) == expected  # the same file again changes nothing
    assert page.locator("#lab-download").inner_text() == "download labels (3)"
    assert _row(page, "c0.alpha.0", "criterion", "empathy").locator('input[value="4"]').is_checked()

    page.locator("#lab-name").fill("bo")  # bo's labels are bo's, in the panels as for anyone labelling here
    _open(page, "c2.beta.0")
    assert _row(page, "c2.beta.0", "check", "next_step").locator('input[value="pass"]').is_checked()
    downloaded = _download(page, tmp_path / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert downloaded == [json.dumps(_line("c0.alpha.0", "criterion", "empathy", 4), ensure_ascii=False),
                          json.dumps(_line("c1.beta.0", "criterion", "empathy", 5, labeller="bo"), ensure_ascii=False),
                          json.dumps(bo, ensure_ascii=False)]  # named by candidate, as the file named it
    page.reload()  # loaded labels are kept like the page's own
    assert page.locator("#lab-download").inner_text() == "download labels (3)"
    _clean(page)


def test_a_file_that_is_not_a_label_file(page, run, tmp_path):
    _start(page, run)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert _load(page, empty) == "empty.jsonl holds no labels"
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    # three lines: two not UTF-8, one (\x1a) not JSON; the first is named, as `harness calibrate` would name it
    assert _load(page, binary) == ("picture.png: loaded 0 labels; 0 matched no reply of this run (not loaded); "
                                   "3 invalid (first: line 1: not UTF-8 text)")
    assert page.locator("#lab-download").inner_text() == "download labels (0)"
    _clean(page)
