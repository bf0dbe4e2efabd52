"""The gates' own rules: the answer schema, lengths, and the 3-gram thresholds on the shipped complaints."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import GeneratedAnswerError
from harness.generate.plan import load_seeds
from harness.generate.quality import Dedup, containment, jaccard, length_problem, parse_complaint, shingles
from harness.generate.spec import NEAR_DUPLICATE, SEED_COPY

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("answer, problem", [
    ("nope", "not JSON"), ('{"complaint": 3}', "complaint: 3 is not of type 'string'"),
    ('{"complaint": "x", "reply": "y"}', "Additional properties"), ("[]", "is not of type 'object'"),
    ('{"complaint": "a", "complaint": "b"}', "not JSON"),
])
def test_answers_outside_the_schema_are_refused_with_the_problem(answer, problem):
    with pytest.raises(GeneratedAnswerError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        parse_complaint(answer)


def test_a_fenced_answer_is_read():
    assert parse_complaint('```json\n{"complaint": " My bill doubled. "}\n```') == "My bill doubled."


def test_lengths():
    assert length_problem("   ") == "empty"
    assert length_problem("refund now please") == "too_short"
    assert length_problem("word " * 401) == "too_long"
    assert length_problem("My parcel never came and nobody answers the phone.") is None


def test_the_shipped_complaints_are_far_apart_and_an_edited_copy_is_not():
    seeds = load_seeds(REPO / "datasets" / "complaints.jsonl")
    sets = [shingles(seed.text) for seed in seeds]
    closest = max(jaccard(a, b) for i, a in enumerate(sets) for b in sets[i + 1:])
    assert closest < 0.05 < NEAR_DUPLICATE  # as the README says: far below the threshold
    sentences = seeds[1].text.split(". ")
    edited = ". ".join(["A sentence of my own about something else entirely"] + sentences[1:-1] + ["The end"])
    assert containment(shingles(edited), sets[1]) >= SEED_COPY


def test_dedup_tells_a_copy_of_its_seed_from_a_near_duplicate_of_another():
    dedup = Dedup(seeds={"s1": shingles("my parcel was lost by your courier on monday and I want it found")})
    text = "my parcel was lost by your courier on monday and I want it found today"
    assert dedup.verdict(text, "s1") == ("seed_copy", "s1")
    assert dedup.verdict(text, "other") == ("near_duplicate", "s1")
    dedup.keep("g1", "the engineer missed two appointments and I lost two days of wages")
    assert dedup.verdict("the engineer missed two appointments and I lost two days of pay", None) == \
        ("near_duplicate", "g1")
    assert dedup.verdict("an unrelated complaint about a hotel room with mould on the walls", None) == (None, None)


def test_a_model_looping_on_a_sentence_is_repetitive_and_an_angry_repeat_is_not() -> None:
    looping = ("I have a parcel delivery company that has already contacted support twice without result. "
               + "I have a complaint about the driver. " * 4)
    assert length_problem(looping) == "repetitive"
    assert length_problem("NO NO NO NO I want my money back I want my money back now") is None
    assert length_problem("I want my money back. " * 2) is None  # under 12 3-grams: too short to say


def test_no_shipped_customer_turn_counts_as_repetitive() -> None:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "datasets"
    for name in ("complaints.jsonl", "threads.jsonl"):
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            for turn in json.loads(line)["turns"]:
                if turn["role"] == "customer":
                    assert length_problem(turn["content"]) in (None, "too_short"), turn["content"][:60]
