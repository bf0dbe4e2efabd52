"""``--min-effect``: a significant but tiny change (-0.4 pp over 5,000 cases) reads "below minimum effect", not
"regressed"; the threshold is in percentage points for rates and points for 1-5 means."""

from __future__ import annotations

import json

import pytest

from harness.cli.main import main
from harness.compare import DiffOptions, MinEffect, StatOptions, build_diff, load_diff, parse_min_effect, write_diff
from harness.errors import ConfigError
from harness.report.diff_markdown import headline
from tests.compare.runs import chk, crit, rec, write_run

N = 5000


def _side(path, failing: int, empathy=lambda i: 4.0):
    return write_run(path, [rec(f"c{i:04d}", checks={"next_step": chk(i >= failing)},
                                judge={"empathy": crit(empathy(i))}) for i in range(N)])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """B fails next_step on 20 of 5,000 cases (-0.4 pp, exact McNemar p ~2e-6) and scores empathy 5 instead of
    4 on 250 (+0.05 points)."""
    root = tmp_path_factory.mktemp("tiny")
    return _side(root / "a", 0), _side(root / "b", 20, lambda i: 5.0 if i % 20 == 0 else 4.0)


def _rows(report):
    return {r.name: r for r in report.comparisons[0].rows}


def test_without_a_minimum_a_tiny_significant_change_is_a_verdict(tiny):
    rows = _rows(build_diff(*tiny))
    assert rows["next_step"].verdict == "regressed" and rows["empathy"].verdict == "improved"


def test_a_significant_change_below_the_minimum_has_its_own_verdict(tiny):
    report = build_diff(*tiny, DiffOptions(stats=StatOptions(min_effect=parse_min_effect("1pp,0.1pt"))))
    rows = _rows(report)
    assert rows["next_step"].verdict == "below minimum effect" and rows["next_step"].p_holm < 0.05
    assert rows["next_step"].verdict_note == \
        "significant but below the minimum effect (-0.4 pp; minimum 1 pp)"
    assert rows["empathy"].verdict == "below minimum effect"
    assert rows["empathy"].verdict_note == "significant but below the minimum effect (+0.05; minimum 0.1 points)"
    assert report.min_effect == {"pass_fail": 0.01, "1-5": 0.1}
    assert headline(report.comparisons[0]).startswith(
        "empathy significant but below the minimum effect (+0.05; minimum 0.1 points), next_step (check) "
        "significant but below the minimum effect (-0.4 pp; minimum 1 pp)")


def test_a_minimum_for_one_unit_leaves_the_other_rows_alone(tiny):
    rows = _rows(build_diff(*tiny, DiffOptions(stats=StatOptions(min_effect=MinEffect(rate=0.01)))))
    assert rows["next_step"].verdict == "below minimum effect" and rows["empathy"].verdict == "improved"
    rows = _rows(build_diff(*tiny, DiffOptions(stats=StatOptions(min_effect=MinEffect(rate=0.004)))))
    assert rows["next_step"].verdict == "regressed"  # -0.4 pp is not below a 0.4 pp minimum


def test_the_cli_reports_it_in_every_format_and_keeps_exit_0(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["diff", str(tiny[0]), str(tiny[1]), "--min-effect", "1pp", "--out", str(out)]) == 0
    md = (out / "diff.md").read_text()
    assert "next_step (check) significant but below the minimum effect (-0.4 pp; minimum 1 pp)" in md
    assert "Minimum effect: 1 pp on pass rates" in md
    html = (out / "diff.html").read_text()
    assert "significant but below the minimum effect (-0.4 pp; minimum 1 pp)" in html
    data = json.loads((out / "diff.json").read_text())
    row = next(r for r in data["comparisons"][0]["rows"] if r["name"] == "next_step")
    assert row["verdict"] == "below minimum effect" and data["min_effect"] == {"pass_fail": 0.01}
    assert data["schema_version"] == 10 and load_diff(out / "diff.json").min_effect == {"pass_fail": 0.01}


@pytest.mark.parametrize("text, problem", [
    ("1", "expected a figure with its unit"), ("2 percent", "expected a figure with its unit"),
    ("-1pp", "from 0 to 100"), ("5pt", "from 0 to 4"), ("1pp,2pp", "pp given twice"), ("xpp", "expected a figure with its unit"), ("1e9pp", "from 0 to 100"),
])
def test_a_bad_minimum_is_a_one_line_error_naming_the_option(text, problem, tiny, capsys):
    with pytest.raises(ConfigError, match=problem):
        parse_min_effect(text)
    assert main(["diff", str(tiny[0]), str(tiny[1]), f"--min-effect={text}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("harness: error: --min-effect: ") and problem in err and "\n" not in err


def test_units_are_read_as_written():
    assert parse_min_effect("1pp") == MinEffect(rate=0.01)
    assert parse_min_effect(" 0.25 pt , 0.5pp") == MinEffect(rate=0.005, points=0.25)
    assert parse_min_effect("0.2points") == MinEffect(points=0.2)


def test_a_version_3_diff_json_still_reads(tiny, tmp_path):
    report = build_diff(*tiny)
    data = json.loads(report.model_dump_json())
    data["schema_version"] = 3
    del data["min_effect"]
    for comparison in data["comparisons"]:
        for row in comparison["rows"]:
            del row["left_out"]["samples_a"], row["left_out"]["samples_b"]
    (tmp_path / "diff.json").write_text(json.dumps(data))
    old = load_diff(tmp_path / "diff.json")
    assert old.schema_version == 3 and old.min_effect == {} and old.comparisons[0].rows[0].left_out.samples_b == 0
