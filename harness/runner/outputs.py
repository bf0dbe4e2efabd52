"""Writing a run's human-facing outputs from its records: scorecard.json, scorecard.md, report.html.

Used at the end of every run and by ``harness report``; everything is derived
from the run directory alone, so a report can be rebuilt at any time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.records.store import atomic_write_text, iter_records, read_manifest


@dataclass
class RunOutputs:
    scorecard_json: Path
    scorecard_md: Path
    report_html: Path
    scorecard: object  # harness.scoring.scorecard.Scorecard


def _criteria(manifest) -> dict | None:
    return manifest.rubric["criteria"] if manifest.rubric else None


def load_cases(run_dir: Path) -> dict[str, dict]:
    """The run's case snapshot (cases.jsonl) by id; empty when the run has none."""
    path = run_dir / "cases.jsonl"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, handle))}


def finalize_run(run_dir: str | Path, *, index: bool = False) -> RunOutputs:
    """(Re)build the scorecard and reports of the run in ``run_dir``.

    With ``index``, the run is first added to the history index beside it (the
    engine does this when a run ends), so the report's trends section includes
    it. ``report.html`` is rendered once, with the trends of the run's eval up
    to this run when the index holds it.
    """
    from harness.calibration.gate import apply_run_gate
    from harness.report.markdown import render_scorecard_md
    from harness.scoring.reading import iter_scoring_records
    from harness.scoring.scorecard import build_scorecard, write_scorecard

    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    scorecard = build_scorecard(iter_scoring_records(run_dir), manifest, _criteria(manifest))
    scorecard.notices.extend(apply_run_gate(run_dir, manifest))  # judge.calibration: uncalibrated criteria
    write_scorecard(run_dir, scorecard)
    md_path = run_dir / "scorecard.md"
    atomic_write_text(md_path, render_scorecard_md(scorecard))
    if index:
        from harness.history.index import index_run

        index_run(run_dir, manifest, scorecard)
    html_path = write_report_html(run_dir, scorecard, manifest.eval_name)
    return RunOutputs(scorecard_json=run_dir / "scorecard.json", scorecard_md=md_path,
                      report_html=html_path, scorecard=scorecard)


def write_report_html(run_dir: Path, scorecard, eval_name: str) -> Path:
    """``report.html`` from the records (streamed once), the case snapshot and the index's trends."""
    from harness.history.svg import trends_section
    from harness.history.trends import run_trends
    from harness.report.html import render_run_html

    trends = trends_section(run_trends(run_dir, eval_name))
    path = run_dir / "report.html"
    atomic_write_text(path, render_run_html(scorecard, iter_records(run_dir), load_cases(run_dir), trends))
    return path
