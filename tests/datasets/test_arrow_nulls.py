"""A dataset written by `datasets` from rows with different keys: Arrow fills each missing key with null.

Such files (``to_parquet``, ``to_json``, as ``harness validate`` advises for a saved dataset) were refused
at the first row lacking a list field (``context.facts: Input should be a valid list``).
"""

from __future__ import annotations

import json

import pytest

from harness.datasets.loader import load_dataset
from harness.errors import DatasetError

datasets = pytest.importorskip("datasets")

ROWS = [
    {"id": "a", "turns": [{"role": "customer", "content": "My order is late."},
                          {"role": "agent", "content": "Sorry, checking.", "author": "bot-1",
                           "replies": {"bot-2": "Let me look."}, "expectations": {"question_expected": True}},
                          {"role": "customer", "content": "Well?"}],
     "recorded_replies": {"bot-1": "It ships today."},
     "context": {"facts": ["Shipped late"], "max_refund": 20.0}, "expectations": {"refund_allowed": True},
     "metadata": {"order_id": "A1"}},
    {"id": "b", "turns": [{"role": "customer", "content": "Refund me."}],
     "recorded_replies": {"bot-2": "Done."}, "context": {"currency": "USD"}},
]


@pytest.fixture
def table(tmp_path):
    return datasets.Dataset.from_list(ROWS)


def _check(loaded):
    first, second = loaded.cases
    assert first.context.facts == ["Shipped late"] and second.context.facts == []
    assert second.context.max_refund is None and second.context.currency == "USD"
    assert second.recorded_replies == {"bot-2": "Done."}  # bot-1's null reply: none recorded
    assert first.turns[0].author is None and first.turns[1].author == "bot-1"
    assert first.turns[0].replies == {} and first.turns[1].replies == {"bot-2": "Let me look."}
    assert first.turns[1].expectations.question_expected is True
    assert second.expectations.refund_allowed is None


def test_parquet_written_by_datasets_loads(table, tmp_path):
    path = tmp_path / "cases.parquet"
    table.to_parquet(str(path))
    _check(load_dataset(path))


def test_json_written_by_datasets_loads(table, tmp_path):
    path = tmp_path / "cases.jsonl"
    table.to_json(str(path))
    assert '"facts":null' in path.read_text()  # the file really holds the nulls
    _check(load_dataset(path))


def test_both_files_hash_as_the_rows_without_nulls(table, tmp_path):
    table.to_json(str(tmp_path / "a.jsonl"))
    clean = tmp_path / "b.jsonl"
    clean.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    assert load_dataset(tmp_path / "a.jsonl").sha256 == load_dataset(clean).sha256


@pytest.mark.parametrize("row, field", [
    ({"id": None, "turns": [{"role": "customer", "content": "x"}]}, "id"),
    ({"id": "a", "turns": None}, "turns"),
    ({"id": "a", "turns": [{"role": "customer", "content": None}]}, "turns[0].content"),
    ({"id": "a", "turns": [{"role": None, "content": "x"}]}, "turns[0].role"),
])
def test_required_fields_stay_required(tmp_path, row, field):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert err.value.field == field


def test_metadata_and_expectations_keep_their_nulls(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "x"}],
                                "context": {"facts": None}, "metadata": {"tier": None},
                                "expectations": {"refund_allowed": None}}) + "\n")
    assert load_dataset(path).cases[0].metadata == {"tier": None}
    assert "refund_allowed" in load_dataset(path).cases[0].expectations.model_fields_set  # "not known", as before
