"""How a scorecard groups records by a case field the records do not carry (``breakdowns: [metadata.channel]``).

The manifest's ``dataset.breakdowns`` (:func:`harness.scoring.fields.field_groups`) lists each value's case
ids. Before the first record, each field becomes a :class:`FieldPlan`: its groups fixed once, so a record
costs one dict look-up per field and the accumulators stay one per group however many records stream.

- Text: a group per value, the :data:`MAX_GROUPS` most frequent; the rest pooled as ``(other N values)``
  (a ticket id would otherwise make a table of one case per row), and the scorecard says so.
- Numbers (a CSAT 1-5): a group per value, in numeric order, when there are few. With more, no groups are
  made up: the scorecard says to bin the field in the dataset (``csat_band: low/mid/high``) and break down
  by that (what bins mean is the user's call: 1-2 vs 1-3 as "unhappy" changes the finding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.scoring.fields import NUMBER, ON_RECORDS, breakdown_names
from harness.scoring.schema import FieldInfo

MAX_GROUPS = 20
NO_VALUE = "(none)"  # as harness.scoring.accumulate.NO_GROUP: the records whose case has no value


@dataclass
class FieldPlan:
    """One field's groups: each case id's group, in the order the tables show them."""

    name: str
    info: FieldInfo
    group_of: dict[str, str] = field(default_factory=dict)


def field_plans(manifest: Any) -> list[FieldPlan]:
    """A plan per breakdown field of the manifest's eval (none for an old run, or persona and category)."""
    if manifest is None:
        return []
    stored = (manifest.dataset or {}).get("breakdowns") or {}
    names = breakdown_names((manifest.eval_spec or {}).get("breakdowns"))
    return [_plan(name, stored[name]) for name in names if name not in ON_RECORDS and isinstance(stored.get(name),
                                                                                                   dict)]


def _plan(name: str, stored: dict) -> FieldPlan:
    values: dict[str, list[str]] = stored.get("values") or {}
    kind = "number" if stored.get("kind") == NUMBER else "text"
    info = FieldInfo(kind=kind, n_values=len(values))
    if kind == "number" and len(values) > MAX_GROUPS:
        info.note = (f"{len(values)} different numbers, too many to group by value ({MAX_GROUPS} at most): bin "
                     f"them in the dataset (e.g. a field {name}_band of low, mid, high) and break down by that")
        return FieldPlan(name, info)
    if kind == "number":
        shown = sorted(values, key=float)
    else:
        shown = list(values)[:MAX_GROUPS]  # stored most frequent first
    plan = FieldPlan(name, info)
    for value in shown:
        for case_id in values[value]:
            plan.group_of[case_id] = value
    info.groups = shown
    kept = set(shown)
    pooled = [value for value in values if value not in kept]
    if pooled:
        other = f"(other {len(pooled)} values)"
        info.n_pooled_values, info.groups = len(pooled), shown + [other]
        info.note = (f"{len(values)} different values: the {len(shown)} most frequent each have a group, the other "
                     f"{len(pooled)} are pooled as {other}")
        for value in pooled:
            for case_id in values[value]:
                plan.group_of[case_id] = other
    return plan
