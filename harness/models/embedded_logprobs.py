"""Per-token log-probabilities for the embedded model without ``logits_all``.

llama-cpp-python only returns logprobs when the model was created with
``logits_all=True``, which keeps a context-sized matrix of logits (4096 x 262k
floats, ~4 GB for Gemma 3) and computes the output layer for every prompt
token. Instead, a logits processor sees the next-token logits at each sampling
step and keeps the top candidates; the chosen token of step *k* is read from
the context at step *k + 1*, and the last one is recovered from the text.

The probabilities are those of the model before any grammar constraint (the
processor runs first in llama.cpp's sampler chain).
"""

from __future__ import annotations

from typing import Any

TOP_N = 5


class LogprobRecorder:
    """Collects top-``TOP_N`` logprobs per generated token; ``result`` gives them in ModelResponse form."""

    def __init__(self, llama: Any, top_n: int = TOP_N) -> None:
        self.llama = llama
        self.top_n = top_n
        self.steps: list[dict[str, Any]] = []
        self._previous: Any = None  # log-softmax of the last step, to score its chosen token later

    def processors(self) -> list[Any]:
        from llama_cpp import LogitsProcessorList

        return LogitsProcessorList([self._observe])

    def _observe(self, input_ids: Any, logits: Any) -> Any:
        import numpy as np

        if self.steps:
            self._settle(int(input_ids[-1]))
        shifted = logits - logits.max()
        logprobs = shifted - np.log(np.exp(shifted).sum())
        top = np.argpartition(-logprobs, self.top_n)[: self.top_n]
        top = top[np.argsort(-logprobs[top])]
        self.steps.append({"token_id": None, "logprob": None,
                           "top": {int(t): float(logprobs[t]) for t in top}})
        self._previous = logprobs
        return logits

    def _settle(self, token_id: int) -> None:
        step = self.steps[-1]
        step["token_id"] = token_id
        step["logprob"] = float(self._previous[token_id])

    def result(self, text: str, finish_reason: str | None) -> list[dict[str, Any]]:
        """One entry per token of ``text``: ``{"token", "logprob", "top": {token: logprob}}``."""
        steps = list(self.steps)
        if steps and steps[-1]["token_id"] is None:
            if finish_reason == "length":
                self._settle_last(text)
            else:
                steps.pop()  # the end-of-turn token, which is not part of the content
        return [{"token": self._piece(s["token_id"]), "logprob": s["logprob"],
                 "top": {self._piece(t): lp for t, lp in s["top"].items()}} for s in steps]

    def _settle_last(self, text: str) -> None:
        known = b"".join(self.llama.detokenize([s["token_id"]]) for s in self.steps[:-1])
        remainder = text.encode("utf-8")[len(known):]
        for token_id in self.steps[-1]["top"]:
            if self.llama.detokenize([token_id]) == remainder:
                self._settle(token_id)
                return
        ids = self.llama.tokenize(remainder, add_bos=False, special=True)
        if len(ids) == 1:
            self._settle(ids[0])

    def _piece(self, token_id: int | None) -> str:
        if token_id is None:
            return ""
        return self.llama.detokenize([token_id]).decode("utf-8", errors="replace")
