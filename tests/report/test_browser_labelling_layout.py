"""report.html keeps its layout in labelling mode: ticking "label replies for calibration" puts the class
``labelling`` on <body>, which the labelling bar's own rule (a bordered flex row) used to style as well, so the
"Summary" and "Scores with intervals" headings went to the right of the tables above them, with empty space
under them (a review's screenshot at 1300 px). Checked at 1300 and 1600 px wide and on a phone.
"""

from __future__ import annotations

import pytest

from harness.runner.outputs import finalize_run
from tests.report.test_browser_labelling import _records
from tests.compare.runs import write_run
from tests.support.browser import needs_chromium

pytestmark = needs_chromium

HEADINGS_JS = """() => {
  const main = document.querySelector('h1').getBoundingClientRect();
  const body = getComputedStyle(document.body);
  return {display: body.display, border: body.borderTopWidth, left: main.left,
          headings: [...document.querySelectorAll('body > h2')].map(h => {
            const r = h.getBoundingClientRect(), prev = h.previousElementSibling.getBoundingClientRect();
            return {text: h.textContent, left: r.left, top: r.top, prevBottom: prev.bottom};
          })};
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = write_run(tmp_path_factory.mktemp("layout") / "run", _records())
    return finalize_run(run).report_html


def _layout(browser, report, width: int, labelling: bool) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(report.as_uri())
        if labelling:
            page.check("#lab-on")
            page.fill("#lab-name", "ana")
        return page.evaluate(HEADINGS_JS)
    finally:
        page.close()


@pytest.mark.parametrize("width", [1300, 1600, 390])
def test_headings_stay_under_what_comes_before_them_in_labelling_mode(browser, report, width):
    plain, labelling = _layout(browser, report, width, False), _layout(browser, report, width, True)
    assert labelling["display"] == "block" and labelling["border"] == "0px"
    shown = {h["text"]: h for h in labelling["headings"]}
    assert {"Summary", "Scores with intervals", "Records"} <= set(shown)
    for heading in labelling["headings"]:
        # Left-aligned with the title, below the element before it: not beside a table.
        assert abs(heading["left"] - labelling["left"]) < 1, heading
        assert heading["top"] >= heading["prevBottom"] - 1, heading
    # The page is laid out as it is without labelling: the same left edge.
    assert abs(plain["left"] - labelling["left"]) < 1
