"""The one row model of an indexed run and the one read of ``<results>/index.sqlite`` that makes it.

Both views of the index read their runs here: ``harness history``'s listing (:mod:`harness.history.table`) and
the runs page (:mod:`harness.report.history_data`, which adds what only the run's directory holds: its files and
its cost). One read for both keeps them agreeing on every run's figures, gates and selection.

The read is four statements whatever the number of runs (runs, figures summed per candidate, failed gates,
accepted runs), each one pass over its table or its index (``gates(run)``, ``runs(eval_name)``): no query per
run. The manifest's candidates, dataset and limit are read with ``json_extract``, not by parsing each
manifest in Python.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.history.index import own_cases, run_selection, selection_label
from harness.scoring.setups import candidate_setups

# json_valid first: a damaged manifest in one row reads as "nothing known" (as a manifest that cannot be parsed
# always has), not an error that hides every run.
RUNS = """
SELECT r.run, r.eval_name, r.started_at, r.status, r.n_records, r.n_errors, r.gates_passed, r.exit_code,
       CASE WHEN json_valid(r.manifest) THEN json_extract(r.manifest, '$.candidates') END AS candidates,
       CASE WHEN json_valid(r.manifest) THEN json_extract(r.manifest, '$.dataset') END AS dataset,
       CASE WHEN json_valid(r.manifest) THEN json_extract(r.manifest, '$.eval_spec.limit') END AS spec_limit,
       CASE WHEN json_valid(r.manifest) THEN json_extract(r.manifest, '$.eval_spec.description') END AS description
FROM runs r {where} ORDER BY r.started_at, r.run
"""
# Grouped by the figures' primary key order, so each group is summed in the same order whatever the filter.
FIGURES = """
SELECT run, candidate, kind, scale, SUM(pass_rate) AS rates, COUNT(pass_rate) AS n_rates,
       SUM(value) AS scores, COUNT(value) AS n_scores
FROM figures {where} GROUP BY run, candidate, kind, scale
"""
FAILED_GATES = "SELECT run, gate, candidate, detail FROM gates WHERE passed = 0{also}"
OF_EVAL = "run IN (SELECT run FROM runs WHERE eval_name = ?)"


@dataclass(frozen=True)
class Headline:
    """Mean pass rates (0..1) over checks and criteria and the mean 1-5 score, of a candidate or a whole run."""

    checks: float | None = None
    criteria: float | None = None
    score: float | None = None


@dataclass(frozen=True)
class HistoryRow:
    """One run: identity, size, headline figures (the run's and each candidate's), its gates and its selection.

    The run's ``checks`` and ``criteria`` are the mean pass rate over every candidate × check (criterion) of
    the run: one number to spot a bad night.
    """

    run: str
    eval_name: str
    started_at: str | None
    status: str | None
    n_records: int
    n_errors: int
    gates: str  # "passed", "failed (2)", "incomplete", or "—" when never gated
    exit_code: int | None
    accepted: bool
    selection: str | None = None  # the options that selected some of the cases, in words; None: every case
    own_cases: bool = True  # the cases its eval file names (every case, or its own limit's first N): see own_cases
    headline: Headline = field(default_factory=Headline)
    candidates: dict[str, Headline] = field(default_factory=dict)  # in the manifest's order
    failed_gates: tuple[str, ...] = ()  # "gate [candidate]: detail"
    # Each candidate's setup in a few words (harness.scoring.setups): runs differing in prompt only look alike else.
    setups: dict[str, str] = field(default_factory=dict)
    description: str | None = None  # the eval file's `description:`

    @property
    def checks_mean(self) -> float | None:
        return self.headline.checks

    @property
    def criteria_mean(self) -> float | None:
        return self.headline.criteria


def read_rows(conn: sqlite3.Connection, eval_name: str | None = None, last: int | None = None) -> list[HistoryRow]:
    """Every indexed run (of ``eval_name`` only, when given; the newest ``last`` of them), oldest first."""
    return build_rows(fetch_rows(conn, eval_name, last))


@dataclass(frozen=True)
class Fetched:
    """What :func:`fetch_rows` read of the index, for :func:`build_rows`."""

    runs: list  # the RUNS rows, oldest first
    figures: list  # the FIGURES groups of those runs
    failed: list  # their failed gates
    accepted: set[str]


def fetch_rows(conn: sqlite3.Connection, eval_name: str | None = None, last: int | None = None) -> Fetched:
    """The four statements of the read, whatever the number of runs."""
    where, params = ("WHERE r.eval_name = ?", (eval_name,)) if eval_name else ("", ())
    runs = conn.execute(RUNS.format(where=where), params).fetchall()
    runs = runs[-last:] if last else runs
    figures = conn.execute(FIGURES.format(where=f"WHERE {OF_EVAL}" if eval_name else ""), params).fetchall()
    failed = conn.execute(FAILED_GATES.format(also=f" AND {OF_EVAL}" if eval_name else ""), params).fetchall()
    accepted = {r["run"] for r in conn.execute("SELECT run FROM accepted")}
    return Fetched(runs, figures, failed, accepted)


def build_rows(fetched: Fetched, row_type: type[HistoryRow] = HistoryRow,
               more: Callable[[str], dict] | None = None) -> list[HistoryRow]:
    """The rows, oldest first. ``row_type`` and ``more`` (a run's name → the subclass's other fields) let the runs
    page build its own rows (:class:`~harness.report.history_data.IndexRun`) in this pass, once each, after the
    index is closed (``more`` reads the run's directory)."""
    wanted = {r["run"] for r in fetched.runs}
    heads = _headlines([f for f in fetched.figures if f["run"] in wanted])
    gates: dict[str, list[str]] = {}
    for gate in fetched.failed:
        who = f" [{gate['candidate']}]" if gate["candidate"] else ""
        gates.setdefault(gate["run"], []).append(f"{gate['gate']}{who}: {gate['detail'] or ''}".rstrip(": "))
    return [row_type(**_fields(r, heads.get(r["run"], {}), tuple(gates.get(r["run"], ())),
                               r["run"] in fetched.accepted), **(more(r["run"]) if more else {}))
            for r in fetched.runs]


def _fields(r, heads: dict[str | None, Headline], failed: tuple[str, ...], accepted: bool) -> dict:
    listed = _json(r["candidates"], [])
    names = [c.get("name") for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    candidates = {str(n): Headline() for n in names if n is not None}
    candidates.update((who, head) for who, head in heads.items() if who is not None)
    dataset = _json(r["dataset"], {})
    dataset = dataset if isinstance(dataset, dict) else {}
    # The eval file's own limit is said in words; its runs form a trend of their own (the same first N cases).
    chosen = run_selection(dataset, r["spec_limit"])
    return dict(run=r["run"], eval_name=r["eval_name"], started_at=r["started_at"], status=r["status"],
                n_records=r["n_records"] or 0, n_errors=r["n_errors"] or 0,
                gates=gates_words(r["exit_code"], r["gates_passed"], len(failed)), exit_code=r["exit_code"],
                accepted=accepted, selection=selection_label(chosen, dataset.get("replay")),
                own_cases=own_cases(chosen), headline=heads.get(None, Headline()), candidates=candidates,
                failed_gates=failed, setups=candidate_setups(listed), description=_text(r["description"]))


def _text(value) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def gates_words(exit_code: int | None, passed: int | None, failed: int) -> str:
    if exit_code is None:
        return "—"
    if exit_code == 3:
        return "incomplete"
    return "passed" if passed else f"failed ({failed})"


def _json(text: str | None, default):
    try:
        return json.loads(text) if isinstance(text, str) and text else default
    except ValueError:  # a manifest value json_extract gave back as text, not JSON: nothing to show
        return default


def _headlines(figures) -> dict[str, dict[str | None, Headline]]:
    """Each run's and each of its candidates' (None: the run's) means: over checks and criteria, the pass rate of
    every candidate × check (criterion), and the mean of the 1-5 criteria's scores.

    Summed group by group in the order SQLite gives them (so every view of a run gets the very same float): tens
    of thousands of groups on a page of 2,000 runs, hence the plain loop."""
    sums: dict[tuple[str, str | None, str], list] = {}
    for run, who, kind, scale, rates, n_rates, scores, n_scores in figures:
        measure = "checks" if kind == "check" else "criteria"
        adds = [(measure, rates, n_rates)] + ([("score", scores, n_scores)] if scale == "score" else [])
        for key_measure, total, n in adds:
            for key in ((run, who, key_measure), (run, None, key_measure)):  # the candidate's mean and the run's
                slot = sums.get(key)
                if slot is None:
                    sums[key] = [0.0 + (total or 0.0), n or 0]
                else:
                    slot[0] += total or 0.0
                    slot[1] += n or 0
    means: dict[str, dict[str | None, dict[str, float | None]]] = {}
    for (run, who, measure), (total, n) in sums.items():
        means.setdefault(run, {}).setdefault(who, {})[measure] = total / n if n else None
    return {run: {who: Headline(**values) for who, values in mine.items()} for run, mine in means.items()}
