"""Keeping credentials out of everything a run writes.

Error messages come from provider libraries and servers, and some of them echo
what they were sent ("Incorrect API key provided: sk-..."). Every message kept
on a record passes through :func:`redact`, which masks the values of the
environment variables named as ``api_key_env`` and anything shaped like a
bearer token or an ``sk-`` key. A message that is shortened is redacted first
(:func:`clip`): a cut through a key would leave a part of it that no mask knows.
"""

from __future__ import annotations

import os
import re

MASK = "[REDACTED]"
# Shorter values would mask ordinary words; real keys are far longer.
MIN_SECRET_LENGTH = 8
_KEY_SHAPES = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*]{12,}|\bBearer\s+[A-Za-z0-9_\-.=*]{8,}", re.IGNORECASE)
_SECRET_ENVS: set[str] = set()


def register_secret_env(name: str) -> None:
    """Treat the value of environment variable ``name`` as a secret from now on."""
    _SECRET_ENVS.add(name)


def secret_values() -> list[str]:
    """The current values of the registered variables, longest first (so no secret is half-masked)."""
    values = {os.environ.get(name, "") for name in _SECRET_ENVS}
    return sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every known secret value and key-shaped token replaced by ``[REDACTED]``."""
    for value in secret_values():
        text = text.replace(value, MASK)
    return _KEY_SHAPES.sub(MASK, text)


def clip(text: str, limit: int, mark: str = "") -> str:
    """``text`` redacted, then cut to at most ``limit`` characters, ``mark`` ending a text that was cut.

    Every error message the harness shortens goes through here: redacting after the cut would miss
    the part of a key left at its end (``...key=zq7Canary``), which is no whole key to recognise.
    """
    text = redact(text)
    return text if len(text) <= limit else text[: limit - len(mark)] + mark
