"""``harness calibrate``: a run's judge criteria and checks against a human-label file.

Every statistic comes with a 95% interval. Rates (raw agreement, true-pass,
false-pass) get Wilson's interval. The others get a percentile bootstrap: the
labelled replies are resampled with replacement (seeded, so the same inputs always
give the same report), the statistic is recomputed on each resample, resamples on
which it is undefined are left out, and a bootstrap that never varies gives no
interval ("no interval at this n"), not a point.

Every label of a criterion the run judged, and of any check (checks are pass/fail),
is held to that scale first: a value off it stops with ``labels.jsonl:LINE: label:
problem``. Labels of a criterion the run did not judge or a check it did not run are
ignored with a notice saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from harness.calibration import agreement as ag
from harness.calibration.labels import HumanLabel, load_labels, scale_problem
from harness.calibration.pairing import Paired, RecordIndex, pair_labels, unfound_notices
from harness.calibration.schema import Agreement, CalibrationReport, Estimate
from harness.errors import DatasetError
from harness.hashing import hash_file
from harness.records.store import atomic_write_json, atomic_write_text, iter_records, read_manifest

CALIBRATION_JSON = "calibration.json"
CALIBRATION_MD = "calibration.md"
PASS_FAIL = [0.0, 1.0]
ONE_TO_FIVE = [1.0, 2.0, 3.0, 4.0, 5.0]


@dataclass(frozen=True)
class CalibrationOptions:
    resamples: int = 1000
    seed: int = 20240607
    confidence: float = 0.95
    panellist: str | None = None  # with a judge panel: calibrate this panellist instead of the aggregate


@dataclass(frozen=True)
class _Scale:
    name: str
    threshold: float

    @property
    def categories(self) -> list[float]:
        return PASS_FAIL if self.name == "pass_fail" else ONE_TO_FIVE


def calibrate_run(run_dir: str | Path, labels_path: str | Path,
                  options: CalibrationOptions = CalibrationOptions()) -> CalibrationReport:
    """Pair ``labels_path`` with the records of ``run_dir`` and measure agreement per criterion and check."""
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    labels = load_labels(labels_path)
    scales = _criterion_scales(manifest.rubric)
    _check_label_scales(labels, scales, labels_path)
    report = CalibrationReport(run=str(run_dir), labels_file=str(labels_path),
                               labels_sha256=hash_file(labels_path),
                               judge_model=_judge_name(manifest.judge, options.panellist),
                               rubric=f"{manifest.rubric['id']}@{manifest.rubric['version']}" if manifest.rubric
                               else None, resamples=options.resamples, seed=options.seed)
    records = iter_records(run_dir)
    if options.panellist is not None:
        from harness.judges.panel import panellist_records

        records = panellist_records(manifest.judge, records, options.panellist)
    index = RecordIndex(list(records))
    report.notices += unfound_notices(labels, index)
    for paired in pair_labels(labels, index):
        if paired.kind == "check" and paired.name not in manifest.checks:
            report.notices.append(f"the run did not run check {paired.name!r}: its labels are ignored")
            continue
        scale = scales.get(paired.name) if paired.kind == "criterion" else _Scale("pass_fail", 1.0)
        if scale is None:
            report.notices.append(_unjudged_notice(manifest, paired.name))
            continue
        result = measure(paired, scale, options)
        (report.criteria if paired.kind == "criterion" else report.checks).append(result)
    return report


def _check_label_scales(labels: list[HumanLabel], scales: dict[str, _Scale], path: str | Path) -> None:
    """Refuse the first label whose value is off its target's scale, naming its line; labels of criteria
    the run did not judge are not checked (their scale is unknown here, and they are ignored)."""
    for label in labels:
        scale = scales.get(label.criterion) if label.criterion is not None else _Scale("pass_fail", 1.0)
        problem = scale_problem(label, scale.name) if scale is not None else None
        if problem:
            raise DatasetError(problem, file=str(path), line=label.line, field="label")


def _unjudged_notice(manifest, name: str) -> str:
    """Why the labels of criterion ``name`` are ignored: the run did not judge it, or no rubric has it."""
    rubric = manifest.rubric
    if not rubric:
        return f"the run has no judge, so it did not judge criterion {name!r}: its labels are ignored"
    judged = list(rubric.get("criteria") or {})
    selected = bool(((manifest.eval_spec or {}).get("judge") or {}).get("criteria"))
    listed = _rubric_lists(manifest, name)
    if listed is False or (listed is None and not selected):
        return (f"criterion {name!r} is not in the run's rubric {rubric.get('id')}@{rubric.get('version')}: "
                f"its labels are ignored")
    return (f"the run did not judge criterion {name!r} (it judged only {', '.join(judged)}): "
            f"its labels are ignored")


def _rubric_lists(manifest, name: str) -> bool | None:
    """Whether the rubric file the run judged from (a subset of) has criterion ``name``; None when that file
    cannot be read or is no longer the one the run used."""
    from harness.judges.rubric import load_rubric, rubric_criterion_ids

    rubric = manifest.rubric or {}
    path = rubric.get("path")
    if not isinstance(path, str):
        return None
    for candidate in (Path(path), Path(manifest.eval_file.path).parent / path):
        try:
            loaded = load_rubric(candidate)
            same = loaded.select(rubric_criterion_ids(rubric)).sha256 == rubric.get("sha256")
        except Exception:  # moved, changed or unreadable
            continue
        if same:
            return any(c.id == name for c in loaded.criteria)
    return None


def _judge_name(judge: dict | None, panellist: str | None) -> str | None:
    name = (judge or {}).get("name")
    return f"panellist {panellist} of {name}" if panellist is not None else name


def _criterion_scales(rubric: dict | None) -> dict[str, _Scale]:
    criteria = (rubric or {}).get("criteria", {})
    return {name: _Scale(c["scale"], 1.0 if c["scale"] == "pass_fail" else float(c["pass_threshold"]))
            for name, c in criteria.items()}


def measure(paired: Paired, scale: _Scale, options: CalibrationOptions = CalibrationOptions()) -> Agreement:
    """Every agreement statistic of one paired set, each with its bootstrap interval."""
    judge = [_snap(v, scale) for v in paired.judge]
    human = [_snap(v, scale) for v in paired.human]
    stats = _statistics(scale)
    estimates = _bootstrap(stats, judge, human, options)
    # Rates are proportions: Wilson's interval, which a few labels cannot collapse to a point.
    for name, (low, high) in ag.rate_intervals(judge, human, scale.threshold, options.confidence).items():
        value = estimates[name].value
        estimates[name] = Estimate.of(math.nan if value is None else value, low, high)
    estimates.update(_one_answer(paired.kind, judge, human, scale))
    return Agreement(kind=paired.kind, name=paired.name, scale=scale.name, n=len(judge),
                     n_labels=paired.n_labels, unmatched=paired.unmatched, labellers=sorted(paired.by_labeller),
                     confusion=ag.confusion(judge, human, scale.categories), categories=scale.categories,
                     human_alpha=_human_alpha(paired, scale), **estimates)


def _one_answer(kind: str, judge: list[float], human: list[float], scale: _Scale) -> dict[str, Estimate]:
    """The statistics that are n/a because a rater gave one answer to every reply, each saying so.

    Kappa of a judge that passes everything is 0 by its formula (scikit-learn's too), and its bootstrap never
    varies: printed as "0.00 (no interval at this n)" it read as a measurement short of labels. It measures
    nothing: agreement beyond chance needs both raters to vary. So do the weighted kappa and Spearman's rho.
    """
    if not judge:
        return {}
    rater = "the judge" if kind == "criterion" else "the check"
    passes = lambda values: [float(v >= scale.threshold) for v in values]  # noqa: E731 - the pass/fail cut
    out = {}
    why = _constant([(rater, passes(judge)), ("the humans", passes(human))], "pass_fail")
    if why:
        out["cohen_kappa"] = Estimate.undefined(why)
    why = _constant([(rater, judge), ("the humans", human)], scale.name)
    if why:
        out["spearman"] = Estimate.undefined(why)
        if scale.name == "1-5":
            out["weighted_kappa"] = Estimate.undefined(why)
    return out


def _constant(raters: list[tuple[str, list[float]]], scale: str) -> str | None:
    """``the judge passed every reply`` (``and the humans ...``) for the raters that gave one answer; None if none."""
    said = []
    for who, values in raters:
        if len(set(values)) == 1:
            value = values[0]
            answer = (f"{'passed' if value else 'failed'} every reply" if scale == "pass_fail"
                      else f"scored every reply {value:g}")
            said.append(f"{who} {answer}")
    return " and ".join(said) or None


def _snap(value: float, scale: _Scale) -> float:
    # Judge epochs and probability weighting give fractional scores; categorical statistics need a level.
    low, high = scale.categories[0], scale.categories[-1]
    return float(min(high, max(low, math.floor(value + 0.5))))


Statistic = Callable[[Sequence[float], Sequence[float]], float]


def _statistics(scale: _Scale) -> dict[str, Statistic]:
    cats, cut = scale.categories, scale.threshold

    def passes(values: Sequence[float]) -> list[bool]:
        return [v >= cut for v in values]

    stats: dict[str, Statistic] = {
        "cohen_kappa": lambda j, h: ag.cohen_kappa(passes(j), passes(h), [False, True]),
        "krippendorff_alpha": lambda j, h: ag.krippendorff_alpha(
            [j, h], "nominal" if scale.name == "pass_fail" else "ordinal", cats),
        "spearman": ag.spearman,
        "raw_agreement": ag.raw_agreement,
        "true_pass_rate": lambda j, h: ag.true_pass_rate(passes(j), passes(h)),
        "false_pass_rate": lambda j, h: ag.false_pass_rate(passes(j), passes(h)),
        "leniency": ag.leniency,
    }
    if scale.name == "1-5":
        stats["weighted_kappa"] = lambda j, h: ag.cohen_kappa(j, h, cats, weights="quadratic")
    return stats


def _bootstrap(stats: dict[str, Statistic], judge: list[float], human: list[float],
               options: CalibrationOptions) -> dict[str, Estimate]:
    rng = np.random.default_rng(options.seed)
    j, h = np.asarray(judge), np.asarray(human)
    draws = [rng.integers(0, len(j), len(j)) for _ in range(options.resamples)] if len(j) >= 2 else []
    out = {}
    for name, stat in stats.items():
        point = stat(judge, human)
        values = [stat(j[d].tolist(), h[d].tolist()) for d in draws]
        out[name] = Estimate.of(point, *ag.percentile_interval(values, options.confidence))
    return out


def _human_alpha(paired: Paired, scale: _Scale) -> Estimate | None:
    if len(paired.by_labeller) < 2:
        return None
    items = sorted({item for ratings in paired.by_labeller.values() for item in ratings})
    matrix = [[ratings.get(item) for item in items] for ratings in paired.by_labeller.values()]
    level = "nominal" if scale.name == "pass_fail" else "ordinal"
    return Estimate.of(ag.krippendorff_alpha(matrix, level, scale.categories))


def write_calibration(run_dir: str | Path, report: CalibrationReport) -> tuple[Path, Path]:
    """Write ``calibration.json`` and ``calibration.md`` into the run directory; returns both paths."""
    from harness.calibration.render import render_markdown

    run_dir = Path(run_dir)
    json_path, md_path = run_dir / CALIBRATION_JSON, run_dir / CALIBRATION_MD
    atomic_write_json(json_path, report.model_dump(mode="json"))
    atomic_write_text(md_path, render_markdown(report))
    return json_path, md_path
