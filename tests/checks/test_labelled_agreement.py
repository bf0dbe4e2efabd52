"""Agreement of the checks with the independently labelled replies in tests/data.

Each row of ``labelled_replies.jsonl`` and ``heldout_replies.jsonl`` is read as
the README there says: a ``Case`` with the row's ``customer`` text as the only
customer turn and its ``persona``, the check run on ``reply``, its reading
compared with ``labels``. Agreement is the fraction of rows where reading and
label are equal. The floors sit about 0.03 below what the checks reach, so a
regression fails here; run with ``-s`` to see the figures.

``labelled_replies.jsonl`` is the development set: the checks were tuned until
they agree with all of it. ``heldout_replies.jsonl`` was written and labelled
blind (from DOMAIN.md alone, by an author who read no check code and ran no
check) and the checks were not tuned on it: its figures are what to expect on
new replies. Do not tune the checks on it; if you must, say so in the commit
and write a new held-out set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.checks.base import CheckContext, CheckResult, registry
from harness.datasets.schema import Case

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DATA = DATA_DIR / "labelled_replies.jsonl"
HELDOUT = DATA_DIR / "heldout_replies.jsonl"

# Reached at the time of writing: 1.00 on every label (127 rows).
FLOORS = {
    "apology_form": 0.97,
    "apology_generic": 0.97,
    "contradicts": 0.97,
    "sets_boundary": 0.97,
    "negative_language": 0.97,
    "empathy": 0.97,
    "next_step": 0.97,
    "asks_question": 0.97,
}

# Reached on heldout_replies.jsonl (150 rows) after the check fixes of 2026-11-24: 0.980, 0.933, 0.967,
# 0.853, 0.987, 0.860, 0.860, 0.933 in the order below (0.922 over all labels). Before those fixes
# (commit 93d88ef): 0.973, 0.933, 0.960, 0.840, 0.980, 0.853, 0.860, 0.933 (0.917). After the fixes of the
# evening (8fc5c24, tuned on other sets): 0.980, 0.933, 0.967, 0.873, 0.987, 0.873, 0.867, 0.933 (0.926).
# empathy_statement v5 (tuned on a reviewer's fresh set): empathy 0.887 (0.928 over all labels).
HELDOUT_FLOORS = {
    "apology_form": 0.95,
    "apology_generic": 0.90,
    "contradicts": 0.93,
    "sets_boundary": 0.81,
    "negative_language": 0.95,
    "empathy": 0.83,
    "next_step": 0.83,
    "asks_question": 0.90,
}


def readings(results: dict[str, CheckResult]) -> dict[str, Any]:
    """Each label's value as the checks read it."""
    apology = results["apology_wording"].data
    return {
        "apology_form": apology["form"],
        "apology_generic": apology["generic"],
        "contradicts": results["no_contradiction"].passed is False,
        "sets_boundary": results["boundary_setting"].data["detected"],
        "negative_language": results["positive_language"].passed is False,
        "empathy": results["empathy_statement"].data["detected"],
        "next_step": results["next_step"].data["detected"],
        "asks_question": results["asks_question"].data["detected"],
    }


def _read_row(row: dict[str, Any]) -> dict[str, Any]:
    case = Case(id=row["id"], turns=[{"role": "customer", "content": row["customer"]}], persona=row.get("persona"))
    ctx = CheckContext(case=case, reply=row["reply"])
    return readings({name: check.run(ctx) for name, check in registry().items()})


def _agreement(path: Path, floors: dict[str, float]) -> dict[str, tuple[float, list[str]]]:
    """Per label: the agreement with ``path`` and the ids of the rows that disagree."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    misses: dict[str, list[str]] = {label: [] for label in floors}
    for row in rows:
        read = _read_row(row)
        for label in floors:
            if read[label] != row["labels"][label]:
                misses[label].append(row["id"])
    figures = {label: (1 - len(ids) / len(rows), ids) for label, ids in misses.items()}
    print(f"\nagreement with {path.name} ({len(rows)} rows):")
    for label, (value, ids) in figures.items():
        print(f"  {label:<18} {value:.3f}  floor {floors[label]:.2f}  misses {', '.join(ids) or '-'}")
    return figures


@pytest.fixture(scope="module")
def agreement() -> dict[str, tuple[float, list[str]]]:
    return _agreement(DATA, FLOORS)


@pytest.fixture(scope="module")
def heldout_agreement() -> dict[str, tuple[float, list[str]]]:
    return _agreement(HELDOUT, HELDOUT_FLOORS)


@pytest.mark.parametrize("label", sorted(FLOORS))
def test_agreement_floor(agreement, label):
    value, ids = agreement[label]
    assert value >= FLOORS[label], f"{label}: agreement {value:.3f} below {FLOORS[label]:.2f}; rows {ids}"


@pytest.mark.parametrize("label", sorted(HELDOUT_FLOORS))
def test_heldout_agreement_floor(heldout_agreement, label):
    value, ids = heldout_agreement[label]
    assert value >= HELDOUT_FLOORS[label], (f"{label}: held-out agreement {value:.3f} below "
                                            f"{HELDOUT_FLOORS[label]:.2f}; rows {ids}")
