"""applies_when: final_turn asks a criterion once per thread, at its last agent turn (a conversation-level
question), and always for a case that is no turn case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.datasets.conditions import applies
from harness.datasets.schema import Case
from harness.models.fake import clear_fakes, register_fake

THREADS = Path(__file__).resolve().parents[2] / "datasets" / "threads.jsonl"
RUBRIC = """id: conv
version: "1"
criteria:
  - id: resolved
    question: Over the whole conversation, did the agent leave the customer with a resolution?
    scale: pass_fail
    applies_when: final_turn
    levels: {pass: resolved, fail: not resolved}
  - id: tone
    question: Is the tone calm?
    scale: pass_fail
    levels: {pass: calm, fail: not calm}
"""


@pytest.fixture
def judged_run(tmp_path):
    rows = [json.loads(line) for line in THREADS.read_text(encoding="utf-8").splitlines()[:3]]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "r.yaml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "e.yaml").write_text(f"name: conv\ndataset: {tmp_path / 't.jsonl'}\nreplay: turns\ncandidates:\n"
                                     "  - name: v1\n    recorded: bot-v1\nchecks: []\n"
                                     f"judge:\n  model: fake/judge\n  rubric: {tmp_path / 'r.yaml'}\n", encoding="utf-8")
    register_fake("judge", lambda messages, config: '{"reason": "fine", "score": "pass"}')
    assert main(["run", str(tmp_path / "e.yaml"), "--out", str(tmp_path / "run"), "--quiet", "--no-cache"]) == 0
    yield [json.loads(line) for line in (tmp_path / "run" / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    clear_fakes()


def test_the_conversation_criterion_is_asked_at_each_thread_final_turn_only(judged_run):
    last = {}
    for record in judged_run:
        thread = record["case_id"].split("@")[0]
        last[thread] = max(last.get(thread, 0), record["turn_index"])
    for record in judged_run:
        final = record["turn_index"] == last[record["case_id"].split("@")[0]]
        assert record["judge"]["resolved"]["applicable"] is final
        assert record["judge"]["tone"]["applicable"] is True
    assert sum(r["judge"]["resolved"]["applicable"] for r in judged_run) == len(last)


def test_a_case_that_is_no_turn_case_is_its_thread_final_reply():
    case = Case(id="c1", turns=[{"role": "customer", "content": "Hello?"}])
    assert applies("final_turn", case)
    middle = case.model_copy(update={"metadata": {"turn_index": 1, "n_agent_turns": 3}})
    assert not applies("final_turn", middle)
    assert applies("final_turn", case.model_copy(update={"metadata": {"turn_index": 3, "n_agent_turns": 3}}))
