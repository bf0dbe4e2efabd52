"""The dataset's two content hashes, made in one pass over the cases' dumps.

* ``sha256``: every case as it was validated, the canonical JSON (:mod:`harness.hashing`) of the
  list of case dumps. A resumed run must read exactly this dataset.
* ``cases_sha256``: what the cases ask, without what versions replied: each dump without
  ``recorded_replies`` and without its agent turns' ``replies``. Those are candidate output (a
  deployed bot's replies stored in the dataset), so two runs whose cases differ only there are
  comparable (:func:`harness.compare.guard.differences`): a nightly of a recorded candidate against
  an accepted baseline compares the replies, not "dataset content hash differs".

Both texts are made from the same pieces, each encoded once: the keys that sort before
``recorded_replies``, the replies, and the keys after them (``turns``). The first hash is the one
:func:`harness.hashing.hash_value` gives the list of dumps, as before there were two.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Iterable

REPLIES = "recorded_replies"


def dataset_hashes(dumps: Iterable[dict[str, Any]], allow_nan: bool = True) -> tuple[str, str]:
    """``(sha256, cases_sha256)`` of the case dumps, in order; ValueError on a NaN or an infinity
    unless ``allow_nan`` (which writes them as :func:`json.dumps` does)."""
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=allow_nan).encode
    full, inputs = hashlib.sha256(b"["), hashlib.sha256(b"[")
    separator = b""
    for dump in dumps:
        whole, asked = _case_texts(dump, encode)
        full.update(separator + whole.encode("utf-8"))
        inputs.update(separator + asked.encode("utf-8"))
        separator = b","
    full.update(b"]")
    inputs.update(b"]")
    return full.hexdigest(), inputs.hexdigest()


def _case_texts(dump: dict[str, Any], encode: Callable[[Any], str]) -> tuple[str, str]:
    """The canonical JSON of ``dump``, and of it without the replies versions gave."""
    before = encode({key: value for key, value in dump.items() if key < REPLIES})[1:-1]
    after = {key: value for key, value in dump.items() if key > REPLIES}
    replies = f'"{REPLIES}":{encode(dump[REPLIES])}' if REPLIES in dump else ""
    after_text = encode(after)[1:-1]
    whole = _object(before, replies, after_text)
    turns = after.get("turns")
    if isinstance(turns, list) and any(isinstance(t, dict) and "replies" in t for t in turns):
        after_text = encode({**after, "turns": [_without_replies(t) for t in turns]})[1:-1]
    return whole, _object(before, after_text)


def _without_replies(turn: Any) -> Any:
    return {key: value for key, value in turn.items() if key != "replies"} if isinstance(turn, dict) else turn


def _object(*members: str) -> str:
    return "{" + ",".join(member for member in members if member) + "}"
