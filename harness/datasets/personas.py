"""The personas a dataset covers, and how loosely spelled persona labels are read."""

from __future__ import annotations

import re

PERSONAS = ("angry", "genuine_grievance", "unreasonable_demand", "passive_aggressive", "indecisive", "abusive")

_ALIASES = {
    "confused": "indecisive",
    "indecisive_confused": "indecisive",
    "indecisive_or_confused": "indecisive",
    "genuine": "genuine_grievance",
    "grievance": "genuine_grievance",
    "unreasonable": "unreasonable_demand",
    "passive_aggresive": "passive_aggressive",
}


def normalize_persona(label: str | None) -> str | None:
    """``"Passive-aggressive"`` -> ``"passive_aggressive"``; ``"indecisive / confused"`` -> ``"indecisive"``."""
    if not label:
        return None
    key = re.sub(r"[^a-z]+", "_", label.strip().lower()).strip("_")
    return _ALIASES.get(key, key)
