"""The scorecard's cost cell tells a known $0 (a local model) from an unknown price and from no calls at all."""

from __future__ import annotations

import pytest

from harness.models.base import Usage
from harness.records.schema import CallStats, Record
from harness.report.tables import fmt_cost, summary_rows
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import manifest


def _record(case_id: str, candidate: str, responder: float | None, judge: float | None, *,
            responder_calls: int = 1, judge_calls: int = 1) -> Record:
    return Record(case_id=case_id, candidate=candidate, reply="We apologize.", reply_source="model",
                  responder=CallStats(usage=Usage(cost_usd=responder), calls=responder_calls),
                  judging=CallStats(usage=Usage(cost_usd=judge), calls=judge_calls))


def _cost_cells(records: list[Record], candidates: tuple[str, ...]) -> list[str]:
    card = build_scorecard(records, manifest(candidates))
    return next(row for row in summary_rows(card) if row.label == "cost (responder + judge)").cells


def test_local_free_unpriced_mixed_and_no_calls_read_differently():
    records = [_record("c1", "local", 0.0, 0.0), _record("c2", "local", 0.0, 0.0),  # the embedded model: $0 known
               _record("c1", "api", None, None),  # a model missing from the price list
               _record("c1", "mixed", 0.01, None), _record("c2", "mixed", 0.02, 0.005),
               _record("c1", "recorded", None, None, responder_calls=0, judge_calls=0)]
    cells = _cost_cells(records, ("local", "api", "mixed", "recorded"))
    assert cells == ["$0 (free)", "unknown (no price)", "≥ $0.0350 (1 record unpriced)", "— (no model calls)"]
    card = build_scorecard(records, manifest(("local", "api", "mixed", "recorded")))
    assert card.candidates["mixed"].judging.n_unpriced == 1 and card.candidates["mixed"].responder.n_unpriced == 0
    assert card.candidates["recorded"].responder.n_unpriced == 0  # no call, nothing to price


@pytest.mark.parametrize("cost,unpriced,calls,text", [
    (0.03, 0, 4, "$0.0300"), (0.0, 0, 4, "$0 (free)"), (0.0, 3, 4, "≥ $0 (3 records unpriced)"),
    (None, 4, 4, "unknown (no price)"), (None, 0, 0, "— (no model calls)")])
def test_fmt_cost(cost, unpriced, calls, text):
    assert fmt_cost(cost, unpriced, calls) == text
