"""Small synthetic runs for the diff's edge cases (after the reviewer's scratch scripts): every case answered
the same, one side n/a on some measures, a case worse in B."""

from __future__ import annotations

from pathlib import Path

from tests.compare.runs import chk, crit, rec, write_run


def records(candidate: str, n: int, *, worse: frozenset[str] = frozenset(), na: bool = False, start: int = 0) -> list:
    """``n`` cases of ``candidate``; ``worse`` cases fail next_step and score 2 on empathy; with ``na``,
    next_step and policy are n/a on every case."""
    out = []
    for i in range(start, start + n):
        case_id = f"c{i:02d}"
        bad = case_id in worse
        out.append(rec(case_id, candidate, reply="Calm down." if bad else "We will call you today.",
                       checks={"apology_wording": chk(True), "next_step": chk(None if na else not bad),
                               "no_contradiction": chk(True)},
                       judge={"empathy": crit(2 if bad else 4),
                              "policy": crit(None, applicable=False) if na else crit(1.0)}))
    return out


def run(path: Path, *groups: list) -> Path:
    return write_run(path, [r for group in groups for r in group])
