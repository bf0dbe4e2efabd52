"""Series over runs: each criterion's and check's figure per run, with its interval, read from the index.

These are the numbers behind every trend chart (PNG and inline SVG), so a test
can assert on a dip without reading pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ResultsError
from harness.history.index import connect, index_path, own_cases, selection_of, warn_index

TREND_RUNS = 30  # charts show the last month of nightly runs


@dataclass(frozen=True)
class TrendPoint:
    run: str
    started_at: str | None
    value: float | None
    lo: float | None
    hi: float | None
    n: int


@dataclass
class Series:
    """One criterion or check of one candidate over runs, oldest first."""

    candidate: str
    kind: str  # "check" or "criterion"
    name: str
    scale: str  # "rate" (0..1) or "score"
    points: list[TrendPoint] = field(default_factory=list)

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self.points]

    @property
    def title(self) -> str:
        return f"{self.name} ({self.kind})"


QUERY = """
SELECT f.run, r.started_at, f.candidate, f.kind, f.name, f.scale, f.value, f.lo, f.hi, f.n
FROM figures f JOIN runs r ON r.run = f.run
WHERE r.eval_name = ? AND r.status = 'complete'
ORDER BY r.started_at, f.run
"""


def _newest_own(selections: dict, rows) -> dict | None:
    """The selection of the eval's newest run of its own cases (:func:`own_cases`), None if it has none."""
    for run in reversed(list(dict.fromkeys(row["run"] for row in rows))):
        if own_cases(selections.get(run)):
            return selections.get(run)
    return None


def load_trends(results_dir: str | Path, eval_name: str, last: int | None = None,
                until: str | None = None) -> list[Series]:
    """Every series of ``eval_name`` in the index, over its complete runs (only the ``last`` N when given).

    With ``until`` (a run name), only the runs up to and including that run,
    and nothing when that run is not in the index. Runs of some of the cases
    (``--cases``, ``--where``, ``--failing``) measure other things than runs of
    all of them: a series holds the runs with the same selection as ``until``
    (with no ``until``, the runs of the cases the eval file names, as its newest such run took them: every
    case, or the first N of its own ``limit:``).
    """
    if not index_path(results_dir).exists():
        return []
    with connect(results_dir) as conn:
        rows = conn.execute(QUERY, (eval_name,)).fetchall()
        selections = {row["run"]: selection_of(row["manifest"])
                      for row in conn.execute("SELECT run, manifest FROM runs WHERE eval_name = ?", (eval_name,))}
    wanted = selections.get(until) if until is not None else _newest_own(selections, rows)
    runs = [run for run in dict.fromkeys(row["run"] for row in rows) if selections.get(run) == wanted]
    if until is not None:
        runs = runs[: runs.index(until) + 1] if until in runs else []
    keep = set(runs[-last:]) if last else set(runs)
    series: dict[tuple[str, str, str], Series] = {}
    for row in rows:
        if row["run"] not in keep:
            continue
        key = (row["kind"], row["name"], row["candidate"])
        if key not in series:
            series[key] = Series(row["candidate"], row["kind"], row["name"], row["scale"])
        series[key].points.append(TrendPoint(row["run"], row["started_at"], row["value"], row["lo"], row["hi"],
                                             row["n"]))
    return sorted(series.values(), key=lambda s: (s.kind != "criterion", s.name, s.candidate))


def by_measure(series: list[Series]) -> dict[tuple[str, str], list[Series]]:
    """Series grouped by (kind, name): one chart each, one line per candidate. A measure with no value in any
    run (a check that never applied, such as a case's own max_cost_usd check on cached replies) is left out:
    its chart would be empty axes."""
    grouped: dict[tuple[str, str], list[Series]] = {}
    for one in series:
        grouped.setdefault((one.kind, one.name), []).append(one)
    return {key: lines for key, lines in grouped.items()
            if any(value is not None for one in lines for value in one.values)}


def run_trends(run_dir: str | Path, eval_name: str, last: int = TREND_RUNS) -> list[Series]:
    """The series a run's report shows: its eval's last ``last`` complete runs up to this one, from the index.

    An unusable index warns and gives no series: the report and the run that
    writes it are complete without a trends section.
    """
    run_dir = Path(run_dir)
    try:
        return load_trends(run_dir.parent, eval_name, last=last, until=run_dir.name)
    except ResultsError as exc:
        warn_index(exc)
        return []
