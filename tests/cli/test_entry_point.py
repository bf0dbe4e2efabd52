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


def _crashing_entry(tmp_path: Path, debug: bool = False) -> subprocess.CompletedProcess:
    code = ("import sys; sys.argv = ['harness', 'history']; import harness.cli.main as m\n"
            "def boom(args): raise RuntimeError('the index went away\\nsecond line')\n"
            "m._dispatch = boom; m.cli_entry()")
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), **({"HARNESS_DEBUG": "1"} if debug else {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)


def test_a_bug_exits_4_with_one_line_not_1_which_ci_reads_as_a_failed_gate(tmp_path):
    crashed = _crashing_entry(tmp_path)
    assert crashed.returncode == 4
    lines = crashed.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0]
    assert "RuntimeError: the index went away" in lines[0] and "second line" not in lines[0]
    saved = list(tmp_path.glob("harness-crash-*.txt"))
    assert len(saved) == 1 and str(saved[0]) in lines[0]
    assert "Traceback" in saved[0].read_text() and "boom" in saved[0].read_text()


def test_harness_debug_prints_the_traceback_instead(tmp_path):
    crashed = _crashing_entry(tmp_path, debug=True)
    assert crashed.returncode == 4 and "Traceback" in crashed.stderr
    assert not list(tmp_path.glob("harness-crash-*.txt"))


def test_the_internal_error_line_and_traceback_file_are_redacted(tmp_path):
    code = ("import sys; sys.argv = ['harness', 'history']; import harness.cli.main as m\n"
            "from harness.records.redaction import register_secret_env\n"
            "register_secret_env('CANARY_KEY')\n"
            "def boom(args): raise ZeroDivisionError('bad key zq7CanaryValue9x8y7w6v5u in a header')\n"
            "m._dispatch = boom; m.cli_entry()")
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "CANARY_KEY": "zq7CanaryValue9x8y7w6v5u"}
    crashed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                             env=env)
    assert crashed.returncode == 4 and "[REDACTED]" in crashed.stderr
    assert "zq7Canary" not in crashed.stderr
    [saved] = tmp_path.glob("harness-crash-*.txt")
    assert "zq7Canary" not in saved.read_text()
