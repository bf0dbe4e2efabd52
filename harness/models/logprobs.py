"""Probabilities of a structured answer's allowed values, read from a provider's token logprobs.

OpenAI-compatible providers return, per generated token, its logprob and the
``top_logprobs`` alternatives the model weighed at that position. For a
judge's JSON answer ``{"reason": "...", "score": 4}`` the position that decides
the score is the token where the score's value starts; its alternatives say how
likely each other allowed value was (G-Eval, Liu et al. 2023). This module
finds that position in the token stream and maps the alternatives to the
schema's ``enum`` values, giving ``ModelResponse.field_probabilities`` in the
form the embedded model already reports: ``{"score": {"4": 0.7, "5": 0.2}}``
(keys are JSON-encoded values).

The decisive character is the first one of the value (``4``) or, for a string
value, the first one inside its quotes (``p`` of ``"pass"``). The token that
carries it may also carry text before it (``":4``, `` "pass``); an alternative
counts only if it starts with the same text (whitespace aside), and then names
a value if what follows is that value, or a prefix of exactly one allowed value
(``pa`` → ``pass``). Alternatives naming no allowed value are left out; the
judge renormalises over the mass that remains.

Some endpoints refuse ``logprobs``; :func:`rejects_logprobs` recognises the
refusal so a provider can retry without them and remember not to ask again.
"""

from __future__ import annotations

import json
import logging
import math
from bisect import bisect_right
from json.decoder import scanstring
from typing import Any

from harness.models.base import GenerateConfig, Message, ModelResponse

log = logging.getLogger(__name__)
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
_NUMBER_CONTINUES = frozenset("0123456789.eE")
REJECTION_STATUSES = frozenset({400, 422})


def enum_fields(schema: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Top-level properties of an object schema that are constrained to an ``enum``."""
    properties = (schema or {}).get("properties") or {}
    return {name: list(spec["enum"]) for name, spec in properties.items()
            if isinstance(spec, dict) and isinstance(spec.get("enum"), list) and spec["enum"]}


def value_offsets(text: str) -> dict[str, int]:
    """Character offset where each top-level key's value starts in the first JSON object of ``text``.

    Reads as far as the object is well formed, so a value before a truncation is still found.
    """
    i = text.find("{")
    if i < 0:
        return {}
    found: dict[str, int] = {}
    i = _skip_space(text, i + 1)
    try:
        while i < len(text) and text[i] == '"':
            key, i = scanstring(text, i + 1)
            i = _skip_space(text, i)
            if text[i] != ":":
                break
            i = _skip_space(text, i + 1)
            found[key] = i
            _, i = _DECODER.raw_decode(text, i)
            i = _skip_space(text, i)
            if i >= len(text) or text[i] != ",":
                break
            i = _skip_space(text, i + 1)
    except (ValueError, IndexError):
        pass  # malformed from here on: keep what was found
    return found


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def field_probabilities(tokens: list[dict[str, Any]] | None,
                        schema: dict[str, Any] | None) -> dict[str, dict[str, float]] | None:
    """``{field: {JSON value: probability}}`` for the enum fields of ``schema``, from per-token logprobs.

    ``tokens`` is ``ModelResponse.logprobs``: ``[{"token", "logprob", "top": {token: logprob}}]``.
    ``None`` when nothing could be attributed (no logprobs, no enum field, or
    the answer's JSON could not be located in the tokens).
    """
    fields = enum_fields(schema)
    if not tokens or not fields:
        return None
    pieces = [str(t.get("token") or "") for t in tokens]
    starts, offset = [], 0
    for piece in pieces:
        starts.append(offset)
        offset += len(piece)
    text = "".join(pieces)
    offsets = value_offsets(text)
    found = {}
    for name, allowed in fields.items():
        if name in offsets:
            probabilities = _value_probabilities(tokens, starts, text, offsets[name], allowed)
            if probabilities:
                found[name] = probabilities
    return found or None


def _value_probabilities(tokens: list[dict[str, Any]], starts: list[int], text: str, at: int,
                         allowed: list[Any]) -> dict[str, float]:
    if at >= len(text):
        return {}  # the answer stops before the value
    quoted = text[at] == '"'
    decisive = at + 1 if quoted else at
    if decisive >= len(text):
        return {}
    index = bisect_right(starts, decisive) - 1
    token = tokens[index]
    lead = text[starts[index]:decisive]
    candidates = dict(token.get("top") or {})
    candidates.setdefault(str(token.get("token") or ""), token.get("logprob"))
    totals: dict[str, float] = {}
    for alternative, logprob in candidates.items():
        if not isinstance(logprob, (int, float)) or not math.isfinite(logprob):
            continue  # NaN or infinite: no probability (exp(inf) would make the weighted score NaN)
        value = _value_named(str(alternative), lead, allowed, quoted)
        if value is not None:
            key = json.dumps(value)
            # A logprob above 0 is rounding or junk; exp(1000) would raise OverflowError and lose the answer.
            totals[key] = totals.get(key, 0.0) + math.exp(min(logprob, 0.0))
    return totals


def _value_named(alternative: str, lead: str, allowed: list[Any], quoted: bool) -> Any:
    """The allowed value that ``alternative``, generated in place of the decisive token, would start."""
    rest = _after_lead(alternative, lead)
    if rest is None:
        return None
    if not quoted:
        rest = rest.lstrip(_WHITESPACE)
    if not rest:
        return None  # the value would start in a later token: this one decides nothing
    matches = [v for v in allowed if _consistent(rest, _value_text(v, quoted), quoted)]
    return matches[0] if len(matches) == 1 else None


def _after_lead(alternative: str, lead: str) -> str | None:
    """``alternative`` without a prefix equal to ``lead`` up to whitespace; None when it does not start so."""
    i = 0
    for char in lead:
        if char in _WHITESPACE:
            continue
        while i < len(alternative) and alternative[i] in _WHITESPACE:
            i += 1
        if i >= len(alternative) or alternative[i] != char:
            return None
        i += 1
    return alternative[i:]


def _value_text(value: Any, quoted: bool) -> str:
    if quoted:
        return value if isinstance(value, str) else json.dumps(value)
    return json.dumps(value)


def _consistent(rest: str, value: str, quoted: bool) -> bool:
    if rest.startswith(value):
        tail = rest[len(value):]
        if quoted:
            return not tail or tail[0] == '"'
        return not tail or tail[0] not in _NUMBER_CONTINUES
    return value.startswith(rest)  # the token is a prefix of the value ("pa" of "pass")


def with_field_probabilities(response: ModelResponse, config: GenerateConfig) -> ModelResponse:
    """``response`` with ``field_probabilities`` derived from its logprobs, when asked for and possible."""
    if not config.logprobs or config.response_schema is None or response.field_probabilities:
        return response
    try:
        found = field_probabilities(response.logprobs, config.response_schema)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        # Probabilities are an extra: logprobs in a shape never seen must not cost the answer itself.
        log.warning("could not read score probabilities from %s logprobs: %s", type(exc).__name__, exc)
        return response
    return response.model_copy(update={"field_probabilities": found}) if found else response


def rejects_logprobs(status: int | None, message: str) -> bool:
    """True when an error answer is the endpoint refusing the ``logprobs`` parameters."""
    return status in REJECTION_STATUSES and "logprobs" in message.lower()


def without_logprobs(config: GenerateConfig) -> GenerateConfig:
    """``config`` asking for no token logprobs (``top_logprobs`` in ``extra`` dropped too)."""
    extra = {k: v for k, v in config.extra.items() if k not in ("logprobs", "top_logprobs")}
    return config.model_copy(update={"logprobs": False, "extra": extra})


def can_return_logprobs(model: object) -> bool:
    """True when ``model``'s provider can be asked for token logprobs and has not refused them."""
    return bool(getattr(getattr(model, "provider", None), "logprobs_supported", False))


class LogprobModel:
    """A harness Model that asks for token logprobs on every call; everything else is forwarded.

    Judges are wrapped in it when their provider can return logprobs, so their
    answers carry score probabilities and a weighted score.
    """

    def __init__(self, model: object) -> None:
        self._model = model

    async def generate(self, messages: list[Message], config: GenerateConfig | None = None,
                       cache_salt: str = "") -> ModelResponse:
        asked = (config or GenerateConfig()).model_copy(update={"logprobs": True})
        return await self._model.generate(messages, asked, cache_salt=cache_salt)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)
