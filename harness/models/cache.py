"""A persistent, content-addressed cache of model responses in one SQLite file.

Keys are content hashes computed by :class:`~harness.models.model.Model` (see
``Model.cache_key``); values are :class:`ModelResponse` JSON. The database runs
in WAL mode with a busy timeout, so several processes (parallel runs, a re-judge
next to a run) can read and write the same file without corrupting it. Only
successful responses are ever stored, and an answer its caller refused (a judge's
invalid answer) is taken out again with ``discard``.

A put is one transaction of its own, except inside ``deferred_writes()`` (a run's
task loop): there puts are kept in memory and written ``FLUSH_ROWS`` at a time,
or once the oldest has waited ``FLUSH_S``, in one transaction, and whatever is
left when the block ends. A single-row commit costs ~3x the CPU of a batched row;
the price is that a ``kill -9`` loses the last unwritten batch (the next run asks
the provider again for those calls) and other processes see a row up to
``FLUSH_S`` later.

A row's ``own_cost`` (1) says its ``cost_usd`` is the provider's own. Rows written before commit 5ae938f
(or by an older harness since: they take the default, 0) may hold a cost priced at an eval file's
``price:``, so they read with the cost unknown; a caller with a price applies it, as to any row. A file
made before the column gets it when opened; its answers are still served.

The default file is ``.harness-cache/models.sqlite`` under the current
directory; the environment variable ``HARNESS_CACHE_DIR`` moves the directory.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from harness.models.base import ModelResponse

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "HARNESS_CACHE_DIR"
CACHE_FILENAME = "models.sqlite"
# Long enough to ride out another process's write burst; writes are single rows or small batches.
BUSY_TIMEOUT_MS = 30_000
# Inside deferred_writes(): rows per write transaction, and the longest a row waits for one.
FLUSH_ROWS = 32
FLUSH_S = 1.0
_INSERT = "INSERT OR REPLACE INTO responses (key, model, created, response, own_cost) VALUES (?, ?, ?, ?, 1)"
_OWN_COST = "ALTER TABLE responses ADD COLUMN own_cost INTEGER NOT NULL DEFAULT 0"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    response TEXT NOT NULL,
    own_cost INTEGER NOT NULL DEFAULT 0
)
"""


def default_cache_path() -> Path:
    """``$HARNESS_CACHE_DIR/models.sqlite`` if set, else ``./.harness-cache/models.sqlite``."""
    directory = os.environ.get(CACHE_DIR_ENV) or Path.cwd() / ".harness-cache"
    return Path(directory) / CACHE_FILENAME


class ResponseCache:
    """Get and put :class:`ModelResponse` by key in a SQLite file shared across processes.

    Safe to use from several threads and from several processes at once. A row
    that no longer parses (an older format) reads as a miss and is overwritten
    by the next ``put``.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._deferring = 0
        self._pending: dict[str, tuple[str, str, float, str]] = {}  # key -> the row to insert
        self._oldest_pending = 0.0

    def get(self, key: str) -> ModelResponse | None:
        """The stored response for ``key`` (a new object on every call: the caller may fill in its fields),
        or ``None``."""
        with self._lock:
            pending = self._pending.get(key)
            row = (pending[3], 1) if pending is not None else self._connection().execute(
                "SELECT response, own_cost FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            response = ModelResponse.model_validate_json(row[0])
        except ValidationError:
            log.warning("ignoring unreadable cache entry %s in %s", key[:12], self.path)
            return None
        if not row[1] and response.usage.cost_usd is not None:  # an older row: maybe priced, so unknown
            response.usage = response.usage.model_copy(update={"cost_usd": None})
        return response

    def put(self, key: str, response: ModelResponse, *, model: str = "") -> None:
        """Store ``response`` under ``key`` (replacing any previous entry)."""
        stored = response.model_copy(update={"cache_hit": False}) if response.cache_hit else response
        row = (key, model, time.time(), stored.model_dump_json())
        with self._lock:
            if not self._deferring:
                self._connection().execute(_INSERT, row)
                return
            if not self._pending:
                self._oldest_pending = time.monotonic()
            self._pending[key] = row
            if len(self._pending) >= FLUSH_ROWS or time.monotonic() - self._oldest_pending >= FLUSH_S:
                self._flush_locked()

    def discard(self, key: str, text: str) -> None:
        """Remove the entry for ``key`` if its answer's text is ``text`` (an answer its caller refused).

        Another answer stored under ``key`` since (by another process, or by a second ask) is kept.
        """
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None and _text_of(pending[3]) == text:
                del self._pending[key]
            conn = self._connection()
            row = conn.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
            if row is not None and _text_of(row[0]) == text:
                # Only the row just read: one written in between under the same key is another answer.
                conn.execute("DELETE FROM responses WHERE key = ? AND response = ?", (key, row[0]))

    @contextmanager
    def deferred_writes(self) -> Iterator["ResponseCache"]:
        """Within the block, puts are written in batches (see the module docstring); all by its end."""
        with self._lock:
            self._deferring += 1
        try:
            yield self
        finally:
            with self._lock:
                self._deferring -= 1
                self._flush_locked()

    def flush(self) -> None:
        """Write the puts still held back by ``deferred_writes()``."""
        with self._lock:
            self._flush_locked()

    def __contains__(self, key: str) -> bool:
        with self._lock:
            if key in self._pending:
                return True
            row = self._connection().execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        with self._lock:
            self._flush_locked()
            return self._connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._flush_locked()
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def _flush_locked(self) -> None:
        if not self._pending:
            return
        rows, self._pending = list(self._pending.values()), {}
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            # As for a single put: a cache that cannot be written must not cost answers already paid for.
            log.warning("could not cache %d responses in %s: %s", len(rows), self.path, exc)

    def __enter__(self) -> "ResponseCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        # A connection inherited through fork() must not be used by the child:
        # reopen whenever the process id changed.
        if self._conn is None or self._pid != os.getpid():
            self._conn = _open(self.path)
            self._pid = os.getpid()
        return self._conn


def _text_of(stored: str) -> str | None:
    """The answer text of a stored response, or None for a row that does not parse."""
    try:
        return ModelResponse.model_validate_json(stored).text
    except ValidationError:
        return None


@dataclass(frozen=True)
class ModelEntries:
    """What the cache holds for one model: how many responses, their bytes, the oldest and newest."""

    model: str
    entries: int
    bytes: int
    oldest: float
    newest: float


def cache_contents(path: Path) -> list[ModelEntries]:
    """Per model, what the cache file at ``path`` holds (most entries first); empty for a missing file.

    Read-only: a missing file is not created, nor are -wal/-shm files left beside it, and a file that is
    not a cache is a ConfigError naming it.
    """
    if not _exists(path):
        return []
    rows = _read_only(path, "SELECT model, COUNT(*), SUM(LENGTH(response)), MIN(created), MAX(created) "
                            "FROM responses GROUP BY model ORDER BY COUNT(*) DESC, model")
    return [ModelEntries(model or UNNAMED, n, size or 0, oldest, newest) for model, n, size, oldest, newest in rows]


UNNAMED = "(unnamed)"
"""How :func:`cache_contents` names responses stored without a model name (older caches); clear takes it too."""


def _exists(path: Path) -> bool:
    """``path.exists()``; a path the user may not look into is a one-line ConfigError, not a PermissionError."""
    from harness.errors import ConfigError

    try:
        return path.exists()
    except OSError as exc:
        raise ConfigError(f"cannot reach the cache: {exc.strerror}", file=str(path)) from None


def clear_cache(path: Path, *, model: str | None = None, older_than_s: float | None = None) -> int:
    """Delete the responses of ``model`` (all models if None) stored more than ``older_than_s`` seconds
    ago (any age if None), then give the space back to the file system; the number deleted.

    Safe beside a running harness: the delete is one transaction, and a run that wanted a deleted
    response asks the provider again.
    """
    if not _exists(path):
        return 0
    where, params = [], []
    if model is not None:
        where.append("model IN (?, ?)" if model == UNNAMED else "model = ?")
        params += [model, ""] if model == UNNAMED else [model]
    if older_than_s is not None:
        where.append("created < ?")
        params.append(time.time() - older_than_s)
    sql = "DELETE FROM responses" + (" WHERE " + " AND ".join(where) if where else "")
    _check_is_cache(path)
    try:
        conn = _open(path)
    except sqlite3.Error as exc:
        raise _unusable(path, "cannot open the cache", exc) from None
    try:
        deleted = conn.execute(sql, params).rowcount
        if deleted:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")  # without it the file keeps its size: the pages are only marked free
        return deleted
    except sqlite3.Error as exc:  # a read-only file or directory, a full disk
        raise _unusable(path, "cannot delete from the cache", exc) from None
    finally:
        conn.close()


def _unusable(path: Path, what: str, exc: sqlite3.Error):
    from harness.errors import ConfigError

    return ConfigError(f"{what}: {exc}", file=str(path))


def _check_is_cache(path: Path) -> None:
    read_only_connection(path).close()


def _read_only(path: Path, sql: str) -> list[tuple]:
    from harness.errors import ConfigError

    conn = read_only_connection(path)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.Error as exc:
        raise ConfigError(_not_a_cache(exc), file=str(path)) from None
    finally:
        conn.close()


_PROBE = "SELECT key, model, created, response FROM responses LIMIT 0"


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that only reads the cache file at ``path`` (checked to be one): it never creates the
    file, writes nothing, and leaves no -wal/-shm files behind. A ConfigError names a path that is not a
    readable cache. Close it when done."""
    from urllib.parse import quote

    from harness.errors import ConfigError

    if path.is_dir():
        raise ConfigError("is a directory, not a cache file (models.sqlite)", file=str(path))
    # A URI, so that a missing file is never created: "#", "?" and "%" in the path escaped.
    uri = "file:" + quote(str(path.resolve()), safe="/")
    # Read-write mode, though nothing is written (query_only): reading a WAL database makes its -wal and
    # -shm files, and only a connection that may write removes them when it is the last to close. A
    # mode=ro reader left both behind after every `harness cache`. The usual locks are taken, so a run
    # writing the cache at the same time is safe, and its files (in use) stay.
    try:
        return _connect(uri + "?mode=rw")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise ConfigError(_not_a_cache(exc), file=str(path)) from None
        # A WAL database in a directory this user cannot write: reading needs a -shm file beside it,
        # which cannot be made. Read it as an unchanging file instead (no locks: a snapshot).
    except sqlite3.Error as exc:
        raise ConfigError(_not_a_cache(exc), file=str(path)) from None
    try:
        return _connect(uri + "?mode=ro&immutable=1")
    except sqlite3.Error as exc:
        raise ConfigError(_not_a_cache(exc), file=str(path)) from None


def _connect(uri: str) -> sqlite3.Connection:
    """A query-only connection to ``uri``, once a first read of the cache's table has worked."""
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA query_only = ON")  # a read: no statement of this connection may write
        conn.execute(_PROBE).fetchall()
    except BaseException:
        conn.close()
        raise
    return conn


def _not_a_cache(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "no such table" in text or "not a database" in text or "no such column" in text:
        return f"not a harness response cache ({text})"
    return f"cannot read the cache: {text}"


def _open(path: Path) -> sqlite3.Connection:
    # Switching to WAL and creating the table take locks that SQLite does not always wait for
    # (it can answer "database is locked" at once while another process is doing the same),
    # so opening is retried for a bounded time.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _open_once(path)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + random.random() * 0.04)


def _open_once(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: autocommit, so each put is one short transaction.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(_SCHEMA)
        _add_own_cost(conn)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _add_own_cost(conn: sqlite3.Connection) -> None:
    """Give a cache file made before the ``own_cost`` column the column (its rows take 0: cost unknown)."""
    if any(column[1] == "own_cost" for column in conn.execute("PRAGMA table_info(responses)")):
        return
    try:
        conn.execute(_OWN_COST)
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):  # another process added it first
            raise
