"""The key a batch sends: the one a live call for the same model would send, never more.

A live call takes its key from :func:`harness.models.litellm_provider.api_key`, the rule both live
paths (litellm and the thin OpenAI-compatible client) call: the value of ``api_key_env`` when the
spec names one; a placeholder for an ``api_base`` without one (a local or custom server); else the
provider's own variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``), which litellm reads itself.
So a key meant for api.openai.com never goes to a custom ``api_base``.
"""

from __future__ import annotations

import os

from harness.errors import MissingCredentialError
from harness.models.base import ModelSpec, unset_key_env
from harness.models.litellm_provider import PLACEHOLDER_KEY, api_key
from harness.records.redaction import register_secret_env


def key_env(spec: ModelSpec, default_env: str) -> str | None:
    """The environment variable the key of ``spec``'s calls comes from, or None (a placeholder key)."""
    if spec.api_key_env:
        return spec.api_key_env
    return None if spec.api_base else default_env


def check_key(spec: ModelSpec, default_env: str) -> None:
    """Refuse, before anything is sent, a model whose key variable is not set; its value is a secret from now on."""
    env = key_env(spec, default_env)
    if env:
        register_secret_env(env)
    if env and not os.environ.get(env):
        raise MissingCredentialError(f"{spec.name}: {unset_key_env(env)} (batch)",
                                     field="api_key_env" if spec.api_key_env else None)


def batch_key(spec: ModelSpec, default_env: str) -> str:
    """The key a live call for ``spec`` would send; its variable's value is redacted from what the run writes."""
    env = key_env(spec, default_env)
    if env:
        register_secret_env(env)
    key = api_key(spec)  # the live rule: None when litellm would read the provider's variable
    if key is None and env == default_env:
        key = os.environ.get(default_env)
    return key or PLACEHOLDER_KEY
