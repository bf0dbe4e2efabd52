"""``<results>/index.sqlite``: every finished run beside it, with its headline figures and gate results.

The index lives in the run directory's parent (``results/`` by default) and
names runs by their directory name, so a results directory can be moved or
archived with its index. Written when a run ends; gates add their results
after. Safe for several processes: each write is one short transaction.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.datasets.selection import selection_words
from harness.errors import ResultsError
from harness.history import INDEX_FILE
from harness.records.timestamps import now_iso

INDEX_SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
  run TEXT PRIMARY KEY, eval_name TEXT NOT NULL, started_at TEXT, finished_at TEXT, status TEXT,
  git_revision TEXT, dataset_sha256 TEXT, n_records INTEGER, n_errors INTEGER, error_rate REAL,
  manifest TEXT NOT NULL, gates_passed INTEGER, exit_code INTEGER, baseline TEXT, indexed_at TEXT);
CREATE TABLE IF NOT EXISTS figures (
  run TEXT NOT NULL, candidate TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
  scale TEXT NOT NULL, value REAL, lo REAL, hi REAL, n INTEGER, pass_rate REAL,
  PRIMARY KEY (run, candidate, kind, name));
CREATE TABLE IF NOT EXISTS gates (
  run TEXT NOT NULL, gate TEXT NOT NULL, candidate TEXT, passed INTEGER NOT NULL, detail TEXT);
CREATE TABLE IF NOT EXISTS accepted (eval_name TEXT PRIMARY KEY, run TEXT NOT NULL, accepted_at TEXT);
CREATE INDEX IF NOT EXISTS gates_by_run ON gates (run);
CREATE INDEX IF NOT EXISTS runs_by_eval ON runs (eval_name);
"""
# The indexes are created on every open: an index written before them gains them the first time it is opened (no
# schema_version change: a harness that predates them reads such a file as it is). gates(run): the listing's and
# the page's failed gates and each gate write's delete; runs(eval_name): ``--eval`` and the trends.


@dataclass(frozen=True)
class Figure:
    """One headline figure of one candidate in one run: a pass rate or a mean, with its interval."""

    candidate: str
    kind: str  # "check" or "criterion"
    name: str
    scale: str  # "rate" (a pass rate in [0, 1]) or "score" (a mean on a 1-5 scale)
    value: float | None
    lo: float | None
    hi: float | None
    n: int
    pass_rate: float | None  # the same for rates; the share at or above the threshold for scores


def index_path(results_dir: str | Path) -> Path:
    return Path(results_dir) / INDEX_FILE


@contextmanager
def connect(results_dir: str | Path, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """An open index (created if missing and ``create``); commits on success.

    An index SQLite cannot read (garbage bytes, a damaged page, a directory in
    its place) is a ResultsError naming the file, whether it shows on opening
    or in a query of the caller's, so no command ends in a DatabaseError traceback.
    """
    path = index_path(results_dir)
    if not create and not path.exists():
        raise ResultsError("no run index here (index.sqlite is written when a run ends)", file=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=30)
    except sqlite3.Error as exc:
        raise unusable_index(path, exc) from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.executescript(SCHEMA)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(INDEX_SCHEMA_VERSION),))
        _check_version(conn, path)
        yield conn
        conn.commit()
    except sqlite3.DatabaseError as exc:
        raise unusable_index(path, exc) from exc
    finally:
        conn.close()


def _check_version(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    if version > INDEX_SCHEMA_VERSION:
        raise ResultsError(f"index schema_version {version} is newer than this harness reads "
                           f"({INDEX_SCHEMA_VERSION}); upgrade the harness", file=str(path))


def unusable_index(path: Path, exc: sqlite3.Error) -> ResultsError:
    """The one-line error for an index SQLite refused: a damaged file is to be removed, a busy one waited for.

    There is no rebuild: removing a damaged index loses the history listing of
    earlier runs and the ``harness accept`` marks, never a run (each run
    directory keeps all its files), and the next run starts a new index;
    ``harness accept RUN`` indexes an earlier run into it from its files. A
    locked or unopenable file is not damaged, and the message does not say to remove it.
    """
    if isinstance(exc, sqlite3.OperationalError):
        return ResultsError(f"cannot use the run index: {exc}", file=str(path))
    return ResultsError(f"not a readable run index: {exc}; remove it to start a new one", file=str(path))


def warn_index(error: ResultsError) -> None:
    """One warning line: a finished run (or its rebuilt report) could not use its index, and goes on without it."""
    print(f"harness: warning: {error.one_line()} (the run's files are written without it)", file=sys.stderr)


def scorecard_figures(scorecard) -> list[Figure]:
    """The headline figures of a scorecard: each criterion's mean (or pass rate) and each check's pass rate."""
    figures = []
    for candidate in scorecard.candidates.values():
        for name, summary in candidate.criteria.items():
            info = scorecard.criteria.get(name)
            if info is not None and info.scale == "pass_fail":
                figures.append(_rate(candidate.name, "criterion", name, summary.pass_rate))
            else:
                stat, ci = summary.score, summary.score.ci
                figures.append(Figure(candidate.name, "criterion", name, "score", stat.mean, ci and ci.lo,
                                      ci and ci.hi, stat.n, summary.pass_rate.rate))
        for name, summary in candidate.checks.items():
            figures.append(_rate(candidate.name, "check", name, summary.pass_rate))
    return figures


def _rate(candidate: str, kind: str, name: str, stat) -> Figure:
    ci = stat.ci
    return Figure(candidate, kind, name, "rate", stat.rate, ci and ci.lo, ci and ci.hi, stat.n, stat.rate)


def index_run(run_dir: str | Path, manifest, scorecard, errors=None) -> bool:
    """Add (or replace) the run in ``run_dir`` in its parent's index. A failure warns; it never loses the run.

    Returns whether the run was indexed: when not, the run's later index steps
    (trends, gate rows) are skipped, so a broken index is one warning, not four.
    ``errors`` (a :class:`~harness.gates.tolerance.ErrorCount`) saves reading the records to count them
    when the caller counted them already.
    """
    run_dir = Path(run_dir)
    row = _run_row(run_dir, manifest, errors)
    try:
        with connect(run_dir.parent) as conn:
            _replace_run(conn, row, scorecard_figures(scorecard))
    except ResultsError as exc:
        # The run's own files are complete; an unreadable index must not turn that into a failure.
        warn_index(exc)
        return False
    except (sqlite3.Error, OSError) as exc:
        print(f"harness: warning: could not index the run in {index_path(run_dir.parent)}: {exc}", file=sys.stderr)
        return False
    return True


def _replace_run(conn: sqlite3.Connection, row: dict, figures: list[Figure]) -> None:
    keep = conn.execute("SELECT gates_passed, exit_code, baseline FROM runs WHERE run = ?", (row["run"],)).fetchone()
    row.update(dict(keep) if keep else {"gates_passed": None, "exit_code": None, "baseline": None})
    conn.execute(f"INSERT OR REPLACE INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                 tuple(row.values()))
    conn.execute("DELETE FROM figures WHERE run = ?", (row["run"],))
    conn.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(row["run"], f.candidate, f.kind, f.name, f.scale, f.value, f.lo, f.hi, f.n, f.pass_rate)
                      for f in figures])


def record_gates(run_dir: str | Path, outcome) -> None:
    """Store a :class:`~harness.gates.evaluate.GateOutcome` on the run's index row (an unusable index warns)."""
    run_dir = Path(run_dir)
    try:
        with connect(run_dir.parent) as conn:
            _store_gates(conn, run_dir.name, outcome)
    except ResultsError as exc:
        # junit.xml and summary.md are written; the gate rows are the index's copy of them.
        warn_index(exc)


def _store_gates(conn: sqlite3.Connection, run: str, outcome) -> None:
    conn.execute("UPDATE runs SET gates_passed = ?, exit_code = ?, baseline = ? WHERE run = ?",
                 (int(outcome.passed), outcome.exit_code, outcome.baseline, run))
    conn.execute("DELETE FROM gates WHERE run = ?", (run,))
    conn.executemany("INSERT INTO gates VALUES (?, ?, ?, ?, ?)",
                     [(run, g.name, g.candidate, int(g.passed), g.detail) for g in outcome.gates])


def accept_run(run_dir: str | Path, *, partial: bool = False) -> str:
    """Mark the run in ``run_dir`` as the accepted baseline of its eval; returns the eval name.

    A run of some of the cases (:func:`partial_run`) is refused unless ``partial``: later runs' regression
    gates would be held over those cases only, without a word. A run the index lacks (a rebuilt index, a
    run copied in) is indexed first from its files: its figures from ``scorecard.json`` and, when it was
    gated, its gate results from ``gates.json``.
    """
    from harness.records.store import read_manifest

    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    if manifest.status != "complete":
        raise ResultsError(f"only a complete run can be accepted (this one is {manifest.status})", file=str(run_dir))
    selected = partial_run(manifest)
    if selected is not None and not partial:
        raise ResultsError(f"not accepted: it is a partial run ({selected}); later runs' max_regression gates would "
                           f"be held over those cases only (accept it anyway with --partial)", file=str(run_dir))
    with connect(run_dir.parent) as conn:
        if conn.execute("SELECT 1 FROM runs WHERE run = ?", (run_dir.name,)).fetchone() is None:
            _index_from_files(conn, run_dir, manifest)
        conn.execute("INSERT OR REPLACE INTO accepted VALUES (?, ?, ?)", (manifest.eval_name, run_dir.name, now_iso()))
    return manifest.eval_name


def partial_run(manifest) -> str | None:
    """How a run kept only some of the dataset's cases, as the options that did it and the counts
    (``--failing results/night2: 2 of the dataset's 10 cases``); None for a run of every case (a selection
    that kept them all included)."""
    dataset = manifest.dataset if isinstance(manifest.dataset, dict) else {}
    selection = dataset.get("selection")
    if not isinstance(selection, dict) or not selection:
        return None
    kept, total = dataset.get("n_selected"), dataset.get("n_cases")
    if isinstance(kept, int) and isinstance(total, int) and kept >= total:
        return None
    counts = f"{kept} of the dataset's {total} cases" if isinstance(kept, int) and isinstance(total, int) else \
        "some of the dataset's cases"
    return f"{selection_words(selection) or 'a case selection'}: {counts}"


def _index_from_files(conn: sqlite3.Connection, run_dir: Path, manifest) -> None:
    """Index a finished run from what it wrote: its row, its scorecard's figures, its gates.json (if gated)."""
    from harness.gates.outcome import read_outcome
    from harness.scoring.scorecard import load_scorecard

    _replace_run(conn, _run_row(run_dir, manifest), scorecard_figures(load_scorecard(run_dir)))
    outcome = read_outcome(run_dir)
    if outcome is not None:
        _store_gates(conn, run_dir.name, outcome)


def _run_row(run_dir: Path, manifest, errors=None) -> dict:
    """The ``runs`` row of a run: identity, status, error counts (read from the records unless given), the manifest."""
    from harness.gates.tolerance import count_errors

    count = errors if errors is not None else count_errors(run_dir)
    return {"run": run_dir.name, "eval_name": manifest.eval_name, "started_at": manifest.started_at,
            "finished_at": manifest.finished_at, "status": manifest.status, "git_revision": manifest.git_revision,
            "dataset_sha256": manifest.dataset.get("sha256"), "n_records": count.records,
            "n_errors": count.with_error, "error_rate": count.rate, "manifest": manifest.model_dump_json(),
            "indexed_at": now_iso()}


def accepted_run(results_dir: str | Path, eval_name: str) -> Path | None:
    """The accepted baseline run of ``eval_name`` in ``results_dir``, if one was accepted."""
    if not index_path(results_dir).exists():
        return None
    with connect(results_dir) as conn:
        row = conn.execute("SELECT run FROM accepted WHERE eval_name = ?", (eval_name,)).fetchone()
    return Path(results_dir) / row["run"] if row else None



def manifest_of(row: sqlite3.Row) -> dict:
    return json.loads(row["manifest"])


def selection_of(manifest_json: str | None) -> dict | None:
    """A run's case selection (``--cases``, ``--where``, ``--failing``, ``--limit``, and the eval file's own
    ``limit`` when it left cases out) from its manifest in the index; None for a run of every case (or a
    manifest that cannot be read)."""
    try:
        manifest = json.loads(manifest_json or "{}")
        return run_selection(manifest.get("dataset"), (manifest.get("eval_spec") or {}).get("limit"))
    except (ValueError, AttributeError):
        return None


def run_selection(dataset: object, spec_limit: object) -> dict | None:
    """The manifest's ``dataset.selection``, plus ``eval_limit`` when the eval file's ``limit:`` kept only the
    first cases: such a run measures those cases only, as a ``--limit`` run does, but its manifest records the
    limit in the eval's spec, not in the selection (``--limit`` replaces it, and is recorded there)."""
    dataset = dataset if isinstance(dataset, dict) else {}
    selection = dataset.get("selection")
    selection = dict(selection) if isinstance(selection, dict) else {}
    total = dataset.get("n_cases")
    if (isinstance(spec_limit, int) and not isinstance(spec_limit, bool) and spec_limit > 0
            and "limit" not in selection and not (isinstance(total, int) and spec_limit >= total)):
        selection["eval_limit"] = spec_limit
    return selection or None


def own_cases(selection: dict | None) -> bool:
    """Whether a run measured the cases its eval file names: every case, or the first N its own ``limit:``
    keeps (each run of that eval keeps the same ones), not a subset options chose for one run."""
    return not selection or set(selection) == {"eval_limit"}


def selection_label(selection: dict | None, replay: object = None) -> str | None:
    """A run's selection in words (None for every case): the options that made it, and the eval file's limit as
    ``the first 10 cases (limit: 10 in the eval file)``."""
    if not selection:
        return None
    words = selection_words({k: v for k, v in selection.items() if k != "eval_limit"})
    limit = selection.get("eval_limit")
    if not isinstance(limit, int):
        return words
    unit = "thread" if replay == "turns" else "case"  # a turn-level run limits threads, each one case per turn
    if words:
        return f"{words}, the first {limit} of those {unit}s (limit: {limit} in the eval file)"
    return f"the first {limit} {unit}{'s' * (limit != 1)} (limit: {limit} in the eval file)"
