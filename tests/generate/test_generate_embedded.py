"""The offline default end to end: the real embedded model writes two generations from the shipped seeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli.main import main

pytestmark = pytest.mark.embedded
REPO = Path(__file__).resolve().parents[2]


def test_two_generations_on_the_embedded_model(tmp_path, capsys):
    out = tmp_path / "gen.jsonl"
    code = main(["generate", "--count", "2", "--max-asks", "2", "--seeds", str(REPO / "datasets" / "complaints.jsonl"),
                 "--cache", str(tmp_path / "c.sqlite"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == (0 if out.exists() else 3)  # the weak model's two complaints may both be refused
    assert "270M-parameter model" in err  # said, as every scorecard of it says
    counts = re.search(r"(\d+) asked, (\d+) kept of 2 wanted", err)
    assert counts and counts.group(1) == "2"
    cases = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    assert len(cases) == int(counts.group(2))
    assert all(case["metadata"]["generated"]["by"] == "embedded/gemma-3-270m" for case in cases)
    assert not cases or main(["validate", str(out)]) == 0
