"""``harness run --repeat N`` (promptfoo's flag): every model candidate samples each case N times.

The same as ``epochs: N`` on each model candidate, and winning over the file's: the loaded spec says N,
so the run's manifest (its ``eval_spec``) records it. A run loads its eval file in more than one place,
so the number is held for the evals loaded inside :func:`repeated`, not passed down each path.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

_REPEAT: ContextVar[int | None] = ContextVar("repeat", default=None)


@contextmanager
def repeated(samples: int | None) -> Iterator[None]:
    """Evals loaded inside sample each case ``samples`` times per model candidate (None: as the file says)."""
    token = _REPEAT.set(samples)
    try:
        yield
    finally:
        _REPEAT.reset(token)


def repeat_samples(spec: Any) -> None:
    """Set the epochs of ``spec``'s model candidates to the number :func:`repeated` holds, if any; a recorded
    or replayed candidate has one reply per case, nothing to sample again."""
    samples = _REPEAT.get()
    if samples is not None:
        spec.candidates = [c.model_copy(update={"epochs": samples}) if c.kind == "model" else c
                           for c in spec.candidates]
