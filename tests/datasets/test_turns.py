"""Turn-level replay: a thread expanded into one case per agent turn, and the per-turn dataset fields."""

import json
from pathlib import Path

import pytest

from harness.datasets.loader import load_dataset
from harness.datasets.schema import Case
from harness.datasets.turns import REPLAY_CAVEAT, agent_positions, expand_cases, expand_thread, turn_index_of
from harness.errors import DatasetError

ROOT = Path(__file__).resolve().parents[2]

def C(text):
    return {"role": "customer", "content": text}


def A(text, **extra):
    return {"role": "agent", "content": text, **extra}


THREAD = {
    "id": "th1", "persona": "angry", "category": "telecom", "channel": "chat",
    "turns": [C("line down AGAIN"), C("hello??"),
              A("Sorry, checking now ^JD", author="bot-v1", replies={"bot-v2": "I apologize. Is it the whole house?"},
                expectations={"question_expected": True}),
              C("yes whole house, 3rd time this month"),
              A("Engineer booked Thursday.", author="bot-v1", replies={"bot-v2": "Engineer Thursday, bill credited."}),
              C("thursday?? i work from home")],
    "recorded_replies": {"bot-v1": "Thursday is the earliest.", "bot-v2": "I can offer Wednesday 8am instead."},
    "expectations": {"boundary_required": False, "question_expected": False},
    "context": {"max_credit": 40, "currency": "GBP"},
    "metadata": {"source": "test"},
}


def thread(**changes) -> Case:
    return Case.model_validate({**THREAD, **changes})


def test_one_case_per_agent_turn_with_ids_histories_and_indices():
    cases = expand_thread(thread())
    assert [c.id for c in cases] == ["th1@t1", "th1@t2", "th1@t3"]
    assert [len(c.turns) for c in cases] == [2, 4, 6]
    assert all(c.turns[-1].role == "customer" for c in cases)
    assert [c.metadata for c in cases] == [
        {"source": "test", "thread_id": "th1", "turn_index": k, "n_agent_turns": 3} for k in (1, 2, 3)]
    assert [turn_index_of(c) for c in cases] == [1, 2, 3]
    # Each history is exactly the thread's turns before that agent turn, text for text.
    full = thread()
    for case, stop in zip(cases, (2, 4, 6)):
        assert [(t.role, t.content) for t in case.turns] == [(t.role, t.content) for t in full.turns[:stop]]
    assert all((c.persona, c.category, c.channel, c.context) == (full.persona, full.category, full.channel,
                                                                 full.context) for c in cases)


def test_recorded_replies_at_each_turn():
    first, second, last = expand_thread(thread())
    assert first.recorded_replies == {"bot-v1": "Sorry, checking now ^JD", "thread": "Sorry, checking now ^JD",
                                      "bot-v2": "I apologize. Is it the whole house?"}
    assert second.recorded_replies["bot-v2"] == "Engineer Thursday, bill credited."
    assert second.recorded_replies["thread"] == second.recorded_replies["bot-v1"] == "Engineer booked Thursday."
    # The final position: the thread's recorded_replies, and `thread` is the last agent turn's author's reply.
    assert last.recorded_replies == {"bot-v1": "Thursday is the earliest.", "bot-v2": "I can offer Wednesday 8am instead.",
                                     "thread": "Thursday is the earliest."}


def test_history_keeps_author_but_not_other_versions_replies_or_expectations():
    history = expand_thread(thread())[2].turns
    agent = [t for t in history if t.role == "agent"]
    assert [t.author for t in agent] == ["bot-v1", "bot-v1"]
    assert all(t.replies == {} and t.expectations is None for t in agent)


def test_expectations_of_an_agent_turn_replace_the_cases_fields_it_sets():
    first, second, last = expand_thread(thread())
    assert first.expectations.question_expected is True and first.expectations.boundary_required is False
    assert second.expectations == last.expectations == thread().expectations


def test_a_thread_with_one_agent_turn_gives_one_case():
    cases = expand_thread(thread(turns=[C("refund me"), C("now")]))
    assert [c.id for c in cases] == ["th1@t1"]
    assert cases[0].metadata["n_agent_turns"] == 1 and cases[0].turns == thread(turns=[C("refund me"), C("now")]).turns
    assert cases[0].recorded_replies == THREAD["recorded_replies"]  # no author: no `thread` alias


def test_consecutive_agent_turns_are_one_reply_and_a_greeting_is_not_a_turn():
    case = thread(turns=[A("Hi! How can I help?"), C("my bill is wrong"),
                         A("Sorry about that.", author="bot-v1", replies={"bot-v2": "I apologize"}),
                         A("Checking now.", author="bot-v1", replies={"bot-v2": "for the error."}),
                         C("well?")])
    assert [(p.index, p.start, p.stop) for p in agent_positions(case)] == [(1, 2, 4), (2, 5, 5)]
    first, final = expand_thread(case)
    assert [t.content for t in first.turns] == ["Hi! How can I help?", "my bill is wrong"]
    assert first.recorded_replies == {"bot-v2": "I apologize\n\nfor the error.",
                                      "bot-v1": "Sorry about that.\n\nChecking now.",
                                      "thread": "Sorry about that.\n\nChecking now."}
    assert len(final.turns) == 5


def test_thread_alias_from_recorded_replies_wins_and_a_human_turn_has_no_bot_reply():
    case = thread(turns=[C("hi"), A("Hello, Sam here.", author="human"), C("I want a refund")],
                  recorded_replies={"bot-v1": "No.", "thread": "Sam: let me check."})
    first, final = expand_thread(case)
    assert first.recorded_replies == {"human": "Hello, Sam here.", "thread": "Hello, Sam here."}
    assert final.recorded_replies["thread"] == "Sam: let me check."


def test_expanded_cases_are_valid_cases_and_unique():
    cases = expand_cases([thread(), thread(id="th2")], "d.jsonl")
    assert len({c.id for c in cases}) == 6
    for case in cases:
        assert Case.model_validate(case.model_dump(mode="json")) == case


def test_an_expanded_id_that_is_already_a_case_id_is_refused():
    with pytest.raises(DatasetError) as info:
        expand_cases([thread(), thread(id="th1@t2", turns=[C("x")])], "d.jsonl")
    assert str(info.value).startswith("d.jsonl: id: turn-level replay names a case 'th1@t2'")


def test_plain_turns_dump_as_before_so_dataset_hashes_do_not_move():
    case = Case.model_validate({"id": "c", "turns": [C("a"), A("b"), C("c")]})
    assert case.model_dump(mode="json")["turns"] == [C("a"), A("b"), C("c")]


@pytest.mark.parametrize("turn, field, problem", [
    (C("x") | {"replies": {"v": "y"}}, "turns[0].replies", "only agent turns carry it"),
    (C("x") | {"author": "bot"}, "turns[0].author", "only agent turns carry it"),
    (C("x") | {"expectations": {"boundary_required": True}}, "turns[0].expectations", "only agent turns carry it"),
    (A("x", author="thread"), "turns[0].author", "'thread' is reserved: in turn-level replay it names the "
                                                 "thread's own agent turn"),
    (A("x", replies={"thread": "y"}), "turns[0].replies", "'thread' is reserved: in turn-level replay it names "
                                                          "the thread's own agent turn"),
])
def test_bad_per_turn_fields_name_line_and_field(tmp_path, turn, field, problem):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "ok", "turns": [C("fine")]}) + "\n" + json.dumps({"id": "bad", "turns": [turn]}) + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value) == f"{path}:2: {field}: {problem}"


def test_a_version_both_author_and_alternative_is_refused(tmp_path):
    path = tmp_path / "d.jsonl"
    row = {"id": "x", "turns": [C("a"), A("b", author="v1", replies={"v1": "c"}), C("d")]}
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value) == f"{path}:1: turns[1].replies: 'v1' wrote this turn (author), so its reply here is the turn's content"


def test_shipped_threads_dataset():
    dataset = load_dataset(ROOT / "datasets" / "threads.jsonl")
    assert 8 <= len(dataset) <= 12
    assert len({c.persona for c in dataset.cases}) >= 5
    cases = expand_cases(dataset.cases, dataset.source)
    per_thread = {c.id: len(expand_thread(c)) for c in dataset.cases}
    assert all(2 <= n <= 4 for n in per_thread.values()) and len(cases) == sum(per_thread.values())
    # Two bot versions answer at every turn of every thread: no missing reply in the shipped eval.
    assert all({"bot-v1", "bot-v2", "thread"} <= set(c.recorded_replies) for c in cases)
    assert all(c.turns[-1].role == "customer" for c in cases)


def test_caveat_says_the_history_answers_the_recorded_agent():
    assert "written in answer to the recorded agent, not to the candidate" in REPLAY_CAVEAT
