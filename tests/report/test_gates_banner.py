"""report.html of a gated run shows its gates in a banner under the title: the verdict and exit code, the
failed and not-measured gates with their details, the passed ones folded. The report is rendered once, when
the run ends; the gates fill the banner's place in the written file afterwards, and ``harness report RUN``
puts the same banner back from ``gates.json``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from harness.ci import banner
from harness.ci.banner import with_gates_banner, write_gates_banner
from harness.cli.main import main
from harness.gates.outcome import GateOutcome, GateResult, read_outcome
from harness.report import html as report_html
from tests.nightly import conftest as nightly_project
from tests.support.browser import chromium, needs_chromium
from tests.nightly.conftest import REGRESSED_CASES

nightly = nightly_project.nightly  # the nightly project fixture: an eval with gates, a scripted bot

BANNER = re.compile(r'<section class="gates[^"]*" aria-label="Gates">.*?</section>', re.S)


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def banner_of(path: Path) -> str:
    found = BANNER.search(path.read_text(encoding="utf-8"))
    assert found, f"no gates banner in {path}"
    return found.group(0)


def test_a_failed_gate_is_on_top_of_the_report(nightly):
    project, bot = nightly
    assert run("base") == 0
    bot.bad_cases = set(REGRESSED_CASES)
    assert run("worse", "--baseline", "results/base") == 1
    text = banner_of(project / "results/worse/report.html")
    assert text.startswith('<section class="gates failed"')
    assert "Gates: a gate failed (exit code 1)" in text and "held to baseline results/base" in text
    assert ('<span class="fail">failed</span> <b>min check no_contradiction [bot]</b>: 37.5% over 8 cases is below '
            'the minimum 75.0%') in text
    assert '<span class="fail">failed</span> <b>max regression check no_contradiction [bot]</b>' in text
    assert "worse on n02, n04" in text
    assert re.search(r"<details><summary>\d+ passed</summary>", text)
    page = (project / "results/worse/report.html").read_text()
    assert page.index("<h1>") < page.index('aria-label="Gates"') < page.index('<dl class="identity">')

    good = banner_of(project / "results/base/report.html")
    assert good.startswith('<section class="gates "') and "Gates: all gates passed (exit code 0)" in good
    assert "max_regression gates were skipped: no --baseline given" in good


def test_the_report_is_rendered_once_and_harness_report_puts_the_same_banner_back(nightly, monkeypatch):
    project, bot = nightly
    calls = []
    render = report_html.render_run_html_rows
    monkeypatch.setattr(report_html, "render_run_html_rows", lambda *a, **k: calls.append(1) or render(*a, **k))
    bot.bad_cases = set(REGRESSED_CASES[:3])
    assert run("r") == 1
    assert len(calls) == 1  # the banner went into the written report, which was not rendered again
    as_run = (project / "results/r/report.html").read_text()
    assert main(["report", "results/r", "--quiet"]) == 0
    assert (project / "results/r/report.html").read_text() == as_run


def test_a_run_never_gated_keeps_an_empty_place(nightly):
    project, _ = nightly
    assert run("r") == 0
    (project / "results/r/gates.json").unlink()
    assert main(["report", "results/r", "--quiet"]) == 0
    page = (project / "results/r/report.html").read_text()
    assert report_html.GATES_START + report_html.GATES_END in page and 'aria-label="Gates"' not in page


def test_a_gate_not_measured_warns_and_an_incomplete_run_fails(nightly):
    project, bot = nightly
    text = (project / "nightly.yaml").read_text().replace("apology_wording, next_step]", "escalation_offered]")
    (project / "nightly.yaml").write_text(text.replace('"*": {max_regression: 0.50}', '"*": {min: 0.5}'))
    assert run("quiet") == 0
    warned = banner_of(project / "results/quiet/report.html")
    assert warned.startswith('<section class="gates warned"') and "Gates: all gates passed, 1 not measured" in warned
    assert ('<span class="warn">not measured</span> <b>min check escalation_offered [bot]</b>: not measured: it '
            'applied to no case') in warned
    bot.failing_cases = {"n01", "n02", "n03"}
    assert run("errors") == 3
    failed = banner_of(project / "results/errors/report.html")
    assert failed.startswith('<section class="gates failed"')
    assert "did not complete within its error tolerance" in failed


def outcome(detail: str = "fine") -> GateOutcome:
    gates = [GateResult("run completed", None, True, "0 of 1 records ended in an error"),
             GateResult("min check x", "<b>bot</b>", False, detail, ["<i>c1</i>"])]
    return GateOutcome(gates=gates, complete=True, completion="0 of 1 records ended in an error",
                       notes=["<script>alert(1)</script> note"])


def test_everything_in_the_banner_is_escaped():
    page = f"<html><body><h1>t</h1>{report_html.GATES_START}{report_html.GATES_END}<p>rest</p></body></html>"
    text = with_gates_banner(page, outcome('<img src=x onerror="alert(2)">'))
    assert "<script>" not in text and "<img" not in text and "<b>bot</b>" not in text and "<i>c1</i>" not in text
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in text and "&lt;b&gt;bot&lt;/b&gt;" in text


def test_the_file_splice_equals_the_text_one_and_replaces_an_earlier_banner(tmp_path, monkeypatch):
    monkeypatch.setattr(banner, "CHUNK", 7)  # markers split across reads
    body = "x" * 5000
    page = f"<h1>é t</h1>{report_html.GATES_START}{report_html.GATES_END}<p>{body}</p>\n"
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    assert write_gates_banner(path, outcome("first"))
    assert path.read_text(encoding="utf-8") == with_gates_banner(page, outcome("first"))
    assert write_gates_banner(path, outcome("second"))
    assert path.read_text(encoding="utf-8") == with_gates_banner(page, outcome("second"))
    assert oct(path.stat().st_mode & 0o777) == "0o644" and not list(tmp_path.glob(".*.tmp"))

    old = tmp_path / "old.html"
    old.write_text("<h1>before banners</h1>", encoding="utf-8")
    assert not write_gates_banner(old, outcome()) and old.read_text() == "<h1>before banners</h1>"
    assert not write_gates_banner(tmp_path / "missing.html", outcome())


@needs_chromium
def test_the_banner_in_a_real_browser(nightly, tmp_path):
    project, bot = nightly
    bot.bad_cases = set(REGRESSED_CASES)
    assert run("worse") == 1
    assert read_outcome(project / "results/worse").exit_code == 1
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((project / "results/worse/report.html").as_uri())
        section = page.locator("section.gates")
        assert section.is_visible() and "a gate failed (exit code 1)" in section.locator("h2").inner_text()
        box = section.bounding_box()
        assert box["y"] < 300  # under the title, seen without scrolling
        assert page.locator("section.gates details ul").is_hidden()
        section.locator("summary").click()
        assert page.locator("section.gates details ul").is_visible()
        if os.environ.get("HARNESS_SCREENSHOT"):
            page.screenshot(path=os.environ["HARNESS_SCREENSHOT"])
    assert errors == []


def test_a_long_list_of_worse_cases_says_how_many_more_gates_json_holds():
    page = f"<html><body><h1>t</h1>{report_html.GATES_START}{report_html.GATES_END}</body></html>"
    cases = [f"c{i:03d}" for i in range(40, 53)]
    gates = [GateResult("max regression check no_contradiction", "bot", False, "-18.6 pp", cases)]
    text = with_gates_banner(page, GateOutcome(gates=gates, complete=True, completion="0 of 70 records"))
    assert "worse on c040, c041" in text and "c049, … and 3 more (gates.json lists all)" in text
    assert "c050" not in text


@pytest.mark.parametrize("partial", [False, True])
def test_a_crashed_check_or_a_partial_baseline_turns_a_passing_banner_amber(partial):
    from harness.gates.outcome import crash_note, partial_baseline_note

    note = (partial_baseline_note("results/base", "--cases: 2 of 8 cases") if partial
            else crash_note("gold_ok", 2, 8, {"bot": 2}))
    gates = [GateResult("min check x", "bot", True, "90% over 8 cases")]
    # gates.json keeps both as fields (schema 2), beside the note that tells them
    outcome = GateOutcome(gates=gates, complete=True, completion="8 of 8 cases", notes=[note],
                          baseline="results/base" if partial else None,
                          partial_baseline="--cases: 2 of 8 cases" if partial else None,
                          crashed_checks=[] if partial else ["gold_ok"])
    assert outcome.exit_code == 0 and (outcome.partial_baseline if partial else outcome.crash_notes)
    assert report_html.render_gates_banner(outcome).startswith('<section class="gates warned"')
    plain = GateOutcome(gates=gates, complete=True, completion="8 of 8 cases")
    assert report_html.render_gates_banner(plain).startswith('<section class="gates "')
