"""Agreement of the checks with the independently labelled replies in tests/data.

Each row of ``labelled_replies.jsonl`` is read as the README there says: a
``Case`` with the row's ``customer`` text as the only customer turn and its
``persona``, the check run on ``reply``, its reading compared with ``labels``.
Agreement is the fraction of rows where reading and label are equal. The
floors sit about 0.03 below what the checks reach, so a regression fails here;
run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.checks.base import CheckContext, CheckResult, registry
from harness.datasets.schema import Case

DATA = Path(__file__).resolve().parents[1] / "data" / "labelled_replies.jsonl"

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


@pytest.fixture(scope="module")
def agreement() -> dict[str, tuple[float, list[str]]]:
    """Per label: the agreement and the ids of the rows that disagree."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    misses: dict[str, list[str]] = {label: [] for label in FLOORS}
    for row in rows:
        read = _read_row(row)
        for label in FLOORS:
            if read[label] != row["labels"][label]:
                misses[label].append(row["id"])
    figures = {label: (1 - len(ids) / len(rows), ids) for label, ids in misses.items()}
    print(f"\nagreement with {DATA.name} ({len(rows)} rows):")
    for label, (value, ids) in figures.items():
        print(f"  {label:<18} {value:.3f}  floor {FLOORS[label]:.2f}  misses {', '.join(ids) or '-'}")
    return figures


@pytest.mark.parametrize("label", sorted(FLOORS))
def test_agreement_floor(agreement, label):
    value, ids = agreement[label]
    assert value >= FLOORS[label], f"{label}: agreement {value:.3f} below {FLOORS[label]:.2f}; rows {ids}"
