"""A check that crashed on a record (a custom check that raised) is an error of that record's check, in every
output alike: summary.md, the banner and max_error_rate counted it as an error while scorecard.md's Errors rows
said 0, report.html's "any error" filter showed none, `harness export` left error_kind empty, `harness show`
listed FAIL and junit.xml made it a <failure> with errors="0", even with --junit all and on exit 3 (review #5).
It is not a case error: the reply is there, and the other checks graded it."""

from __future__ import annotations

import csv
import io
import json
import re

from harness.cli.main import main
from tests.nightly.conftest import EVAL

# The cases it crashes on come from the environment: a check module is imported once per process.
CRASHING = ("import os\n"
            "def gold_ok(ctx):\n"
            "    if ctx.case.id in os.environ['CRASH_ON'].split(','):\n"
            "        raise ValueError('boom on ' + ctx.case.id)\n"
            "    return True\n")


def project_with_crashes(project, monkeypatch, crash_on: tuple[str, ...], gated: bool = False) -> None:
    monkeypatch.setenv("CRASH_ON", ",".join(crash_on))
    (project / "house.py").write_text(CRASHING)
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    text = text.replace("checks: [no_contradiction, apology_wording, next_step]\n",
                        "checks:\n  - no_contradiction\n  - {name: gold_ok, type: python, value: house.py:gold_ok}\n")
    if gated:
        text = text.replace("  criteria:\n", "    gold_ok: {min: 0.5}\n  criteria:\n")
    (project / "nightly.yaml").write_text(text)


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def test_the_scorecard_counts_check_errors_per_check(nightly, monkeypatch):
    project, _ = nightly
    project_with_crashes(project, monkeypatch, ("n01", "n02"))
    assert run("night") == 0  # 2 of 8 records in error: within max_error_rate 0.25
    scorecard = (project / "results/night/scorecard.md").read_text()
    assert "| check errors | 2 (gold_ok 2) |" in scorecard
    assert "| case errors | 0 |" in scorecard  # the replies are there: no case error
    summary = (project / "results/night/summary.md").read_text()
    assert "2 of 8 records (25.0%) with an error: 2 with a crashed check (gold_ok 2)" in summary
    assert "- `n01`: check gold_ok crashed" in summary


def test_junit_all_makes_a_crash_an_error_of_the_check_not_a_failure(nightly, monkeypatch):
    project, _ = nightly
    project_with_crashes(project, monkeypatch, ("n01", "n02"))
    assert run("night", "--junit", "all") == 0
    junit = (project / "results/night/junit.xml").read_text()
    assert re.search(r'<testsuites name="harness nightly" tests="\d+" failures="\d+" errors="2"', junit)
    assert junit.count('<error type="check_crashed" message="check gold_ok crashed: ValueError: boom on n0') == 2
    assert "failed: check gold_ok" not in junit  # never a <failure> naming it
    assert "crashed: check crashed" not in junit  # said once


def test_gated_junit_errors_where_the_check_is_held_or_the_run_failed_its_tolerance(nightly, monkeypatch):
    project, _ = nightly
    project_with_crashes(project, monkeypatch, ("n01",))
    assert run("free") == 0  # no gate on gold_ok, within tolerance: the night is green, the crash is said
    junit = (project / "results/free/junit.xml").read_text()
    assert 'errors="0"' in junit and "<error" not in junit
    assert "error (no failed gate holds the check): check gold_ok crashed: ValueError: boom on n01" in junit
    project_with_crashes(project, monkeypatch, ("n01",), gated=True)
    assert run("held") == 1  # min check gold_ok fails: the crash is behind it
    held = (project / "results/held/junit.xml").read_text()
    assert held.count('<error type="check_crashed"') == 1
    project_with_crashes(project, monkeypatch, ("n01", "n02", "n03"))
    assert run("over") == 3  # 3 of 8 records in error: above max_error_rate 0.25
    over = (project / "results/over/junit.xml").read_text()
    assert over.count('<error type="check_crashed"') == 3 and "failed: check gold_ok" not in over


def test_show_and_export_call_it_an_error(nightly, monkeypatch, capsys):
    project, _ = nightly
    project_with_crashes(project, monkeypatch, ("n01",))
    assert run("night") == 0
    capsys.readouterr()
    assert main(["show", "results/night", "--failing"]) in (0, None)
    listed = capsys.readouterr().out
    assert re.search(r"^ERROR\s+n01\s+bot\s+check errors gold_ok \(crashed\)$", listed, re.M)
    assert main(["export", "results/night"]) in (0, None)
    rows = {row["case_id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["n01"]["error_kind"] == "check_crashed"
    # The detail ends with where in the check file it raised (its line 4).
    assert rows["n01"]["error_message"] == "gold_ok: check crashed: ValueError: boom on n01 (at house.py:4 in gold_ok)"
    assert rows["n01"]["check.gold_ok"] == "crashed" and "gold_ok" not in rows["n01"]["failing"]
    assert rows["n02"]["error_kind"] == "" and rows["n02"]["check.gold_ok"] == "pass"


def test_the_report_filters_and_shows_a_crashed_check(nightly, monkeypatch):
    project, _ = nightly
    project_with_crashes(project, monkeypatch, ("n01", "n02"))
    assert run("night") == 0
    html = (project / "results/night/report.html").read_text()
    assert '<option value="*check">a check crashed</option>' in html
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                                re.S).group(1))
    assert sum("*check" in row.get("errors", []) for row in data["records"]) == 2
    assert html.count('<td><span class="fail">check gold_ok crashed</span></td>') == 2  # the Error column
    assert '<b>gold_ok</b>: <span class="fail">crashed</span> — check crashed: ValueError: boom on n01' in html
