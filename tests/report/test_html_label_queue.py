"""report.html's queue digits (html_queue.DoubtRules) are what picking.Picks.doubtful says, option by option,
for every target of every record of a run with failing, borderline, split and disagreeing verdicts."""

from __future__ import annotations

from harness.calibration.labelling import Item, Target
from harness.calibration.picking import Picks, share_key
from harness.records.schema import CriterionResult
from harness.report.html_queue import BORDERLINE, DISAGREE, FAILING, DoubtRules, same_replies
from tests.compare.runs import chk, crit, rec

SCALES = {"empathy": "1-5", "policy": "pass_fail", "no_contradiction": "pass_fail"}
CHECKS = ["next_step", "no_contradiction"]
TARGETS = [{"kind": "criterion", "name": n, "scale": s} for n, s in SCALES.items()] + \
    [{"kind": "check", "name": n, "scale": "pass_fail"} for n in CHECKS]


def _records() -> list:
    out = []
    for i in range(40):
        panel = {"a": crit(1.0), "b": crit(0.0)} if i % 7 == 0 else None
        policy = CriterionResult(score=0.5 if i % 9 == 0 else float(i % 2), passed=i % 2 == 1, panel=panel)
        judge = {"empathy": crit(1 + i % 5) if i % 11 else crit(None, error=True), "policy": policy,
                 "no_contradiction": crit(float(i % 3 == 0))}
        checks = {"next_step": chk(None if i % 8 == 0 else i % 4 != 0), "no_contradiction": chk(i % 5 != 0)}
        out.append(rec(f"c{i}", checks=checks, judge=judge))
    return out


def test_the_digits_are_picking_s_own_verdicts() -> None:
    rules = DoubtRules(TARGETS, SCALES, list(SCALES), CHECKS)
    same = frozenset({"no_contradiction"})
    picks = {FAILING: Picks(failing=True, scales=SCALES, same_named=same),
             BORDERLINE: Picks(borderline=True, scales=SCALES, same_named=same),
             DISAGREE: Picks(disagree=True, scales=SCALES, same_named=same)}
    seen = set()
    for record in _records():
        digits = rules.fields(record).get("doubt", "0" * len(TARGETS))
        for k, t in enumerate(TARGETS):
            item = Item(record, Target(t["kind"], t["name"], t["scale"]))
            want = sum(bit for bit, p in picks.items() if p.doubtful(item))
            assert int(digits[k]) == want, (record.case_id, t)
            seen.add(want)
    assert {FAILING, BORDERLINE, DISAGREE} <= {bit for bit in (1, 2, 4) if any(d & bit for d in seen)}


def test_the_share_key_is_picking_s_and_a_repeated_reply_points_at_its_first() -> None:
    record = _records()[3]
    assert int(DoubtRules(TARGETS, SCALES, list(SCALES), CHECKS).fields(record)["share"], 16) == \
        share_key(record.case_id, record.candidate)
    fields = [{"rk": "a"}, {"rk": "a"}, {"rk": "b"}, {}, {"rk": "a"}]
    same_replies(["c1", "c1", "c1", "c1", "c2"], fields)
    assert fields == [{}, {"same": 0}, {}, {}, {}]
