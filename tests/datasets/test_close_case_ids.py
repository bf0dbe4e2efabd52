"""``--cases`` did-you-mean for a mistyped case id: ids of the same shape first (same prefix, then the same
number, then the fewest edits, then the typed digits kept in a row), up to three of them."""

from __future__ import annotations

import pytest

from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection, close_ids, parse_ids, select
from harness.errors import ConfigError

SEVENTY = [f"c{i:03d}" for i in range(1, 71)]


@pytest.mark.parametrize("typed, expected", [
    ("c02", ["c002", "c020", "c021"]),  # not c062: one edit too, but a different number with the digits apart
    ("c2", ["c002"]),  # the same number, zero-padded
    ("c0O5", ["c005", "c015", "c025"]),  # a letter O for a zero
    ("refund-17", ["refund-017", "refund-071"]),
    ("helo", ["hello"]),  # ids that are not numbered: plain similarity
])
def test_close_ids_prefer_the_same_shape(typed, expected):
    ids = SEVENTY if typed.startswith("c") else ["refund-017", "refund-071", "billing-17"] if "-" in typed \
        else ["hello", "world"]
    assert close_ids(typed, ids) == expected


def test_the_message_offers_up_to_three():
    cases = [Case.model_validate({"id": i, "turns": [{"role": "customer", "content": "hi"}]}) for i in SEVENTY]
    with pytest.raises(ConfigError, match=r"unknown case id c02 .*\(did you mean c002, c020 or c021\?\)$"):
        select(cases, CaseSelection(ids=parse_ids("c01*,c02")), None)
