"""The runs page in headless Chromium: two ticked runs with several diffs written of them link every one, the
diff in the folder the shown command would write first and marked so."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.cli.main import main
from tests.report.history_runs import make_results
from tests.support.browser import assert_quiet, needs_chromium, watched_page

pytestmark = needs_chromium


def _make(root):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        make_results(root)
        assert main(["diff", "results/support-1", "results/support-2", "--out", "results/diff-support-1-support-2"]) == 0
        assert main(["diff", "results/support-1", "results/support-2", "--out", "results/d-later"]) == 0
        assert main(["history", "--html"]) == 0


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("pairs")
    with ThreadPoolExecutor(1) as pool:  # a run calls asyncio.run, which Playwright's loop in this thread refuses
        pool.submit(_make, root).result()
    return root / "results/index.html"


def test_every_diff_of_the_pair_is_linked_the_commands_folder_first(browser, page_file):
    with watched_page(browser) as page:
        page.goto(page_file.as_uri())
        page.check("input.pick[value='support-1']")
        page.check("input.pick[value='support-2']")
        assert page.inner_text("#diff-cmd").endswith("--out results/diff-support-1-support-2")
        links = page.eval_on_selector_all("#diff-found a", "els => els.map(e => [e.getAttribute('href'), e.textContent])")
        assert [href for href, _ in links] == ["diff-support-1-support-2/diff.html", "d-later/diff.html"]
        assert "this command's --out" in links[0][1] and "this command's" not in links[1][1]
        page.uncheck("input.pick[value='support-1']")
        page.check("input.pick[value='billing-1']")  # a pair with no diff: the old links go
        assert page.is_hidden("#diff-found") and page.locator("#diff-found a").count() == 0
        assert_quiet(page)
