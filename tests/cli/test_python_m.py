"""``python -m harness`` runs the same command as the installed ``harness`` script, and stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("litellm", "pydantic", "numpy", "yaml", "httpx", "jinja2", "torch", "transformers", "openai")


def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_python_m_harness_is_the_cli():
    version = _python("-m", "harness", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("harness ")
    bad = _python("-m", "harness", "validate", "no/such/eval.yaml")
    assert bad.returncode == 2 and "no/such/eval.yaml: file not found" in bad.stderr


def test_python_m_harness_help_imports_nothing_heavy():
    # runpy runs harness/__main__.py as __main__; the check reads sys.modules after --help has printed.
    code = ("import runpy, sys; sys.argv = ['harness', '--help']\n"
            "try:\n    runpy.run_module('harness', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}), file=sys.stderr)")
    done = _python("-c", code)
    assert "usage: harness" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
