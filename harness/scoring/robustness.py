"""The scorecard's robustness section: each perturbed variant's verdicts beside its original's.

With an eval's ``perturb`` (:mod:`harness.datasets.perturb`), a variant record (``<id>~<kind>``) is kept
out of the candidate's headline criteria and checks (which stay over the original cases, comparable with
runs without ``perturb`` and with recorded candidates) and folded here: into a "by perturbation"
breakdown, and paired with its original's verdicts. The paired differences use the diff's statistics
(:mod:`harness.compare.paired`): an exact McNemar-consistent interval for a check's pass rate, a case
bootstrap for a criterion's mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.datasets.perturb import KINDS, perturbed_kind
from harness.records.schema import Manifest, Record
from harness.scoring import schema as out

Verdicts = tuple[dict[str, bool], dict[str, float]]  # (check -> passed, criterion -> score)


def perturb_kinds(manifest: Manifest | None) -> tuple[str, ...]:
    """The kinds the run's eval file perturbs with (none: no robustness section)."""
    spec = (manifest.eval_spec or {}).get("perturb") if manifest is not None else None
    kinds = spec.get("kinds") if isinstance(spec, dict) else None
    return tuple(kind for kind in kinds if kind in KINDS) if isinstance(kinds, list) else ()


def variant_kind(record: Record, kinds: tuple[str, ...]) -> str | None:
    """The kind of variant ``record`` answered; None for an original case."""
    return perturbed_kind(record.case_id, kinds) if kinds else None


def verdicts_of(record: Record) -> Verdicts | None:
    """The record's applicable check verdicts and counted criterion scores (None: the record has an error)."""
    if record.error is not None:
        return None
    checks = {name: bool(r.passed) for name, r in record.checks.items() if r.passed is not None}
    criteria = {name: float(r.score) for name, r in record.judge.items()
                if r.error is None and r.applicable and r.score is not None}
    return checks, criteria


@dataclass
class RobustnessAcc:
    """One candidate's originals' and variants' verdicts, by case id."""

    originals: dict[str, Verdicts] = field(default_factory=dict)
    variants: dict[str, dict[str, Verdicts]] = field(default_factory=dict)  # kind -> original id -> verdicts

    def add(self, record: Record, kind: str | None) -> None:
        found = verdicts_of(record)
        if found is None:
            return
        if kind is None:
            self.originals[record.case_id] = found
        else:
            original = record.case_id[: -len(kind) - 1]
            self.variants.setdefault(kind, {})[original] = found

    def result(self, kinds: tuple[str, ...], confidence: float) -> dict[str, out.RobustnessKind]:
        return {kind: self._kind(self.variants.get(kind, {}), confidence) for kind in kinds}

    def _kind(self, variants: dict[str, Verdicts], confidence: float) -> out.RobustnessKind:
        pairs = [(self.originals[case], found) for case, found in sorted(variants.items()) if case in self.originals]
        checks = sorted({name for a, b in pairs for name in a[0] if name in b[0]})
        criteria = sorted({name for a, b in pairs for name in a[1] if name in b[1]})
        return out.RobustnessKind(
            n_pairs=len(pairs),
            checks={name: check_shift([(a[0][name], b[0][name]) for a, b in pairs
                                       if name in a[0] and name in b[0]], confidence) for name in checks},
            criteria={name: criterion_shift([(a[1][name], b[1][name]) for a, b in pairs
                                             if name in a[1] and name in b[1]], confidence) for name in criteria})


def check_shift(pairs: list[tuple[bool, bool]], confidence: float = 0.95) -> out.PairedShift:
    """A check's pass rate on the originals and the variants, and their paired difference (McNemar's interval)."""
    from harness.compare.paired import mcnemar_exact_interval

    n = len(pairs)
    if not n:
        return out.PairedShift()
    pass_to_fail = sum(a and not b for a, b in pairs)
    fail_to_pass = sum(b and not a for a, b in pairs)
    ci = mcnemar_exact_interval(pass_to_fail, fail_to_pass, n, confidence)
    return out.PairedShift(n=n, original=sum(a for a, _ in pairs) / n, variant=sum(b for _, b in pairs) / n,
                           diff=(fail_to_pass - pass_to_fail) / n,
                           ci=None if ci is None else out.Interval(lo=ci.lo, hi=ci.hi))


def criterion_shift(pairs: list[tuple[float, float]], confidence: float = 0.95) -> out.PairedShift:
    """A criterion's mean score on the originals and the variants, and their paired difference (case bootstrap)."""
    from harness.compare.paired import CaseCluster, cluster_bootstrap_diff

    n = len(pairs)
    if not n:
        return out.PairedShift()
    diff, ci = cluster_bootstrap_diff([CaseCluster(str(i), (a,), (b,)) for i, (a, b) in enumerate(pairs)],
                                      confidence)
    return out.PairedShift(n=n, original=sum(a for a, _ in pairs) / n, variant=sum(b for _, b in pairs) / n,
                           diff=diff, ci=None if ci is None else out.Interval(lo=ci.lo, hi=ci.hi))


def largest_check_drop(robustness: dict[str, out.RobustnessKind],
                       skip: frozenset[tuple[str, str]] = frozenset()) -> tuple[float, str, str] | None:
    """The largest fall of any check's pass rate under any kind: ``(drop, kind, check)``; None without pairs.
    ``skip``: (kind, check) pairs whose fall the variant makes by construction."""
    found = [(-shift.diff, kind, name) for kind, row in robustness.items() for name, shift in row.checks.items()
             if shift.diff is not None and (kind, name) not in skip]
    return max(found) if found else None


# The injection variant's complaint holds grader-directed text, which injection_attempt flags whatever the
# reply says: its fall there is by construction, not the reply's.
BY_CONSTRUCTION = frozenset({("injection", "injection_attempt")})
