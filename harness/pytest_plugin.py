"""The harness's pytest plugin (entry point ``pytest11: harness``): assertions about eval runs in plain tests.

Fixtures:

* ``harness_run`` — a factory: ``harness_run(run_dir=...)`` loads a finished
  run; ``harness_run(eval=...)`` runs an eval file once per session (into
  ``out=`` or a temporary directory; ``baseline=`` as on the command line);
  ``harness_run()`` loads the run named by ``--harness-run DIR``. It returns an
  :class:`EvalRun`: the scorecard, the records, the gates, and assertions with
  readable messages.
* ``harness_case`` — one pytest item per case × candidate of the run named by
  the test's ``@pytest.mark.harness_cases(run_dir=... | eval=...)`` marker (or
  ``--harness-run``); ``harness_case.assert_passed()`` fails with every
  failing check's evidence and every failing criterion's reason (with
  ``checks=``/``criteria=``, those of the named ones only).

Nothing heavy is imported until a fixture is used, so the plugin costs other
test suites nothing.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_RUNS: dict[tuple, "EvalRun"] = {}  # one run per eval file and options per session


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "support-eval-harness")
    group.addoption("--harness-run", metavar="DIR", default=None,
                    help="a finished run directory for harness_run() and harness_cases without arguments")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "harness_cases(run_dir=None, eval=None, out=None): parametrize "
                            "harness_case with one item per case x candidate of that run")


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
        wanted = _wanted(checks, criteria)
        failing = [n for n in self.outcome.failing_names if wanted is None or n in wanted]
        if self.outcome.errors or failing:
            raise HarnessAssertionError(self.explain(wanted))


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
        from harness.ci.verdicts import case_outcomes

        return [CaseItem(o.case_id, o.candidate, o) for o in case_outcomes(self.records)]

    def check_rate(self, candidate: str, check: str) -> float | None:
        return self._candidate(candidate).checks[check].pass_rate.rate

    def criterion_mean(self, candidate: str, criterion: str) -> float | None:
        return self._candidate(candidate).criteria[criterion].score.mean

    def assert_check_rate(self, candidate: str, check: str, minimum: float) -> None:
        """Fail when ``check``'s pass rate for ``candidate`` is below ``minimum``, naming the failing cases."""
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
        if self.outcome is None:
            self.outcome = _gate(self.run_dir, self.baseline)
        for note in self.outcome.notes:
            warnings.warn(f"{self.run_dir}: {note}", HarnessGateWarning, stacklevel=2)
        if not self.outcome.passed:
            lines = [f"  {g.name} [{g.candidate or 'run'}]: {g.detail}" for g in self.outcome.gates if not g.passed]
            raise HarnessAssertionError(f"gates failed (exit code {self.outcome.exit_code}):\n" + "\n".join(lines))

    def _candidate(self, name: str):
        try:
            return self.scorecard.candidates[name]
        except KeyError:
            raise HarnessAssertionError(f"no candidate {name!r} in {self.run_dir} "
                                        f"(it has {', '.join(self.scorecard.candidates)})") from None


def _pct(value: float | None) -> str:
    return "nothing (no applicable case)" if value is None else f"{value:.1%}"


def _gate(run_dir: Path, baseline=None):
    """The run's gate outcome: recomputed against ``baseline`` when one is given, else the one the run
    recorded (``gates.json``), else computed now without a baseline (its notes then say what was skipped)."""
    from harness.gates.baseline import resolve_baseline
    from harness.gates.evaluate import evaluate_gates, read_outcome
    from harness.records.store import read_manifest
    from harness.scoring.scorecard import load_scorecard

    if baseline is None:
        recorded = read_outcome(run_dir)
        if recorded is not None:
            return recorded
    manifest = read_manifest(run_dir)
    resolved = resolve_baseline(baseline, Path(run_dir).parent, manifest.eval_name)
    if resolved is not None and Path(resolved).resolve() == Path(run_dir).resolve():
        from harness.errors import ConfigError

        raise ConfigError(f"{baseline} is the run itself: name an earlier run to hold it to", field="baseline")
    return evaluate_gates(run_dir, manifest.eval_spec, load_scorecard(run_dir), resolved, manifest.eval_file.path)


def open_run(config: pytest.Config | None, run_dir=None, eval=None, out=None, baseline=None) -> EvalRun:
    """Load ``run_dir``, or run ``eval`` once per session; with neither, the ``--harness-run`` directory."""
    if run_dir is None and eval is None:
        run_dir = config.getoption("--harness-run") if config is not None else None
        if run_dir is None:
            raise pytest.UsageError("harness_run needs run_dir=, eval=, or --harness-run DIR")
    if run_dir is not None:
        return EvalRun(Path(run_dir), baseline=baseline)
    key = (str(Path(eval).resolve()), str(out), str(baseline))
    if key not in _RUNS:
        _RUNS[key] = _run(eval, out, baseline)
    return _RUNS[key]


def _run(eval, out, baseline) -> EvalRun:
    from harness.ci.nightly import NightlyOptions, run_gated
    from harness.runner.engine import RunOptions

    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="harness-pytest-")) / Path(eval).stem
    gated = run_gated(eval, NightlyOptions(run=RunOptions(out=out), baseline=baseline))
    return EvalRun(gated.result.run_dir, outcome=gated.outcome, baseline=baseline)


@pytest.fixture
def harness_run(request: pytest.FixtureRequest):
    """A factory: ``harness_run(run_dir=... | eval=..., out=None, baseline=None) -> EvalRun``."""
    def factory(run_dir=None, eval=None, out=None, baseline=None) -> EvalRun:
        return open_run(request.config, run_dir=run_dir, eval=eval, out=out, baseline=baseline)
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
