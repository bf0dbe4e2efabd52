"""The installed ``harness`` command: its entry point, exit codes, and that it ends without losing output."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_console_script_points_at_the_cli_entry():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["harness"].partition(":")
    assert getattr(import_module(module), name).__name__ == "cli_entry"


def _entry(*args: str) -> subprocess.CompletedProcess:
    code = f"import sys; sys.argv = ['harness', *{list(args)!r}]; from harness.cli.main import cli_entry; cli_entry()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_entry_exits_with_mains_code_and_prints_everything():
    ok = _entry("--version")
    assert ok.returncode == 0 and ok.stdout.startswith("harness ")
    bad = _entry("validate", "no/such/eval.yaml")
    assert bad.returncode == 2 and "no/such/eval.yaml: file not found" in bad.stderr


def test_entry_writes_a_whole_run(tmp_path):
    eval_file = tmp_path / "eval.yaml"
    eval_file.write_text(f"name: entry\ndataset: {ROOT / 'datasets' / 'complaints.jsonl'}\n"
                         "candidates:\n  - name: bot-v1\n    recorded: bot-v1\nchecks: all\n")
    out = tmp_path / "run"
    done = _entry("run", str(eval_file), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    records = (out / "records.jsonl").read_text().splitlines()
    assert len(records) == 70
    assert json.loads((out / "scorecard.json").read_text())["candidates"]["bot-v1"]
    assert (out / "report.html").read_text().rstrip().endswith("</html>")
    assert (out / "junit.xml").read_text().rstrip().endswith("</testsuites>")
