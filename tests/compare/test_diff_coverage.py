"""harness diff says when a side left cases out, in the words harness history uses, whether the run was cut by
its eval file's own ``limit:`` (which the manifest records in ``eval_spec``, not in ``dataset.selection``, so
the diff used to present such a run as covering every case), by ``--limit``, or ran every case."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.cli.conftest import harness_cmd

EVAL_LIMIT = "the first 4 cases (limit: 4 in the eval file)"


def project(root: Path) -> Path:
    rows = [{"id": f"c{i}", "turns": [{"role": "customer", "content": f"Where is order {i}?"}],
             "recorded_replies": {"v1": "Sorry, it ships today.", "v2": "It ships today."}} for i in range(6)]
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    body = "dataset: cases.jsonl\ncandidates: [{name: v1, recorded: v1}, {name: v2, recorded: v2}]\n" \
           "checks: [no_contradiction]\n"
    (root / "full.yaml").write_text(body)
    (root / "lim.yaml").write_text("limit: 4\n" + body)
    (root / "big.yaml").write_text("limit: 40\n" + body)  # a limit above the dataset's size leaves nothing out
    for name, args in (("r_lim", ["lim.yaml"]), ("r_lim2", ["lim.yaml"]), ("r_full", ["full.yaml"]),
                       ("r_cli", ["full.yaml", "--limit", "4"]), ("r_big", ["big.yaml"])):
        done = harness_cmd("run", *args, "--out", name, "--quiet", cwd=root)
        assert done.returncode == 0, done.stderr
    return root


def diff(root: Path, a: str, b: str) -> tuple[str, str, dict, str]:
    out = root / f"d_{a}_{b}"
    done = harness_cmd("diff", a, b, "--out", out.name, cwd=root)
    assert done.returncode == 0, done.stderr
    return done.stderr, (out / "diff.md").read_text(), json.loads((out / "diff.json").read_text()), \
        (out / "diff.html").read_text()


def test_eval_file_limits_and_command_line_limits_are_named(tmp_path):
    root = project(tmp_path)
    stderr, md, data, html = diff(root, "r_lim", "r_lim2")  # both cut alike: nothing else says so
    assert data["a"]["selection"] == data["b"]["selection"] == EVAL_LIMIT
    assert f"cases: {EVAL_LIMIT})" in md and f"· cases: {EVAL_LIMIT}</dd>" in html
    note = (f"A ({EVAL_LIMIT}) and B ({EVAL_LIMIT}) are partial runs: the diff covers only the cases both runs "
            "hold, not every case of the dataset")
    assert f"harness: note: {note}" in stderr and note in md

    stderr, md, data, _ = diff(root, "r_cli", "r_full")
    assert data["a"]["selection"] == "--limit 4" and data["b"]["selection"] is None
    assert "cases: --limit 4)" in md and "cases: every case)" in md
    assert ("A (--limit 4, 4 of 6 cases) is a partial run; B ran every case: the diff covers only the cases "
            "both runs hold") in stderr

    stderr, md, data, _ = diff(root, "r_full", "r_lim")
    assert f"B ({EVAL_LIMIT}) is a partial run; A ran every case" in stderr


def test_complete_runs_say_nothing_of_coverage(tmp_path):
    root = project(tmp_path)
    stderr, md, data, html = diff(root, "r_full", "r_big")
    assert data["a"]["selection"] is None and data["b"]["selection"] is None
    assert "partial run" not in stderr + md + html
    assert "cases: " not in md.split("## ")[0] and "cases: " not in html.split("<section")[0]
