"""One row model and one read of the index for ``harness history`` and the runs page (harness.history.rows).

An index written before the read's indexes gains them when opened (and stays readable); the listing and the page
agree on every field of every run, for every eval and ``--last``; a run whose manifest the index holds damaged
is listed by both, not the end of the page; the read is a fixed number of statements, using the indexes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields
from pathlib import Path

import pytest

from harness.history.index import connect
from harness.history import rows
from harness.history.rows import HistoryRow, read_rows
from harness.history.table import history_rows, render_history
from harness.report.history_data import IndexRun, load_index_runs

# The schema as index.sqlite files were written before the indexes were added (no CREATE INDEX).
OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE runs (
  run TEXT PRIMARY KEY, eval_name TEXT NOT NULL, started_at TEXT, finished_at TEXT, status TEXT,
  git_revision TEXT, dataset_sha256 TEXT, n_records INTEGER, n_errors INTEGER, error_rate REAL,
  manifest TEXT NOT NULL, gates_passed INTEGER, exit_code INTEGER, baseline TEXT, indexed_at TEXT);
CREATE TABLE figures (
  run TEXT NOT NULL, candidate TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
  scale TEXT NOT NULL, value REAL, lo REAL, hi REAL, n INTEGER, pass_rate REAL,
  PRIMARY KEY (run, candidate, kind, name));
CREATE TABLE gates (run TEXT NOT NULL, gate TEXT NOT NULL, candidate TEXT, passed INTEGER NOT NULL, detail TEXT);
CREATE TABLE accepted (eval_name TEXT PRIMARY KEY, run TEXT NOT NULL, accepted_at TEXT);
INSERT INTO meta VALUES ('schema_version', '1');
"""


def _manifest(eval_name: str, limit: int | None = None) -> str:
    dataset = {"n_cases": 10, "n_selected": limit or 10, **({"selection": {"limit": limit}} if limit else {})}
    return json.dumps({"eval_name": eval_name, "candidates": [{"name": "bot"}, {"name": "bot-v2"}],
                       "dataset": dataset, "eval_spec": {"limit": None}})


def _add(conn, run: str, eval_name: str, i: int, *, manifest: str | None = None, failed: int = 0) -> None:
    conn.execute("INSERT INTO runs (run, eval_name, started_at, status, n_records, n_errors, manifest, gates_passed,"
                 " exit_code) VALUES (?, ?, ?, 'complete', 20, ?, ?, ?, ?)",
                 (run, eval_name, f"2026-01-01T00:00:{i:02d}", i % 3, manifest or _manifest(eval_name, 5 * (i % 2)),
                  int(not failed), 1 if failed else 0))
    for c, cand in enumerate(("bot", "bot-v2")):
        for k, check in enumerate(("tone", "next_step", "pii")):
            rate = (i + c + k) % 10 / 10 + 0.05
            conn.execute("INSERT INTO figures VALUES (?, ?, 'check', ?, 'rate', ?, ?, ?, 20, ?)",
                         (run, cand, check, rate, rate - 0.1, rate + 0.1, rate))
        score = 2.5 + (i + c) % 4 / 3
        conn.execute("INSERT INTO figures VALUES (?, ?, 'criterion', 'empathy', 'score', ?, ?, ?, 20, ?)",
                     (run, cand, score, score - 0.4, score + 0.4, (score - 1) / 4))
    for g in range(3):
        conn.execute("INSERT INTO gates VALUES (?, ?, ?, ?, ?)",
                     (run, f"min check tone #{g}", "bot-v2" if g else None, int(g >= failed), f"detail {g}"))


def _old_index(results: Path, runs: int = 12) -> Path:
    """An index as an earlier harness wrote it: no indexes on gates(run) or runs(eval_name)."""
    results.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(results / "index.sqlite")
    conn.executescript(OLD_SCHEMA)
    for i in range(runs):
        _add(conn, f"{'ab'[i % 2]}-{i:02d}", "alpha" if i % 2 == 0 else "beta", i, failed=i % 4 == 1 and 2)
    conn.execute("INSERT INTO accepted VALUES ('alpha', 'a-02', 'x')")
    conn.commit()
    conn.close()
    return results


def _indexes(results: Path) -> set[str]:
    conn = sqlite3.connect(results / "index.sqlite")
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    finally:
        conn.close()


def test_an_index_written_before_the_indexes_gains_them_when_opened_and_reads_as_before(tmp_path):
    results = _old_index(tmp_path / "results")
    assert _indexes(results) == set()
    rows = history_rows(results)  # the listing opens it: the indexes are added, the rows read as ever
    assert _indexes(results) == {"gates_by_run", "runs_by_eval"}
    assert [r.run for r in rows] == [f"{'ab'[i % 2]}-{i:02d}" for i in range(12)]
    failed = {r.run: r.gates for r in rows if r.gates != "passed"}
    assert failed == {"b-01": "failed (2)", "b-05": "failed (2)", "b-09": "failed (2)"}
    assert {r.run for r in rows if r.accepted} == {"a-02"}
    with connect(results) as conn:  # the version is what it was: an older harness reads the file as before
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"


def _index_fields(run: IndexRun) -> dict:
    return {f.name: getattr(run, f.name) for f in fields(HistoryRow)}


@pytest.mark.parametrize("eval_name,last", [(None, None), ("alpha", None), ("beta", 2), (None, 5)])
def test_the_listing_and_the_page_agree_on_every_field_of_every_run(tmp_path, eval_name, last):
    results = _old_index(tmp_path / "results")
    listed = history_rows(results, eval_name)
    listed = listed[-last:] if last else listed  # as `harness history --last N` cuts the listing
    page = load_index_runs(results, eval_name, last)
    assert [_index_fields(r) for r in reversed(page)] == [_index_fields(r) for r in listed]
    assert all(isinstance(r, HistoryRow) for r in page)
    # The listing's run means are the page's headline, to the last bit (the page sorts on their repr).
    assert [(r.checks_mean, r.criteria_mean) for r in listed] == \
        [(r.headline.checks, r.headline.criteria) for r in reversed(page)]
    for row in listed:
        assert set(row.candidates) == {"bot", "bot-v2"} and row.headline.score is not None
        assert row.checks_mean == pytest.approx(
            sum(c.checks for c in row.candidates.values()) / len(row.candidates))


def test_a_run_with_a_damaged_manifest_is_listed_by_both_as_a_run_of_every_case(tmp_path):
    results = _old_index(tmp_path / "results", runs=2)
    with connect(results) as conn:
        _add(conn, "damaged", "alpha", 30, manifest="{not json")
    row = history_rows(results)[-1]
    assert (row.run, row.selection, row.candidates.keys() == {"bot", "bot-v2"}) == ("damaged", None, True)
    assert "damaged" in render_history(history_rows(results))
    assert load_index_runs(results)[0].run == "damaged"  # json_extract would have stopped the page's read


def test_the_read_is_a_fixed_number_of_statements_using_the_indexes(tmp_path):
    results = _old_index(tmp_path / "results", runs=40)
    statements: list[str] = []
    with connect(results) as conn:
        conn.set_trace_callback(statements.append)
        read_rows(conn)
        read_rows(conn, "beta")
        conn.set_trace_callback(None)
        gates = " ".join(str(r[-1]) for r in conn.execute(
            "EXPLAIN QUERY PLAN " + rows.FAILED_GATES.format(also=f" AND {rows.OF_EVAL}"), ("beta",)))
    assert len(statements) == 8  # runs, figures, failed gates, accepted, twice: not one query per run
    assert "gates_by_run" in gates and "runs_by_eval" in gates
