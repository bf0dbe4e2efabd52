"""report.html's labelling queue "on" offers what the run has and starts on what ``harness label`` asks by
default: the criteria, or the checks of a checks-only run, even when the browser kept "criteria" from another
run's page (its preferences are the browser's, not the run's) (fix_s23c)."""

from __future__ import annotations

import json

import pytest

from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, manifest, rec, write_run
from tests.support.browser import needs_chromium, watched_page

pytestmark = needs_chromium

CHECKS = {"apology_wording": "1", "next_step": "1"}


def _write(root, judged: bool):
    man = manifest(("bot",), checks=CHECKS)
    if not judged:
        man = man.model_copy(update={"rubric": None, "judge": None})
    records = [rec(f"c{i}", "bot", reply=f"Sorry, order {i} ships today.",
                   checks={"apology_wording": chk(i % 2 == 0), "next_step": chk(i % 3 != 0)},
                   judge={"acknowledgement": crit(2 + i % 3)} if judged else {}) for i in range(6)]
    path = write_run(root / ("judged" if judged else "checks-only"), records, man)
    finalize_run(path)
    return path


def _on(page) -> tuple[str, list[str]]:
    return page.eval_on_selector("#lab-q-on", "s => s.value"), page.eval_on_selector_all(
        "#lab-q-on option", "os => os.map(o => o.value)")


@pytest.mark.parametrize("kept", [None, "criteria", "all"])
def test_a_checks_only_run_asks_about_its_checks(browser, tmp_path, kept) -> None:
    run = _write(tmp_path, judged=False)
    with watched_page(browser) as page:
        if kept:  # a choice saved on another run's page, in this browser
            page.add_init_script(f"localStorage.setItem('harness-labelling', {json.dumps(json.dumps({'ask': kept}))})")
        page.goto((run / "report.html").as_uri())
        page.check("#lab-on")
        page.fill("#lab-name", "ana")
        assert _on(page) == ("checks", ["checks"])
        page.check("#lab-q-failing")
        said = page.locator("#lab-q-said").inner_text()
        assert said.startswith("queue: ") and not said.startswith("queue: 0 "), said
        assert not page.events["errors"]


def test_a_judged_run_starts_on_its_criteria_and_keeps_a_choice(browser, tmp_path) -> None:
    run = _write(tmp_path, judged=True)
    with watched_page(browser) as page:
        page.goto((run / "report.html").as_uri())
        page.check("#lab-on")
        assert _on(page) == ("criteria", ["criteria", "checks", "all"])
        page.select_option("#lab-q-on", "checks")
        page.reload()
        assert _on(page)[0] == "checks"  # the browser's choice, on a run that has it
        assert not page.events["errors"]
