"""`--cases` with a perturbed variant's id (`c1~shout`, as a report shows it): its original, with that variant only."""

import pytest

from harness.datasets.perturb import PerturbSpec, with_variants
from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection, parse_ids, select
from harness.errors import ConfigError

KINDS = ("shout", "typos", "abuse")


def case(cid):
    return Case.model_validate({"id": cid, "turns": [{"role": "customer", "content": "My parcel never came."}]})


CASES = [case(f"c{i}") for i in (1, 2, 3, 10)]


def run_ids(raw, kinds=KINDS):
    """The ids a run of these cases evaluates: the selected originals, then the variants the selection keeps."""
    selection = CaseSelection(ids=parse_ids(raw)).perturbed_by(kinds)
    kept = select(CASES, selection, None)
    return [c.id for c in with_variants(kept, PerturbSpec(kinds=list(kinds)), selection.keeps_variant)]


@pytest.mark.parametrize("raw, expected", [
    ("c1~shout", ["c1", "c1~shout"]),  # the original comes along: the scorecard pairs the variant with it
    ("c1~shout,c1~abuse", ["c1", "c1~shout", "c1~abuse"]),
    ("c1~shout,c2", ["c1", "c1~shout", "c2", "c2~shout", "c2~typos", "c2~abuse"]),
    ("c1,c1~shout", ["c1", "c1~shout", "c1~typos", "c1~abuse"]),  # c1 as itself brings all its variants
    ("c?~typos", ["c1", "c1~typos", "c2", "c2~typos", "c3", "c3~typos"]),
    ("c1~*", ["c1", "c1~shout", "c1~typos", "c1~abuse"]),
    ("c1~  ", None),
])
def test_a_variant_id_selects_its_original_with_that_variant(raw, expected):
    if expected is None:
        with pytest.raises(ConfigError):
            run_ids(raw)
        return
    assert run_ids(raw) == expected


def test_without_cases_every_variant_comes():
    selection = CaseSelection().perturbed_by(KINDS)
    assert all(selection.keeps_variant("c1", kind) for kind in KINDS)


def test_a_variant_of_a_kind_the_eval_does_not_make_says_what_to_type():
    with pytest.raises(ConfigError, match=r"c1~typos is a perturbed variant of c1, but this eval file perturbs with "
                                          r"shout, abuse only: give --cases c1$"):
        run_ids("c1~typos", ("shout", "abuse"))
    with pytest.raises(ConfigError, match=r"c1~shout is a perturbed variant of c1, but this eval file has no "
                                          r"`perturb:`.*give --cases c1 \(or add `perturb: \[shout\]` to it\)"):
        run_ids("c1~shout", ())


def test_a_mistyped_variant_id_is_offered_the_close_variants():
    with pytest.raises(ConfigError, match=r"unknown case id c01~shout .*did you mean c1~shout"):
        run_ids("c01~shout")


def test_a_dataset_id_holding_a_tilde_still_matches_as_itself():
    cases = [case("a~shout"), case("b")]
    assert [c.id for c in select(cases, CaseSelection(ids=("a~shout",)), None)] == ["a~shout"]


def test_the_manifest_records_the_variant_id_as_typed():
    selection = CaseSelection(ids=parse_ids("c1~shout")).perturbed_by(KINDS)
    assert selection.describe() == {"cases": ["c1~shout"]}


def test_a_variant_id_with_a_mistyped_kind_is_offered_the_kind():
    with pytest.raises(ConfigError, match=r"unknown case id c1~shoutt .*\(did you mean c1~shout\?\)"):
        run_ids("c1~shoutt")
    with pytest.raises(ConfigError, match=r"unknown case id c1~shoutt .*\(did you mean c1\?\)"):
        run_ids("c1~shoutt", ())  # no `perturb:`: the original is what there is
