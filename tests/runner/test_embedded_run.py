"""The offline default end to end: the real embedded model answers a complaint and judges the replies."""

import json
import textwrap

import pytest

from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval

pytestmark = pytest.mark.embedded


def test_embedded_model_as_candidate_and_judge(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    repo = __import__("pathlib").Path(__file__).resolve().parents[2]
    (tmp_path / "eval.yaml").write_text(textwrap.dedent(f"""\
        dataset: {repo / 'datasets' / 'complaints.jsonl'}
        limit: 1
        candidates:
          - name: bot-v2
            recorded: bot-v2
          - name: gemma
            model: embedded/gemma-3-270m
            prompt: {repo / 'evals' / 'prompts' / 'polite-agent.jinja'}
            params: {{max_tokens: 40}}
        judge:
          model: embedded/gemma-3-270m
          rubric: {repo / 'rubrics' / 'support-reply.yaml'}
          criteria: [apology_quality, no_contradiction]
        """))
    result = run_eval(tmp_path / "eval.yaml", RunOptions(out=tmp_path / "out"))
    records = {r.candidate: r for r in iter_records(result.run_dir)}
    assert set(records) == {"bot-v2", "gemma"}
    assert records["gemma"].reply and records["gemma"].reply_source == "model"
    for record in records.values():
        assert record.error is None
        for verdict in record.judge.values():
            # A verdict is a score on the criterion's scale with a reason, or an explicit error.
            assert (verdict.score in {1, 2, 3, 4, 5} or verdict.score in {0.0, 1.0}) or verdict.error is not None
    scorecard = json.loads((result.run_dir / "scorecard.json").read_text())
    assert any("no better than chance" in notice for notice in scorecard["notices"])
    assert "no better than chance" in (result.run_dir / "scorecard.md").read_text()
