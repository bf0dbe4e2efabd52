"""The notices a run plan gives its scorecard: the embedded model's part in the run (as a candidate, the judge or
the embedder of similar checks), a judge grading its own model's replies, replies replayed from a run of another
version of the dataset, and the sampling notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.candidates.responders import ModelResponder, ReplayedResponder, Responder
from harness.judges.panel import PanelJudge

if TYPE_CHECKING:
    from harness.runner.plan import RunPlan

EMBEDDED_NOTICE = (
    "The embedded model (Gemma 3 270M, a tiny base model run offline) took part in this run "
    "as {roles}. As a yes/no judge of real support replies it agreed with careful human labels no "
    "better than chance (Cohen's kappa about 0). Its scores show the pipeline working end to end; "
    "they say nothing about reply quality. Point the judge (and model candidates) at a real "
    "provider for meaningful scores: see 'Use a real provider' in the README."
)

# LLM judges rate their own model's outputs higher (Zheng et al. 2023, MT-Bench; Panickssery et al. 2024).
SELF_JUDGING_NOTICE = ("judge model {model} also wrote candidate {candidate}'s replies: judges favour their own "
                       "outputs, so {candidate}'s judge scores are likely inflated against the other candidates")


def plan_notices(plan: "RunPlan", loaded: Any) -> list[str]:
    """The notices a run's scorecard opens with: the embedded model's part in it, self-judging, replies
    replayed from another dataset version, sampling."""
    roles = []
    if any((_writer(r) or "").startswith("embedded/") for r in plan.responders):
        roles.append("a candidate")
    if any(m.name.startswith("embedded/") for m in plan.judge_models):
        roles.append("a member of the judge panel" if isinstance(plan.judge, PanelJudge) else "the judge")
    embedded = [EMBEDDED_NOTICE.format(roles=" and ".join(roles))] if roles else []
    if plan.embedder_model is not None and plan.embedder_model.name.startswith("embedded/"):
        from harness.checks.reference import EMBEDDER_NOTICE

        embedded.append(EMBEDDER_NOTICE)
    from harness.runner.epoch_notes import epoch_notices

    chosen = [spec for spec in loaded.spec.candidates if spec.name in {r.name for r in plan.responders}]
    plan.epoch_notes = epoch_notices(loaded, chosen)  # also printed at run start
    return embedded + _self_judging_notices(plan) + _other_dataset_notices(plan) + plan.epoch_notes


def _other_dataset_notices(plan: "RunPlan") -> list[str]:
    """One notice per re-graded candidate whose replies were written for other cases than these: the source
    run's ``cases_sha256`` (its whole dataset's ``sha256`` for a run made before there was one) is neither of
    this dataset's hashes. Replies recorded in the dataset that changed since do not count."""
    here = {plan.dataset.sha256, plan.dataset.cases_sha256}
    return [f"candidate {r.name} replays the replies run {r.run} got for another version of the dataset "
            f"({r.dataset_sha256[:12]} there, {plan.dataset.cases_sha256[:12]} here): a complaint that changed "
            f"since is graded against a reply to its old text"
            for r in plan.responders if isinstance(r, ReplayedResponder) and r.dataset_sha256
            and r.dataset_sha256 not in here]


def _self_judging_notices(plan: "RunPlan") -> list[str]:
    """One notice per model candidate whose replies a judge model (or panellist) also wrote."""
    judge_names = list(dict.fromkeys(m.name for m in plan.judge_models))
    return [SELF_JUDGING_NOTICE.format(model=name, candidate=r.name) for name in judge_names
            for r in plan.responders if _writer(r) == name]


def _writer(responder: Responder) -> str | None:
    """The model whose replies a candidate is graded on: its own, or (re-grading a run) the one that wrote them."""
    if isinstance(responder, ModelResponder):
        return responder.model.name
    return responder.model_name if isinstance(responder, ReplayedResponder) else None
