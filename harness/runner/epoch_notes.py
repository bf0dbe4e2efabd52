"""Epochs that cannot vary: settings under which every sample of a case is asked the very same way.

A candidate's ``epochs`` sample its model several times per case; a judge's ask each criterion several
times. Each sample is cached apart (its own salt), so the cache never merges them; but a provider that
honours ``seed`` and ``temperature`` answers a call sent with a fixed seed, or at temperature 0, the same
every time. The samples then repeat one answer while the consistency table and pass^k read as if the
model had been sampled. These notices name who and why, at run start and above the scorecard.

The embedded model decodes with a fixed seed whatever the call (and greedily at its default temperature
0): its samples of one prompt are always the same, whatever its temperature.
"""

from __future__ import annotations

from typing import Any

from harness.config.evalfile import LoadedEval

_ALIKE = "a provider that honours seed and temperature gives every sample of a case the same answer"


def epoch_notices(loaded: LoadedEval, candidates: list[Any]) -> list[str]:
    """One notice per model candidate, judge or panellist whose epochs repeat one answer."""
    notices = [f"candidate {spec.name}: epochs {spec.epochs} {why}, so its consistency table and pass^k show "
               "no real spread (sample without a fixed seed, above temperature 0, or set epochs: 1)"
               for spec in candidates if spec.kind == "model" and spec.epochs > 1
               for why in [_fixed(spec.model, spec.params.temperature, spec.params.seed)] if why]
    notices += unanswered_variants(loaded, candidates)
    judge = loaded.spec.judge
    if judge is None or judge.epochs < 2:
        return notices
    members = [("judge", judge)] if judge.panel is None else [(f"judge panellist {p.label}", p) for p in judge.panel]
    for who, fields in members:
        temperature, seed = _judge_settings(fields)
        why = _fixed(fields.model, temperature, seed)
        if not why:
            continue
        notices.append(f"{who}: epochs {judge.epochs} {why}, so each criterion's epochs repeat one verdict and "
                       "their reduction adds calls, not information (set judge epochs: 1)")
    return notices


PERTURB_UNANSWERED = "`perturb` adds variants only a model candidate answers"


def unanswered_variants(loaded: LoadedEval, candidates: list[Any]) -> list[str]:
    """With ``perturb`` and no model candidate: one notice (``harness validate`` places it at the eval's
    ``perturb`` line). Recorded and replayed replies answered the original text, so nobody answers the variants
    and the robustness section stays empty."""
    if loaded.spec.perturb is None or not candidates or any(spec.kind == "model" for spec in candidates):
        return []
    return [f"{PERTURB_UNANSWERED}, and this eval has none (recorded and replayed replies answered the original "
            "text): add a model candidate or drop `perturb`"]


def _fixed(model: str, temperature: float | None, seed: int | None) -> str:
    """Why a model's calls cannot vary ("" when they can)."""
    if model.startswith("embedded/"):
        return ("ask the embedded model, which decodes with a fixed seed whatever the temperature (greedily at its "
                "default 0): every sample of a prompt is the same")
    reasons = ([f"send the same seed ({seed}) with every sample"] if seed is not None else []) \
        + (["ask at temperature 0"] if temperature == 0 else [])
    return f"{' and '.join(reasons)}: {_ALIKE}" if reasons else ""


def _judge_settings(fields: Any) -> tuple[float | None, int | None]:
    """The temperature and seed a judge's calls are sent with: the judge's own call settings under its params,
    merged as a run merges them."""
    from harness.judges.judge import judge_config

    sent = fields.params.merged(judge_config("1-5", fields.params))
    return sent.temperature, sent.seed
