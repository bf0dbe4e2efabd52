"""diff.md's flip lists and drop/rise lists: one order both ways (ascending case id on ties), one truncation."""

from __future__ import annotations

from harness.compare import build_diff, write_diff
from harness.report.diff_markdown import MAX_CASES
from tests.compare.runs import chk, crit, rec, write_run

N_CASES = 70


def _records(candidate: str, side: str) -> list:
    """next_step: c000-c019 pass -> fail, c050-c069 fail -> pass; empathy: c000-c006 4 -> 2, c060-c066 3 -> 5."""
    out = []
    for i in range(N_CASES):
        passed = (i >= 20) if side == "b" else (i < 50)
        empathy = 4 if i < 7 else 3
        if side == "b":
            empathy = 2 if i < 7 else 5 if 60 <= i < 67 else empathy
        out.append(rec(f"c{i:03d}", candidate, checks={"apology_wording": chk(True), "next_step": chk(passed),
                                                       "no_contradiction": chk(True)},
                       judge={"empathy": crit(empathy), "policy": crit(1.0)}))
    return out


def test_flip_lists_run_by_ascending_case_id_both_ways_and_keep_the_lowest_ids(tmp_path):
    report = build_diff(write_run(tmp_path / "a", _records("bot", "a")), write_run(tmp_path / "b", _records("bot", "b")))
    md = write_diff(report, tmp_path / "d", ["md"])["md"].read_text()
    down = ", ".join(f"c{i:03d}" for i in range(MAX_CASES))
    up = ", ".join(f"c{i:03d}" for i in range(50, 50 + MAX_CASES))
    assert (f"**next_step**: pass→fail 20: {down} … and 8 more (see diff.json); "
            f"fail→pass 20: {up} … and 8 more (see diff.json)") in md
    rises = ", ".join(f"c{i:03d} 3→5" for i in range(60, 65))
    drops = ", ".join(f"c{i:03d} 4→2" for i in range(0, 5))
    assert f"**empathy**: largest drops {drops}; largest rises {rises}" in md
