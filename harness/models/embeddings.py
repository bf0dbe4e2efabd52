"""Embeddings for ``similar`` checks, through the same :class:`~harness.models.model.Model` as every call.

An embedding provider answers ``generate([one user message])`` with a :class:`ModelResponse` whose text is the
vector as JSON. Riding on ``Model`` gives embeddings what chat calls have: the response cache (a rerun, or the
same reference embedded for every candidate, is free), the concurrency limit, the timeout, retries with backoff,
the circuit breakers, and the accounting in the manifest. A call that fails after its retries raises the
harness's :class:`~harness.errors.ModelCallError`, which the check records on its case (the run goes on).

Providers, by the model's name (as the registry chooses for chat):

    embedded/gemma-3-270m   llama.cpp in-process, mean-pooled token embeddings (offline; weak)
    openai/<name> + api_base  ``POST {api_base}/embeddings`` on the thin client (any OpenAI-compatible server)
    anything else           litellm's ``aembedding`` (OpenAI, Cohere, Voyage, Azure, Bedrock, ...)
"""

from __future__ import annotations

import asyncio
import atexit
import json
import threading
from typing import Any

from harness.errors import EmptyResponseError, ModelCallError
from harness.models.base import EMBEDDED_MODEL, GenerateConfig, Message, ModelResponse, ModelSpec, Usage
from harness.models.cache import ResponseCache
from harness.models.model import Model
from harness.models.openai_compat import OpenAICompatProvider, _decode, error_for_status, error_in_body

# Keeps an embedding's cache entry apart from a chat answer to the same text by a model of the same name.
CACHE_SALT = "embedding"


class Embedder:
    """Embeds one text at a time through ``model`` (a Model over an embedding provider)."""

    def __init__(self, model: Model) -> None:
        self.model = model

    @property
    def name(self) -> str:
        return self.model.name

    async def embed(self, text: str) -> list[float]:
        response = await self.model.generate([Message(role="user", content=text)], cache_salt=CACHE_SALT)
        return vector_of(response.text, self.model.name)


def vector_of(text: str, model: str) -> list[float]:
    """The vector a provider's response holds (as JSON text); ModelCallError when it holds none."""
    try:
        vector = json.loads(text)
    except ValueError:
        raise ModelCallError(f"{model}: the embedding answer is not a vector") from None
    if not isinstance(vector, list) or not vector or not all(isinstance(x, (int, float)) for x in vector):
        raise EmptyResponseError(f"{model}: no embedding in the answer")
    return [float(x) for x in vector]


def _as_response(vector: Any, prompt_tokens: int, model: str) -> ModelResponse:
    if not isinstance(vector, list) or not vector:
        raise EmptyResponseError(f"{model}: no embedding in the answer")
    return ModelResponse(text=json.dumps(vector), usage=Usage(prompt_tokens=int(prompt_tokens or 0)))


class OpenAICompatEmbeddings(OpenAICompatProvider):
    """``POST {api_base}/embeddings`` with ``{"model", "input"}``, over the thin client's connection pool."""

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        body = {"model": self.served_name, "input": messages[-1].content}
        url = self.spec.api_base.rstrip("/") + "/embeddings"  # type: ignore[union-attr]
        status, headers, raw = await self._post_to(url, body)
        if status != 200:
            raise error_for_status(status, headers, raw, self.name)
        payload = _decode(raw, self.name)
        error = error_in_body(payload, headers, self.name)
        if error is not None:
            raise error
        data = payload.get("data") if isinstance(payload, dict) else None
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        usage = payload.get("usage") or {}
        return _as_response(first.get("embedding"), usage.get("prompt_tokens", 0), self.name)

    async def _post_to(self, url: str, body: dict[str, Any]) -> tuple[int, Any, bytes]:
        from harness.errors import CallTimeoutError, ConnectionFault
        from harness.models.http_pool import HTTPConnectionError

        try:
            return await self._session().post(url, json.dumps(body).encode(), self._headers())
        except TimeoutError:
            raise CallTimeoutError(f"{self.name}: no answer within {self.spec.timeout_s:g} s", retryable=True) from None
        except HTTPConnectionError as exc:
            raise ConnectionFault(f"{self.name}: {type(exc).__name__}: {exc}", retryable=True) from exc


class LiteLLMEmbeddings:
    """One litellm ``aembedding`` per call: any provider litellm embeds with."""

    def __init__(self, spec: ModelSpec) -> None:
        from harness.models.litellm_provider import LiteLLMProvider

        self._chat = LiteLLMProvider(spec)  # its key rules, credential check and import
        self.spec, self.name = spec, spec.name

    def prepare(self) -> None:
        self._chat.prepare()

    def check_credentials(self) -> None:
        self._chat.check_credentials()

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        from harness.models.litellm_errors import map_litellm_error
        from harness.models.litellm_provider import api_key, import_litellm

        litellm = import_litellm()
        name = self.name.split("/", 1)[1] if self.name.startswith("litellm/") else self.name
        try:
            raw = await litellm.aembedding(model=name, input=[messages[-1].content], api_base=self.spec.api_base,
                                           api_key=api_key(self.spec), num_retries=0)
        except Exception as exc:  # litellm's error classes, mapped to the harness's (retryable or not)
            raise map_litellm_error(exc, self.name) from exc
        data = raw.get("data") if hasattr(raw, "get") else getattr(raw, "data", None)
        first = data[0] if data else {}
        vector = first.get("embedding") if hasattr(first, "get") else getattr(first, "embedding", None)
        usage = getattr(raw, "usage", None)
        return _as_response(vector, getattr(usage, "prompt_tokens", 0) or 0, self.name)


_llama_lock = threading.Lock()
_embedding_llama: Any = None


class EmbeddedEmbeddings:
    """The embedded Gemma's token embeddings, mean-pooled (llama.cpp, offline). A tiny model: weak."""

    max_concurrency = 1  # one llama context

    def __init__(self, spec: ModelSpec) -> None:
        self.spec, self.name = spec, spec.name

    def check_credentials(self) -> None:
        from harness.models.embedded import require_installed

        require_installed()

    def prepare(self) -> None:
        _shared_embedding_llama()

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        return await asyncio.to_thread(self._embed, messages[-1].content)

    def _embed(self, text: str) -> ModelResponse:
        llama = _shared_embedding_llama()
        with _llama_lock:
            answer = llama.create_embedding(text)
        return _as_response(answer["data"][0]["embedding"], answer.get("usage", {}).get("prompt_tokens", 0),
                            self.name)


def _shared_embedding_llama() -> Any:
    """A second llama context over the embedded weights, in embedding mode (the chat one cannot embed)."""
    global _embedding_llama
    with _llama_lock:
        if _embedding_llama is None:
            import llama_cpp

            from harness.models.embedded import N_CTX, gguf_path, require_installed

            require_installed()
            atexit.register(_close_embedding_llama)  # freed during interpreter teardown, llama_cpp prints a traceback
            _embedding_llama = llama_cpp.Llama(model_path=str(gguf_path()), n_ctx=N_CTX, embedding=True,
                                               pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN, verbose=False)
    return _embedding_llama


def _close_embedding_llama() -> None:
    global _embedding_llama
    with _llama_lock:
        if _embedding_llama is not None:
            _embedding_llama.close()
            _embedding_llama = None


def embedding_provider(spec: ModelSpec) -> Any:
    """The embedding provider for ``spec.name`` (see the module docstring)."""
    if spec.name == EMBEDDED_MODEL:
        return EmbeddedEmbeddings(spec)
    from harness.models.registry import behind_proxy

    if spec.name.startswith("openai/") and spec.api_base and not behind_proxy(spec.api_base):
        return OpenAICompatEmbeddings(spec)
    return LiteLLMEmbeddings(spec)


def build_embedder(spec: ModelSpec, cache: ResponseCache | None = None) -> Embedder:
    """An :class:`Embedder` for ``spec`` sharing ``cache`` (None: no caching)."""
    return Embedder(Model(embedding_provider(spec), spec, cache))
