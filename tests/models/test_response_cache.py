"""ResponseCache: round trips, default location, and two processes sharing one file."""

from __future__ import annotations

import multiprocessing
import sqlite3

from harness.models import ModelResponse, ResponseCache, Usage, default_cache_path


def test_put_then_get_round_trips(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    response = ModelResponse(text="hi", usage=Usage(prompt_tokens=3, completion_tokens=1), finish_reason="stop")
    assert cache.get("k") is None
    cache.put("k", response, model="fake/m")
    assert cache.get("k") == response
    assert "k" in cache and len(cache) == 1


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_path() == tmp_path / "elsewhere" / "models.sqlite"
    monkeypatch.delenv("HARNESS_CACHE_DIR")
    monkeypatch.chdir(tmp_path)
    assert default_cache_path() == tmp_path / ".harness-cache" / "models.sqlite"


def test_database_uses_wal(tmp_path):
    ResponseCache(tmp_path / "c.sqlite").put("k", ModelResponse(text="x"))
    mode = sqlite3.connect(tmp_path / "c.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_unreadable_entry_reads_as_a_miss(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("k", ModelResponse(text="x"))
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        conn.execute("UPDATE responses SET response = '{\"old\": 1}'")
    assert cache.get("k") is None


def _writer(path: str, worker: int, count: int) -> None:
    cache = ResponseCache(path)
    for i in range(count):
        cache.put(f"{worker}-{i}", ModelResponse(text=f"worker {worker} item {i}"))
        cache.get(f"{1 - worker}-{i}")  # read the other process's rows while it writes


def test_two_processes_share_the_cache_without_corruption(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 200)) for w in (0, 1)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    cache = ResponseCache(path)
    assert len(cache) == 400
    assert cache.get("1-199").text == "worker 1 item 199"
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_deferred_writes_are_readable_at_once_and_written_in_batches(tmp_path, monkeypatch):
    from harness.models import cache as cache_module

    monkeypatch.setattr(cache_module, "FLUSH_ROWS", 3)
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("before", ModelResponse(text="immediate"))

    def on_disk() -> int:
        return sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    with cache.deferred_writes():
        cache.put("a", ModelResponse(text="A"))
        cache.put("b", ModelResponse(text="B"))
        assert cache.get("a").text == "A" and "b" in cache
        assert on_disk() == 1  # held back
        cache.put("c", ModelResponse(text="C"))
        assert on_disk() == 4  # the third row filled a batch
        cache.put("d", ModelResponse(text="D"))
        assert on_disk() == 4
    assert on_disk() == 5 and cache.get("d").text == "D"
    cache.put("after", ModelResponse(text="immediate again"))
    assert on_disk() == 6


def test_discard_removes_the_refused_answer_only(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("k", ModelResponse(text="junk"))
    cache.put("other", ModelResponse(text="junk"))
    cache.discard("k", "junk")
    assert cache.get("k") is None and cache.get("other").text == "junk"
    cache.put("k", ModelResponse(text="a valid answer"))  # stored under the key since: not the refused one
    cache.discard("k", "junk")
    assert cache.get("k").text == "a valid answer"
    cache.discard("missing", "junk")  # nothing to drop: no error


def test_discard_drops_an_answer_still_held_back_by_deferred_writes(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    with cache.deferred_writes():
        cache.put("k", ModelResponse(text="junk"))
        cache.put("kept", ModelResponse(text="fine"))
        cache.discard("k", "junk")
        assert "k" not in cache
    assert cache.get("k") is None and cache.get("kept").text == "fine" and len(cache) == 1
