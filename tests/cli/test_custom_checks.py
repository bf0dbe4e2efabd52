"""Checks written in the eval file, end to end: run, records, scorecard, gates, validate, diff."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.cli.conftest import harness_cmd

ROWS = [
    {"id": "a", "turns": [{"role": "customer", "content": "Where is order #12345?"}],
     "recorded_replies": {"v1": "Sorry! Order #12345 ships today. ^JD", "v2": "Try Globex, they are faster."}},
    {"id": "b", "turns": [{"role": "customer", "content": "I can't decide"}], "persona": "indecisive",
     "recorded_replies": {"v1": "Which size would you like? ^JD", "v2": "Pick one."}},
]


def write_project(root: Path, extra: str = "") -> Path:
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (root / "house.py").write_text("def signed(ctx):\n    return ctx.reply.rstrip().endswith('^JD')\n"
                                   # crashes on case a only: a check crashing on every record would leave the run
                                   # incomplete (exit 3, tests/nightly/test_crashed_checks.py)
                                   "def crashes(ctx):\n    if ctx.case.id == 'a':\n        raise ValueError('bad day')\n"
                                   "    return True\n")
    (root / "eval.yaml").write_text(textwrap.dedent("""\
        name: custom
        dataset: cases.jsonl
        candidates:
          - {name: v1, recorded: v1}
          - {name: v2, recorded: v2}
        checks:
          - no_contradiction
          - {name: no_competitors, type: not_contains, value: [Globex, Initech]}
          - {name: asks_when_unsure, type: regex, value: '\\?', applies_when: question_expected}
          - {name: signed, type: python, value: house.py:signed}
          - {name: crashes, type: python, value: house.py:crashes}
        max_error_rate: 1  # `crashes` crashes on purpose: its gate and notices are tested, not the error share
        """) + extra)
    return root / "eval.yaml"


def test_custom_checks_run_into_records_scorecard_and_gates(tmp_path):
    write_project(tmp_path, "gates:\n  checks:\n    no_competitors: {min: 1.0}\n")
    done = harness_cmd("run", "eval.yaml", "--out", "run1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # v2 names a competitor: the gate fails
    records = [json.loads(line) for line in (tmp_path / "run1" / "records.jsonl").read_text().splitlines()]
    by = {(r["candidate"], r["case_id"]): r["checks"] for r in records}
    assert list(by["v1", "a"]) == ["no_contradiction", "no_competitors", "asks_when_unsure", "signed", "crashes"]
    assert by["v1", "a"]["no_competitors"]["passed"] is True
    found = by["v2", "a"]["no_competitors"]
    assert found["passed"] is False and found["evidence"][0]["text"] == "Globex"
    assert by["v1", "a"]["asks_when_unsure"]["passed"] is None  # not an indecisive case
    assert by["v1", "b"]["asks_when_unsure"]["passed"] is True and by["v2", "b"]["asks_when_unsure"]["passed"] is False
    assert by["v1", "b"]["signed"]["passed"] is True and by["v2", "b"]["signed"]["passed"] is False
    crash = by["v1", "a"]["crashes"]
    assert crash["passed"] is None and crash["data"]["error"] == "check_crashed" and "bad day" in crash["detail"]
    manifest = json.loads((tmp_path / "run1" / "manifest.json").read_text())
    assert manifest["checks"]["signed"].startswith("custom-")
    scorecard = json.loads((tmp_path / "run1" / "scorecard.json").read_text())
    v2 = scorecard["candidates"]["v2"]["checks"]
    assert v2["no_competitors"]["pass_rate"]["rate"] == 0.5
    assert scorecard["candidates"]["v1"]["checks"]["crashes"]["n_crashed"] == 1
    summary = (tmp_path / "run1" / "scorecard.md").read_text()
    crashes = next(line for line in summary.splitlines() if line.startswith("| crashes (pass rate)"))
    assert "1 crashed" in crashes and "n/a" not in crashes
    asks = next(line for line in summary.splitlines() if line.startswith("| asks_when_unsure (pass rate)"))
    assert "1 n/a" in asks and "crashed" not in asks
    assert "gate failed: min check no_competitors [v2]" in done.stderr
    assert "no_competitors" in (tmp_path / "run1" / "report.html").read_text()


def test_validate_reports_a_custom_check_error_with_its_line(tmp_path):
    write_project(tmp_path)
    text = (tmp_path / "eval.yaml").read_text().replace("house.py:signed", "house.py:missing_fn")
    (tmp_path / "eval.yaml").write_text(text)
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("eval.yaml:10: checks[3].value: house.py has no function missing_fn")


def test_a_changed_custom_check_makes_runs_incomparable(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "eval.yaml", "--out", "run1", cwd=tmp_path).returncode == 0
    assert harness_cmd("run", "eval.yaml", "--out", "run1b", cwd=tmp_path).returncode == 0
    assert harness_cmd("diff", "run1", "run1b", "--out", "d0", cwd=tmp_path).returncode == 0
    (tmp_path / "house.py").write_text("def signed(ctx):\n    return True\ndef crashes(ctx):\n    return None\n")
    assert harness_cmd("run", "eval.yaml", "--out", "run2", cwd=tmp_path).returncode == 0
    done = harness_cmd("diff", "run1", "run2", "--out", "d1", cwd=tmp_path)
    assert done.returncode == 2 and "signed" in done.stderr, done.stderr


def test_resume_refuses_a_changed_check_file(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", cwd=tmp_path).returncode == 0
    # As if interrupted: drop the last two records, then change a check file before resuming.
    records = tmp_path / "r" / "records.jsonl"
    records.write_text("".join(records.read_text().splitlines(keepends=True)[:2]))
    (tmp_path / "house.py").write_text("def signed(ctx):\n    return True\ndef crashes(ctx):\n    return None\n")
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--resume", "--quiet", cwd=tmp_path)
    assert done.returncode == 2 and "the checks (a check's version" in done.stderr, done.stderr
    assert len(records.read_text().splitlines()) == 2  # nothing was added


def test_a_crashing_check_fails_its_gate_shows_in_ci_outputs_and_is_rerun_by_failing(tmp_path):
    write_project(tmp_path, "gates:\n  checks:\n    crashes: {min: 0.5}\n")
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 1 and "min check crashes [v1]: the check crashed on 1 record " in done.stderr
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert "the check crashed on 1 record " in summary and "- `a`: check crashes" in summary
    assert "crashes crashed" in (tmp_path / "r" / "junit.xml").read_text()
    # Case a crashed the check and case b fails v2's checks, so both cases are rerun once the check is fixed.
    (tmp_path / "house.py").write_text("def signed(ctx):\n    return True\ndef crashes(ctx):\n    return True\n")
    again = harness_cmd("run", "eval.yaml", "--out", "r2", "--quiet", "--failing", "r", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len((tmp_path / "r2" / "records.jsonl").read_text().splitlines()) == 4
