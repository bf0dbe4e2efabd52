"""The issue's check: nightly runs with a regression planted on one night.

Five nights of the same eval through the real CLI. Night 1 is accepted as the
baseline; nights 2-5 run with ``--baseline accepted``. On night 3 the bot
starts disputing customers on five of eight cases. That night (and only that
night) the gate fails with exit code 1, its JUnit file names exactly the
planted cases with the check's evidence, and the trend behind the chart dips.
"""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET

from harness.cli.main import main
from harness.history.trends import load_trends
from tests.nightly.conftest import REGRESSED_CASES

NIGHTS = 5
REGRESSION_NIGHT = 3


def run_night(night: int, *extra: str) -> int:
    return main(["run", "nightly.yaml", "--out", f"results/night-{night}", "--no-cache", "--quiet", *extra])


def run_all_nights(bot) -> list[int]:
    codes = [run_night(1)]
    assert main(["accept", "results/night-1"]) == 0
    for night in range(2, NIGHTS + 1):
        bot.bad_cases = set(REGRESSED_CASES) if night == REGRESSION_NIGHT else set()
        codes.append(run_night(night, "--baseline", "accepted"))
    return codes


def failing_testcases(junit_path, suite_name: str) -> dict[str, str]:
    root = ET.parse(junit_path).getroot()
    suite = next(s for s in root.iter("testsuite") if s.get("name") == suite_name)
    return {case.get("name"): case.find("failure").text for case in suite.iter("testcase")
            if case.find("failure") is not None}


def test_planted_regression_fails_that_night_only(nightly, capsys):
    project, bot = nightly
    codes = run_all_nights(bot)
    assert codes == [0, 0, 1, 0, 0]

    junit = project / f"results/night-{REGRESSION_NIGHT}/junit.xml"
    failed_cases = failing_testcases(junit, "nightly.bot")
    assert sorted(failed_cases) == REGRESSED_CASES
    assert all("check no_contradiction failed" in text and "not true" in text.lower()
               for text in failed_cases.values())
    assert all("criterion owns_the_problem failed" in text and "disputes the customer" in text
               for text in failed_cases.values())
    failed_gates = failing_testcases(junit, "nightly.gates")
    assert "min check no_contradiction [bot]" in failed_gates
    assert "max regression check no_contradiction [bot]" in failed_gates
    assert all(case in failed_gates["max regression check no_contradiction [bot]"] for case in REGRESSED_CASES)
    # A good night's JUnit file has no failing case and no failing gate.
    assert failing_testcases(project / "results/night-4/junit.xml", "nightly.bot") == {}
    assert failing_testcases(project / "results/night-4/junit.xml", "nightly.gates") == {}


def test_trend_shows_the_dip_and_history_lists_the_nights(nightly, capsys):
    project, bot = nightly
    run_all_nights(bot)
    series = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly")}
    trend = series[("check", "no_contradiction")]
    assert [p.run for p in trend.points] == [f"night-{n}" for n in range(1, NIGHTS + 1)]
    values = trend.values
    assert values[REGRESSION_NIGHT - 1] == min(values) == 3 / 8
    assert all(v == 1.0 for i, v in enumerate(values) if i != REGRESSION_NIGHT - 1)
    dip = trend.points[REGRESSION_NIGHT - 1]
    assert dip.hi < 1.0 and dip.lo < dip.value  # the chart's interval band is drawn from these
    assert series[("criterion", "owns_the_problem")].values[REGRESSION_NIGHT - 1] == 3 / 8

    last = project / f"results/night-{NIGHTS}"
    report = (last / "report.html").read_text()
    assert "Trends over runs" in report and "night-3: 37.5%" in report
    assert not (last / "trends").exists()  # PNGs only when asked: matplotlib is slow to load and draw
    # Each night's report shows the nights up to it, written once when the run ended.
    night2 = (project / "results/night-2/report.html").read_text()
    assert "night-2: 100.0%" in night2 and "night-3" not in night2

    capsys.readouterr()
    assert run_night(NIGHTS + 1, "--trend-pngs") == 0
    assert f"trends:    results/night-{NIGHTS + 1}/trends/ (" in capsys.readouterr().out
    png = project / f"results/night-{NIGHTS + 1}/trends/trend-check-no_contradiction.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    capsys.readouterr()
    assert main(["history", "--results", "results", "--eval", "nightly"]) == 0
    table = capsys.readouterr().out.splitlines()
    night3 = next(line for line in table if line.startswith("night-3"))
    # the exit code follows the gates, the accepted mark the exit code (the candidate's setup is the last column)
    assert re.search(r"failed \(\d+\)\s+1\s", night3), night3
    night1 = next(line for line in table if line.startswith("night-1"))
    assert re.search(r"\s\d\s+\*\s+bot: ", night1), night1  # the accepted baseline

    # --last N lists the newest N runs (it only limited the charts, and the listing silently showed all).
    assert main(["history", "--results", "results", "--eval", "nightly", "--last", "2"]) == 0
    last = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert len(table) > 3 and last == [line.split()[0] for line in table[1:]][-2:]
    assert main(["history", "--results", "results", "--last", "0"]) == 2


def test_a_run_of_some_cases_stays_out_of_the_trends_of_full_runs(nightly):
    project, bot = nightly
    run_all_nights(bot)
    # Rerun only what failed on the regression night: a different set of cases, not a night.
    assert main(["run", "nightly.yaml", "--out", "results/recheck", "--no-cache", "--quiet",
                 "--failing", f"results/night-{REGRESSION_NIGHT}"]) in (0, 1)
    series = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly")}
    assert [p.run for p in series[("check", "no_contradiction")].points] == [f"night-{n}" for n in range(1, NIGHTS + 1)]
    own = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly", until="recheck")}
    assert [p.run for p in own[("check", "no_contradiction")].points] == ["recheck"]
    report = (project / "results/recheck/report.html").read_text()
    assert "night-3: " not in report and "selected by" in report


def test_history_says_which_runs_were_of_some_cases(nightly, capsys):
    project, bot = nightly
    run_all_nights(bot)
    main(["run", "nightly.yaml", "--out", "results/recheck", "--no-cache", "--quiet",
          "--failing", f"results/night-{REGRESSION_NIGHT}"])
    capsys.readouterr()
    assert main(["history", "--results", "results", "--eval", "nightly"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[-2:] == ["cases", "candidate"]  # the candidate's setup comes last
    recheck = next(line for line in table if line.startswith("recheck"))
    assert re.search(f"--failing results/night-{REGRESSION_NIGHT}\\s+bot: ", recheck), recheck
    assert re.search(r"\sall\s+bot: ", next(line for line in table if line.startswith("night-1")))


def test_a_run_with_a_limit_given_on_the_command_line_is_kept_apart_too(nightly):
    project, bot = nightly
    run_all_nights(bot)
    assert main(["run", "nightly.yaml", "--out", "results/short", "--no-cache", "--quiet", "--limit", "2"]) in (0, 1)
    series = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly")}
    assert "short" not in [p.run for p in series[("check", "no_contradiction")].points]
    own = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly", until="short")}
    assert [p.run for p in own[("check", "no_contradiction")].points] == ["short"]


def test_runs_cut_by_the_eval_files_own_limit_are_its_trend_and_charts(nightly):
    # The quickstart's shape: every run of the eval keeps its first N cases by the eval file's `limit:`. They
    # took the same cases, so they are the eval's trend (and its --charts), while a --limit run stays apart.
    project, bot = nightly
    text = (project / "nightly.yaml").read_text()
    (project / "nightly.yaml").write_text(text + "limit: 4\n")
    for night in (1, 2):
        assert run_night(night) in (0, 1)
    assert main(["run", "nightly.yaml", "--out", "results/short", "--no-cache", "--quiet", "--limit", "2"]) in (0, 1)
    series = {(s.kind, s.name): s for s in load_trends(project / "results", "nightly")}
    assert [p.run for p in series[("check", "no_contradiction")].points] == ["night-1", "night-2"]
    assert main(["history", "--results", "results", "--eval", "nightly", "--charts", "charts"]) == 0
    assert list((project / "charts").glob("*.png"))
