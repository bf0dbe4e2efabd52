"""harness cache info|clear: what the response cache holds per model, and deleting some or all of it."""

from __future__ import annotations

import sqlite3
import time

import pytest

from harness.models.base import ModelResponse
from harness.models.cache import ResponseCache, cache_contents
from tests.cli.conftest import harness_cmd

DAY = 86400


def _fill(path, rows):
    """``rows``: (model, age in days) per response."""
    with ResponseCache(path) as cache:
        for i, (model, _) in enumerate(rows):
            cache.put(f"k{i}", ModelResponse(text=f"reply {i}"), model=model)
    conn = sqlite3.connect(path)
    for i, (_, age) in enumerate(rows):
        conn.execute("UPDATE responses SET created = ? WHERE key = ?", (time.time() - age * DAY, f"k{i}"))
    conn.commit()
    conn.close()


def test_info_counts_each_models_responses_and_clear_deletes_only_what_was_asked(tmp_path):
    path = tmp_path / "cache" / "models.sqlite"  # where harness_cmd points HARNESS_CACHE_DIR
    _fill(path, [("openai/a", 40), ("openai/a", 1), ("openai/a", 0), ("embedded/gemma-3-270m", 40)])
    info = harness_cmd("cache", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    assert lines[0].startswith(f"cache: {path} (")
    assert lines[2].split()[:2] == ["openai/a", "3"] and lines[3].split()[:2] == ["embedded/gemma-3-270m", "1"]
    assert lines[4].split()[:2] == ["total", "4"]
    assert all(line == line.rstrip() for line in lines)

    old = harness_cmd("cache", "clear", "--older-than", "30d", "--model", "openai/a", cwd=tmp_path)
    assert old.returncode == 0 and old.stdout.startswith("deleted 1 cached responses of openai/a stored more")
    assert {(m.model, m.entries) for m in cache_contents(path)} == {("openai/a", 2), ("embedded/gemma-3-270m", 1)}
    assert harness_cmd("cache", "clear", "--older-than", "12h", cwd=tmp_path).stdout.startswith("deleted 2 ")
    assert [(m.model, m.entries) for m in cache_contents(path)] == [("openai/a", 1)]
    assert harness_cmd("cache", "clear", cwd=tmp_path).stdout.startswith("deleted 1 cached responses from")
    assert cache_contents(path) == [] and ResponseCache(path).get("k2") is None
    assert harness_cmd("cache", "info", cwd=tmp_path).stdout.strip() == f"cache: {path} (empty)"


def test_a_cleared_response_is_asked_for_again_and_a_kept_one_is_not(served_project):
    root = served_project["dir"]
    server = served_project["server"]
    assert harness_cmd("run", "eval.yaml", "--out", "r1", "--quiet", cwd=root).returncode == 0
    first = len(server.requests)
    assert harness_cmd("run", "eval.yaml", "--out", "r2", "--quiet", cwd=root).returncode == 0
    assert len(server.requests) == first  # all cached
    assert harness_cmd("cache", "clear", "--model", "openai/test-judge", cwd=root).returncode == 0
    assert harness_cmd("run", "eval.yaml", "--out", "r3", "--quiet", cwd=root).returncode == 0
    again = server.requests[first:]
    assert again and all(r.body["model"] == "test-judge" for r in again)


def test_errors_name_the_file_or_option_and_nothing_is_created(tmp_path):
    missing = harness_cmd("cache", "info", "--cache", "nope.sqlite", cwd=tmp_path)
    assert missing.returncode == 0 and missing.stdout.strip() == "cache: nope.sqlite (none yet)"
    assert not (tmp_path / "nope.sqlite").exists()
    (tmp_path / "junk.sqlite").write_text("not a database")
    for args in (["info"], ["clear"]):
        done = harness_cmd("cache", *args, "--cache", "junk.sqlite", cwd=tmp_path)
        assert done.returncode == 2 and "junk.sqlite: not a harness response cache" in done.stderr, done.stderr
    assert (tmp_path / "junk.sqlite").read_text() == "not a database"
    _fill(tmp_path / "c.sqlite", [("m", 0)])
    bad_age = harness_cmd("cache", "clear", "--older-than", "3 weeks", "--cache", "c.sqlite", cwd=tmp_path)
    assert bad_age.returncode == 2 and "--older-than: expected an age such as 30d" in bad_age.stderr
    unknown = harness_cmd("cache", "clear", "--model", "gpt-x", "--cache", "c.sqlite", cwd=tmp_path)
    assert unknown.returncode == 2 and "holds no response of gpt-x (it holds: m)" in unknown.stderr
    assert [(m.model, m.entries) for m in cache_contents(tmp_path / "c.sqlite")] == [("m", 1)]


def test_odd_paths_and_unwritable_files_are_one_line_errors(tmp_path):
    # A '#' or '?' in the path cut the read-only URI short: a stray empty file, and a real cache refused.
    odd = tmp_path / "run#1" / "c?x%20.sqlite"
    odd.parent.mkdir()
    _fill(odd, [("m", 0)])
    info = harness_cmd("cache", "--cache", str(odd), cwd=tmp_path)
    assert info.returncode == 0 and info.stdout.splitlines()[2].split()[:2] == ["m", "1"], info.stderr
    assert not (tmp_path / "run").exists() and not (odd.parent / "c").exists()  # no stray file cut at '#'/'?'
    folder = harness_cmd("cache", "--cache", str(tmp_path), cwd=tmp_path)
    assert folder.returncode == 2 and "is a directory, not a cache file" in folder.stderr

    # A file that cannot be written: the delete fails with one line, not a traceback.
    import sqlite3 as real

    class Refusing:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql.startswith("DELETE"):
                raise real.OperationalError("attempt to write a readonly database")
            return self.conn.execute(sql, *args)

        def close(self):
            self.conn.close()

    from harness.errors import ConfigError
    from harness.models import cache as module

    opened = module._open
    module._open = lambda path: Refusing(opened(path))
    try:
        with pytest.raises(ConfigError, match="cannot delete from the cache: attempt to write a readonly database"):
            module.clear_cache(odd)
    finally:
        module._open = opened


def test_a_cache_in_a_read_only_folder_is_read_and_an_unreachable_one_is_a_one_line_error(tmp_path, monkeypatch):
    from harness.errors import ConfigError
    from harness.models import cache as module

    path = tmp_path / "models.sqlite"
    _fill(path, [("m", 0), ("", 0)])
    # A WAL cache in a folder the user cannot write: a read-only open fails for want of its -shm file.
    real_connect, uris = module._connect, []

    def refusing_writes(uri):
        uris.append(uri)
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(uri)

    monkeypatch.setattr(module, "_connect", refusing_writes)
    assert [(m.model, m.entries) for m in cache_contents(path)] == [("(unnamed)", 1), ("m", 1)]
    assert uris[-1].endswith("?mode=ro&immutable=1")  # read as a snapshot, not called "not a cache"
    monkeypatch.setattr(module, "_connect", real_connect)

    def unreachable(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "exists", unreachable)
    with pytest.raises(ConfigError, match="cannot reach the cache: Permission denied"):
        cache_contents(path)
    monkeypatch.undo()
    # Responses stored without a model name are listed as (unnamed), and cleared by that name.
    assert module.clear_cache(path, model="(unnamed)") == 1
    assert [(m.model, m.entries) for m in cache_contents(path)] == [("m", 1)]


def test_info_takes_a_model_as_the_cli_reference_says(tmp_path):
    path = tmp_path / "cache" / "models.sqlite"
    _fill(path, [("openai/a", 1), ("openai/a", 0), ("openai/b", 0)])
    for args in (("cache", "info", "--model", "openai/a"), ("cache", "--model", "openai/a")):
        info = harness_cmd(*args, cwd=tmp_path)
        assert info.returncode == 0, info.stderr
        lines = info.stdout.splitlines()
        assert lines[2].split()[:2] == ["openai/a", "2"] and len(lines) == 3
    typo = harness_cmd("cache", "info", "--model", "openai/c", cwd=tmp_path)
    assert typo.returncode == 2 and "--model: the cache" in typo.stderr and "openai/a, openai/b" in typo.stderr


def _beside(path):
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_reading_the_cache_leaves_no_files_beside_it(tmp_path):
    # `harness cache` opened the file read-only, and a read-only reader of a WAL database leaves its
    # -wal and -shm files behind: a look at the cache changed the folder.
    path = tmp_path / "cache" / "models.sqlite"
    _fill(path, [("openai/a", 40), ("openai/a", 0)])
    assert _beside(path) == ["models.sqlite"]
    for args in (("cache",), ("cache", "info"), ("cache", "info", "--model", "openai/a")):
        done = harness_cmd(*args, cwd=tmp_path)
        assert done.returncode == 0 and "openai/a" in done.stdout, done.stderr
        assert _beside(path) == ["models.sqlite"], args
    assert harness_cmd("cache", "clear", "--older-than", "30", cwd=tmp_path).stdout.startswith("deleted 1 ")
    assert _beside(path) == ["models.sqlite"]


def test_reading_the_cache_beside_a_writer_sees_its_rows_and_leaves_its_files(tmp_path):
    path = tmp_path / "models.sqlite"
    with ResponseCache(path) as writer:
        writer.put("k0", ModelResponse(text="first"), model="m")
        assert [(m.model, m.entries) for m in cache_contents(path)] == [("m", 1)]
        writer.put("k1", ModelResponse(text="second"), model="m")  # the writer goes on after the read
        assert "-wal" in " ".join(_beside(path))  # the writer's own files, in use, are not the reader's to remove
        assert [(m.model, m.entries) for m in cache_contents(path)] == [("m", 2)]
    assert _beside(path) == ["models.sqlite"] and len(ResponseCache(path)) == 2


def test_clear_names_the_unit_of_its_age(tmp_path):
    # "--older-than 30" printed "stored more than 30 ago": a bare number is days, and says so.
    _fill(tmp_path / "c.sqlite", [("m", 40), ("m", 1), ("m", 0)])
    said = {}
    for age in ("30", "12h", "1d", "90m"):
        done = harness_cmd("cache", "clear", "--older-than", age, "--cache", "c.sqlite", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        said[age] = done.stdout.split(" from ")[0]
    assert said == {"30": "deleted 1 cached responses stored more than 30 days ago",
                    "12h": "deleted 1 cached responses stored more than 12 hours ago",
                    "1d": "deleted 0 cached responses stored more than 1 day ago",
                    "90m": "deleted 0 cached responses stored more than 90 minutes ago"}
