"""The runs page (``results/index.html``, harness.report.history_html): what each run's row shows, the links,
a deleted run, escaping, the diff command's data, the cost kept between pages, and a file of the user's."""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.history.table import history_rows
from harness.report import history_data
from harness.report.history_html import DATA_ID, write_index_html
from harness.report.history_spark import span as _span
from tests.report.history_runs import XSS, XSS_RUN, make_results


@contextmanager
def inside(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    with inside(root):
        make_results(root, xss=True)
    return root


@pytest.fixture
def project(made, tmp_path) -> Path:
    """A copy of the module's project (tests change its results), as the working directory."""
    shutil.copytree(made, tmp_path / "p")
    with inside(tmp_path / "p"):
        yield tmp_path / "p"


def data(page: Path) -> dict:
    text = page.read_text()
    return json.loads(re.search(f'<script type="application/json" id="{DATA_ID}">(.*?)</script>', text, re.S).group(1))


def row_of(page: Path, run: str) -> str:
    """The HTML of a run's row (its checkbox's value is the run's name, escaped)."""
    from html import escape

    text = page.read_text()
    start = text.index(f'value="{escape(run)}"')
    return text[text.rindex('<tr class="run', 0, start):text.index("</tr>", start)]


def test_every_run_rewrites_the_page_newest_first_with_links_and_the_baseline(project):
    page = project / "results/index.html"
    runs = [r["run"] for r in data(page)["runs"]]
    assert set(runs) == {XSS_RUN, "support-3", "billing-1", "support-2", "support-1"}  # each `harness run` wrote it
    assert runs == [r.run for r in reversed(history_rows(project / "results"))]  # the listing's order, reversed
    row = row_of(page, "support-2")
    assert 'href="support-2/report.html"' in row and 'href="support-2/scorecard.md"' in row
    assert 'class="badge"' in row_of(page, "support-1") and 'class="badge"' not in row
    assert '<tr class="run accepted"' in row_of(page, "support-1")
    assert "failed" not in row and ">passed<" in row and 'data-label="exit" data-sort="0"' in row


def test_each_candidates_figures_and_the_runs_mean_are_the_listings(project):
    page = project / "results/index.html"
    listed = {r.run: r for r in history_rows(project / "results")}
    runs = {r.run: r for r in history_data.load_index_runs(project / "results")}
    for name in ("support-1", "support-3", "billing-1"):
        assert runs[name].headline.checks == pytest.approx(listed[name].checks_mean)
        assert set(runs[name].candidates) == {"bot", "bot-v2"}
    bot, v2 = runs["support-1"].candidates["bot"], runs["support-1"].candidates["bot-v2"]
    assert (bot.checks, v2.checks) != (None, None) and bot.checks != v2.checks
    row = row_of(page, "support-1")
    assert f'title="bot">{bot.checks:.1%}<' in row and f'title="bot-v2">{v2.checks:.1%}<' in row
    assert f'data-sort="{listed["support-1"].checks_mean!r}"' in row
    assert runs["support-3"].selection == "--cases h0"  # a run of some cases says so in its detail
    assert "--cases h0" in row_of(page, "support-3")


def test_the_evals_trend_leaves_out_runs_of_some_cases(project):
    text = (project / "results/index.html").read_text()
    support = text[text.index('<tr class="eval" data-eval="support"'):]
    support = support[:support.index("</tr>")]
    assert 'aria-label="checks passed over 2 runs' in support  # support-1 and -2; not support-3 (--cases h0)
    assert support.count("<circle") == 2 and 'class="base"' in support  # the accepted baseline drawn hollow
    assert 'href="support-1/report.html"' in support  # its accepted baseline


def test_a_deleted_run_is_shown_as_missing_not_linked_nor_offered_for_a_diff(project):
    shutil.rmtree(project / "results/support-2")
    page, count = write_index_html("results")
    assert count == 5
    row = row_of_missing(page, "support-2")
    assert "support-2 (directory missing)" in row and "href" not in row and "checkbox" not in row


def row_of_missing(page: Path, run: str) -> str:
    text = page.read_text()
    start = text.index(f"{run} (directory missing)", text.index('<table id="runs"'))
    return text[text.rindex('<tr class="run', 0, start):text.index("</tr>", start)]


def test_text_from_the_index_is_escaped(project):
    text = (project / "results/index.html").read_text()
    assert "<script>alert" not in text and "<img src=x" not in text  # no markup of the eval's or the run's
    assert "&lt;script&gt;alert(1)&lt;img src=x onerror=alert(2)&gt;&quot;&#x27;&amp;" in text
    assert text.count("<script") == 2  # the data block and the page's own script
    runs = {r["eval"]: r for r in data(project / "results/index.html")["runs"]}
    assert runs[XSS]["run"] == XSS_RUN  # the data block holds the same text, as JSON the script cannot leave
    link = "xss-%3Cimg%20src%3Dx%20onerror%3Dalert%283%29%3E%27/report.html"
    assert f'href="{link}"' in text and (project / "results" / XSS_RUN / "report.html").is_file()


def test_a_diff_written_into_the_results_directory_is_offered_for_its_pair(project):
    assert main(["diff", "results/support-1", "results/support-2", "--out", "results/diff-support-1-support-2"]) == 0
    assert main(["diff", "elsewhere/support-1", "results/support-2", "--out", "results/diff-odd"]) == 2  # no run
    page, _ = write_index_html("results")
    diffs = data(page)["diffs"]
    assert list(diffs) == ["support-1\nsupport-2"]
    [written] = diffs["support-1\nsupport-2"]  # a list: every diff of the pair (see test_runs_page_candidates)
    assert written["href"] == "diff-support-1-support-2/diff.html" and written["folder"] == "diff-support-1-support-2"
    assert (page.parent / written["href"]).is_file()
    runs = {r["run"]: r for r in data(page)["runs"]}
    assert runs["support-1"]["path"] == "results/support-1" and data(page)["results"] == "results"


def test_a_diff_of_other_runs_by_the_same_names_is_not_offered(project):
    other = project / "other"
    shutil.copytree(project / "results/support-1", other / "support-1")
    shutil.copytree(project / "results/support-2", other / "support-2")
    manifest = json.loads((other / "support-1/manifest.json").read_text())
    manifest["started_at"] = "2020-01-01T00:00:00+00:00"  # another run that happens to have the same name
    (other / "support-1/manifest.json").write_text(json.dumps(manifest))
    assert main(["diff", "other/support-1", "other/support-2", "--out", "results/diff-other"]) == 0
    page, _ = write_index_html("results")
    assert data(page)["diffs"] == {}


def test_a_page_reads_only_the_scorecards_that_changed_since_the_last_one(project, monkeypatch):
    page = project / "results/index.html"
    kept = {r["run"]: r["cost"] for r in data(page)["runs"]}
    assert all(cost is not None and cost[2] == 0 for cost in kept.values())  # recorded replies: no calls
    read = []
    real = history_data.read_cost
    monkeypatch.setattr(history_data, "read_cost", lambda path, stamp: read.append(path.parent.name) or real(path, stamp))
    write_index_html("results")
    assert read == []
    card = project / "results/billing-1/scorecard.json"
    os.utime(card, ns=(card.stat().st_atime_ns, card.stat().st_mtime_ns + 10**9))
    write_index_html("results")
    assert read == ["billing-1"]


def test_the_scorecard_cost_is_summed_over_candidates_and_roles(tmp_path):
    card = {"candidates": {"a": {"responder": {"cost_usd": 0.25, "calls": 4},
                                 "judging": {"cost_usd": 0.5, "calls": 4, "n_unpriced": 1}},
                           "b": {"responder": {"cost_usd": None, "calls": 2}, "judging": {}}}}
    (tmp_path / "scorecard.json").write_text(json.dumps(card))
    cost = history_data.read_cost(tmp_path / "scorecard.json", "s")
    assert (cost.usd, cost.unpriced, cost.calls) == (0.75, 1, 10)
    (tmp_path / "scorecard.json").write_text("{")
    assert history_data.read_cost(tmp_path / "scorecard.json", "s") is None


def test_a_file_of_the_users_named_index_html_is_never_replaced(project, capsys):
    page = project / "results/index.html"
    page.write_text("<html>my own notes</html>")
    assert main(["run", "billing.yaml", "--out", "results/billing-2", "--no-cache", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert page.read_text() == "<html>my own notes</html>"
    assert ("harness: note: results/index.html: exists and is not a runs page harness history wrote; left as it "
            "is (rename or remove it to get the runs page there)") in err
    assert "give another path" not in err  # run has no option for the page's path
    assert err.count("\n") == 1


def test_a_page_that_cannot_be_written_warns_and_leaves_the_run_as_it_was(project, capsys, monkeypatch):
    from harness.report import history_html

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(history_html, "atomic_write_text", broken)
    assert main(["run", "billing.yaml", "--out", "results/billing-2", "--no-cache", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err == "harness: warning: results/index.html: not refreshed: disk full\n"
    assert "billing-2" not in data(project / "results/index.html")["runs"].__repr__()


@pytest.mark.parametrize(("low", "high", "span"), [(0.5, 0.9, (0.5, 0.9)), (0.54, 0.58, (0.51, 0.61)),
                                                   (0.98, 1.0, (0.9, 1.0)), (0.0, 0.0, (0.0, 0.1))])
def test_a_sparkline_spans_its_figures_and_at_least_ten_points(low, high, span):
    assert _span(low, high) == pytest.approx(span)
