"""Length and the judge in diffs: each side's verbosity notices, and the length-gap note."""

from __future__ import annotations

import json

from harness.compare import DiffOptions, build_diff, write_diff
from harness.compare.lengths import LENGTH_RATIO, length_gap_note, run_probes
from harness.scoring.schema import VerbosityProbe
from harness.scoring.scorecard import build_scorecard, write_scorecard
from harness.records.store import iter_records, read_manifest
from tests.compare.runs import crit, rec, write_run

N = 20


def _records(candidate: str, *, extra: int, follow_length: bool) -> list:
    """Replies of growing length; the empathy score rises with length when ``follow_length``."""
    out = []
    for i in range(N):
        reply = "x" * (40 + 5 * i + extra)
        empathy = 1 + i * 4 // N if follow_length else 1 + (i * 7) % 5
        out.append(rec(f"c{i:02d}", candidate, reply=reply, judge={"empathy": crit(empathy), "policy": crit(1.0)}))
    return out


def test_each_sides_verbosity_notice_and_the_length_gap_reach_every_output(tmp_path):
    a = write_run(tmp_path / "A", _records("bot", extra=0, follow_length=True))
    b = write_run(tmp_path / "B", _records("bot", extra=120, follow_length=True))
    report = build_diff(a, b)
    side_notes = [n for n in report.notices if "verbosity: judge scores on empathy rise" in n]
    assert [n.split(":")[0] for n in side_notes] == ["run A", "run B"]
    gap = [n for n in report.notices if n.startswith("length:")]
    assert len(gap) == 1
    assert "bot (A) replies average 88 characters and bot (B) 208" in gap[0] and "longer in B" in gap[0]
    assert "empathy (rho +" in gap[0] and "policy" not in gap[0]
    paths = write_diff(report, tmp_path / "diff")
    for fmt in ("md", "html"):
        text = paths[fmt].read_text()
        assert "judge scores on empathy rise with reply length" in text and "may be length, not quality" in text
    assert gap[0] in json.loads(paths["json"].read_text())["notices"]


def test_no_length_note_when_lengths_are_close_or_the_judge_ignores_length(tmp_path):
    a = write_run(tmp_path / "A", _records("bot", extra=0, follow_length=True))
    close = write_run(tmp_path / "close", _records("bot", extra=10, follow_length=True))
    report = build_diff(a, close)
    assert not any(n.startswith("length:") for n in report.notices)
    assert sum("verbosity:" in n for n in report.notices) == 2  # the sides' own notices still show
    flat_a = write_run(tmp_path / "flatA", _records("bot", extra=0, follow_length=False))
    flat_b = write_run(tmp_path / "flatB", _records("bot", extra=300, follow_length=False))
    assert not any("verbosity" in n or n.startswith("length:") for n in build_diff(flat_a, flat_b).notices)


def test_within_one_run_the_notice_appears_once(tmp_path):
    records = _records("v1", extra=0, follow_length=True) + _records("v2", extra=200, follow_length=True)
    run = write_run(tmp_path / "run", records)
    report = build_diff(run, options=DiffOptions(pair=("v1", "v2")))
    assert [n.split(":")[0] for n in report.notices if "verbosity:" in n] == ["run A = B"]
    assert any(n.startswith("length: v1 (A)") for n in report.notices)


def test_probes_come_from_the_scorecard_when_the_run_has_one(tmp_path):
    run = write_run(tmp_path / "A", _records("bot", extra=0, follow_length=True))
    computed = run_probes(run, ["empathy", "policy"])
    assert computed["empathy"].rho > 0.9 and computed["empathy"].n == N
    card = build_scorecard(iter_records(run), read_manifest(run))
    card.verbosity = {"empathy": VerbosityProbe(rho=-0.5, n=40)}
    write_scorecard(run, card)
    assert run_probes(run, ["empathy"])["empathy"].rho == -0.5


def test_length_gap_note_threshold():
    probes = {"empathy": VerbosityProbe(rho=0.6, n=30)}
    just_under = [100], [int(100 * LENGTH_RATIO) - 1]
    assert length_gap_note(("a", "b"), just_under, probes, {}) is None
    assert "longer in A" in length_gap_note(("a", "b"), ([200], [100]), probes, {})
    assert length_gap_note(("a", "b"), ([200], [100]), {"e": VerbosityProbe(rho=0.6, n=9)}, {}) is None
    assert length_gap_note(("a", "b"), ([], [1]), probes, probes) is None
