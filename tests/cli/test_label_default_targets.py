"""harness label with neither --criteria nor --checks: what the run has, said in one line (fix_s23c)."""

from __future__ import annotations

import json

from tests.cli.conftest import harness_cmd


def _checks_only_run(root) -> None:
    cases = [{"id": "x", "turns": [{"role": "customer", "content": "My order is late!"}],
              "recorded_replies": {"v1": "Ok."}},
             {"id": "y", "turns": [{"role": "customer", "content": "My order is late!"}],
              "recorded_replies": {"v1": "I'm sorry your order is late. I've refunded the shipping fee."}}]
    (root / "d.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    (root / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v1, recorded: v1}]\n"
                                 "checks: [apology_wording, next_step]\n")
    assert harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=root).returncode == 0


def test_failing_on_a_checks_only_run_asks_about_its_failing_checks(tmp_path):
    _checks_only_run(tmp_path)
    records = [json.loads(line) for line in (tmp_path / "r" / "records.jsonl").read_text().splitlines()]
    failing = sorted((r["case_id"], name) for r in records for name, c in r["checks"].items() if c["passed"] is False)
    assert failing, "the fixture needs a failing check"
    done = harness_cmd("label", "r", "--labels", "l.jsonl", "--labeller", "ana", "--failing", cwd=tmp_path,
                       input="f\n" * len(failing))
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "labelling" in line]
    assert said == ["harness: labelling the checks of r (apology_wording, next_step): it has no judge criteria; "
                    "name --checks to label some of them"]
    assert f"labelled {len(failing)} " in done.stdout
    written = sorted((row["case_id"], row["check"]) for row in map(json.loads, (tmp_path / "l.jsonl").open()))
    assert written == failing


def test_a_run_with_criteria_says_it_labels_them(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    done = harness_cmd("label", "r", "--labels", "l.jsonl", "--labeller", "ana", cwd=root, input="q\n")
    assert done.returncode == 0, done.stderr
    assert ("harness: labelling the judge criteria of r (acknowledgement, policy_compliance); name --checks to "
            "label checks") in done.stderr
