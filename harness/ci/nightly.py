"""A gated run, as a nightly job runs it: run, hold to the gates, write what CI reads, index, chart.

    from harness.ci.nightly import NightlyOptions, run_gated
    result = run_gated("evals/nightly.yaml", NightlyOptions(baseline="accepted"))
    sys.exit(result.exit_code)

After the run: gates (error tolerance, minimums, regressions against the
baseline) → ``junit.xml`` and ``summary.md`` in the run directory → gate
results into the history index → trend PNGs in ``<run>/trends/`` and the
trends section in ``report.html``. The baseline is resolved before the run, so a
bad ``--baseline`` costs no model call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.ci.junit import JUNIT_FILE, write_junit
from harness.ci.summary import SUMMARY_FILE, write_summary
from harness.config.evalfile import load_eval
from harness.gates.baseline import resolve_baseline
from harness.gates.evaluate import GateOutcome, evaluate_gates
from harness.records.schema import Manifest
from harness.records.store import atomic_write_text, iter_records, read_manifest
from harness.runner.engine import RunOptions, RunResult, default_out, run_eval
from harness.runner.outputs import load_cases

TRENDS_DIR = "trends"
TREND_RUNS = 30  # charts show the last month of nightly runs


@dataclass
class NightlyOptions:
    """The run's own options plus the baseline (a run directory, ``"accepted"``, or None)."""

    run: RunOptions = field(default_factory=RunOptions)
    baseline: str | Path | None = None
    trend_runs: int = TREND_RUNS


@dataclass
class GatedRun:
    """A finished gated run: the engine's result, the gates, and the files written for CI."""

    result: RunResult
    outcome: GateOutcome
    junit: Path
    summary: Path
    trend_pngs: list[Path]

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


def run_gated(eval_path: str | Path, options: NightlyOptions | None = None) -> GatedRun:
    """Run ``eval_path`` and hold it to its gates; ``exit_code`` is 0, 1 or 3 (user errors raise, exit 2)."""
    options = options or NightlyOptions()
    loaded = load_eval(eval_path)
    out = Path(options.run.out) if options.run.out else default_out(loaded)
    baseline = resolve_baseline(options.baseline, out.parent, loaded.name)
    result = run_eval(eval_path, replace(options.run, out=out))
    return gate_run(result.run_dir, baseline, options.trend_runs, result)


def gate_run(run_dir: str | Path, baseline: Path | None = None, trend_runs: int = TREND_RUNS,
             result: RunResult | None = None) -> GatedRun:
    """Hold a finished run to its gates and write ``junit.xml``, ``summary.md``, the index rows and the trends."""
    from harness.history.index import record_gates
    from harness.scoring.scorecard import load_scorecard

    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    scorecard = load_scorecard(run_dir)
    outcome = evaluate_gates(run_dir, manifest.eval_spec, scorecard, baseline, manifest.eval_file.path)
    junit = write_junit(run_dir / JUNIT_FILE, manifest.eval_name, iter_records(run_dir), outcome,
                        manifest.started_at)
    summary = write_summary(run_dir / SUMMARY_FILE, scorecard, iter_records(run_dir), outcome, run_dir)
    record_gates(run_dir, outcome)
    pngs = write_trends(run_dir, manifest, scorecard, trend_runs)
    return GatedRun(result=result, outcome=outcome, junit=junit, summary=summary, trend_pngs=pngs)


def write_trends(run_dir: Path, manifest: Manifest, scorecard, trend_runs: int = TREND_RUNS) -> list[Path]:
    """Trend PNGs into ``<run>/trends/`` and the trends section into ``report.html``, from the index."""
    from harness.history.charts import write_trend_pngs
    from harness.history.svg import trends_section
    from harness.history.trends import load_trends
    from harness.report.html import render_run_html

    series = load_trends(run_dir.parent, manifest.eval_name, last=trend_runs)
    if not series:
        return []
    pngs = write_trend_pngs(series, run_dir / TRENDS_DIR)
    html = render_run_html(scorecard, iter_records(run_dir), load_cases(run_dir), trends_section(series))
    atomic_write_text(run_dir / "report.html", html)
    return pngs

