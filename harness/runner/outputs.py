"""Writing a run's human-facing outputs from its records: scorecard.json, scorecard.md, report.html.

Used at the end of every run and by ``harness report``; everything is derived
from the run directory alone, so a report can be rebuilt at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.records.store import atomic_write_text, iter_case_rows, iter_records, read_manifest
from harness.report.html_records import RecordRows
from harness.runner.tally import RunTally, manifest_criteria, tally_run_dir


@dataclass
class RunOutputs:
    scorecard_json: Path
    scorecard_md: Path
    report_html: Path
    # Left out of the repr: asyncio.run reprs the run's result when it ends, and a scorecard's repr is long.
    scorecard: object = field(repr=False)  # harness.scoring.scorecard.Scorecard
    indexed: bool = True  # False when the index beside the run could not be written (the run warned once)


def load_cases(run_dir: Path) -> dict[str, dict]:
    """The run's case snapshot (cases.jsonl) by id; empty when the run has none. A corrupt line is a ResultsError."""
    return {row["id"]: row for row in iter_case_rows(run_dir)}


def finalize_run(run_dir: str | Path, *, index: bool = False, tally: RunTally | None = None) -> RunOutputs:
    """(Re)build the scorecard and reports of the run in ``run_dir``.

    With ``index``, the run is first added to the history index beside it (the
    engine does this when a run ends), so the report's trends section includes
    it. ``report.html`` is rendered once, with the trends of the run's eval up
    to this run when the index holds it.

    ``tally`` is what the engine gathered from each record as it wrote it;
    without one, the records are read from ``records.jsonl`` once into a new
    tally, so a report rebuilt later is the same as the one the run wrote.
    The tally's report rows are let go of once the report is written.
    """
    from harness.calibration.gate import apply_run_gate
    from harness.runner.deployment_notes import deployment_notices
    from harness.report.markdown import render_scorecard_md
    from harness.scoring.notices import batch_notices
    from harness.scoring.scorecard import write_scorecard

    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    if tally is None or not tally.usable:
        tally = tally_run_dir(run_dir, RunTally.for_report(manifest, load_cases(run_dir)))
    scorecard = _scorecard(run_dir, manifest, tally)
    scorecard.notices = with_error_count(without_idle_self_judging(scorecard), scorecard, tally.errors.count())
    scorecard.notices.extend(apply_run_gate(run_dir, manifest))  # judge.calibration: uncalibrated criteria
    scorecard.notices.extend(batch_notices(run_dir))  # --batch: the cache hits are this run's provider batches
    scorecard.notices.extend(deployment_notices(scorecard, manifest.eval_spec))
    write_scorecard(run_dir, scorecard)
    md_path = run_dir / "scorecard.md"
    atomic_write_text(md_path, render_scorecard_md(scorecard))
    indexed = True
    if index:
        from harness.history.index import index_run

        indexed = index_run(run_dir, manifest, scorecard, tally.errors.count())
    html_path = write_report_html(run_dir, scorecard, manifest.eval_name, tally.take_rows(), trends=indexed)
    return RunOutputs(scorecard_json=run_dir / "scorecard.json", scorecard_md=md_path,
                      report_html=html_path, scorecard=scorecard, indexed=indexed)


def with_error_count(notices: list[str], scorecard, count) -> list[str]:
    """``notices`` with the scorecard's error notice headed by the run's error count (``count``), as the gates
    count it: one figure of records with an error in the report and the gate detail, not a share of those
    without a reply beside a share of all records with an error."""
    from harness.scoring.notices import error_notices

    return [next(iter(error_notices(scorecard, count)), notice) if notice.startswith("errors: ") else notice
            for notice in notices]


def without_idle_self_judging(scorecard) -> list[str]:
    """The scorecard's notices less the self-judging warnings of candidates that wrote no reply (every case
    ended in an error): the judge graded nothing of theirs, so nothing of theirs is inflated."""
    import re

    from harness.runner.plan import SELF_JUDGING_NOTICE

    idle = {name for name, c in scorecard.candidates.items() if c.n_records and c.n_case_errors == c.n_records}
    if not idle:
        return scorecard.notices
    pattern = re.compile(re.escape(SELF_JUDGING_NOTICE).replace(re.escape("{model}"), ".+?")
                         .replace(re.escape("{candidate}"), "(?P<c>.+?)", 1).replace(re.escape("{candidate}"), ".+?"))
    return [n for n in scorecard.notices if not ((m := pattern.fullmatch(n)) and m.group("c") in idle)]


def _scorecard(run_dir: Path, manifest, tally: RunTally):
    """The tally's scorecard, or (with epochs, which a tally does not score) one streamed from the slim reader."""
    if tally.scoring is not None:
        return tally.scoring.result(manifest)
    from harness.scoring.reading import iter_scoring_records
    from harness.scoring.scorecard import build_scorecard

    return build_scorecard(iter_scoring_records(run_dir), manifest, manifest_criteria(manifest))


def write_report_html(run_dir: Path, scorecard, eval_name: str, rows: RecordRows | None = None, *,
                      trends: bool = True) -> Path:
    """``report.html`` from the record rows (rendered from the records when not given), the index's trends.

    Without ``trends`` (the run could not be indexed, and said so) the index is not read again.
    """
    from harness.history.svg import trends_section
    from harness.history.trends import run_trends
    from harness.report.html import render_run_html, render_run_html_rows

    section = trends_section(run_trends(run_dir, eval_name) if trends else [])
    path = run_dir / "report.html"
    if rows is not None:
        text = render_run_html_rows(scorecard, rows, section)
    else:
        text = render_run_html(scorecard, iter_records(run_dir), load_cases(run_dir), section)
    atomic_write_text(path, text)
    return path
