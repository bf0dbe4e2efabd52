"""Agreement of three checks with their probe sets in tests/data (``probe_<check>.jsonl``).

Each row is a reply, the complaint it answers (``customer``, ``persona``) and one hand label,
``label``: whether the reply sets a boundary / states empathy / gives a next step, decided from
DOMAIN.md's label definitions (and the conventions in tests/data/README.md) before any check was
run on it (rows 1-51/50/50 first; the next 20 of each, a second batch, were labelled and measured
on the checks as improved on the first: 0.70, 0.75, 0.95, against 0.70, 0.55, 0.95 for the checks
before any change; later batches came with later fixes, see tests/data/README.md). Plain policy statements, empathy and next steps phrased many ways, and near misses.
The checks were then improved on these rows, so they are a development set: the held-out measure
stays ``heldout_replies.jsonl`` (tests/checks/test_labelled_agreement.py). Run with ``-s`` to see
the misses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.checks.base import CheckContext, registry
from harness.datasets.schema import Case

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# Every row agrees at the time of writing; a floor leaves room for one or two later trade-offs.
FLOOR = 0.96


def _rows(check: str) -> list[dict]:
    path = DATA_DIR / f"probe_{check}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _detected(check: str, row: dict) -> bool:
    case = Case(id=row["id"], turns=[{"role": "customer", "content": row["customer"]}], persona=row["persona"])
    return registry()[check].run(CheckContext(case=case, reply=row["reply"])).data["detected"]


@pytest.mark.parametrize("check", ["boundary_setting", "empathy_statement", "next_step"])
def test_probe_set_agreement(check):
    rows = _rows(check)
    assert len(rows) >= 40
    assert 0.3 < sum(row["label"] for row in rows) / len(rows) < 0.7  # positives and near misses both
    misses = [(row["id"], row["label"], row["reply"]) for row in rows if _detected(check, row) != row["label"]]
    agreement = 1 - len(misses) / len(rows)
    print(f"\n{check}: {agreement:.3f} on {len(rows)} probe rows; misses:")
    for miss in misses:
        print("  ", *miss)
    assert agreement >= FLOOR, f"{check}: {agreement:.3f} below {FLOOR}; misses {misses}"
