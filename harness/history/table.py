"""``harness history``: the runs of a results directory over time, with headline figures and gate results."""

from __future__ import annotations

from pathlib import Path

from harness.errors import ConfigError
from harness.history.index import connect
from harness.history.rows import HistoryRow, read_rows

__all__ = ["HistoryRow", "history_rows", "render_history"]


def history_rows(results_dir: str | Path, eval_name: str | None = None) -> list[HistoryRow]:
    """Every indexed run (of ``eval_name`` only, when given), oldest first: the rows the runs page shows too.
    ResultsError without an index; ConfigError for an ``eval_name`` with no run there (a typo would list nothing
    and exit 0)."""
    with connect(results_dir, create=False) as conn:
        rows = read_rows(conn, eval_name)
        if eval_name and not rows:
            raise _no_runs_of(conn, results_dir, eval_name)
    return rows


def _no_runs_of(conn, results_dir: str | Path, eval_name: str) -> ConfigError:
    """``--eval: no runs of eval 'x' in results (evals with runs: a, b)``."""
    names = [r["eval_name"] for r in conn.execute("SELECT DISTINCT eval_name FROM runs ORDER BY eval_name")]
    return ConfigError(f"no runs of eval {eval_name!r} in {results_dir} (evals with runs: "
                       f"{', '.join(names) or 'none'})", field="--eval")


HEADER = ["run", "eval", "started", "status", "records", "errors", "checks passed", "criteria passed", "gates",
          "exit", "accepted"]


def render_history(rows: list[HistoryRow]) -> str:
    """A plain aligned text table (fits a terminal and a CI log)."""
    # Runs of some of the cases say which: their figures are not comparable with a run of every case.
    selected = any(r.selection for r in rows)
    cells = [HEADER + (["cases"] if selected else [])]
    cells += [[r.run, r.eval_name, (r.started_at or "")[:19], r.status or "", str(r.n_records),
               str(r.n_errors), _pct(r.checks_mean), _pct(r.criteria_mean), r.gates,
               "" if r.exit_code is None else str(r.exit_code), "*" if r.accepted else "",
               *([r.selection or "all"] if selected else [])] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells) + "\n"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
