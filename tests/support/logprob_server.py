"""The loopback OpenAI-compatible server, answering ``logprobs: true`` the way OpenAI does.

    with LogprobServer(reply, score_probabilities={"4": 0.6, "5": 0.3, "3": 0.1}) as server:
        ...

When a request asks for logprobs, each choice carries ``logprobs.content``: one
entry per token of the reply (split by :func:`tokenize`, roughly as GPT
tokenizers split JSON: ``{"``, ``reason``, ``": "``, ..., ``score``, ``": ``,
``4``, ``}``), each with its ``logprob`` and ``top_logprobs`` (at most
``top_logprobs`` entries, most likely first). At the token that carries the
score's value, the alternatives are ``score_probabilities`` (the chosen token
first); elsewhere the chosen token is near-certain, with one unlikely
alternative. With ``reject_logprobs`` such a request gets the 400 an endpoint
without logprobs sends.
"""

from __future__ import annotations

import math
import re
from typing import Any

from aiohttp import web

from tests.support.openai_server import OpenAIServer, Reply, chat_completion

TOKEN = re.compile(r'\{"|":\s*"?|",\s*"|"\s*\}|"|\s?\w+|\s+|.')


def tokenize(text: str) -> list[str]:
    """``text`` split into tokens that concatenate back to it."""
    return TOKEN.findall(text)


class LogprobServer(OpenAIServer):
    def __init__(self, reply: Reply, *, score_probabilities: dict[str, float] | None = None,
                 reject_logprobs: bool = False, **kwargs: Any) -> None:
        super().__init__(reply, **kwargs)
        self.score_probabilities = dict(score_probabilities or {})
        self.reject_logprobs = reject_logprobs

    async def _respond(self, request: web.Request, body: dict[str, Any], fault: str | None) -> web.StreamResponse:
        if fault is not None or not body.get("logprobs"):
            return await super()._respond(request, body, fault)
        if self.reject_logprobs:
            error = {"message": "This model does not support the 'logprobs' parameter.",
                     "type": "invalid_request_error", "param": "logprobs", "code": None}
            return web.json_response({"error": error}, status=400)
        text = self.reply(body)
        completion = chat_completion(body, text)
        completion["choices"][0]["logprobs"] = {"content": self.token_logprobs(text, body.get("top_logprobs") or 0),
                                                "refusal": None}
        return web.json_response(completion)

    def token_logprobs(self, text: str, top_n: int) -> list[dict[str, Any]]:
        tokens = tokenize(text)
        score_at = _score_token_index(tokens)
        return [self._entry(token, top_n, self.score_probabilities if i == score_at else None)
                for i, token in enumerate(tokens)]

    @staticmethod
    def _entry(token: str, top_n: int, probabilities: dict[str, float] | None) -> dict[str, Any]:
        if probabilities:
            ranked = sorted(probabilities.items(), key=lambda item: -item[1])
        else:
            ranked = [(token, 0.98), (token.upper() if token.upper() != token else token + "s", 0.02)]
        chosen = math.log(dict(ranked).get(token, 1e-4))
        top = [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in ranked[:top_n]]
        return {"token": token, "logprob": chosen, "bytes": list(token.encode()), "top_logprobs": top}


def _score_token_index(tokens: list[str]) -> int | None:
    """The token after ``score`` and its ``":`` that starts the value (skipping a lone quote or space)."""
    for i, token in enumerate(tokens[:-2]):
        if token.strip() == "score" and tokens[i + 1].startswith('":'):
            j = i + 2
            while j < len(tokens) and tokens[j].strip() in ('"', ""):
                j += 1
            return j
    return None
