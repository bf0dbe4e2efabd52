"""The harness's pytest plugin (entry point ``pytest11: harness``): assertions about eval runs in plain tests.

Fixtures:

* ``harness_run`` — a factory: ``harness_run(run_dir=...)`` loads a finished
  run; ``harness_run(eval=...)`` runs an eval file once per session (into
  ``out=`` or a directory under pytest's ``tmp_path_factory``, kept and removed
  as pytest keeps its temporary directories; ``baseline=`` as on the command
  line, ``"accepted"`` read from the index of ``results=``, else of ``out=``'s
  parent, else of ``results/`` as the CLI writes it); ``harness_run()`` loads the
  run named by ``--harness-run DIR``. It returns an :class:`EvalRun`: the
  scorecard, the records, the gates, and assertions with readable messages.
* ``harness_case`` — one pytest item per case × candidate of the run named by
  the test's ``@pytest.mark.harness_cases(run_dir=... | eval=...)`` marker (or
  ``--harness-run``), in the eval's candidate order, then the dataset's case
  order; ``harness_case.assert_passed()`` fails with every failing check's
  evidence and every failing criterion's reason (with ``checks=``/``criteria=``,
  those of the named ones only).

A check, criterion or candidate the run does not have fails the assertion with
its name and the run's names, the closest first (never a bare ``KeyError``).

Nothing heavy is imported until a fixture is used, so the plugin costs other
test suites nothing.
"""

from __future__ import annotations

import atexit
import difflib
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_RUNS: dict[tuple, "EvalRun"] = {}  # one run per eval file and options per session
RESULTS = Path("results")  # where the CLI writes a run without --out (runner.engine.default_out), and its index


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "support-eval-harness")
    group.addoption("--harness-run", metavar="DIR", default=None,
                    help="a finished run directory for harness_run() and harness_cases without arguments")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "harness_cases(run_dir=None, eval=None, out=None, baseline=None, "
                            "results=None): parametrize harness_case with one item per case x candidate "
                            "of that run")


class HarnessAssertionError(AssertionError):
    """An assertion about a run failed; the message names the cases, checks, criteria and evidence."""


class HarnessGateWarning(UserWarning):
    """A gate of the run was not evaluated (a max_regression gate without a baseline)."""


@dataclass
class CaseItem:
    """One case × candidate of a run, as a pytest parameter."""

    case_id: str
    candidate: str
    outcome: object  # harness.ci.verdicts.CaseOutcome
    known: frozenset[str] | None = None  # the run's ``check x`` / ``criterion y`` names (None: not checked)

    @property
    def passed(self) -> bool:
        return self.outcome.passed

    def explain(self, wanted: set[str] | None = None) -> str:
        """The case's errors, failure lines and reply; with ``wanted`` (``check x``, ``criterion y``),
        only the failure lines about those."""
        lines = [f"case {self.case_id} × candidate {self.candidate}:"]
        lines += [f"  error: {e}" for e in self.outcome.errors]
        lines += [f"  {line}" for line in self.outcome.failures if wanted is None or _about(line, wanted)]
        if self.outcome.reply:
            lines.append(f"  reply: {self.outcome.reply[:400]}")
        return "\n".join(lines)

    def assert_passed(self, *, checks: list[str] | None = None, criteria: list[str] | None = None) -> None:
        """Fail unless every check and criterion passed (only ``checks``/``criteria`` when given: the
        message then lists only theirs)."""
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        wanted = _wanted(checks, criteria)
        self._check_known(wanted)
        failing = [n for n in self.outcome.failing_names if wanted is None or n in wanted]
        if self.outcome.errors or failing:
            raise HarnessAssertionError(self.explain(wanted))

    def _check_known(self, wanted: set[str] | None) -> None:
        """Refuse a check or criterion the run does not have (it would never fail, so the test would pass)."""
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        if wanted is None or self.known is None:
            return
        for asked in sorted(wanted - self.known):
            kind, name = asked.split(" ", 1)
            names = [n.split(" ", 1)[1] for n in sorted(self.known) if n.startswith(f"{kind} ")]
            raise unknown_name(kind, name, names, f"for candidate {self.candidate!r} in this run")


def unknown_name(kind: str, name: str, known: Iterable[str], where: str) -> HarnessAssertionError:
    """``no check 'x' … (it has y, z)``: the names ``where`` has, the closest to ``name`` first."""
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    ordered = close + [n for n in known if n not in close]
    return HarnessAssertionError(f"no {kind} {name!r} {where} (it has {', '.join(ordered) or 'none'})")


def _wanted(checks: list[str] | None, criteria: list[str] | None) -> set[str] | None:
    if checks is None and criteria is None:
        return None
    return {f"check {n}" for n in checks or []} | {f"criterion {n}" for n in criteria or []}


_SAMPLE_PREFIX = re.compile(r"sample \d+: ")


def _about(line: str, wanted: set[str]) -> bool:
    """True when a failure line of :class:`~harness.ci.verdicts.CaseOutcome` (``check x failed: …``,
    ``check x crashed: …``, ``criterion y failed (…): …``, ``criterion y: judge error …``, after
    ``sample n: `` when there are several samples) is about one of the ``wanted`` names."""
    line = line[m.end():] if (m := _SAMPLE_PREFIX.match(line)) else line
    return any(line.startswith((f"{name} failed", f"{name} crashed", f"{name}:")) for name in wanted)


@dataclass
class EvalRun:
    """A finished run: its scorecard, records and (when it was run here) gate outcome."""

    run_dir: Path
    outcome: object = None  # harness.gates.evaluate.GateOutcome
    baseline: object = None  # what to hold a loaded run's max_regression gates to (a run dir or "accepted")
    results: Path | None = None  # whose index "accepted" is read from (default: the run directory's parent)
    _scorecard: object = field(default=None, repr=False)

    @property
    def scorecard(self):
        if self._scorecard is None:
            from harness.scoring.scorecard import load_scorecard

            self._scorecard = load_scorecard(self.run_dir)
        return self._scorecard

    @property
    def records(self) -> list:
        from harness.records.store import iter_records

        return list(iter_records(self.run_dir))

    def cases(self) -> list[CaseItem]:
        """Every case × candidate: in the eval's candidate order, then the dataset's case order (a run
        writes its records as they finish, in no stable order)."""
        from harness.ci.verdicts import case_outcomes
        from harness.records.store import read_manifest

        candidates = {str(c.get("name")): i for i, c in enumerate(read_manifest(self.run_dir).candidates)}
        cases = _case_order(self.run_dir)

        def place(o) -> tuple:
            return candidates.get(o.candidate, len(candidates)), o.candidate, _case_key(o.case_id, cases)

        outcomes = sorted(case_outcomes(self.records), key=place)
        return [CaseItem(o.case_id, o.candidate, o, self._known(o.candidate)) for o in outcomes]

    def check_rate(self, candidate: str, check: str) -> float | None:
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        return self._summary(candidate, "check", check).pass_rate.rate

    def criterion_mean(self, candidate: str, criterion: str) -> float | None:
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        return self._summary(candidate, "criterion", criterion).score.mean

    def assert_check_rate(self, candidate: str, check: str, minimum: float) -> None:
        """Fail when ``check``'s pass rate for ``candidate`` is below ``minimum``, naming the failing cases."""
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        rate = self.check_rate(candidate, check)
        if rate is None or rate < minimum:
            failing = [c.case_id for c in self.cases() if c.candidate == candidate
                       and f"check {check}" in c.outcome.failing_names]
            raise HarnessAssertionError(f"{candidate}: check {check} passed {_pct(rate)}, below {minimum:.1%}; "
                                        f"failing cases: {', '.join(failing) or 'none'}")

    def assert_gates_passed(self) -> None:
        """Fail when the run's gates failed: as the run was held to them (``gates.json``, its baseline
        included) or, with ``baseline=``, against that baseline now. What was not evaluated (the
        max_regression gates of a run held to no baseline) is a warning, as the command prints a note."""
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        if self.outcome is None:
            self.outcome = _gate(self.run_dir, self.baseline, self.results)
        for note in self.outcome.notes:
            warnings.warn(f"{self.run_dir}: {note}", HarnessGateWarning, stacklevel=2)
        if not self.outcome.passed:
            lines = [f"  {g.name} [{g.candidate or 'run'}]: {g.detail}" for g in self.outcome.gates if not g.passed]
            raise HarnessAssertionError(f"gates failed (exit code {self.outcome.exit_code}):\n" + "\n".join(lines))

    def _candidate(self, name: str):
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        try:
            return self.scorecard.candidates[name]
        except KeyError:
            raise unknown_name("candidate", name, self.scorecard.candidates, f"in {self.run_dir}") from None

    def _summary(self, candidate: str, kind: str, name: str):
        """The scorecard's summary of one check or criterion of ``candidate``."""
        __tracebackhide__ = True  # pytest shows none of these frames: the message says what failed
        found = self._candidate(candidate)
        summaries = found.checks if kind == "check" else found.criteria
        try:
            return summaries[name]
        except KeyError:
            raise unknown_name(kind, name, summaries, f"for candidate {candidate!r} in {self.run_dir}") from None

    def _known(self, candidate: str) -> frozenset[str] | None:
        found = self.scorecard.candidates.get(candidate)
        if found is None:
            return None
        return frozenset([f"check {n}" for n in found.checks] + [f"criterion {n}" for n in found.criteria])


def _case_order(run_dir: Path) -> dict[str, int]:
    """Each case id's position in the run's case snapshot (the dataset's order)."""
    from harness.records.store import iter_case_rows

    return {row["id"]: i for i, row in enumerate(iter_case_rows(run_dir))}


def _case_key(case_id: str, order: dict[str, int]) -> tuple[int, int, str]:
    """A case's place: its own (or, for a turn case ``<id>@t<k>``, its thread's) position, then its turn."""
    from harness.datasets.turns import ID_SEPARATOR, thread_of

    thread = thread_of(case_id)
    turn = int(case_id.rpartition(ID_SEPARATOR)[2]) if thread != case_id else 0
    return order.get(case_id, order.get(thread, len(order))), turn, case_id


def _pct(value: float | None) -> str:
    return "nothing (no applicable case)" if value is None else f"{value:.1%}"


def _gate(run_dir: Path, baseline=None, results: Path | None = None):
    """The run's gate outcome: recomputed against ``baseline`` when one is given (``"accepted"``: the one
    marked in the index of ``results``, default the run's parent), else the one the run recorded
    (``gates.json``), else computed now without a baseline (its notes then say what was skipped)."""
    from harness.gates.baseline import resolve_baseline
    from harness.gates.evaluate import evaluate_gates, read_outcome
    from harness.records.store import read_manifest
    from harness.scoring.scorecard import load_scorecard

    if baseline is None:
        recorded = read_outcome(run_dir)
        if recorded is not None:
            return recorded
    manifest = read_manifest(run_dir)
    resolved = resolve_baseline(baseline, results or Path(run_dir).parent, manifest.eval_name)
    if resolved is not None and Path(resolved).resolve() == Path(run_dir).resolve():
        from harness.errors import ConfigError

        raise ConfigError(f"{baseline} is the run itself: name an earlier run to hold it to", field="baseline")
    return evaluate_gates(run_dir, manifest.eval_spec, load_scorecard(run_dir), resolved, manifest.eval_file.path,
                          selection=manifest.dataset.get("selection"))


def open_run(config: pytest.Config | None, run_dir=None, eval=None, out=None, baseline=None,
             results=None) -> EvalRun:
    """Load ``run_dir``, or run ``eval`` once per session; with neither, the ``--harness-run`` directory."""
    if run_dir is None and eval is None:
        run_dir = config.getoption("--harness-run") if config is not None else None
        if run_dir is None:
            raise pytest.UsageError("harness_run needs run_dir=, eval=, or --harness-run DIR")
    results = Path(results) if results is not None else None
    if run_dir is not None:
        return EvalRun(Path(run_dir), baseline=baseline, results=results)
    key = (str(Path(eval).resolve()), str(out), str(baseline), str(results))
    if key not in _RUNS:
        _RUNS[key] = _run(config, eval, out, baseline, results)
    return _RUNS[key]


def _run(config: pytest.Config | None, eval, out, baseline, results: Path | None) -> EvalRun:
    from harness.ci.nightly import NightlyOptions, run_gated
    from harness.runner.engine import RunOptions

    if str(baseline) == "accepted":  # the user's accepted run, not one in a fresh directory's empty index
        baseline = _accepted(eval, results or (Path(out).parent if out else RESULTS))
    out = Path(out) if out else _scratch(config) / Path(eval).stem
    gated = run_gated(eval, NightlyOptions(run=RunOptions(out=out), baseline=baseline))
    return EvalRun(gated.result.run_dir, outcome=gated.outcome, baseline=baseline, results=results)


def _accepted(eval, results: Path) -> Path:
    """The run accepted as the baseline of ``eval``'s eval in the index of ``results`` (a ConfigError if none)."""
    from harness.config.evalfile import load_eval
    from harness.gates.baseline import ACCEPTED, resolve_baseline

    return resolve_baseline(ACCEPTED, results, load_eval(eval).name)


def _scratch(config: pytest.Config | None) -> Path:
    """A new directory for a run without ``out=``: pytest's (kept and removed as pytest keeps its
    temporary directories), or one removed when the process ends."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        return factory.mktemp("harness-run")
    path = Path(tempfile.mkdtemp(prefix="harness-pytest-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@pytest.fixture
def harness_run(request: pytest.FixtureRequest):
    """A factory: ``harness_run(run_dir=... | eval=..., out=None, baseline=None, results=None) -> EvalRun``."""
    def factory(run_dir=None, eval=None, out=None, baseline=None, results=None) -> EvalRun:
        return open_run(request.config, run_dir=run_dir, eval=eval, out=out, baseline=baseline, results=results)
    return factory


@pytest.fixture
def harness_case(request: pytest.FixtureRequest) -> CaseItem:
    """One case × candidate (parametrized by the ``harness_cases`` marker or ``--harness-run``)."""
    return request.param


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "harness_case" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("harness_cases")
    kwargs = dict(marker.kwargs) if marker else {}
    if marker and marker.args:
        kwargs.setdefault("run_dir", marker.args[0])
    items = open_run(metafunc.config, **kwargs).cases()
    metafunc.parametrize("harness_case", items, ids=[f"{i.candidate}/{i.case_id}" for i in items], indirect=True)
