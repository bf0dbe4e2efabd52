"""Turning a run's records into a :class:`Scorecard`, and reading and writing ``scorecard.json``.

:func:`build_scorecard` makes one pass over the records, however many, keeping
per-candidate accumulators (see :mod:`harness.scoring.accumulate`), so it can
consume :func:`harness.records.store.iter_records` as the file streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.datasets.selection import selection_words
from harness.errors import ResultsError
from harness.records.schema import Manifest, Record
from harness.records.store import atomic_write_text, validated
from harness.scoring.accumulate import CandidateAcc, IntervalOptions
from harness.scoring.feedback import FeedbackAcc
from harness.scoring.field_plans import field_plans
from harness.scoring.fields import breakdown_names
from harness.scoring.panel import PanelAcc
from harness.scoring.robustness import RobustnessAcc, perturb_kinds, variant_kind
from harness.scoring.schema import (SCORECARD_SCHEMA_VERSION, CriterionInfo, RunIdentity, Scorecard)
from harness.scoring.setups import candidate_setups
from harness.scoring.stats import IntervalMethod
from harness.scoring.notices import error_notices
from harness.scoring.verbosity import VerbosityAcc, verbosity_notices

SCORECARD = "scorecard.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "scorecard.schema.json"

__all__ = ["Scorecard", "build_scorecard", "ScorecardBuilder", "write_scorecard", "load_scorecard", "export_schema",
           "scorecard_json_schema", "SCORECARD", "SCORECARD_SCHEMA_VERSION"]


def build_scorecard(records: Iterable[Record], manifest: Manifest | None, criteria: dict | None = None, *,
                    confidence: float = 0.95, interval_method: IntervalMethod = "t") -> Scorecard:
    """The scorecard of ``records``, read in one pass.

    ``criteria`` is the rubric's ``{id: {scale, pass_threshold, applies_when}}``
    (the manifest's ``rubric["criteria"]``); it fixes the order of criteria and
    is copied into the scorecard. Candidates come in manifest order, then in
    order of first appearance. ``interval_method="bootstrap"`` keeps every
    score in memory (8 bytes each) for a seeded percentile bootstrap.
    """
    builder = ScorecardBuilder(manifest, criteria, confidence=confidence, interval_method=interval_method)
    if builder.streams:
        for record in records:
            builder.add(record)
        return builder.result()
    return builder.result_of_samples(records)


class ScorecardBuilder:
    """:func:`build_scorecard`'s one pass, fed one record at a time.

    A run scores each record as it is written (while the event loop waits on
    the network) instead of reading ``records.jsonl`` back at the end. The
    setup (candidate order, panel, epochs, bounds) comes from the manifest at
    the start of the run; :meth:`result` takes the finished manifest for the
    run's identity. With epochs (several samples per case) the samples of a
    case must be seen together before they count, so :attr:`streams` is False
    and the records go through :meth:`result_of_samples` instead.
    """

    def __init__(self, manifest: Manifest | None, criteria: dict | None = None, *, confidence: float = 0.95,
                 interval_method: IntervalMethod = "t") -> None:
        self.manifest, self.criteria = manifest, criteria
        self.options = IntervalOptions(confidence=confidence, method=interval_method, bounds=_score_bounds(criteria))
        self.keep_values = interval_method == "bootstrap"
        self.panel = PanelAcc(self.keep_values)
        # A run without a panel skips the per-record look for panel verdicts.
        self.taps_panel = manifest is None or "panel" in (manifest.judge or {})
        self.streams = not _has_epochs(manifest)
        # With `breakdowns` naming case fields (metadata.channel): each case's group, fixed before any record.
        self.plans = field_plans(manifest)
        self.fields = [(plan.name, plan.group_of) for plan in self.plans if plan.info.groups]
        self.accs: dict[str, CandidateAcc] = {name: self._new_acc(name) for name in _manifest_candidates(manifest)}
        self.verbosity = VerbosityAcc()
        self.n_records = 0
        # With `perturb`: variants kept out of the headline, each paired with its original (scoring.robustness).
        self.kinds = perturb_kinds(manifest)
        self.robust: dict[str, RobustnessAcc] = {}
        self.feedback = FeedbackAcc.from_manifest(manifest)  # with `feedback:` keys (a CSAT score); else None

    def add(self, record: Record) -> None:
        """Fold one record in (only when :attr:`streams`: with epochs use :meth:`result_of_samples`)."""
        if self.taps_panel:
            self.panel.add(record)  # before epochs are reduced: every sample is a panel verdict
        self._count(record)

    def _count(self, record: Record) -> None:
        self.n_records += 1
        self.verbosity.add(record)
        acc = self.accs.get(record.candidate)
        if acc is None:
            acc = self.accs[record.candidate] = self._new_acc(record.candidate)
        kind = variant_kind(record, self.kinds) if self.kinds else None
        if self.feedback is not None and kind is None:  # the customer rated the original conversation only
            self.feedback.add(record)
        if not self.kinds:
            acc.add(record)
            return
        acc.add(record) if kind is None else acc.add_variant(record, kind)
        self.robust.setdefault(record.candidate, RobustnessAcc()).add(record, kind)

    def _new_acc(self, name: str) -> CandidateAcc:
        return CandidateAcc(name, self.keep_values, fields=self.fields)

    def result_of_samples(self, records: Iterable[Record]) -> Scorecard:
        """The scorecard of every record of a run with epochs: each case's samples reduced to one record first."""
        records = self.panel.tap(records) if self.taps_panel else records
        reduced, summaries = _reduce_epochs(records, self.manifest, self.options.confidence)
        for record in reduced:
            self._count(record)
        card = self.result()
        for name, summary in summaries.items():
            if name in card.candidates:
                card.candidates[name].epochs = summary
        return card

    def result(self, manifest: Manifest | None = None) -> Scorecard:
        """The scorecard of the records folded in so far; ``manifest`` (default: the setup one) names the run."""
        manifest = manifest if manifest is not None else self.manifest
        card = _assemble(self.accs, manifest, self.criteria, self.options, self.n_records)
        card.verbosity = self.verbosity.result(list(card.criteria))
        card.breakdowns = breakdown_names((manifest.eval_spec or {}).get("breakdowns")) if manifest else None
        card.fields = {plan.name: plan.info for plan in self.plans}
        for name, acc in self.robust.items():
            if name in card.candidates and acc.variants:  # a recorded candidate answers no variant
                card.candidates[name].robustness = acc.result(self.kinds, self.options.confidence)
        if self.feedback is not None:
            card.feedback = self.feedback.result(self.options.confidence, self.options.method, list(card.criteria))
        card.notices += error_notices(card) + verbosity_notices(card.verbosity)
        card.panel = self.panel.result({name: info.scale for name, info in card.criteria.items()}, self.options,
                                       ((manifest.judge or {}).get("aggregate") if manifest else None))
        return card


def _has_epochs(manifest: Manifest | None) -> bool:
    from harness.sampling.epochs import epoch_settings, has_epochs

    return has_epochs(epoch_settings(manifest.eval_spec if manifest else None))


def _reduce_epochs(records: Iterable[Record], manifest: Manifest | None, confidence: float):
    """With several samples (epochs) per case, one reduced record per case, so intervals count cases."""
    from harness.sampling.epochs import epoch_settings, reduce_epochs

    return reduce_epochs(records, epoch_settings(manifest.eval_spec if manifest else None), confidence)


def _assemble(accs: dict[str, CandidateAcc], manifest: Manifest | None, criteria: dict | None,
              options: IntervalOptions, n_records: int) -> Scorecard:
    info = _criteria_info(criteria, accs)
    candidates = {name: acc.result(options, list(info)) for name, acc in accs.items()}
    checks = sorted({name for acc in accs.values() for name in acc.checks} | set(manifest.checks if manifest else ()))
    return Scorecard(run=_identity(manifest), notices=list(manifest.notices) if manifest else [],
                     confidence=options.confidence, interval_method=options.method, n_records=n_records,
                     criteria=info, checks=checks, candidates=candidates)


def _score_bounds(criteria: dict | None) -> dict[str, tuple[float, float]]:
    """The possible score range of each criterion whose scale is known."""
    ranges = {"1-5": (1.0, 5.0), "pass_fail": (0.0, 1.0)}
    return {name: ranges[spec["scale"]] for name, spec in (criteria or {}).items()
            if isinstance(spec, dict) and spec.get("scale") in ranges}


def _manifest_candidates(manifest: Manifest | None) -> list[str]:
    if manifest is None:
        return []
    return [c["name"] for c in manifest.candidates if isinstance(c.get("name"), str)]


def _criteria_info(criteria: dict | None, accs: dict[str, CandidateAcc]) -> dict[str, CriterionInfo]:
    info = {name: _one_criterion(spec) for name, spec in (criteria or {}).items()}
    for name in sorted({name for acc in accs.values() for name in acc.criteria} - set(info)):
        info[name] = CriterionInfo()  # judged but missing from the rubric: keep it, say nothing of its scale
    return info


def _one_criterion(spec: Any) -> CriterionInfo:
    if not isinstance(spec, dict):
        return CriterionInfo()
    return CriterionInfo(scale=spec.get("scale"), pass_threshold=spec.get("pass_threshold"),
                         applies_when=spec.get("applies_when"))


def _identity(manifest: Manifest | None) -> RunIdentity | None:
    if manifest is None:
        return None
    rubric, judge, dataset = manifest.rubric or {}, manifest.judge or {}, manifest.dataset
    return RunIdentity(
        eval_name=manifest.eval_name, description=_description(manifest.eval_spec),
        overrides=_overrides(manifest.eval_spec),
        candidate_setups=candidate_setups(manifest.candidates), harness_version=manifest.harness_version,
        git_revision=manifest.git_revision, status=manifest.status,
        dataset_path=_str(dataset.get("path")), dataset_sha256=_str(dataset.get("sha256")),
        n_cases=dataset.get("n_cases"), n_selected=dataset.get("n_selected"),
        replay=_str(dataset.get("replay")), n_threads=dataset.get("n_threads"),
        selection=selection_words(dataset.get("selection")),
        rubric_id=_str(rubric.get("id")), rubric_version=_str(rubric.get("version")),
        rubric_sha256=_str(rubric.get("sha256")), judge_model=_str(judge.get("name")),
        started_at=manifest.started_at, finished_at=manifest.finished_at)


def _overrides(spec: Any) -> list[str]:
    given = spec.get("overrides") if isinstance(spec, dict) else None
    return [str(option) for option in given] if isinstance(given, list) else []


def _description(spec: Any) -> str | None:
    text = spec.get("description") if isinstance(spec, dict) else None
    return (text.strip() or None) if isinstance(text, str) else None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def write_scorecard(run_dir: str | Path, scorecard: Scorecard) -> Path:
    """Write ``run_dir/scorecard.json`` atomically (temp file in the same directory, then ``os.replace``)."""
    path = Path(run_dir) / SCORECARD
    atomic_write_text(path, scorecard.model_dump_json(indent=2) + "\n")
    return path


def load_scorecard(path: str | Path) -> Scorecard:
    """Read a scorecard file (or ``scorecard.json`` in a run directory).

    Raises :class:`~harness.errors.ResultsError` when the file is missing, not
    JSON, invalid, or written by a newer harness (``schema_version`` too high).
    """
    path = Path(path)
    if path.is_dir():
        path = path / SCORECARD
    data = _read_json(path)
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or version > SCORECARD_SCHEMA_VERSION:
        raise ResultsError(f"scorecard schema_version {version} is newer than this harness reads "
                           f"({SCORECARD_SCHEMA_VERSION}); upgrade the harness", file=str(path))
    return validated(Scorecard, data, path, "scorecard")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError("no scorecard here", file=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"corrupt scorecard: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise ResultsError("corrupt scorecard: not a JSON object", file=str(path))
    return data


def scorecard_json_schema() -> dict:
    """The JSON Schema of :class:`Scorecard`, generated from the model."""
    return Scorecard.model_json_schema()


def export_schema(path: str | Path | None = None) -> Path:
    """Write the JSON Schema of :class:`Scorecard` (default ``harness/schemas/scorecard.schema.json``).

    Formatted exactly as :func:`harness.schemas.export_all` writes it, so both
    produce the same bytes.
    """
    target = Path(path) if path is not None else SCHEMA_PATH
    target.write_text(json.dumps(scorecard_json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target
