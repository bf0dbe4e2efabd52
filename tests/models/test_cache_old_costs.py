"""A response cache row written before the cache stopped storing priced costs (commit 5ae938f) may hold a cost
computed at an eval file's ``price:``: it reads with the cost unknown, unless the current call has a price
(applied as to any row). A cache file made before the change keeps working: opened, answers served."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from harness.models.base import Message, ModelResponse, Price, Usage
from harness.models.cache import ResponseCache, cache_contents
from harness.models.fake import fake_model

PRICE = Price(input_per_mtok=0.15, output_per_mtok=0.60)
ASK = [Message(role="user", content="hi")]
PRICED = (1000 * 0.15 + 200 * 0.60) / 1e6
# The table as every harness before the own_cost column made it.
OLD_SCHEMA = "CREATE TABLE responses (key TEXT PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, " \
             "response TEXT NOT NULL)"


def _provider(messages, config):
    raise AssertionError("the cached answer should be served, not asked for again")


def _key() -> str:
    return fake_model(["x"]).cache_key(ASK)


def old_cache(path, cost: float | None = 0.00027) -> str:
    """A cache file in the old format holding one answer whose stored cost was priced by an eval file."""
    key = _key()
    stored = ModelResponse(text="hello there", usage=Usage(prompt_tokens=1000, completion_tokens=200, cost_usd=cost))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(OLD_SCHEMA)
    conn.execute("INSERT INTO responses VALUES (?, ?, ?, ?)", (key, "fake/model", time.time(), stored.model_dump_json()))
    conn.commit()
    conn.close()
    return key


def test_an_old_rows_cost_reads_unknown_without_a_price(tmp_path):
    path = tmp_path / "models.sqlite"
    old_cache(path)
    cache = ResponseCache(path)
    hit = asyncio.run(fake_model(_provider, cache=cache).generate(ASK))
    assert hit.cache_hit and hit.text == "hello there"  # still served
    assert hit.usage.cost_usd is None and hit.usage.prompt_tokens == 1000
    cache.close()


def test_an_old_row_with_a_price_now_is_priced_now(tmp_path):
    path = tmp_path / "models.sqlite"
    old_cache(path, cost=123.0)
    with ResponseCache(path) as cache:
        hit = asyncio.run(fake_model(_provider, cache=cache, price=PRICE).generate(ASK))
    assert hit.cache_hit and hit.usage.cost_usd == pytest.approx(PRICED)


def test_the_old_file_is_migrated_and_new_rows_keep_the_providers_cost(tmp_path):
    path = tmp_path / "models.sqlite"
    key = old_cache(path)
    with ResponseCache(path) as cache:
        assert len(cache) == 1 and key in cache
        cache.put("new", ModelResponse(text="t", usage=Usage(prompt_tokens=1, completion_tokens=1, cost_usd=0.5)))
        assert cache.get("new").usage.cost_usd == 0.5
        with cache.deferred_writes():
            cache.put("held", ModelResponse(text="t", usage=Usage(cost_usd=0.25)))
            assert cache.get("held").usage.cost_usd == 0.25  # held back, not yet written: a new row all the same
        assert cache.get("held").usage.cost_usd == 0.25
    columns = [c[1] for c in sqlite3.connect(path).execute("PRAGMA table_info(responses)")]
    assert columns == ["key", "model", "created", "response", "own_cost"]
    # An older harness writing into the migrated file names the four columns it knows: its row reads as old.
    conn = sqlite3.connect(path)
    row = ModelResponse(text="o", usage=Usage(cost_usd=7.0)).model_dump_json()
    conn.execute("INSERT OR REPLACE INTO responses (key, model, created, response) VALUES ('older', 'm', 0, ?)", (row,))
    conn.commit()
    conn.close()
    with ResponseCache(path) as cache:
        assert cache.get("older").text == "o" and cache.get("older").usage.cost_usd is None
        assert cache.get("new").usage.cost_usd == 0.5
    assert sum(entry.entries for entry in cache_contents(path)) == 4


def test_a_new_file_has_the_column_and_an_old_rows_unknown_cost_stays_unknown(tmp_path):
    path = tmp_path / "models.sqlite"
    old_cache(path, cost=None)
    with ResponseCache(path) as cache:
        assert cache.get(_key()).usage.cost_usd is None
    with ResponseCache(tmp_path / "fresh.sqlite") as fresh:
        fresh.put("k", ModelResponse(text="t", usage=Usage(cost_usd=0.1)))
        assert fresh.get("k").usage.cost_usd == 0.1
