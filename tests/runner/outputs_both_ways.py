"""A run's output files built three ways, for tests that they agree byte for byte.

1. As the run wrote them: from the tally the engine fed each record as it wrote it.
2. Rebuilt from the run directory alone: ``harness report`` (``finalize_run`` without a tally) and
   ``gate_run`` without the run's result, as for an existing run directory.
3. From the readers the outputs used before the tally existed, each streaming ``records.jsonl``
   itself (the slim scoring reader, ``iter_records``, ``count_errors``, ``case_outcomes``): an
   independent reference for what the files must hold.
"""

from __future__ import annotations

from pathlib import Path

from harness.ci.banner import with_gates_banner
from harness.ci.junit import render_junit
from harness.ci.summary import render_summary
from harness.ci.verdicts import case_outcomes
from harness.gates.evaluate import evaluate_gates
from harness.gates.tolerance import count_errors
from harness.history.svg import trends_section
from harness.history.trends import run_trends
from harness.records.store import iter_records, read_manifest
from harness.report.html import render_run_html
from harness.report.markdown import render_scorecard_md
from harness.runner.outputs import finalize_run, load_cases, with_error_count
from harness.scoring.reading import iter_scoring_records
from harness.scoring.scorecard import build_scorecard

SCORECARD_FILES = ("scorecard.json", "scorecard.md", "report.html")
GATE_FILES = ("junit.xml", "summary.md")


def read_outputs(run_dir: Path, names: tuple[str, ...] = SCORECARD_FILES + GATE_FILES) -> dict[str, str]:
    return {name: (Path(run_dir) / name).read_text(encoding="utf-8") for name in names}


def rebuilt_outputs(run_dir: Path, baseline: Path | None = None, *, gates: bool = True) -> dict[str, str]:
    """The files as rebuilt from the run directory alone (overwriting them in place)."""
    from harness.ci.nightly import gate_run

    finalize_run(run_dir)
    if gates:
        gate_run(run_dir, baseline)
    return read_outputs(run_dir, SCORECARD_FILES + (GATE_FILES if gates else ()))


def reference_outputs(run_dir: Path, baseline: Path | None = None, *, gates: bool = True) -> dict[str, str]:
    """The files' text from the pre-tally readers, each reading ``records.jsonl`` itself (nothing is written)."""
    manifest = read_manifest(run_dir)
    criteria = manifest.rubric["criteria"] if manifest.rubric else None
    card = build_scorecard(iter_scoring_records(run_dir), manifest, criteria)
    # As finalize_run: the error notice is headed by the run's error count (one figure with the gates').
    card.notices = with_error_count(card.notices, card, count_errors(run_dir))
    trends = trends_section(run_trends(run_dir, manifest.eval_name))
    texts = {"scorecard.json": card.model_dump_json(indent=2) + "\n", "scorecard.md": render_scorecard_md(card),
             "report.html": render_run_html(card, iter_records(run_dir), load_cases(run_dir), trends)}
    if gates:
        outcome = evaluate_gates(run_dir, manifest.eval_spec, card, baseline, manifest.eval_file.path)
        cases = case_outcomes(iter_records(run_dir))
        texts["junit.xml"] = render_junit(manifest.eval_name, cases, outcome, manifest.started_at)
        texts["summary.md"] = render_summary(card, cases, outcome, run_dir)
        texts["report.html"] = with_gates_banner(texts["report.html"], outcome)
    return texts


def assert_same_outputs(found: dict[str, str], expected: dict[str, str]) -> None:
    """Every file identical; on a difference, name the file and show where it starts."""
    assert sorted(found) == sorted(expected)
    for name, text in expected.items():
        if found[name] != text:
            at = next((i for i, (a, b) in enumerate(zip(found[name], text)) if a != b), min(len(text), len(found[name])))
            raise AssertionError(f"{name} differs at character {at}: {found[name][at - 80:at + 80]!r} "
                                 f"!= {text[at - 80:at + 80]!r}")
