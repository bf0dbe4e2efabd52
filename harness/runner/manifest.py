"""The run's manifest: what was run, from which files and settings, by which harness revision.

Written to ``manifest.json`` before the first call (:mod:`harness.runner.engine`);
the diff guard, gates and history read it to tell which runs compare.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import harness
from harness.candidates.responders import RecordedResponder, ReplayedResponder, Responder
from harness.config.evalfile import LoadedEval
from harness.config.prompt_partials import combined
from harness.datasets.case_checks import check_versions
from harness.datasets.case_criteria import criteria_record
from harness.datasets.perturb import is_variant
from harness.hashing import hash_file, hash_value
from harness.judges.judge import Judge
from harness.judges.panel import PanelJudge
from harness.models.logprobs import LogprobModel
from harness.records.schema import HashedRef, Manifest
from harness.records.timestamps import now_iso
from harness.runner.plan import RunPlan


def git_revision() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(harness.__file__).parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def build_manifest(plan: RunPlan) -> Manifest:
    loaded = plan.loaded
    return Manifest(
        harness_version=harness.__version__, git_revision=git_revision(), eval_name=loaded.name,
        eval_file=HashedRef(path=str(loaded.path), sha256=hash_file(loaded.path)),
        eval_spec=loaded.spec.model_dump(mode="json"),
        dataset={"path": loaded.dataset_path, "sha256": plan.dataset.sha256,
                 "cases_sha256": plan.dataset.cases_sha256, "n_cases": len(plan.dataset),
                 "n_selected": _originals(plan), "selected_sha256": hash_value([c.id for c in plan.cases]),
                 **_replay_record(plan), **_selection_record(plan), **_perturb_record(plan),
                 **_breakdowns_record(plan), **_feedback_record(plan)},
        rubric=_rubric_record(plan),
        judge=judge_record(plan.judge),
        candidates=[_candidate_record(r, loaded) for r in plan.responders],
        checks={c.name: c.version for c in plan.checks} | check_versions(plan.case_checks),
        started_at=now_iso(), notices=plan.notices,
    )


def _rubric_record(plan: RunPlan) -> dict | None:
    """The rubric's record, its criteria followed by the selected cases' own (marked ``case``: part of their cases,
    which the comparability guard leaves out; their verdicts are read as any criterion's)."""
    if plan.rubric is None:
        return None
    record = plan.rubric.record(str(plan.loaded.rubric_path))
    record["criteria"].update(criteria_record(plan.cases))
    return record


def _breakdowns_record(plan: RunPlan) -> dict:
    """With ``breakdowns`` naming a field the records do not carry (``metadata.channel``): each value's case
    ids, so the scorecard groups the records without reading the dataset again (none: no entry). The
    perturbed variants are left out: their verdicts are only in the "by perturbation" breakdown."""
    from harness.scoring.fields import field_groups

    names = plan.loaded.spec.breakdowns
    groups = field_groups(names, (c for c in plan.cases if not is_variant(c))) if names else {}
    return {"breakdowns": groups} if groups else {}


def _feedback_record(plan: RunPlan) -> dict:
    """With ``feedback`` keys (``metadata.csat``): each value's case ids, as for breakdowns (none: no entry)."""
    from harness.scoring.feedback_keys import feedback_values

    names = plan.loaded.spec.feedback
    return {"feedback": feedback_values(names, (c for c in plan.cases if not is_variant(c)))} if names else {}


def _originals(plan: RunPlan) -> int:
    """The selected cases, without the perturbed variants (``n_perturbed`` counts those)."""
    return sum(not is_variant(case) for case in plan.cases) if plan.loaded.spec.perturb else len(plan.cases)


def _perturb_record(plan: RunPlan) -> dict:
    """With ``perturb``: the variants' count and kinds (none: no entry, as before there were any)."""
    spec = plan.loaded.spec.perturb
    if spec is None:
        return {}
    return {"n_perturbed": len(plan.cases) - _originals(plan), "perturb": spec.model_dump(mode="json")}


def _selection_record(plan: RunPlan) -> dict:
    """The manifest's ``dataset.selection``: the options that chose some of the cases (none: no entry)."""
    selection = plan.selection.describe() | ({"limit": plan.limit_option} if plan.limit_option else {})
    return {"selection": selection} if selection else {}


def _replay_record(plan: RunPlan) -> dict:
    """With turn-level replay, how many threads the selected turn cases came from."""
    if plan.loaded.spec.replay != "turns":
        return {}
    return {"replay": "turns", "n_threads": len({c.metadata["thread_id"] for c in plan.cases})}


def judge_record(judge: Judge | PanelJudge | None) -> dict | None:
    """The manifest's ``judge``: the model's settings, or a panel's members and aggregate.

    A panel's ``name`` reads ``panel (mean): a, b``; its ``panel_key`` (members'
    names, models, endpoints and the aggregate) is what the diff guard compares.
    """
    if judge is None:
        return None
    if not isinstance(judge, PanelJudge):
        return {**_model_record(judge.model), "max_attempts": judge.max_attempts}
    members = [{"panellist": p.name, **_model_record(p.model)} for p in judge.panellists]
    key = ", ".join(f"{m['panellist']}={m['name']}" + (f"@{m['api_base']}" if m.get("api_base") else "")
                    for m in members)
    return {"name": f"panel ({judge.aggregate}): {', '.join(p.name for p in judge.panellists)}",
            "panel": members, "aggregate": judge.aggregate, "panel_key": f"{judge.aggregate}: {key}",
            "max_attempts": judge.max_attempts}


def _model_record(model) -> dict:
    return {**model.spec_record(), "logprobs": isinstance(model, LogprobModel)}


def _candidate_record(responder: Responder, loaded: LoadedEval) -> dict:
    if isinstance(responder, RecordedResponder):
        return {"name": responder.name, "kind": "recorded", "recorded": responder.version}
    if isinstance(responder, ReplayedResponder):
        return {"name": responder.name, "kind": "replayed", "replies_from": responder.run,
                "candidate": responder.candidate, "n_replies": len(responder.replies), "model": responder.model_name,
                "source_run": responder.source}
    # With partials, the text and hash cover them too: editing one is a changed prompt (resume, diff).
    source = combined(loaded.prompts[responder.name], loaded.prompt_partials.get(responder.name, {}))
    return {"name": responder.name, "kind": "model", "model": responder.model.spec_record(),
            "prompt_sha256": hash_value(source), "prompt_file": loaded.prompt_files.get(responder.name),
            # The text itself (templates are small): `harness diff` shows how a prompt changed, not just that it did.
            "prompt_template": source,
            # Only with tools, so a manifest without them reads as before: what the model was offered.
            **({"tools": [tool.openai_form() for tool in responder.tools],
                "max_tool_rounds": responder.max_tool_rounds} if responder.tools else {})}

