"""The notices a pairwise report carries above its numbers.

- the embedded model judged: its verdicts show the pipeline working, nothing more;
- the judge's model also wrote one side's replies: judges favour their own outputs;
- the judge prefers a position: its first-position rate's interval excludes one half;
- the judge prefers length: the longer reply won most decided pairs, with an interval above one half;
- a side replayed threads turn by turn: the turn cases of one thread are not independent.
"""

from __future__ import annotations

from harness.pairwise.schema import PairComparison, PairwiseRow
from harness.pairwise.sides import PairRun


def _percent(row_share) -> str:
    ci = row_share.ci
    bounds = f" [{ci.lo:.0%}, {ci.hi:.0%}]" if ci else ""
    return f"{row_share.rate:.0%}{bounds} of {row_share.n}"


def embedded_notice(model_name: str) -> list[str]:
    from harness.runner.plan import EMBEDDED_NOTICE

    return [EMBEDDED_NOTICE.format(roles="the pairwise judge")] if model_name.startswith("embedded/") else []


def self_judging_notices(model_name: str, sides: list[tuple[str, PairRun, str]]) -> list[str]:
    """One notice per compared candidate whose replies the judge's own model wrote."""
    notices = []
    for label, run, candidate in sides:
        spec = next((c for c in run.manifest.candidates if c.get("name") == candidate), {})
        if (spec.get("model") or {}).get("name") == model_name:
            notices.append(f"judge model {model_name} also wrote {candidate} ({label})'s replies: judges favour "
                           f"their own outputs, so the comparison likely leans towards {label}")
    return notices


def bias_notices(comparison: PairComparison) -> list[str]:
    """Position and length bias on the pooled row of one comparison, when its interval excludes 1/2."""
    overall: PairwiseRow | None = comparison.overall
    if overall is None:
        return []
    who = f"{comparison.candidate_a} (A) vs {comparison.candidate_b} (B)"
    notices = []
    first = overall.first_position
    if first.ci is not None and (first.ci.lo > 0.5 or first.ci.hi < 0.5):
        which = "first" if first.rate > 0.5 else "second"
        notices.append(f"position bias ({who}): the judge picked the reply shown {which} in "
                       f"{_percent(first) if which == 'first' else _percent_of_second(first)} decisive answers; "
                       "verdicts that flip with the order count as ties")
    longer = overall.longer_preferred
    if longer.ci is not None and longer.ci.lo > 0.5:
        notices.append(f"length preference ({who}): the longer reply won {_percent(longer)} decided pairs; "
                       "check that the longer replies really are better")
    return notices


def _percent_of_second(first) -> str:
    ci = first.ci
    return f"{1 - first.rate:.0%} [{1 - ci.hi:.0%}, {1 - ci.lo:.0%}] of {first.n}"


TURN_CASES_NOTICE = ("turn-level replay: the pairs come from turn cases, and the turns of one thread are not "
                     "independent, so these intervals and tests, which count turn cases, are narrower than the "
                     "evidence (harness diff counts threads instead)")


def turn_notices(side_a: PairRun, side_b: PairRun) -> list[str]:
    """The turn-case caveat when either run replayed its threads turn by turn (``replay: turns``)."""
    replayed = any((run.manifest.eval_spec or {}).get("replay") == "turns" for run in (side_a, side_b))
    return [TURN_CASES_NOTICE] if replayed else []


def report_notices(model_name: str, side_a: PairRun, side_b: PairRun,
                   comparisons: list[PairComparison]) -> list[str]:
    """Every notice of the report, most important first, without repeats."""
    sides = [(label, run, name) for c in comparisons
             for label, run, name in (("A", side_a, c.candidate_a), ("B", side_b, c.candidate_b))]
    notices = embedded_notice(model_name) + self_judging_notices(model_name, sides) + turn_notices(side_a, side_b)
    for comparison in comparisons:
        notices += bias_notices(comparison)
    return list(dict.fromkeys(notices))
