"""The personas a dataset covers, and how loosely spelled persona labels are read.

A persona decides whether a boundary or a question is expected where the case's expectations do not
say (:mod:`harness.datasets.conditions`), so a label that reads as none of them is refused when a
dataset loads (:func:`unknown_persona`): a typo would silently change grading.
"""

from __future__ import annotations

import difflib
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


def unknown_persona(label: str) -> str | None:
    """Why ``label`` is none of :data:`PERSONAS`, in any loose spelling; None when it is one, or blank."""
    if not label.strip():
        return None
    key = normalize_persona(label)
    if key in PERSONAS:
        return None
    close = difflib.get_close_matches(key or label, [*PERSONAS, *_ALIASES], n=1, cutoff=0.75)
    hint = f", did you mean {_ALIASES.get(close[0], close[0])}?" if close else ""
    return (f"unknown persona {label!r}{hint} (known: {', '.join(PERSONAS)}, loosely spelled too; leave it empty "
            "for none)")
