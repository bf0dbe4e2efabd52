"""What the runs page (``index.html``, :mod:`harness.report.history_html`) shows of each indexed run.

The index's part of each run is the listing's row (:class:`~harness.history.rows.HistoryRow`, read once by
:func:`~harness.history.rows.read_rows` for ``harness history`` and this page alike); the page adds what only the
run's directory holds, found with a few ``stat`` calls per run: which of its files are there, and its cost, the
only figure the index does not hold. The cost is read from the run's ``scorecard.json`` once, and kept in the page
with the file's size and modification time, so a page written after every run reads only the new run's scorecard
(``previous``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from harness.history.index import connect
from harness.history.rows import Headline, HistoryRow, build_rows, fetch_rows

__all__ = ["Cost", "DiffLink", "Headline", "IndexRun", "known_diffs", "load_index_runs", "read_cost"]


@dataclass(frozen=True)
class Cost:
    """A run's model cost, as the scorecard's cost row counts it (harness.report.tables.fmt_cost)."""

    usd: float | None
    unpriced: int = 0
    calls: int = 0
    stamp: str = ""  # scorecard.json's size and modification time when read: reused while they are the same


@dataclass(frozen=True)
class IndexRun(HistoryRow):
    """One run on the page: the listing's row, and what its directory holds."""

    files: frozenset[str] = frozenset()  # of report.html, scorecard.md, scorecard.json; "." when the dir exists
    cost: Cost | None = None

    @property
    def present(self) -> bool:
        return "." in self.files


def load_index_runs(results_dir: str | Path, eval_name: str | None = None, last: int | None = None,
                    previous: dict[str, Cost] | None = None) -> list[IndexRun]:
    """The indexed runs (of ``eval_name``; the newest ``last`` of them), newest first, as the page shows them."""
    with connect(results_dir, create=False) as conn:
        fetched = fetch_rows(conn, eval_name, last)
    rows = build_rows(fetched, IndexRun, lambda run: _files(run, str(results_dir), previous or {}))
    return list(reversed(rows))


def _files(run: str, results: str, previous: dict[str, Cost]) -> dict:
    """Which of the run's files are there (``os.stat``: a few calls per run), and its cost."""
    folder = os.path.join(results, run)  # strings, not Paths: hundreds of runs, four names each
    found = set()
    stats = {}
    for name in (".", "report.html", "scorecard.md", "scorecard.json"):
        try:
            stats[name] = os.stat(os.path.join(folder, name))
            found.add(name)
        except OSError:
            continue
    cost = None
    if "scorecard.json" in stats:
        st = stats["scorecard.json"]
        stamp = f"{st.st_size}:{st.st_mtime_ns}"
        kept = previous.get(run)
        cost = kept if kept is not None and kept.stamp == stamp else read_cost(Path(folder, "scorecard.json"), stamp)
    return {"files": frozenset(found), "cost": cost}


def read_cost(path: Path, stamp: str) -> Cost | None:
    """The run's cost from its scorecard (responder and judge calls of every candidate); None when unreadable."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
        roles = [c.get(role) or {} for c in (card.get("candidates") or {}).values() for role in ("responder", "judging")]
    except (OSError, ValueError, AttributeError):
        return None  # the page shows no cost; `harness report RUN` names what is wrong with the file
    known = [r["cost_usd"] for r in roles if isinstance(r.get("cost_usd"), (int, float))]
    return Cost(usd=sum(known) if known else None, unpriced=sum(int(r.get("n_unpriced") or 0) for r in roles),
                calls=sum(int(r.get("calls") or 0) for r in roles), stamp=stamp)


@dataclass(frozen=True)
class DiffLink:
    """A diff written by ``harness diff A B --out DIR`` into a folder of the results directory."""

    folder: str  # the folder's name in the results directory
    run_a: str
    run_b: str
    created_at: str | None
    has_html: bool


def known_diffs(results_dir: str | Path, runs: list[IndexRun]) -> list[DiffLink]:
    """The diffs between two of ``runs`` (or inside one of them) written into a folder of the results directory
    (``--out results/diff-A-B``, as the page's command suggests). A side is a run when its folder name and start
    time are the run's: a diff of runs elsewhere with the same names is not taken for one of these."""
    started = {r.run: r.started_at for r in runs}
    found = []
    try:
        entries = [e for e in os.scandir(results_dir) if e.name not in started and e.is_dir()]
    except OSError:
        return []
    for entry in entries:
        sides = _diff_sides(Path(entry.path) / "diff.json")
        if sides is None:
            continue
        (a, a_started), (b, b_started), created = sides
        # a == b: a diff of two candidates inside one run (``harness diff RUN --pair A=B``)
        if started.get(a, 0) == a_started and started.get(b, 0) == b_started:
            found.append(DiffLink(entry.name, a, b, created, (Path(entry.path) / "diff.html").is_file()))
    return found


def _diff_sides(path: Path):
    """((run A, its start), (run B, its start), created_at) from the head of ``diff.json``, or None.

    Only the first 8 KB are read: a diff of thousands of cases is megabytes, and its sides come first."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(8192)
    except OSError:
        return None
    decoder = json.JSONDecoder()
    sides = []
    for key in ('"a": ', '"b": '):
        at = head.find("\n  " + key)
        if at < 0:
            return None
        try:
            side, _ = decoder.raw_decode(head, at + 3 + len(key))
        except ValueError:
            return None
        if not isinstance(side, dict) or not isinstance(side.get("run_dir"), str):
            return None
        sides.append((Path(side["run_dir"]).name, side.get("started_at")))
    created = head.split('"created_at": "', 1)[1].split('"', 1)[0] if '"created_at": "' in head else None
    return sides[0], sides[1], created
