"""The reference checks (rouge_l, levenshtein, bleu, similar) against hand-computed values, a missing reference,
promptfoo's CSV cells and the eval file's errors."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from harness.checks.base import CheckContext
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.checks.reference_metrics import bleu, cosine, levenshtein, levenshtein_similarity, rouge_l
from harness.datasets.promptfoo_csv import expected_check
from harness.datasets.schema import Case


def _case(reference: str | None = "the cat sat on the mat", **metadata) -> Case:
    return Case(id="c1", turns=[{"role": "customer", "content": "hi"}], reference_reply=reference, metadata=metadata)


def _run(reply: str, case: Case | None = None, **spec):
    check = build_custom_check(CustomCheckSpec(name="ref", **spec), lambda raw: None)
    return check.run(CheckContext(case=case or _case(), reply=reply))


def test_rouge_l_is_the_f_measure_of_the_longest_common_word_sequence():
    # LCS "the cat on the mat" = 5 of 6 words each way: P = R = F = 5/6
    assert rouge_l("the cat lay on the mat", "the cat sat on the mat") == pytest.approx(5 / 6)
    # LCS 2 ("the mat"): P = 2/2, R = 2/6, F = 2 * 1 * 1/3 / (4/3) = 0.5
    assert rouge_l("The mat!", "the cat sat on the mat") == pytest.approx(0.5)
    assert rouge_l("dog", "the cat") == 0.0 and rouge_l("", "the cat") == 0.0


def test_levenshtein_counts_character_edits():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein_similarity("kitten", "sitting") == (pytest.approx(1 - 3 / 7), 3)
    assert levenshtein_similarity("  same ", "same") == (1.0, 0)


def test_bleu_is_smoothed_sentence_bleu_with_the_brevity_penalty():
    assert bleu("the cat sat on the mat", "the cat sat on the mat") == pytest.approx(1.0)
    # p1 = 3/3; p2..p4 smoothed (2+1)/(2+1), (1+1)/(1+1), (0+1)/(0+1); BP = exp(1 - 6/3)
    assert bleu("the cat sat", "the cat sat on the mat") == pytest.approx(math.exp(-1))
    # p1 = 5/6, p2 = (3+1)/(5+1), p3 = (2+1)/(4+1), p4 = (1+1)/(3+1); no brevity penalty (same length)
    assert bleu("the dog sat on the mat", "the cat sat on the mat") == pytest.approx((5 / 6 * 4 / 6 * 3 / 5 * 2 / 4) ** 0.25)
    assert bleu("nothing shared", "the cat sat") == 0.0


def test_cosine():
    assert cosine([1, 0], [1, 0]) == 1.0 and cosine([1, 0], [0, 1]) == 0.0 and cosine([0, 0], [1, 1]) == 0.0


def test_each_check_records_its_score_and_threshold():
    rouge = _run("the cat lay on the mat", type="rouge_l", min=0.8)
    assert rouge.passed is True and rouge.data == {"score": 0.8333, "min": 0.8}
    assert rouge.detail == "ROUGE-L F 0.833 (min 0.8)"
    assert _run("the cat lay on the mat", type="rouge_l", min=0.9).passed is False
    assert _run("the cat lay on the mat", type="rouge_l").data["min"] == 0.75  # promptfoo's default
    blue = _run("the cat sat", type="bleu")
    assert blue.passed is False and blue.data == {"score": round(math.exp(-1), 4), "min": 0.5}
    assert blue.detail == "BLEU 0.368 (min 0.5)"


def test_levenshtein_is_at_most_max_distance_edits_or_at_least_min_similarity():
    edits = _run("kitten", _case("sitting"), type="levenshtein", max_distance=2)
    assert edits.passed is False and edits.data == {"score": round(1 - 3 / 7, 4), "distance": 3, "max_distance": 2}
    assert edits.detail == "edit distance 3 (at most 2); similarity 0.571"
    assert _run("kitten", _case("sitting"), type="levenshtein").passed is True  # promptfoo's default: 5 edits
    similar = _run("kitten", _case("sitting"), type="levenshtein", min=0.5)
    assert similar.passed is True and similar.detail == "Levenshtein similarity 0.571 (min 0.5)"


def test_a_case_without_a_reference_does_not_get_the_check():
    for kind in ("rouge_l", "levenshtein", "bleu", "similar"):
        result = _run("anything", _case(None), type=kind)
        assert result.passed is None
        assert result.detail == "does not apply: the case has no reference_reply (and the check gives no value)"


def test_a_value_replaces_the_reference_and_may_name_a_case_field():
    assert _run("the cat sat", type="rouge_l", value="the cat sat", min=1.0).passed is True
    named = _run("order 4411 refunded", _case(None, golden="order 4411 refunded"), type="bleu",
                 value="{{ metadata.golden }}")
    assert named.passed is True and named.data["score"] == 1.0
    assert _run("x", _case(None), type="bleu", value="{{ metadata.golden }}").detail == (
        "does not apply: the case has no metadata.golden")
    # several references: the best one counts
    assert _run("the cat sat", type="rouge_l", value=["dog", "the cat sat"], min=1.0).passed is True


@pytest.mark.parametrize("spec, field, says", [
    ({"type": "rouge_l", "threshold": 0.5}, "threshold", "write min: for a rouge_l check's threshold"),
    ({"type": "levenshtein", "threshold": 5}, "threshold", "write max_distance: (the most edits)"),
    ({"type": "contains", "value": "x", "min": 0.5}, "min", "applies to rouge_l, levenshtein, bleu, similar checks"),
    ({"type": "bleu", "max_distance": 3}, "max_distance", "applies to levenshtein checks only"),
    ({"type": "similar", "value": 3}, "value", "type similar compares the reply with the case's reference_reply"),
    ({"type": "similar", "min": 1.5}, "min", "less than or equal to 1"),
])
def test_bad_entries_are_refused_at_their_field(spec, field, says):
    with pytest.raises(ValidationError) as info:
        CustomCheckSpec(name="ref", **spec)
    [error] = info.value.errors()
    assert error["loc"] == (field,) and says in error["msg"]


@pytest.mark.parametrize("cell, spec", [
    ("similar(0.7): We are sorry", {"type": "similar", "value": "We are sorry", "min": 0.7}),
    ("similar: thanks", {"type": "similar", "value": "thanks"}),
    ("levenshtein(3): hello", {"type": "levenshtein", "value": "hello", "max_distance": 3}),
    ("rouge-n(0.5): sorry about that", {"type": "rouge_l", "value": "sorry about that", "min": 0.5}),
    ("bleu(0.4): sorry", {"type": "bleu", "value": "sorry", "min": 0.4}),
])
def test_promptfoo_reference_cells_become_reference_checks(cell, spec):
    made = expected_check(cell)
    assert made == {**spec, "description": f"promptfoo: {cell}"}
    CustomCheckSpec(name="c", **{k: v for k, v in made.items()})  # and the check is valid


def test_a_reference_reply_column_and_field_load(tmp_path):
    from harness.datasets.loader import load_dataset

    path = tmp_path / "d.csv"
    path.write_text("id,complaint,reference_reply,__expected\nt1,hi,Golden reply,similar(0.7): sorry\nt2,hey,,\n")
    first, second = load_dataset(str(path)).cases
    assert first.reference_reply == "Golden reply" and second.reference_reply is None
    assert first.checks[0]["type"] == "similar"
    # unset, it is left out of the case's dump: datasets without it hash as before
    assert "reference_reply" not in second.model_dump()
