"""The eval file's ``embedding:`` block: the model that embeds replies for ``similar`` checks.

    embedding: {model: openai/text-embedding-3-small, api_key_env: OPENAI_API_KEY}
    embedding: {model: openai/bge-small, api_base: http://localhost:8080/v1}   # any OpenAI-compatible /v1/embeddings

Without the block a ``similar`` check embeds with the embedded model (Gemma 3 270M, offline), which shows the
pipeline working but is a weak embedder: the scorecard's embedded-model notice says so.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from harness.config.candidates import StrictSpec
from harness.models.base import EMBEDDED_MODEL, ModelSpec, env_var_name


class EmbeddingSpec(StrictSpec):
    """Which model embeds texts for ``similar`` checks, and how it is called."""

    model: str = Field(min_length=1, description="openai/<name> with api_base: any OpenAI-compatible "
                                                 "/v1/embeddings endpoint; another litellm name (openai/"
                                                 "text-embedding-3-small, cohere/embed-english-v3.0, ...) through "
                                                 f"litellm's aembedding; or {EMBEDDED_MODEL} (offline, weak).")
    api_base: str | None = None
    api_key_env: str | None = Field(None, description="Environment variable holding the API key.")
    concurrency: int = Field(8, ge=1, le=1024)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0, le=20)

    _key_env = field_validator("api_key_env")(env_var_name)

    @field_validator("model")
    @classmethod
    def _embedded_known(cls, value: str) -> str:
        if value.startswith("embedded/") and value != EMBEDDED_MODEL:
            raise ValueError(f"unknown embedded model {value!r}; available: {EMBEDDED_MODEL}")
        if value.startswith("fake/"):
            raise ValueError("a fake model writes text, not embeddings: name an embedding model")
        return value

    def model_spec(self) -> ModelSpec:
        """The spec a :class:`~harness.models.model.Model` is built from (cache key, retries, limits)."""
        return ModelSpec(name=self.model, api_base=self.api_base, api_key_env=self.api_key_env,
                         concurrency=self.concurrency, timeout_s=self.timeout_s, max_retries=self.max_retries)


DEFAULT_EMBEDDING = EmbeddingSpec(model=EMBEDDED_MODEL, concurrency=1)
