"""The runs page's commands, labels and trends (harness.report.history_html): commands that work from the folder
holding the results directory, a run limited by its eval file's ``limit:`` labelled as the partial run it is,
checks and criteria trended apart, a diff linked as soon as it is written, filtered pages beside the shared one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.history.table import history_rows, render_history
from harness.report.history_data import Headline, IndexRun
from harness.report.history_html import DATA_ID, _when, write_index_html
from harness.report.history_spark import trend_cell, trends
from tests.report.history_runs import EVAL, run, write_project


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """support-1 and support-2 (every case), limited-1 (its eval file says ``limit: 1`` of 2 cases) and
    whole-1 (``limit: 5``: more than there are cases, a run of every case)."""
    root = tmp_path_factory.mktemp("fixes")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        write_project(root)
        (root / "limited.yaml").write_text(EVAL.format(name="limited") + "limit: 1\n")
        (root / "whole.yaml").write_text(EVAL.format(name="whole") + "limit: 5\n")
        run("support", "support-1")
        run("support", "support-2")
        run("limited", "limited-1")
        run("whole", "whole-1")
    return root


@pytest.fixture
def project(made, tmp_path, monkeypatch) -> Path:
    shutil.copytree(made, tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


def data(page: Path) -> dict:
    text = page.read_text()
    return json.loads(re.search(f'id="{DATA_ID}">(.*?)</script>', text, re.S).group(1))


def rebuild(page: Path) -> str:
    return re.search(r"Rebuild the page with: <code>(.*?)</code>", page.read_text()).group(1)


def test_commands_name_the_results_folder_from_the_folder_that_holds_it(project, monkeypatch):
    monkeypatch.chdir(project / "results")
    assert main(["history", "--html", "--results", "."]) == 0  # written from inside: still results/...
    page = project / "results/index.html"
    assert data(page)["results"] == "results"
    assert {r["path"] for r in data(page)["runs"]} >= {"results/support-1", "results/support-2"}
    assert f"folder that holds <code>results/</code> (where the page was written: <code>{project}</code>)" in \
        page.read_text()
    assert rebuild(page) == "harness history --html"


def test_the_rebuild_command_names_another_results_folder_and_another_page(project):
    shutil.move(project / "results", project / "runs")
    write_index_html("runs")
    assert rebuild(project / "runs/index.html") == "harness history --html --results runs"
    assert data(project / "runs/index.html")["runs"][0]["path"].startswith("runs/")
    write_index_html("runs", "pages/all.html")
    assert rebuild(project / "pages/all.html") == "harness history --html pages/all.html --results runs"
    elsewhere = project.parent / "published" / "all.html"
    write_index_html("runs", elsewhere)
    assert rebuild(elsewhere) == f"harness history --html {elsewhere} --results runs"


def test_a_run_cut_by_the_eval_files_limit_is_labelled_and_trends_with_runs_of_the_same_limit(project):
    rows = {r.run: r for r in history_rows("results")}
    assert rows["limited-1"].selection == "the first 1 case (limit: 1 in the eval file)"
    assert rows["whole-1"].selection is None and rows["support-1"].selection is None  # a limit above the cases
    listing = render_history(list(rows.values()))
    assert "the first 1 case (limit: 1 in the eval file)" in listing and "whole-1" in listing
    page = project / "results/index.html"
    text = page.read_text()
    assert "the first 1 case (limit: 1 in the eval file)" in text  # the run cell and its detail's "cases"
    assert "<dt>cases</dt><dd>the first 1 case (limit: 1 in the eval file)</dd>" in text
    # Each run of that eval takes the same first cases (the quickstart's limit: 10): they are its trend.
    limited = text[text.index('<tr class="eval" data-eval="limited"'):]
    row = limited[:limited.index("</tr>")]
    assert "<svg" in row and "limited-1" in row and "no complete run" not in row


def test_a_diff_into_the_results_folder_is_linked_on_its_page_at_once(project, capsys):
    page = project / "results/index.html"
    assert main(["diff", "results/support-1", "results/support-2", "--out", "results/diff-1-2"]) == 0
    assert [d["href"] for d in data(page)["diffs"]["support-1\nsupport-2"]] == ["diff-1-2/diff.html"]
    assert main(["diff", "results/support-1", "results/support-2", "--out", "elsewhere/d"]) == 0
    assert not (project / "elsewhere/index.html").exists()  # not a results folder: no page made there
    assert "harness: " not in capsys.readouterr().err


def test_a_filtered_page_goes_beside_the_shared_one(project, capsys):
    shared = project / "results/index.html"
    before = shared.read_text()
    assert main(["history", "--eval", "support", "--html"]) == 0
    assert capsys.readouterr().out.endswith("html:      results/index-support.html (2 runs)\n")
    assert main(["history", "--eval", "support", "--last", "1", "--html"]) == 0
    assert main(["history", "--last", "3", "--html"]) == 0
    assert shared.read_text() == before
    one = project / "results/index-support-last-1.html"
    assert [r["run"] for r in data(one)["runs"]] == ["support-2"]
    assert rebuild(one) == "harness history --html --eval support --last 1"
    assert len(data(project / "results/index-last-3.html")["runs"]) == 3


def test_started_shows_seconds_and_the_zone():
    assert _when("2026-11-25T04:20:43.123456+00:00") == "2026-11-25 04:20:43 UTC"
    assert _when("2026-11-25T06:20:43+02:00") == "2026-11-25 06:20:43 +02:00"
    assert _when("not a time") == "not a time" and _when(None) == ""


def _run(name: str, checks: float | None, criteria: float | None = None) -> IndexRun:
    return IndexRun(run=name, eval_name="alpha", started_at=None, status="complete", n_records=1, n_errors=0,
                    gates="—", exit_code=None, accepted=False, selection=None,
                    headline=Headline(checks=checks, criteria=criteria))


def test_one_judged_run_does_not_hide_the_checks_trend():
    oldest_first = [_run("a1", 0.5), _run("a2", 0.6), _run("a3", 0.7), _run("judged", 0.6, 1.0), _run("a5", 0.8)]
    found = trends(list(reversed(oldest_first)))
    assert [(m, [r.run for r, _ in points]) for m, points in found] == [
        ("checks passed", ["a1", "a2", "a3", "judged", "a5"]), ("criteria passed", ["judged"])]
    cell = trend_cell(list(reversed(oldest_first)))
    assert "checks passed 80.0% (5 runs)" in cell and "criteria passed 100.0% (1 run)" in cell
    assert cell.count("<svg") == 2

