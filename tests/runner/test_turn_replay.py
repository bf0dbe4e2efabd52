"""Turn-level replay end to end with fake models: cases per agent turn, what the responder and judge saw,
recorded candidates at earlier turns, records, scorecard, report, diff, and the eval-file setting."""

import json
from pathlib import Path

import pytest

from harness.cli.validation import validate_paths
from harness.compare.diff import DiffOptions, build_diff
from harness.config.evalfile import load_eval
from harness.datasets.turns import REPLAY_CAVEAT
from harness.errors import ConfigError, UserError
from harness.records.store import iter_records
from harness.runner.engine import RunOptions, run_eval
from harness.scoring.scorecard import load_scorecard

C1 = "@netwave my internet has been down since monday"
A1 = "Sorry for any inconvenience. Have you restarted the router? ^TB"
C2 = "obviously. 3 times. I work from home"
A2 = "You have to book an engineer in the app. ^TB"
C3 = "seriously?? just send someone"

THREADS = [
    {"id": "t1", "persona": "angry", "category": "telecom",
     "turns": [{"role": "customer", "content": C1},
               {"role": "agent", "content": A1, "author": "v1",
                "replies": {"v2": "I apologize that you've been offline since Monday. Is it every device?"}},
               {"role": "customer", "content": C2},
               {"role": "agent", "content": A2, "author": "v1"},  # v2 has no reply recorded here
               {"role": "customer", "content": C3}],
     "recorded_replies": {"v1": "An engineer can be booked via the app.",
                          "v2": "I apologize. I've booked an engineer for Thursday 8-12."},
     "context": {"max_credit": 30}},
    {"id": "t2", "persona": "abusive", "category": "billing",
     "turns": [{"role": "customer", "content": "you thieves charged me twice"}],
     "recorded_replies": {"v1": "Our records show one charge.", "v2": "I apologize for the double charge."}},
]

EVAL = """\
name: replay
dataset: threads.jsonl
replay: turns
candidates:
  - name: v1
    recorded: v1
  - name: v2
    recorded: v2
  - name: deployed
    recorded: thread
  - name: polite
    model: fake/responder
    prompt: "You are a {{ category }} agent (turn {{ metadata.turn_index }} of {{ metadata.n_agent_turns }})."
checks: all
judge:
  model: fake/judge
  rubric: rubric.yaml
  criteria: [apology_quality]
"""


@pytest.fixture
def threads_project(project):
    root = project["dir"]
    (root / "threads.jsonl").write_text("".join(json.dumps(t) + "\n" for t in THREADS))
    (root / "replay.yaml").write_text(EVAL)
    return project


@pytest.fixture
def replay_run(threads_project):
    result = run_eval("replay.yaml", RunOptions(out=threads_project["dir"] / "out"))
    records = {(r.case_id, r.candidate): r for r in iter_records(result.run_dir)}
    return {**threads_project, "result": result, "records": records}


def test_one_record_per_agent_turn_and_candidate_with_turn_index(replay_run):
    records = replay_run["records"]
    assert {case for case, _ in records} == {"t1@t1", "t1@t2", "t1@t3", "t2@t1"}
    assert len(records) == 4 * 4
    assert {(case, r.turn_index) for (case, _), r in records.items()} == {
        ("t1@t1", 1), ("t1@t2", 2), ("t1@t3", 3), ("t2@t1", 1)}
    cases = [json.loads(line) for line in (replay_run["result"].run_dir / "cases.jsonl").read_text().splitlines()]
    assert [c["id"] for c in cases] == ["t1@t1", "t1@t2", "t1@t3", "t2@t1"]
    assert all(c["turns"][-1]["role"] == "customer" for c in cases)


def test_recorded_candidates_at_earlier_turns(replay_run):
    records = replay_run["records"]
    assert records[("t1@t1", "v1")].reply == A1  # v1 wrote the thread: its recorded agent turn
    assert records[("t1@t2", "v1")].reply == A2
    assert records[("t1@t3", "v1")].reply == "An engineer can be booked via the app."
    assert records[("t1@t1", "v2")].reply.startswith("I apologize that you've been offline")
    assert records[("t1@t3", "v2")].reply.startswith("I apologize. I've booked")
    assert [records[(c, "deployed")].reply for c in ("t1@t1", "t1@t2", "t1@t3")] == [
        A1, A2, "An engineer can be booked via the app."]
    # No reply recorded for v2 at turn 2, and no author in t2 for `thread`: an error on that case, not a crash.
    missing = [records[("t1@t2", "v2")], records[("t2@t1", "deployed")]]
    assert all(r.error.kind == "missing_recorded_reply" and r.reply is None and not r.checks for r in missing)
    card = load_scorecard(replay_run["result"].run_dir)
    assert card.candidates["v2"].case_errors_by_kind == {"missing_recorded_reply": 1}
    assert card.candidates["deployed"].case_errors_by_kind == {"missing_recorded_reply": 1}


def test_model_responder_receives_exactly_the_truncated_history(replay_run):
    calls = {msgs[0].content: [(m.role, m.content) for m in msgs] for msgs, _ in replay_run["responder"].history}
    assert calls == {
        "You are a telecom agent (turn 1 of 3).": [("system", "You are a telecom agent (turn 1 of 3)."), ("user", C1)],
        "You are a telecom agent (turn 2 of 3).": [("system", "You are a telecom agent (turn 2 of 3)."), ("user", C1),
                                                   ("assistant", A1), ("user", C2)],
        "You are a telecom agent (turn 3 of 3).": [("system", "You are a telecom agent (turn 3 of 3)."), ("user", C1),
                                                   ("assistant", A1), ("user", C2), ("assistant", A2), ("user", C3)],
        "You are a billing agent (turn 1 of 1).": [("system", "You are a billing agent (turn 1 of 1)."),
                                                   ("user", "you thieves charged me twice")],
    }


def test_the_judge_sees_the_truncated_history(replay_run):
    prompts = [msgs[-1].content for msgs, _ in replay_run["judge"].history]
    # At turn 1 (v1 and deployed both replied A1: one cached call) the judge's conversation is C1 alone.
    first_turn = [p for p in prompts if A1 in p and C2 not in p]
    assert first_turn and all(C1 in p and C3 not in p for p in first_turn)
    # At turn 3 it is the whole recorded thread, in order.
    last_turn = [p for p in prompts if C3 in p]
    assert last_turn and all(p.index(C1) < p.index(A1) < p.index(C2) < p.index(A2) < p.index(C3) for p in last_turn)


def test_manifest_scorecard_and_report_show_turns_and_the_caveat(replay_run):
    out = replay_run["result"].run_dir
    manifest = json.loads((out / "manifest.json").read_text())
    assert {k: manifest["dataset"][k] for k in ("n_cases", "n_selected", "replay", "n_threads")} == {
        "n_cases": 2, "n_selected": 4, "replay": "turns", "n_threads": 2}
    assert REPLAY_CAVEAT in manifest["notices"]
    card = load_scorecard(out)
    v1 = card.candidates["v1"]
    assert list(v1.by_turn) == ["1", "2", "3"]
    assert [v1.by_turn[k].n_records for k in ("1", "2", "3")] == [2, 1, 1]
    # Turn 1: t1's A1 (a generic "Sorry", not "apologize": 2) and t2's reply (no apology: 2).
    assert v1.by_turn["1"].criteria["apology_quality"].mean == 2 and v1.by_turn["1"].criteria["apology_quality"].n == 2
    assert card.candidates["v2"].by_turn["1"].criteria["apology_quality"].mean == 5
    assert "apology_quality" not in card.candidates["v2"].by_turn["2"].criteria  # the missing reply counts nowhere
    md = (out / "scorecard.md").read_text()
    html = (out / "report.html").read_text()
    assert "4 turn cases from 2 of 2 threads" in md
    assert "### By agent turn" in md and "| turn 3 · records | 1 | 1 | 1 | 1 |" in md
    assert md.count("written in answer to the recorded agent, not to the candidate") == 2  # notice + section
    assert "<h2>By agent turn</h2>" in html
    assert "written in answer to the recorded agent, not to the candidate" in html


def test_diff_pairs_cases_per_expanded_id(replay_run, tmp_path):
    out = replay_run["result"].run_dir
    report = build_diff(out, None, DiffOptions(pair=("v1", "v2")))
    row = next(r for r in report.comparisons[0].rows if r.name == "apology_wording")
    assert row.n_cases == 3 and row.left_out.case_error == 1  # t1@t2 has no v2 reply
    changed = {c.case_id for r in report.comparisons[0].rows for c in r.changes}
    assert changed <= {"t1@t1", "t1@t3", "t2@t1"} and "t1@t1" in changed
    second = run_eval("replay.yaml", RunOptions(out=replay_run["dir"] / "again"))
    # Two runs of the same eval: every expanded case finds its partner, and nothing moves.
    across = build_diff(out, second.run_dir)
    assert len(across.comparisons) == 4
    for comparison in across.comparisons:
        for row in comparison.rows:
            assert row.left_out.unmatched == 0 and row.difference in (0, None) and not row.changes


def test_default_replay_is_last_turn_only(threads_project):
    last = EVAL.replace("replay: turns\n", "").replace("name: replay", "name: last")
    (threads_project["dir"] / "last.yaml").write_text(last.replace(" (turn {{ metadata.turn_index }} of "
                                                                   "{{ metadata.n_agent_turns }})", ""))
    # `recorded: thread` replays a thread's own agent turns, which only turn-level replay has: without it
    # that candidate has no reply anywhere and the run refuses it, so it is left out here.
    result = run_eval("last.yaml", RunOptions(out=threads_project["dir"] / "last", candidates=["v1", "v2", "polite"]))
    records = list(iter_records(result.run_dir))
    assert {r.case_id for r in records} == {"t1", "t2"} and all(r.turn_index is None for r in records)
    card = load_scorecard(result.run_dir)
    assert all(c.by_turn == {} for c in card.candidates.values())
    assert REPLAY_CAVEAT not in card.notices
    assert "By agent turn" not in (result.run_dir / "scorecard.md").read_text()


def test_limit_counts_threads(threads_project):
    result = run_eval("replay.yaml", RunOptions(out=threads_project["dir"] / "lim", limit=1, candidates=["v1"]))
    assert sorted(r.case_id for r in iter_records(result.run_dir)) == ["t1@t1", "t1@t2", "t1@t3"]


@pytest.mark.parametrize("value, problem", [
    ("turn", "replay: Input should be 'last' or 'turns', not 'turn'; did you mean 'turns'?"),
    ("[turns]", "replay: Input should be 'last' or 'turns'"),
])
def test_a_bad_replay_setting_is_one_line_naming_file_line_and_field(threads_project, value, problem):
    path = threads_project["dir"] / "bad.yaml"
    path.write_text(EVAL.replace("replay: turns", f"replay: {value}"))
    with pytest.raises(ConfigError) as info:
        load_eval(path)
    message = str(info.value)
    assert message == f"{path}:3: {problem}" and "\n" not in message


def test_validate_accepts_the_shipped_thread_dataset_and_eval(monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    found = dict(validate_paths([Path("datasets/threads.jsonl"), Path("evals/threads.yaml")]))
    assert not [m for m in found.values() if isinstance(m, UserError)], found
    assert len(found) == 2


def test_shipped_threads_eval_runs_without_a_model(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    result = run_eval("evals/threads.yaml", RunOptions(out=tmp_path / "threads"))
    records = list(iter_records(result.run_dir))
    assert records and all(r.error is None and r.turn_index is not None for r in records)
    card = load_scorecard(result.run_dir)
    assert set(card.candidates) == {"bot-v1", "bot-v2"}
    assert all(len(c.by_turn) >= 3 for c in card.candidates.values())
    assert sum(g.n_records for g in card.candidates["bot-v1"].by_turn.values()) == len(records) // 2
