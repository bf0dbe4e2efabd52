"""A ``replies_from`` candidate's source: the earlier run whose replies it grades again, checked, and the
responder that replays them (:class:`harness.candidates.responders.ReplayedResponder`)."""

from __future__ import annotations

from pathlib import Path

from harness.candidates.responders import ReplayedResponder
from harness.config.candidates import CandidateSpec
from harness.config.evalfile import LoadedEval, resolve_path
from harness.errors import ResultsError
from harness.records.schema import Manifest
from harness.records.store import candidate_replies, read_manifest


def replayed_responder(loaded: LoadedEval, spec: CandidateSpec) -> ReplayedResponder:
    """The responder of a ``replies_from`` candidate, with the replies (and their system prompts) it replays."""
    run_dir, candidate, manifest = replayed_source(loaded, spec)
    record = next(c for c in manifest.candidates if c.get("name") == candidate)
    prompts: dict[tuple[str, int], str] = {}
    return ReplayedResponder(name=spec.name, run=str(run_dir), candidate=candidate,
                             replies=candidate_replies(run_dir, candidate, prompts), prompts=prompts,
                             model_name=source_model(record),
                             dataset_sha256=manifest.dataset.get("cases_sha256") or manifest.dataset.get("sha256"),
                             # The run itself, wherever it is moved later: a diff still knows its re-grade.
                             source={"eval_name": manifest.eval_name, "started_at": manifest.started_at})


def source_model(record: dict) -> str | None:
    """The model that wrote a run's candidate's replies, from its manifest record (None: recorded replies)."""
    if record.get("kind") == "model":
        model = record.get("model")
        return model.get("name") if isinstance(model, dict) else None
    model = record.get("model") if record.get("kind") == "replayed" else None
    return model if isinstance(model, str) else None


def replayed_source(loaded: LoadedEval, spec: CandidateSpec) -> tuple[Path, str, Manifest]:
    """The run directory and candidate a ``replies_from`` candidate replays, and that run's manifest,
    checked: the directory holds a run, and that run has the candidate."""
    loc = loaded.candidate_loc(spec.name)
    run_dir = resolve_path(spec.replies_from, loaded.path)
    if run_dir is None:
        raise loaded.error(f"run directory not found: {spec.replies_from}", *loc, "replies_from")
    try:
        manifest = read_manifest(run_dir)
    except ResultsError as exc:
        raise loaded.error(exc.problem, *loc, "replies_from") from None
    candidate = spec.from_candidate or spec.name
    names = [c.get("name") for c in manifest.candidates]
    if candidate not in names:
        field = "from_candidate" if spec.from_candidate else "replies_from"
        raise loaded.error(f"run {spec.replies_from} has no candidate {candidate!r} (it has: {', '.join(map(str, names))})"
                           + ("" if spec.from_candidate else "; name one with `from_candidate`"), *loc, field)
    return run_dir, candidate, manifest
