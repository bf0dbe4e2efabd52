"""A ``--where`` no case meets is refused naming the values (or metadata keys) the cases have and the
closest one: ``persona=angyr`` read "no case ... is selected by --where persona=angyr", nothing more."""

import pytest

from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection, field_values, metadata_keys, parse_where, select
from harness.errors import ConfigError


def case(cid, **fields):
    return Case(id=cid, turns=[{"role": "customer", "content": "hi"}], **fields)


CASES = [case("c01", persona="Angry", channel="twitter", metadata={"source": "tw-2019", "vip": True,
                                                                   "order": {"id": "A1"}}),
         case("c02", persona="abusive", channel="email", category="billing", metadata={"order_id": "A1", "tier": 2}),
         case("c03", persona="passive-aggressive", channel="twitter")]


def refused(*wheres: str) -> str:
    with pytest.raises(ConfigError) as caught:
        select(CASES, CaseSelection(where=tuple(parse_where(w) for w in wheres)), None, source="d.jsonl")
    assert caught.value.field == "--where"
    return str(caught.value)


def test_a_mistyped_value_names_the_closest_one_present():
    message = refused("persona=angyr")
    assert "no case of d.jsonl has persona angyr; did you mean angry?" in message
    assert "(the cases have: abusive, angry, passive_aggressive)" in message  # as personas are read


def test_a_mistyped_metadata_key_lists_the_keys_and_suggests_one():
    message = refused("metadata.orderid=A1")
    assert "no case of d.jsonl has metadata key 'orderid'; did you mean order_id?" in message
    assert "(the cases have: order.id, order_id, source, tier, vip)" in message  # nested keys dotted


@pytest.mark.parametrize("where, said", [
    ("metadata.vip=1", "has metadata.vip 1 (the cases have: true)"),  # 1 is not true
    ("metadata.tier=true", "has metadata.tier true (the cases have: 2)"),
    ("category=airline", "has category airline (the cases have: billing)"),
    ("channel=fax,sms", "has channel fax or sms (the cases have: email, twitter)"),
])
def test_a_value_no_case_has_is_refused_with_those_there(where, said):
    assert said in refused(where)


def test_one_value_present_among_several_still_selects():
    kept = select(CASES, CaseSelection(where=(parse_where("persona=angry,angyr"),)), None)
    assert [c.id for c in kept] == ["c01"]


def test_clauses_each_met_but_never_together_are_left_to_the_run():
    # Each clause keeps a case; together none. Not a typo: the run's "no case is selected by ..." says it.
    kept = select(CASES, CaseSelection(where=(parse_where("persona=abusive"), parse_where("channel=twitter"))), None)
    assert kept == []


def test_helpers_list_what_where_can_match():
    assert field_values(CASES, "persona") == ["abusive", "angry", "passive_aggressive"]
    assert field_values(CASES, "metadata.vip") == ["true"]
    assert metadata_keys(CASES) == ["order.id", "order_id", "source", "tier", "vip"]
