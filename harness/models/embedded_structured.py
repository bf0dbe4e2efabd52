"""Fast constrained decoding of flat JSON objects on the embedded model.

llama.cpp's JSON-Schema grammar checks every token of Gemma's 262k-token
vocabulary at every step (about 11 tokens/s here). A judge answer has a fixed
shape, ``{"reason": <string>, "score": <one of a few values>}``, so this module
writes the fixed parts itself and lets the model fill only the free parts:

* a string field: the model writes until it produces ``"`` or a newline
  (capped by ``maxLength``); the text is then JSON-escaped by us;
* an ``enum`` field: one forward step, with the logits masked to the first
  token of each allowed value; the most likely value is chosen, and the
  probabilities of all values are returned (G-Eval style weights).

Every call shares the prompt prefix, which llama.cpp keeps evaluated, so each
step costs only its new tokens. The output is always valid JSON of the schema's
shape; schemas of any other shape fall back to the grammar.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_STRING_TOKENS = 48
TURN_START, TURN_END = "<start_of_turn>", "<end_of_turn>\n"


def gemma_prompt(turns: list[dict[str, str]]) -> str:
    """Gemma's turn markup for chat turns (system already folded in), ending at the model's turn."""
    role = {"user": "user", "assistant": "model"}
    parts = [f"{TURN_START}{role[t['role']]}\n{t['content']}{TURN_END}" for t in turns]
    return "".join(parts) + f"{TURN_START}model\n"


def is_flat_schema(schema: dict[str, Any] | None) -> bool:
    """True for an object whose required properties are all plain strings or enums of scalars."""
    if not schema or schema.get("type") != "object":
        return False
    props = schema.get("properties") or {}
    if not props or set(schema.get("required", [])) != set(props):
        return False
    return all(_is_string(p) or _is_enum(p) for p in props.values())


def _is_string(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "string" and "enum" not in prop and "pattern" not in prop


def _is_enum(prop: dict[str, Any]) -> bool:
    values = prop.get("enum")
    return bool(values) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)


class UnsupportedSchema(Exception):
    """This schema or tokenization cannot be scaffolded; the caller falls back to the grammar."""


@dataclass
class StructuredResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    # Per enum field: {"field": name, "probabilities": {json_value: p}}
    choices: list[dict[str, Any]] = field(default_factory=list)


class ScaffoldDecoder:
    """Decodes one flat object with ``llama`` (a llama_cpp.Llama) after ``prompt``."""

    def __init__(self, llama: Any, prompt: str, schema: dict[str, Any], seed: int) -> None:
        self.llama, self.prompt, self.schema, self.seed = llama, prompt, schema, seed
        self.completion_tokens = 0
        self.prompt_tokens = len(llama.tokenize(prompt.encode("utf-8"), special=True))

    def decode(self) -> StructuredResult:
        written = "{"
        choices: list[dict[str, Any]] = []
        for index, (name, prop) in enumerate(self.schema["properties"].items()):
            written += ("" if index == 0 else ", ") + json.dumps(name) + ": "
            if _is_enum(prop):
                value, probabilities = self._choose(written, prop["enum"])
                choices.append({"field": name, "probabilities": probabilities})
                written += json.dumps(value)
            else:
                written += json.dumps(self._free_text(written, prop))
        return StructuredResult(text=written + "}", prompt_tokens=self.prompt_tokens,
                                completion_tokens=self.completion_tokens, choices=choices)

    def _free_text(self, written: str, prop: dict[str, Any]) -> str:
        limit = min(MAX_STRING_TOKENS, max(4, int(prop.get("maxLength", 4 * MAX_STRING_TOKENS)) // 4))
        out = self.llama.create_completion(self.prompt + written + '"', max_tokens=limit, temperature=0.0,
                                           stop=['"', "\n"], seed=self.seed)
        self.completion_tokens += out["usage"]["completion_tokens"]
        text = out["choices"][0]["text"].replace("\\", "").strip()
        return text[: prop["maxLength"]] if "maxLength" in prop else text

    def _choose(self, written: str, values: list[Any]) -> tuple[Any, dict[str, float]]:
        """One step with logits masked to each value's first token; returns the best value and all probabilities."""
        # For string values the opening quote is ours, so the values differ from their first token.
        quote = '"' if all(isinstance(v, str) for v in values) else ""
        context = self.prompt + written + quote
        texts = [str(v) if quote else json.dumps(v) for v in values]
        first_tokens = self._first_tokens(context, texts)
        if first_tokens is None:
            raise UnsupportedSchema("enum values do not start with distinct tokens")
        captured: dict[str, np.ndarray] = {}

        def mask(_input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
            allowed = np.full_like(scores, -np.inf)
            allowed[first_tokens] = scores[first_tokens]
            captured["logits"] = scores[first_tokens].astype(np.float64)
            return allowed

        self.llama.create_completion(context, max_tokens=1, temperature=0.0, logits_processor=[mask],
                                     seed=self.seed)
        self.completion_tokens += 1
        logits = captured["logits"]
        weights = np.exp(logits - logits.max())
        probabilities = weights / weights.sum()
        best = int(np.argmax(logits))
        return values[best], {json.dumps(v): round(float(p), 6) for v, p in zip(values, probabilities)
                              if math.isfinite(p)}

    def _first_tokens(self, context: str, texts: list[str]) -> list[int] | None:
        """The first token each text adds after ``context``; None if two share one or tokens merge across."""
        base = self.llama.tokenize(context.encode("utf-8"), special=True)
        firsts = []
        for text in texts:
            tokens = self.llama.tokenize((context + text).encode("utf-8"), special=True)
            if tokens[: len(base)] != base or len(tokens) == len(base):
                return None
            firsts.append(tokens[len(base)])
        return firsts if len(set(firsts)) == len(firsts) else None
