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
    """A plain aligned text table (fits a terminal and a CI log).

    A run of several candidates gets one indented line per candidate under its own, with that candidate's
    figures: their mean over candidates that compete (two prompts) says nothing of either. The last column
    says what each candidate is (model, parameters, prompt file), so runs differing only in prompt differ here.
    """
    # Runs of some of the cases say which: their figures are not comparable with a run of every case.
    selected = any(r.selection for r in rows)
    described = any(r.setups for r in rows)
    cells = [HEADER + (["cases"] if selected else []) + (["candidate"] if described else [])]
    for r in rows:
        several = len(r.candidates) > 1
        cells.append([r.run, r.eval_name, (r.started_at or "")[:19], r.status or "", str(r.n_records),
                      str(r.n_errors), "" if several else _pct(r.checks_mean),
                      "" if several else _pct(r.criteria_mean), r.gates,
                      "" if r.exit_code is None else str(r.exit_code), "*" if r.accepted else "",
                      *([r.selection or "all"] if selected else []),
                      *([_setup(r, None if several else next(iter(r.candidates), None))] if described else [])])
        if several:
            cells += [[f"  {name}", "", "", "", "", "", _pct(head.checks), _pct(head.criteria), "", "", "",
                       *([""] if selected else []), *([_setup(r, name, named=False)] if described else [])]
                      for name, head in r.candidates.items()]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells) + "\n"


def _setup(row: HistoryRow, name: str | None, *, named: bool = True) -> str:
    """``bot: openai/gpt-4o (temperature 0.2, prompt prompts/v1.jinja)``; the run's line of several: their count."""
    if name is None:
        return f"{len(row.candidates)} candidates" if len(row.candidates) > 1 else ""
    words = row.setups.get(name, "")
    return f"{name}: {words}" if named and words else words


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
