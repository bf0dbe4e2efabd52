"""Timestamps as every file the harness writes spells them."""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second (``2026-11-24T16:05:02+00:00``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
