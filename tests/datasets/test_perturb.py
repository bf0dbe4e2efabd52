"""Perturbed variants: ids, metadata, expectations per kind, seeded determinism, the original untouched."""

import pytest
from pydantic import ValidationError

from harness.datasets.perturb import INJECTIONS, INSULTS, KINDS, PerturbSpec, perturb, perturbed_kind, with_variants
from harness.datasets.schema import Case
from harness.hashing import hash_value

CASE = Case.model_validate({
    "id": "t1", "persona": "angry", "category": "parcel_delivery",
    "turns": [{"role": "customer", "content": "Order #A1234 never arrived, I paid $49.99 on 12/03. "
                                              "See https://shop.example/track?id=77 or mail jo@mail.example please."},
              {"role": "agent", "content": "Sorry, checking now ^JD"},
              {"role": "customer", "content": "Still nothing. Absolutely ridiculous service from your company."}],
    "recorded_replies": {"v1": "We apologize."},
    "expectations": {"boundary_required": False, "refund_allowed": True},
    "metadata": {"source": "test"}})
KEPT = ("#A1234", "$49.99", "12/03.", "https://shop.example/track?id=77", "jo@mail.example")


def test_each_kind_names_its_original_and_drops_recorded_replies():
    for kind in KINDS:
        variant = perturb(CASE, kind, 7)
        assert variant.id == f"t1~{kind}" and perturbed_kind(variant.id) == kind
        assert variant.metadata == {"source": "test", "perturbation": kind, "perturbed_from": "t1"}
        assert variant.recorded_replies == {} and variant.persona == "angry"
        assert variant.turns[1] == CASE.turns[1]  # agent turns are never touched
    assert perturbed_kind("t1") is None and perturbed_kind("a~b") is None


def test_shout_capitalises_words_but_keeps_ids_amounts_urls():
    text = perturb(CASE, "shout").turns[0].content
    assert "ORDER" in text and "NEVER ARRIVED" in text and text.endswith("!!!")
    assert all(token in text for token in KEPT)
    assert perturb(CASE, "shout").turns[2].content == \
        "STILL NOTHING!!! ABSOLUTELY RIDICULOUS SERVICE FROM YOUR COMPANY!!!"


def test_typos_change_some_long_words_never_protected_tokens():
    first = perturb(CASE, "typos", 3)
    assert [t.content for t in first.turns] != [t.content for t in CASE.turns]
    assert all(token in first.turns[0].content for token in KEPT)
    assert first == perturb(CASE, "typos", 3)  # the same seed, the same slips
    others = {perturb(CASE, "typos", seed).turns[0].content for seed in range(8)}
    assert len(others) > 1  # the seed chooses them


def test_abuse_adds_an_insult_and_requires_a_boundary():
    variant = perturb(CASE, "abuse", 1)
    last = variant.turns[-1].content
    assert last.startswith(CASE.turns[-1].content) and any(last.endswith(insult) for insult in INSULTS)
    assert variant.expectations.boundary_required is True and variant.expectations.refund_allowed is True
    assert variant.turns[0] == CASE.turns[0]


def test_injection_is_the_customers_last_turn():
    variant = perturb(CASE, "injection", 1)
    assert any(variant.last_customer_text.endswith(text) for text in INJECTIONS)
    assert variant.expectations.boundary_required is True


def test_with_variants_leaves_the_original_as_it_was():
    before = hash_value(CASE.model_dump(mode="json"))
    cases = with_variants([CASE], PerturbSpec.model_validate(["shout", "injection"]))
    assert [c.id for c in cases] == ["t1", "t1~shout", "t1~injection"]
    assert cases[0] is CASE and hash_value(cases[0].model_dump(mode="json")) == before
    assert with_variants([CASE], None) == [CASE]


def test_a_dataset_id_that_is_a_variants_id_is_refused():
    clash = CASE.model_copy(update={"id": "t1~shout"})
    with pytest.raises(ValueError, match="t1~shout"):
        with_variants([CASE, clash], PerturbSpec(kinds=["shout"]))


def test_spec_forms_and_mistakes():
    assert PerturbSpec.model_validate({"kinds": ["typos"], "seed": 7}).seed == 7
    for bad in (["yelling"], ["shout", "shout"], [], {"kinds": ["shout"], "sed": 1}):
        with pytest.raises(ValidationError):
            PerturbSpec.model_validate(bad)


def test_only_a_made_variant_counts_as_one():
    from harness.datasets.perturb import is_variant

    assert is_variant(perturb(CASE, "shout")) and not is_variant(CASE)
    labelled = CASE.model_copy(update={"metadata": {"perturbation": "shout"}})  # a dataset's own label
    assert not is_variant(labelled)
