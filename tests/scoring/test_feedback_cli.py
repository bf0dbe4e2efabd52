"""`feedback:` from the eval file to the run's outputs: validated like breakdowns, warned of, never fatal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _harness(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _project(root: Path, feedback: str) -> Path:
    rows = [{"id": f"k{i}", "turns": [{"role": "customer", "content": "my order is late"}],
             "recorded_replies": {"v1": "Sorry for any inconvenience." if i % 2 else
                                  "I'm sorry your order is late. I've sent a replacement today."},
             "metadata": {"csat": "n/a" if i == 3 else str(1 + i % 5), "thumbs": "up" if i % 2 == 0 else "down"}}
            for i in range(24)]
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: fb
        dataset: cases.jsonl
        candidates:
          - {{name: v1, recorded: v1}}
        checks: [apology_wording, next_step]
        feedback: {feedback}
        """))
    return root / "eval.yaml"


def test_validate_warns_of_a_key_no_case_has_with_did_you_mean_and_passes(tmp_path: Path) -> None:
    _project(tmp_path, "[metadata.csta]")
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("eval.yaml:6: feedback[0]: no case of cases.jsonl has a value at metadata.csta (the cases have "
            "metadata.csat, metadata.thumbs); did you mean metadata.csat?") in result.stderr


def test_values_that_are_no_number_are_listed_once_with_their_case_ids(tmp_path: Path) -> None:
    _project(tmp_path, "[metadata.csat]")
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.count("not a number") == 1
    assert ("feedback[0]: metadata.csat: 1 of the 24 values is not a number and is left out of its mean, counted as "
            "missing: 'n/a' (k3)") in result.stderr


def test_an_entry_that_is_no_metadata_field_is_refused_at_its_line(tmp_path: Path) -> None:
    eval_path = _project(tmp_path, "[]")
    eval_path.write_text(eval_path.read_text().replace("feedback: []", "feedback:\n  - metadata.csat\n  - csat"))
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert result.returncode != 0
    assert "eval.yaml:8: feedback[1]: 'csat': feedback is a metadata field of the case" in result.stderr


def test_a_run_writes_the_section_in_every_output_and_says_the_warning_first(tmp_path: Path) -> None:
    _project(tmp_path, "[metadata.csat, metadata.thumbs=up, metadata.cast]")
    result = _harness("run", "eval.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "feedback[2]: no case of cases.jsonl has a value at metadata.cast" in result.stderr
    out = tmp_path / "out"
    assert json.loads((out / "manifest.json").read_text())["dataset"]["feedback"]["metadata.thumbs"]["up"][0] == "k0"
    card = json.loads((out / "scorecard.json").read_text())["feedback"]
    keys = card["candidates"]["v1"]["keys"]
    assert [k["key"] for k in keys] == ["metadata.csat", "metadata.thumbs=up", "metadata.cast"]
    assert keys[2]["summary"]["n_missing"] == 24
    assert "### Customer feedback" in (out / "scorecard.md").read_text()
    assert '<h2 id="feedback">Customer feedback</h2>' in (out / "report.html").read_text()
    # Made again from the run directory alone (the manifest holds the values): the same section.
    again = _harness("report", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "scorecard.json").read_text())["feedback"] == card


def test_the_shipped_example_validates_and_runs_offline(tmp_path: Path) -> None:
    result = _harness("run", str(REPO / "evals" / "prod-feedback.yaml"), "--out", str(tmp_path / "out"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text())["feedback"]["candidates"]["prod"]
    csat = card["keys"][0]
    assert csat["summary"]["not_numeric"] == {"n/a": ["conv019"]}
    step = next(a for a in csat["agreement"] if a["measure"] == "next_step")
    assert step["difference_ci"]["lo"] > 0


def test_a_named_value_no_case_holds_is_warned_of_with_did_you_mean(tmp_path: Path) -> None:
    # =Up is up since case is folded (review s23): a value no case holds in any case is still warned of.
    _project(tmp_path, "[metadata.thumbs=upp]")
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert ("feedback[0]: no case has metadata.thumbs = 'upp'; did you mean up? (its values: down, up): its share "
            "will read 0") in result.stderr
