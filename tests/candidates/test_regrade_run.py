"""End to end: a run re-grading an earlier run's replies records them as replayed, `harness show` and
report.html say so, and a case that failed in the earlier run names that failure."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.cli.conftest import harness_cmd
from tests.cli.test_replies_from import records, write_project

REGRADE = textwrap.dedent("""\
    name: regrade
    dataset: cases.jsonl
    candidates:
      - {name: v1, replies_from: runs/first}
    checks: [no_contradiction]
    max_error_rate: 1  # c3 erred in the first run on purpose: its missing reply is what is tested
    """)


def _regraded(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "first.yaml", "--out", "runs/first", "--quiet", cwd=tmp_path).returncode == 0
    path = tmp_path / "runs/first/records.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:  # c3 ended in a rate limit in the first run
        if line["case_id"] == "c3":
            line.update(reply=None, reply_source=None, checks={},
                        error={"kind": "rate_limit", "message": "429 Too Many Requests", "attempts": 3})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "regrade.yaml").write_text(REGRADE)
    done = harness_cmd("run", "regrade.yaml", "--out", "runs/regrade", "--quiet", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return records(tmp_path / "runs/regrade")


def test_a_regraded_reply_is_recorded_as_replayed_and_a_failed_case_names_its_error(tmp_path):
    again = _regraded(tmp_path)
    assert again["c0"]["reply_source"] == "replayed"  # it said "recorded"
    assert again["c3"]["error"]["kind"] == "missing_recorded_reply"
    assert again["c3"]["error"]["message"] == ("run runs/first has no reply of candidate 'v1' to this case: the case "
                                               "ended in error rate_limit there (429 Too Many Requests)")
    shown = harness_cmd("show", "runs/regrade", "c0", cwd=tmp_path)
    assert "reply (replayed" in shown.stdout, shown.stdout
    assert "(replayed" in (tmp_path / "runs/regrade/report.html").read_text()


def test_a_regraded_record_names_the_run_its_reply_came_from(tmp_path):
    again = _regraded(tmp_path)
    assert again["c0"]["replayed_from"] == {"run": "runs/first", "candidate": "v1"}
    shown = harness_cmd("show", "runs/regrade", "c0", cwd=tmp_path)
    assert "reply (replayed from runs/first (v1)):" in shown.stdout
