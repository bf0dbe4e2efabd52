"""A judge panel in the scorecard: inter-judge agreement per criterion, and each panellist's own means.

A *unit* is one aggregate verdict (case × candidate × sample × criterion) that
at least two panellists scored. Per criterion, over every candidate's units
pooled:

* Krippendorff's alpha over the panel (ordinal on 1-5 scales, plus the
  interval level; nominal on pass/fail), missing verdicts allowed;
* for every pair of panellists, Cohen's kappa on pass/fail (1-5 scores cut at
  the pass threshold, i.e. the verdicts' ``passed``) and their raw agreement;
* the raw agreement of the whole panel (every panellist gave the same score).

Point estimates come from :mod:`harness.calibration.agreement` (held to the
``krippendorff`` package and scikit-learn by the tests). Intervals are 95%
percentile bootstraps over units (1000 seeded resamples); units with the same
ratings are counted as one pattern, so a resample is a few small matrix
products whatever the run's size (see :mod:`harness.scoring.panel_stats`).

Scores that are not on the scale (a panellist asked over several epochs may
average to 3.5) are rounded half up to the nearest level for the categorical
statistics, as calibration does. The statistics live in
:mod:`harness.scoring.panel_stats` (numpy), imported only when a run had a panel.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from harness.records.schema import CriterionResult
from harness.scoring import schema as out
from harness.scoring.accumulate import IntervalOptions, MeanAcc


@dataclass
class CriterionPanelAcc:
    """One criterion's panel verdicts as columns: per panellist, a score and a pass per unit (NaN: none)."""

    scores: dict[str, array] = field(default_factory=dict)
    passes: dict[str, array] = field(default_factory=dict)
    n_units: int = 0
    votes: Counter = field(default_factory=Counter)

    def add(self, verdict: CriterionResult) -> None:
        panel = verdict.panel or {}
        if not verdict.applicable or verdict.error is not None and not panel:
            return
        if verdict.n_votes is not None and verdict.error is None:
            self.votes[str(verdict.n_votes)] += 1
        for name in panel:
            if name not in self.scores:  # a panellist first seen now had no verdict on the earlier units
                self.scores[name] = array("d", [math.nan] * self.n_units)
                self.passes[name] = array("d", [math.nan] * self.n_units)
        for name, column in self.scores.items():
            mine = panel.get(name)
            scored = mine is not None and mine.error is None and mine.applicable and mine.score is not None
            column.append(mine.score if scored else math.nan)
            self.passes[name].append(float(mine.passed) if scored and mine.passed is not None else math.nan)
        self.n_units += 1


@dataclass
class PanelAcc:
    """Folds panel verdicts from records: per criterion the units, per candidate each panellist's mean."""

    keep_values: bool = False
    criteria: dict[str, CriterionPanelAcc] = field(default_factory=dict)
    means: dict[str, dict[str, dict[str, MeanAcc]]] = field(default_factory=dict)
    panellists: list[str] = field(default_factory=list)

    def tap(self, records: Iterable) -> Iterator:
        """Yield ``records`` unchanged, folding each in on the way (so a streamed file is read once)."""
        for record in records:
            self.add(record)
            yield record

    def add(self, record) -> None:
        for criterion, verdict in record.judge.items():
            if verdict.panel:
                self._add(record.candidate, criterion, verdict)

    def _add(self, candidate: str, criterion: str, verdict: CriterionResult) -> None:
        self.criteria.setdefault(criterion, CriterionPanelAcc()).add(verdict)
        means = self.means.setdefault(candidate, {}).setdefault(criterion, {})
        for name, mine in (verdict.panel or {}).items():
            if name not in self.panellists:
                self.panellists.append(name)
            if mine.error is None and mine.applicable and mine.score is not None:
                means.setdefault(name, MeanAcc(self.keep_values)).add(mine.score)

    def result(self, scales: dict[str, str | None], options: IntervalOptions,
               aggregate: str | None = None) -> out.PanelSummary | None:
        """The scorecard's panel section (``scales``: criterion -> scale); None when no panel verdict was read."""
        if not self.panellists:
            return None
        from harness.scoring.panel_stats import RESAMPLES, criterion_agreement

        criteria = {name: criterion_agreement(acc, scales.get(name), options)
                    for name, acc in self.criteria.items()}
        means = {candidate: {criterion: {name: acc.result(options, options.bounds.get(criterion))
                                         for name, acc in by_name.items()}
                             for criterion, by_name in by_criterion.items()}
                 for candidate, by_criterion in self.means.items()}
        n_units = max((c.n_units for c in criteria.values()), default=0)
        resamples = RESAMPLES if n_units >= 2 else 0
        return out.PanelSummary(panellists=self.panellists, aggregate=aggregate, resamples=resamples,
                                criteria=criteria, means=means)
