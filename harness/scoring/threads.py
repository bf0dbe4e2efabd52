"""Turn-level replay scored per thread: each thread counted once, whatever its number of turns.

The turn-case figures weigh a thread by its turns (a 60-turn thread counts 30 times as much as a 2-turn one)
and say nothing of a conversation as a whole. :class:`ThreadAcc` folds each turn case's verdicts into its
thread as the records stream past (O(threads × measures) state) and gives, per check and criterion: the
share of threads where it passed at every turn it applied to, the share passing at the thread's final agent
turn, and each thread's own pass share averaged with every thread weighing 1; and the share of clean threads
(no error, nothing failed at any turn). Several samples of one turn case must all pass for the turn to pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.checks.base import is_crashed
from harness.datasets.turns import thread_of
from harness.records.schema import Record
from harness.scoring import schema as out
from harness.scoring.stats import wilson_interval


@dataclass
class _Measure:
    """One measure in one thread: its verdict per turn (False when any sample of the turn failed)."""

    turns: dict[int, bool] = field(default_factory=dict)

    def add(self, turn: int, passed: bool) -> None:
        self.turns[turn] = self.turns.get(turn, True) and passed


@dataclass
class _Thread:
    turn_cases: set[int] = field(default_factory=set)
    clean: bool = True
    checks: dict[str, _Measure] = field(default_factory=dict)
    criteria: dict[str, _Measure] = field(default_factory=dict)


def _measure(found: dict[str, _Measure], name: str) -> _Measure:
    measure = found.get(name)
    if measure is None:
        measure = found[name] = _Measure()
    return measure


@dataclass
class ThreadAcc:
    threads: dict[str, _Thread] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        turn = record.turn_index
        if turn is None:
            return
        name = thread_of(record.case_id)
        thread = self.threads.get(name)
        if thread is None:
            thread = self.threads[name] = _Thread()
        thread.turn_cases.add(turn)
        if record.error is not None:
            thread.clean = False
        for check, result in record.checks.items():
            if is_crashed(result):
                thread.clean = False
            elif result.passed is not None:
                _measure(thread.checks, check).add(turn, result.passed)
                thread.clean = thread.clean and result.passed
        for criterion, verdict in record.judge.items():
            if verdict.error is not None:
                thread.clean = False
            elif verdict.applicable and verdict.passed is not None:
                _measure(thread.criteria, criterion).add(turn, verdict.passed)
                thread.clean = thread.clean and verdict.passed

    def result(self, confidence: float) -> out.ThreadBreakdown:
        threads = self.threads
        n_cases = sum(len(t.turn_cases) for t in threads.values())
        largest = max(threads, key=lambda name: (len(threads[name].turn_cases), name)) if threads else None
        clean = sum(t.clean for t in threads.values())
        return out.ThreadBreakdown(
            n_threads=len(threads), n_turn_cases=n_cases, largest_thread=largest,
            largest_share=len(threads[largest].turn_cases) / n_cases if largest and n_cases else None,
            clean=_rate(clean, len(threads), confidence),
            checks=self._measures(lambda t: t.checks, confidence),
            criteria=self._measures(lambda t: t.criteria, confidence))

    def _measures(self, pick, confidence: float) -> dict[str, out.ThreadMeasure]:
        names = sorted({name for thread in self.threads.values() for name in pick(thread)})
        return {name: _one(name, self.threads.values(), pick, confidence) for name in names}


def _one(name: str, threads, pick, confidence: float) -> out.ThreadMeasure:
    every = every_n = final = final_n = 0
    shares: list[float] = []
    for thread in threads:
        measure = pick(thread).get(name)
        if measure is None:
            continue
        verdicts = measure.turns.values()
        every_n += 1
        every += all(verdicts)
        shares.append(sum(verdicts) / len(measure.turns))
        last = max(thread.turn_cases)
        if last in measure.turns:
            final_n += 1
            final += measure.turns[last]
    return out.ThreadMeasure(every_turn=_rate(every, every_n, confidence), final_turn=_rate(final, final_n, confidence),
                             thread_weighted=sum(shares) / len(shares) if shares else None)


def _rate(passed: int, n: int, confidence: float) -> out.RateStat:
    ci = wilson_interval(passed, n, confidence)
    return out.RateStat(passed=passed, n=n, rate=passed / n if n else None,
                        ci=None if ci is None else out.Interval(lo=ci.lo, hi=ci.hi))
