"""`harness diff` end to end: two real runs of the shipped dataset, one with a planted regression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "complaints.jsonl"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run A replays bot-v1; run B replays bot-v1 with " Calm down." appended on every third case."""
    root = tmp_path_factory.mktemp("diffcli")
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    planted = []
    for index, row in enumerate(rows):
        reply = row["recorded_replies"]["bot-v1"]
        if index % 3 == 0:
            planted.append(row["id"])
            reply = reply.rstrip() + " Calm down."
        row["recorded_replies"]["planted"] = reply
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for name, version in (("a", "bot-v1"), ("b", "planted")):
        (root / f"{name}.yaml").write_text(f"name: {name}\ndataset: {root / 'data.jsonl'}\ncandidates:\n"
                                           f"  - name: bot\n    recorded: {version}\n"
                                           f"  - name: v2\n    recorded: bot-v2\nchecks: all\n")
        assert main(["run", str(root / f"{name}.yaml"), "--out", str(root / name.upper()), "--quiet"]) == 0
    return root, planted


def test_diff_flags_exactly_the_planted_regression(runs, capsys):
    root, planted = runs
    out = root / "diff"
    assert main(["diff", str(root / "A"), str(root / "B"), "--out", str(out), "--format", "md,json,html"]) == 0
    assert "diff.html" in capsys.readouterr().out
    report = json.loads((out / "diff.json").read_text())
    bot = next(c for c in report["comparisons"] if c["candidate_a"] == "bot")
    flagged = {r["name"]: r for r in bot["rows"] if r["verdict"] != "no detectable change"}
    assert list(flagged) == ["positive_language"]
    row = flagged["positive_language"]
    assert row["verdict"] == "regressed" and row["ci"]["hi"] < 0 and row["p_holm"] < 0.05
    moved = {c["case_id"] for c in row["changes"]}
    assert moved <= set(planted) and len(moved) >= 15
    assert row["ci"]["lo"] <= -len(moved) / 70 <= row["ci"]["hi"]
    # the unchanged candidate shows no change anywhere
    v2 = next(c for c in report["comparisons"] if c["candidate_a"] == "v2")
    assert all(r["verdict"] == "no detectable change" and not r["changes"] for r in v2["rows"])
    md = (out / "diff.md").read_text()
    assert "positive_language (check) regressed" in md and len(md) < 60_000


def test_diff_prints_markdown_without_out_and_pairs_within_a_run(runs, capsys):
    root, _ = runs
    assert main(["diff", str(root / "A"), "--pair", "bot=v2"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Diff") and "next_step (check)" in text and "▼ regressed" in text


def test_diff_refuses_incomparable_runs_with_exit_2(runs, tmp_path, capsys):
    root, _ = runs
    changed = tmp_path / "B"
    changed.mkdir()
    for name in ("records.jsonl", "cases.jsonl"):
        (changed / name).write_text((root / "B" / name).read_text())
    manifest = json.loads((root / "B" / "manifest.json").read_text())
    manifest["checks"]["positive_language"] = "999"
    (changed / "manifest.json").write_text(json.dumps(manifest))
    assert main(["diff", str(root / "A"), str(changed)]) == 2
    err = capsys.readouterr().err
    assert "not comparable" in err and "check positive_language version differs" in err and "999" in err
    assert main(["diff", str(root / "A"), str(changed), "--allow-incomparable", "--out", str(tmp_path / "d")]) == 0
    assert "NOT comparable" in capsys.readouterr().err
    assert "NOT comparable" in (tmp_path / "d" / "diff.md").read_text()


@pytest.mark.parametrize("argv,message", [
    (["--pair", "bot"], "--pair: expected LEFT=RIGHT"),
    (["--format", "pdf"], "--format: unknown format pdf"),
])
def test_diff_usage_errors_exit_2(runs, capsys, argv, message):
    root, _ = runs
    assert main(["diff", str(root / "A"), str(root / "B"), *argv]) == 2
    assert message in capsys.readouterr().err


def test_diff_of_a_missing_run_exits_2(tmp_path, capsys):
    assert main(["diff", str(tmp_path / "nope"), str(tmp_path / "nope2")]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_schema_command_prints_the_diff_schema(capsys):
    assert main(["schema", "diff"]) == 0
    assert "DiffReport" in capsys.readouterr().out


def test_without_out_one_format_is_printed_and_several_are_refused(runs, capsys):
    root, _ = runs
    # --format json without --out printed Markdown, silently.
    assert main(["diff", str(root / "A"), str(root / "B"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["comparisons"]
    assert main(["diff", str(root / "A"), str(root / "B")]) == 0
    assert capsys.readouterr().out.startswith("#")
    assert main(["diff", str(root / "A"), str(root / "B"), "--format", "md,json"]) == 2
    assert "--format: several formats go to files: add --out DIR" in capsys.readouterr().err
