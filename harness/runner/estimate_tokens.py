"""Counting an estimate's tokens: OpenAI's ``o200k_base`` from the copy litellm ships, never downloaded."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"  # as tiktoken expects it


@dataclass(frozen=True)
class _Counter:
    name: str
    encode: Callable[[str], int]

    def __call__(self, text: str) -> int:
        return self.encode(text)


@lru_cache(maxsize=1)
def token_counter() -> _Counter:
    """``o200k_base`` from litellm's bundled copy when it is there; characters ÷ 4 otherwise.

    tiktoken downloads an encoding whose cached copy is missing or fails its hash (and deletes the
    copy): the copy is checked here first, so counting never reaches the network.
    """
    folder = Path(os.environ["TIKTOKEN_CACHE_DIR"]) if os.environ.get("TIKTOKEN_CACHE_DIR") else _bundled_tokenizers()
    cached = folder / hashlib.sha1(_O200K_URL.encode()).hexdigest() if folder is not None else None
    try:
        intact = cached is not None and hashlib.sha256(cached.read_bytes()).hexdigest() == _O200K_SHA256
    except OSError:
        intact = False
    if intact:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(folder))
        try:
            import tiktoken

            encoding = tiktoken.get_encoding("o200k_base")
            return _Counter("o200k_base", lambda text: len(encoding.encode(text, disallowed_special=())))
        except Exception:  # noqa: BLE001 - any failure: fall back to the rough count
            pass
    return _Counter("characters / 4", lambda text: (len(text) + 3) // 4)


def _bundled_tokenizers() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "litellm_core_utils" / "tokenizers"
    return folder if folder.is_dir() else None


def message_tokens(message, count: Callable[[str], int]) -> int:
    """The tokens of one chat message's text as sent: its content and, for a replayed tool call, each call's
    tool name and arguments (a tool result's text is its content). A call's id and the JSON around it are
    framing, left to the per-message allowance as a plain message's role is."""
    tokens = count(message.content)
    for call in message.tool_calls or ():
        function = call.get("function") or {}
        tokens += count(str(function.get("name") or "")) + count(str(function.get("arguments") or ""))
    return tokens
