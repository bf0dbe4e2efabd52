"""The verbosity probe: does a criterion's judge score follow reply length?

LLM judges favour longer answers (Zheng et al. 2023, MT-Bench; Dubois et al.
2024, length-controlled AlpacaEval). Per criterion, over the scored replies of
every candidate in the run, the probe reports Spearman's rho between the
reply's length in characters and the judge's score. Pooling candidates is the
point: length differs most between candidates. A strong correlation is not
proof of bias (longer replies may really be better), so it is a notice to look,
not a correction.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from harness.records.schema import Record
from harness.scoring.schema import VerbosityProbe
from harness.scoring.stats import spearman

NOTICE_MIN_RHO = 0.3
NOTICE_MIN_N = 10


@dataclass
class _Pairs:
    lengths: array = field(default_factory=lambda: array("d"))
    scores: array = field(default_factory=lambda: array("d"))


@dataclass
class VerbosityAcc:
    """(length, score) pairs per criterion: 16 bytes per scored verdict."""

    pairs: dict[str, _Pairs] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        if record.reply is None:
            return
        for name, verdict in record.judge.items():
            # The same verdicts the score means count: no errors, no "not applicable".
            if verdict.error is not None or not verdict.applicable or verdict.score is None:
                continue
            pairs = self.pairs.setdefault(name, _Pairs())
            pairs.lengths.append(len(record.reply))
            pairs.scores.append(verdict.score)

    def result(self, order: list[str]) -> dict[str, VerbosityProbe] | None:
        if not self.pairs:
            return None
        names = [k for k in order if k in self.pairs] + sorted(k for k in self.pairs if k not in order)
        return {name: VerbosityProbe(rho=spearman(self.pairs[name].lengths, self.pairs[name].scores),
                                     n=len(self.pairs[name].lengths)) for name in names}


def verbosity_notices(probes: dict[str, VerbosityProbe] | None) -> list[str]:
    """A notice per criterion whose score follows length: |rho| >= 0.3 over at least 10 replies."""
    notices = []
    for name, probe in (probes or {}).items():
        if probe.rho is None or probe.n < NOTICE_MIN_N or abs(probe.rho) < NOTICE_MIN_RHO:
            continue
        if probe.rho > 0:
            advice = "judges favour longer replies, so check that the longer replies really are better"
        else:
            advice = "check that the shorter replies really are better (a judge may be penalising detail)"
        direction = "rise" if probe.rho > 0 else "fall"
        notices.append(f"verbosity: judge scores on {name} {direction} with reply length (Spearman rho "
                       f"{probe.rho:+.2f}, n {probe.n}); {advice}")
    return notices
