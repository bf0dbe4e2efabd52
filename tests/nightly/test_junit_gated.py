"""junit.xml fails a case on what the run is held to: a check or criterion whose gate failed (every case
that failed a minimum; the cases that got worse for a regression). A failure no failed gate holds is in
system-out and a case error within the tolerance is skipped, so a green night reads green (it read
tests=25 failures=20 on one). HARNESS_JUNIT=all fails a case on every failing check, as before."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.cli.main import main
from tests.nightly.conftest import EVAL, REGRESSED_CASES

# thanks_customer fails on every reply and no gate holds it (no baseline: "*" max_regression is not held).
CHECKS = "checks:\n  - no_contradiction\n  - {name: thanks_customer, type: contains, value: 'thank you'}\n"


def write(project, text: str | None = None) -> None:
    text = text or EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="")
    (project / "nightly.yaml").write_text(text.replace("checks: [no_contradiction, apology_wording, next_step]\n",
                                                       CHECKS))


def run(out: str, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/{out}", "--no-cache", "--quiet", *extra])


def junit(project, out: str) -> ET.Element:
    return ET.fromstring((project / f"results/{out}/junit.xml").read_text())


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in root.find("testsuite[@name='nightly.bot']").findall("testcase")}


def test_a_green_night_reads_green_and_lists_what_no_gate_holds(nightly):
    project, _ = nightly
    write(project)
    assert run("green") == 0
    root = junit(project, "green")
    assert (root.get("failures"), root.get("errors")) == ("0", "0")
    out = cases(root)["n01"].find("system-out").text
    assert out.startswith("not held by a failed gate:\n  check thanks_customer failed:")
    assert "harness.junit" in ET.tostring(root, encoding="unicode")  # the suite says which mode it is


def test_all_fails_every_case_on_every_failing_check(nightly, monkeypatch):
    project, _ = nightly
    write(project)
    monkeypatch.setenv("HARNESS_JUNIT", "all")
    assert run("green") == 0
    root = junit(project, "green")
    suite = root.find("testsuite[@name='nightly.bot']")
    assert suite.get("failures") == "8"
    assert "check thanks_customer" in cases(root)["n01"].find("failure").get("message")


def test_a_failed_minimum_fails_the_cases_behind_it_and_only_on_its_check(nightly):
    project, bot = nightly
    write(project)
    bot.bad_cases = set(REGRESSED_CASES)  # no_contradiction fails on 5 of 8: below its 75% minimum
    assert run("red") == 1
    by_name = cases(junit(project, "red"))
    failed = sorted(name for name, case in by_name.items() if case.find("failure") is not None)
    assert failed == sorted(REGRESSED_CASES)
    failure = by_name["n02"].find("failure")
    # owns_the_problem's minimum failed too (the judge fails the same replies): both are held.
    assert failure.get("message") == "failed: check no_contradiction, criterion owns_the_problem"
    assert "thanks_customer" not in failure.text and "thanks_customer" in by_name["n02"].find("system-out").text


def test_a_failed_regression_fails_the_cases_that_got_worse(nightly):
    project, bot = nightly
    text = EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs="").replace(
        "{min: 0.75, max_regression: 0.10}", "{max_regression: 0.10}").replace('    "*": {max_regression: 0.50}\n', "")
    write(project, text.replace("owns_the_problem: {min: 0.5}", "owns_the_problem: {min: 0.0}"))
    assert run("base") == 0
    bot.bad_cases = set(REGRESSED_CASES[:3])
    assert run("worse", "--baseline", "results/base") == 1
    by_name = cases(junit(project, "worse"))
    failed = sorted(name for name, case in by_name.items() if case.find("failure") is not None)
    assert failed == sorted(REGRESSED_CASES[:3])


def test_a_case_error_within_the_tolerance_is_skipped(nightly):
    project, bot = nightly
    write(project)
    bot.failing_cases = {"n01"}  # 1 of 8 within max_error_rate 25%
    assert run("one-error") == 0
    root = junit(project, "one-error")
    assert (root.get("failures"), root.get("errors")) == ("0", "0")
    assert cases(root)["n01"].find("skipped").get("message").startswith("not graded (within the run's error "
                                                                        "tolerance): model_error")


def test_an_unknown_mode_is_refused_before_the_run(nightly, monkeypatch, capsys):
    project, _ = nightly
    monkeypatch.setenv("HARNESS_JUNIT", "everything")
    assert run("x") == 2
    assert "HARNESS_JUNIT: must be 'gated'" in capsys.readouterr().err
    assert not (project / "results/x").exists()


def test_the_run_flag_asks_for_every_failure_and_wins_over_the_variable(nightly, monkeypatch):
    project, _ = nightly
    write(project)
    monkeypatch.setenv("HARNESS_JUNIT", "gated")
    assert run("flag", "--junit", "all") == 0
    assert junit(project, "flag").find("testsuite[@name='nightly.bot']").get("failures") == "8"
