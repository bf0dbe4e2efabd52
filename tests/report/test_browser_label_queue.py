"""report.html's labelling queue asks what ``harness label`` asks: on one run, for the same options (--failing,
--borderline, --disagree, --share K/N), the questions the terminal's queue lists (reply and target, in order) are
the ones the page's queue keeps and marks, and "next to label" walks them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, manifest, rec, write_run
from tests.support.browser import needs_chromium, watched_page

pytestmark = needs_chromium

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = {"empathy": {"scale": "1-5", "pass_threshold": 4, "applies_when": "always"},
            "policy": {"scale": "pass_fail", "pass_threshold": 1, "applies_when": "always"},
            "no_contradiction": {"scale": "pass_fail", "pass_threshold": 1, "applies_when": "always"}}
CHECKS = ["apology_wording", "next_step", "no_contradiction"]
ASKED = re.compile(r"^\[\d+/\d+\] (\S+) · (\S+) · (criterion|check) (\S+) ", re.M)


def _records() -> list:
    out = []
    for i in range(24):
        for k, bot in enumerate(("bot", "bot2")):
            same = i % 5 == 0  # both candidates gave the same reply: asked once, on the first
            reply = f"Sorry about order {i}." + ("" if same else f" {bot} calls today.")
            score, passed = 1 + (i + k) % 5, (i + k) % 3 != 0
            judge = {"empathy": crit(score), "policy": crit(1.0 if passed else 0.0),
                     "no_contradiction": crit(1.0 if (i + k) % 4 else 0.0)}
            checks = {"apology_wording": chk((i * 7 + k) % 3 != 0),
                      "next_step": chk(None if i % 6 == 1 else i % 2 == 0),
                      "no_contradiction": chk((i + k) % 5 != 0)}
            out.append(rec(f"c{i:02d}", bot, reply=reply, checks=checks, judge=judge))
    out.append(rec("c90", "bot", error=True))
    out.append(rec("c00", "bot", sample=1, judge={"empathy": crit(1)}))  # a later sample: never asked
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    man = manifest(("bot", "bot2"), checks=dict.fromkeys(CHECKS, "1"))
    man = man.model_copy(update={"rubric": {**man.rubric, "criteria": CRITERIA}})
    path = write_run(tmp_path_factory.mktemp("queue") / "run", _records(), man)
    finalize_run(path)
    return path


def _cli_queue(run: Path, tmp: Path, options: list[str]) -> list[tuple]:
    """The questions `harness label` asks (skipping each), in order: (case, candidate, kind, name)."""
    labels = tmp / f"labels{len(list(tmp.iterdir()))}.jsonl"
    done = subprocess.run([sys.executable, "-m", "harness", "label", str(run), "--labels", str(labels),
                           "--labeller", "ana", "--criteria", ",".join(CRITERIA), "--checks", ",".join(CHECKS),
                           *options], input="s\n" * 500, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return ASKED.findall(done.stdout)


def _page_queue(page) -> list[tuple]:
    """The questions the page's queue marks, record by record in the list's order (each record opened)."""
    out = []
    for rec_id in page.eval_on_selector_all("#records tr.rec", "rows => rows.map(r => r.id)"):
        row = page.locator(f'tr.rec[id="{rec_id}"]')
        if row.get_attribute("aria-expanded") != "true":
            row.click()
        case_id, bot, _ = rec_id.split(".")
        for key in page.locator(f'tr.rec[id="{rec_id}"] + tr.detail .lab-t.lab-asked').evaluate_all(
                "rows => rows.map(r => r.getAttribute('data-k'))"):
            kind, name = key.split(":", 1)
            out.append((case_id, bot, kind, name))
    return out


@pytest.mark.parametrize("options", [["--failing"], ["--borderline"], ["--disagree"], ["--share", "1/2"],
                                     ["--failing", "--borderline", "--share", "2/3"],
                                     ["--failing", "--disagree", "--share", "3/3"]])
def test_the_page_queues_the_questions_harness_label_asks(browser, run, tmp_path, options) -> None:
    cli = _cli_queue(run, tmp_path, options)
    assert cli, "the run should give each option something to ask"
    with watched_page(browser) as page:
        page.goto((run / "report.html").as_uri())
        page.check("#lab-on")
        page.fill("#lab-name", "ana")
        page.select_option("#lab-q-on", "all")
        for flag in ("failing", "borderline", "disagree"):
            if f"--{flag}" in options:
                page.check(f"#lab-q-{flag}")
        if "--share" in options:
            page.fill("#lab-q-share", options[options.index("--share") + 1])
        said = page.locator("#lab-q-said").inner_text()
        assert f"queue: {len(cli)} questions on {len({c[:2] for c in cli})} replies" in said
        assert " ".join(options) in said
        assert _page_queue(page) == cli
        assert not page.events["errors"]


def test_next_to_label_walks_the_queue_and_skips_what_is_labelled(browser, run, tmp_path) -> None:
    cli = _cli_queue(run, tmp_path, ["--failing"])
    replies = list(dict.fromkeys(f"{c}.{b}.0" for c, b, _, _ in cli))
    with watched_page(browser) as page:
        page.goto((run / "report.html").as_uri())
        page.check("#lab-on")
        page.fill("#lab-name", "ana")
        page.select_option("#lab-q-on", "all")
        page.check("#lab-q-failing")
        assert page.locator("#shown").inner_text() == f"{len(replies)} of {len(_records())}"
        page.click("#lab-q-next")
        assert page.evaluate("location.hash") == f"#rec={replies[0]}"
        for row in page.locator(f'tr.rec[id="{replies[0]}"] + tr.detail .lab-t.lab-asked').all():
            row.locator("input[type=radio]").first.check()  # every question of the first reply labelled
        assert f"{len(cli) - sum(c[:2] == tuple(replies[0].split('.')[:2]) for c in cli)} left" in \
            page.locator("#lab-q-said").inner_text()
        page.click("#lab-q-next")
        assert page.evaluate("location.hash") == f"#rec={replies[1]}"
        page.uncheck("#lab-q-failing")  # no queue option: the list is whole again
        assert page.locator("#shown").inner_text() == f"{len(_records())} of {len(_records())}"


def test_a_bad_share_is_said_and_keeps_no_queue(browser, run) -> None:
    with watched_page(browser) as page:
        page.goto((run / "report.html").as_uri())
        page.check("#lab-on")
        page.fill("#lab-q-share", "3/2")
        assert "give K/N" in page.locator("#lab-q-said").inner_text()
        assert page.locator("#shown").inner_text() == f"{len(_records())} of {len(_records())}"
