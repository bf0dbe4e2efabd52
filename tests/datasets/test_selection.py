"""Case selection: ids and patterns, field values, a failing set, and limit counting threads."""

import pytest

from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection, parse_ids, parse_where, select, selection_words
from harness.datasets.turns import thread_of
from harness.errors import ConfigError


def case(cid, **fields):
    return Case(id=cid, turns=[{"role": "customer", "content": "hi"}], **fields)


CASES = [case("c01", persona="Angry", channel="twitter", metadata={"source": "tw-2019", "vip": True}),
         case("c02", persona="abusive", channel="email", metadata={"source": "mail", "tier": 2}),
         case("c10", persona="passive-aggressive", channel="twitter"),
         case("t7@t1", persona="indecisive"), case("t7@t2", persona="indecisive"), case("x@tz")]


def ids(cases):
    return [c.id for c in cases]


def test_no_selection_keeps_everything_and_limit_counts_threads():
    assert ids(select(CASES, CaseSelection(), None)) == ids(CASES)
    # t7@t1 and t7@t2 are one thread: a limit of 4 keeps both turn cases of the fourth thread
    assert ids(select(CASES, CaseSelection(), 4)) == ["c01", "c02", "c10", "t7@t1", "t7@t2"]
    assert not CaseSelection()


@pytest.mark.parametrize("raw, expected", [
    ("c01", ["c01"]), ("c0*", ["c01", "c02"]), ("c01, c10", ["c01", "c10"]), ("c?0", ["c10"]),
    ("t7", ["t7@t1", "t7@t2"]),  # a thread id picks its turn cases
    ("t7@t2", ["t7@t2"]), ("x@tz", ["x@tz"]),  # "@tz" is not a turn suffix: x@tz is its own id (x is unknown)
])
def test_ids_and_patterns(raw, expected):
    assert ids(select(CASES, CaseSelection(ids=parse_ids(raw)), None)) == expected


@pytest.mark.parametrize("wheres, expected", [
    (["persona=angry"], ["c01"]),
    (["persona=Passive Aggressive,abusive"], ["c02", "c10"]),  # loose persona spellings, either value
    (["channel=twitter"], ["c01", "c10"]),
    (["channel=twitter", "persona=angry"], ["c01"]),  # every --where must hold
    (["metadata.source=tw-2019"], ["c01"]),
    (["metadata.vip=true"], ["c01"]), (["metadata.tier=2"], ["c02"]), (["metadata.tier=2.0"], ["c02"]),
    (["metadata.source=tw-2019,mail"], ["c01", "c02"]),
    # metadata.vip=1, metadata.tier=true and category=airline keep no case: refused, naming the values there
    # are (tests/datasets/test_where_hints.py)
])
def test_where(wheres, expected):
    selection = CaseSelection(where=tuple(parse_where(w) for w in wheres))
    assert ids(select(CASES, selection, None)) == expected


def test_failing_set_combines_with_the_rest():
    only = CaseSelection(only=frozenset({"c02", "c10", "t7@t2"}), only_from="results/r1")
    assert ids(select(CASES, only, None)) == ["c02", "c10", "t7@t2"]
    both = CaseSelection(ids=("c*",), where=(parse_where("channel=twitter"),), only=only.only, only_from="results/r1")
    assert ids(select(CASES, both, None)) == ["c10"]
    assert ids(select(CASES, only, 1)) == ["c02"]  # limit takes the first threads of what is kept
    assert select(CASES, CaseSelection(only=frozenset(), only_from="r"), None) == []


def test_described_for_the_manifest_and_the_scorecard():
    selection = CaseSelection(ids=("c0*",), where=(parse_where("persona=angry,abusive"),), only=frozenset({"a"}),
                              only_from="results/r1")
    described = selection.describe()
    assert described == {"cases": ["c0*"], "where": ["persona=angry,abusive"], "failing_in": "results/r1"}
    assert selection_words(described) == "--cases c0* --where persona=angry,abusive --failing results/r1"
    assert selection_words({}) is None and selection_words(None) is None
    # read from files: a value of the wrong shape is left out, never a crash
    assert selection_words({"where": 5, "cases": "x", "failing_in": 3}) is None
    assert selection_words({"where": ["persona=angry", 7]}) == "--where persona=angry"


@pytest.mark.parametrize("raw, message", [
    ("persona", "expected FIELD=VALUE"), ("=x", "expected FIELD=VALUE"), ("persona=", "expected FIELD=VALUE"),
    ("colour=red", "unknown field 'colour'"), ("metadata.=x", "unknown field"),
])
def test_bad_where_is_one_line(raw, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_where(raw)
    assert info.value.field == "--where"


@pytest.mark.parametrize("raw, message", [
    # a typo is not dropped silently
    ("c01,c011", r"unknown case id c011 of the dataset \(6 cases\) \(did you mean c01\?\)"),
    ("x", r"unknown case id x of the dataset \(6 cases\)$"),  # "@tz" is not a turn suffix: no thread x
    ("c01,zz1,zz2", r"unknown case ids zz1, zz2 of the dataset \(6 cases\)$"),
    ("c01,d*", "pattern d\\* matches no case"),
    ("q1,d*,e?", "unknown case id q1; patterns d\\*, e\\? match no case"),
])
def test_an_id_or_pattern_matching_no_case_is_refused(raw, message):
    with pytest.raises(ConfigError, match=message) as info:
        select(CASES, CaseSelection(ids=parse_ids(raw)), None)
    assert info.value.field == "--cases"


def test_an_id_filtered_out_by_another_option_is_not_unknown():
    selection = CaseSelection(ids=("c01", "c02"), where=(parse_where("channel=email"),))
    assert ids(select(CASES, selection, None)) == ["c02"]


def test_a_metadata_key_no_case_has_is_refused():
    with pytest.raises(ConfigError, match="no case of the dataset has metadata key 'tierr'") as info:
        select(CASES, CaseSelection(where=(parse_where("metadata.tierr=gold"),)), None)
    assert info.value.field == "--where"


def test_bad_ids():
    with pytest.raises(ConfigError, match="separated by commas"):
        parse_ids("a,,b")
    assert parse_ids(None) == ()


def test_thread_of_the_selection_reads():
    assert thread_of("c017@t3") == "c017" and thread_of("c017") == "c017" and thread_of("a@tb") == "a@tb"


def test_a_value_with_a_comma_is_written_with_a_backslash_and_recorded_that_way():
    # "--where metadata.source=hand-written synthetic, complaint-form style" selected other cases.
    from harness.datasets.schema import Case

    where = parse_where(r"metadata.source=hand-written synthetic\, complaint-form style,twitter")
    assert where.values == ("hand-written synthetic, complaint-form style", "twitter")
    case = Case(id="c2", turns=[{"role": "customer", "content": "x"}],
                metadata={"source": "hand-written synthetic, complaint-form style"})
    other = Case(id="c3", turns=[{"role": "customer", "content": "x"}], metadata={"source": "hand-written synthetic"})
    assert where.holds(case) and not where.holds(other)
    described = CaseSelection(where=(where,)).describe()["where"]
    assert described == [r"metadata.source=hand-written synthetic\, complaint-form style,twitter"]
    assert parse_where(described[0]) == where  # the manifest's words select the same cases again
