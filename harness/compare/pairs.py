"""Which candidates a diff compares: ``--pair`` (once or several times), ``--baseline-candidate``, or the
candidates both runs share; and which of the runs' notices are warnings.

Each planned pair is its own comparison with its own Holm family, so comparing
v1 with v2 and v1 with v3 in one diff gives the same verdicts as two diffs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from harness.compare.align import shared_candidate_pairs
from harness.compare.columns import RunData
from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.compare.diff import DiffOptions
    from harness.compare.schema import DiffReport


def parse_pair(text: str) -> tuple[str, str]:
    """``"bot-v1=bot-v2"`` → ``("bot-v1", "bot-v2")``; anything else is a :class:`ConfigError`."""
    left, sep, right = text.partition("=")
    if not sep or not left.strip() or not right.strip():
        raise ConfigError(f"expected LEFT=RIGHT (two candidate names), got {text!r}", field="--pair")
    return left.strip(), right.strip()


def parse_pairs(texts: list[str]) -> tuple[tuple[str, str], ...]:
    """Every ``--pair`` given, in order, each once (a repeated pair is compared once)."""
    return tuple(dict.fromkeys(parse_pair(text) for text in texts))


def chosen_pairs(options: DiffOptions) -> tuple[tuple[str, str], ...]:
    """The pairs named on the command line (``pairs``, or the single ``pair``), in order."""
    if options.pairs:
        return options.pairs
    return (options.pair,) if options.pair is not None else ()


def diff_pairs(run_a: RunData, run_b: RunData, chosen: tuple[tuple[str, str], ...],
               baseline: str | None) -> list[tuple[str, str]]:
    """The (candidate of A, candidate of B) pairs to compare, in order.

    ``--pair``: those pairs. ``--baseline-candidate NAME``: NAME of A against every other candidate of the same
    run, or against every candidate of B (its own namesake included: across runs that is a real comparison).
    Neither: every candidate the runs share, with itself.
    """
    if chosen and baseline is not None:
        raise ConfigError("--pair and --baseline-candidate choose the pairs two ways: give one of them",
                          field="--baseline-candidate")
    if chosen:  # a unique start of a name stands for it (harness.config.candidates.resolve_candidate)
        from harness.config.candidates import resolve_candidate

        named = [(resolve_candidate(a, run_a.candidates(), "--pair"),
                  resolve_candidate(b, run_b.candidates(), "--pair")) for a, b in chosen]
        return list(dict.fromkeys(named))
    if baseline is not None:
        from harness.config.candidates import resolve_candidate

        return baseline_pairs(run_a, run_b, resolve_candidate(baseline, run_a.candidates(), "--baseline-candidate"))
    return shared_candidate_pairs(run_a.path, run_b.path, run_a.candidates(), run_b.candidates(),
                                  run_a.rows, run_b.rows)


def baseline_pairs(run_a: RunData, run_b: RunData, baseline: str) -> list[tuple[str, str]]:
    """``baseline`` (a candidate of A) against each candidate of B with records (the others of one run)."""
    from harness.config.yamlfile import did_you_mean

    names_a = [c for c in run_a.candidates() if c in run_a.rows]
    if baseline not in names_a:
        raise ConfigError(f"run A has no records for candidate {baseline!r}{did_you_mean(baseline, names_a)} "
                          f"(candidates: {', '.join(names_a) or 'none'})", field="--baseline-candidate")
    same_run = run_a is run_b
    others = [c for c in run_b.candidates() if c in run_b.rows and not (same_run and c == baseline)]
    if not others:
        where = "the run has no other candidate" if same_run else "run B has no candidate with records"
        raise ConfigError(f"nothing to compare {baseline!r} with: {where}", field="--baseline-candidate")
    return [(baseline, other) for other in others]


def promote_warnings(report: DiffReport) -> None:
    """Move the runs' self-judging notices to the warnings: they say a side's scores are likely inflated,
    which must be read before any number. The other notices are informational (shown folded)."""
    from harness.runner.plan import SELF_JUDGING_NOTICE

    head = re.escape(SELF_JUDGING_NOTICE.split("{model}")[0])
    pattern = re.compile(head + r".+ also wrote candidate ")
    serious = [n for n in report.notices if pattern.match(n)]
    if serious:
        report.warnings += [n for n in serious if n not in report.warnings]
        report.notices = [n for n in report.notices if n not in serious]
