"""A model call's cache key: the content hash of everything that decides its answer.

Split out of :mod:`harness.models.model`, whose :class:`~harness.models.model.Model` keys its cache
(:mod:`harness.models.cache`) with these. Every call computes one, so the key's canonical JSON is
written around the messages once per distinct call config (:class:`_Resolved`), not dumped per call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from harness.models.base import GenerateConfig, Message, ModelSpec

# Bump when the meaning of a cached entry changes, so old entries stop matching.
CACHE_KEY_VERSION = 1
# The canonical JSON of harness.hashing, as one reusable encoder (json.dumps builds one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_json_string = encode_basestring  # how _CANONICAL writes a string


def messages_json(messages: list[Message]) -> str:
    """``_CANONICAL.encode([{"content": m.content, "role": m.role} for m in messages])``, written out: the keys
    in sorted order, each string as the encoder writes it (``encode_basestring``, as with ensure_ascii off),
    without building a dict per message and walking it (~2x faster; every call's cache key holds this).
    A :class:`Message` holds validated strings, which is all ``encode_basestring`` takes."""
    return "[" + ",".join(f'{{"content":{_json_string(m.content)},"role":{_json_string(m.role)}}}' if m.is_plain
                          # A replayed tool call or result: its calls and ids are what the model was asked.
                          else _CANONICAL.encode(m.model_dump()) for m in messages) + "]"


def _fingerprint(config: GenerateConfig | None) -> tuple | None:
    """What tells two call configs apart: each field's value, a non-empty dict or list by identity (the
    resolved entry holds it, so the identity is not reused), and which fields were set. ``None`` for no config.
    Configs are not changed in place once passed to a call (the judge shares one per scale)."""
    if config is None:
        return None
    return (frozenset(config.model_fields_set),
            *[(type(v), id(v) if v else None) if isinstance(v, (dict, list)) else (type(v), v)
              for v in config.__dict__.values()])


@dataclass
class _Resolved:
    """One call config resolved against a model's spec, and the cache key's canonical JSON around the messages.

    A call's cache key is :func:`~harness.hashing.hash_value` of ``{"v": CACHE_KEY_VERSION, "model": name,
    "api_base": api_base, "params": the resolved config dumped (JSON mode, defaults excluded), "messages":
    [{"role", "content"}, ...], "salt": cache_salt}``. In canonical (sorted) order its text is a fixed
    head, the messages, a fixed middle, the salt and a fixed tail, so only the messages and the salt are
    encoded per call, into the same bytes.
    """

    source: GenerateConfig | None  # kept: it holds the values its fingerprint refers to by identity
    spec_fields: tuple  # the spec's name, api_base and params (values) when resolved
    config: GenerateConfig
    head: Any  # hashlib object fed with the text up to the messages
    middle: bytes  # from after the messages to the salt's value

    @classmethod
    def of(cls, source: GenerateConfig | None, spec: ModelSpec) -> _Resolved:
        config = spec.params.merged(source)
        head = hashlib.sha256(('{"api_base":' + _CANONICAL.encode(spec.api_base) + ',"messages":').encode("utf-8"))
        params = _CANONICAL.encode(config.model_dump(mode="json", exclude_defaults=True))
        middle = f',"model":{_CANONICAL.encode(spec.name)},"params":{params},"salt":'.encode("utf-8")
        return cls(source, _spec_fields(spec), config, head, middle)

    def still_for(self, spec: ModelSpec) -> bool:
        """Whether the spec is as it was when this was resolved (a test may change a model's spec)."""
        name, api_base, params, values = self.spec_fields
        return (spec.name == name and spec.api_base == api_base and spec.params is params
                and spec.params.__dict__ == values)

    def key(self, messages: list[Message], cache_salt: str) -> str:
        digest = self.head.copy()
        digest.update(messages_json(messages).encode("utf-8"))
        digest.update(self.middle)
        digest.update(f'{_CANONICAL.encode(cache_salt)},"v":{CACHE_KEY_VERSION}}}'.encode("utf-8"))
        return digest.hexdigest()


def _spec_fields(spec: ModelSpec) -> tuple:
    return spec.name, spec.api_base, spec.params, dict(spec.params.__dict__)
