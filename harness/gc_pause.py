"""Pausing CPython's cycle collector while building many short-lived, acyclic objects.

Loading a dataset, building a diff and rendering it each allocate tens or
hundreds of thousands of small objects that form no reference cycles; the cycle
collector would walk them (and everything else the process holds) again and
again as they accumulate. Reference counting still frees them. Measured: a
2,000-case load ~0.1 s faster; the side-by-side views of a 100,000-record diff
4 s instead of 13 s.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Disable the cycle collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
