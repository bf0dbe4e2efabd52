"""`harness diff` with several pairs: one directory, a headline per pair, then the notes; the exit code."""

from __future__ import annotations

import subprocess
import sys

from tests.compare.runs import chk, crit, manifest, rec, write_run


def _records(candidate: str, worse: bool = False) -> list:
    reply = "Sorry, we will call." if worse else "Sorry about order 7, we call today."
    return [rec(f"c{i:02d}", candidate, reply=reply,
                checks={"apology_wording": chk(not (worse and i < 8)), "next_step": chk(True),
                        "no_contradiction": chk(True)},
                judge={"empathy": crit(2 if worse and i < 8 else 5), "policy": crit(1.0)}) for i in range(10)]


def _diff(*args: str, cwd) -> subprocess.CompletedProcess:
    # stderr merged into stdout: the order a nightly log shows
    return subprocess.run([sys.executable, "-m", "harness.cli.main", "diff", *args], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)


def test_several_pairs_in_one_diff_headlines_then_notes(tmp_path):
    man = manifest(("v1", "v2", "v3"))
    man.notices = ["an informational notice of the run"]
    write_run(tmp_path / "multi", _records("v1") + _records("v2", worse=True) + _records("v3"), man)
    done = _diff("multi", "--pair", "v1=v2", "--pair", "v1=v3", "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    out = done.stdout
    first, second = out.index("v1 (A) → v2 (B): "), out.index("v1 (A) → v3 (B): ")
    assert first < second < out.index("harness: note: an informational notice of the run")
    assert "  usage (A → B): reply words 7 → 4 (−43%)\n" in out  # no call made: no cost to show
    html = (tmp_path / "d" / "diff.html").read_text(encoding="utf-8")
    assert '<a href="#c0">' in html and '<a href="#c1">' in html
    same = _diff("multi", "--baseline-candidate", "v1", "--out", "d2", cwd=tmp_path)
    assert same.returncode == 0 and "v1 (A) → v3 (B): " in same.stdout
    both = _diff("multi", "--pair", "v1=v2", "--baseline-candidate", "v1", cwd=tmp_path)
    assert both.returncode == 2 and "give one of them" in both.stdout


def test_a_pair_given_twice_is_compared_once_and_said(tmp_path):
    write_run(tmp_path / "multi", _records("v1") + _records("v2", worse=True), manifest(("v1", "v2")))
    done = _diff("multi", "--pair", "v1=v2", "--pair", "v1=v2", "--out", "d", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "harness: note: --pair v1=v2 given more than once: each pair is compared once" in done.stdout
    assert done.stdout.count("v1 (A) → v2 (B):") == 1
    once = _diff("multi", "--pair", "v1=v2", "--out", "d2", cwd=tmp_path)
    assert "given more than once" not in once.stdout
