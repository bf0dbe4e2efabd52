"""Checks written in the eval file: phrases, patterns, lengths, or a Python function.

An eval file's ``checks`` list may hold, beside built-in check names, checks of
its own::

    checks:
      - all
      - {name: no_competitors, type: not_contains, value: [Globex, Initech]}
      - {name: cites_order, type: regex, value: '#\\d{5}', applies_when: always}
      - {name: short_enough, type: max_length, value: 600}
      - {name: signed_off, type: python, value: evals/checks/house.py:signed_off}

Each becomes a check like the built-in ones (``name``, ``version``, ``run(ctx)``
returning a :class:`~harness.checks.base.CheckResult` with evidence spans), so
records, scorecards, gates, diffs and calibration treat it the same way. Its
``version`` is a hash of its spec (and, for ``python``, of the file's text): a
changed check makes runs incomparable, as a changed built-in check does.

A ``python`` check runs off the run's event loop, in a daemon thread of its own per call (an
``async def`` one is awaited on the loop), under a time limit (``timeout_s``, default
:data:`PYTHON_TIMEOUT_S`): a slow check cannot stall the model calls in flight, and one over its
limit, or one that raises anything (``sys.exit()`` included), is a crashed check on that case. That
runner, and what a function's return value says, are in :mod:`harness.checks.custom_python`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from harness.checks.base import CheckContext, CheckResult
from harness.checks.results import result, span
from harness.datasets.conditions import AppliesWhen, applies
from harness.hashing import hash_value

CustomType = Literal["contains", "contains_all", "not_contains", "regex", "not_regex", "max_length", "min_length",
                     "python"]
_PHRASE_TYPES = ("contains", "contains_all", "not_contains")
_PATTERN_TYPES = ("regex", "not_regex")
_LENGTH_TYPES = ("max_length", "min_length")
_EVIDENCE_KEPT = 20  # spans per result at most: the evidence shows where, not every occurrence
PATTERN_TIMEOUT_S = 1.0  # per reply: a pattern that backtracks for ever fails this case, not the run
# The python checks' limits (harness.checks.custom_python reads them from here when used):
PYTHON_TIMEOUT_S = 10.0  # per reply, for a python check without `timeout_s`: then a crash on that case
_STUCK_KEPT = 4  # a check's calls still running past their limit: beyond this many, later cases are not run
_FUNCTION = re.compile(r"^(?P<file>.+\.py):(?P<function>[A-Za-z_][A-Za-z0-9_]*)$")

Outcome = tuple[bool | None, list[tuple[int, int]], str, dict[str, Any]]


class CustomCheckSpec(BaseModel):
    """One check written in the eval file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    type: CustomType = Field(description="contains: any of the values appears; contains_all: every value does; "
                                         "not_contains: none does; regex / not_regex: the pattern is found / not "
                                         "found; max_length / min_length: the reply's length in characters; python: "
                                         "`file.py:function`, called with the check context")
    value: str | list[str] | int = Field(description="The phrase(s), pattern, length or `file.py:function`.")
    ignore_case: bool = Field(True, description="Phrases and patterns match whatever the letter case.")
    applies_when: AppliesWhen = Field("always", description="When the check applies to a case; where it does not, "
                                                            "`passed` is null.")
    description: str = ""
    timeout_s: float | None = Field(None, gt=0, le=3600,
                                    description="python checks: seconds per reply before the check is recorded as "
                                                f"crashed on that case (default {PYTHON_TIMEOUT_S:g}).")
    threshold: float | None = Field(None, ge=0, le=1,
                                    description="python checks that return a score from 0 to 1: the check passes "
                                                "when the score is at least this.")

    @field_validator("value", mode="before")
    @classmethod
    def _no_bool(cls, value: object) -> object:
        if isinstance(value, bool):  # YAML's yes/no: a bool is an int to pydantic, never meant here
            raise ValueError("must be a phrase, a list of phrases, a pattern, a length or file.py:function")
        return value

    @field_validator("value")
    @classmethod
    def _value_fits_type(cls, value: str | list[str] | int, info: ValidationInfo) -> str | list[str] | int:
        # A field validator (not a model one), so an error names `value` and its line. `type` is declared
        # first: when it is missing or wrong, that is the error, and this one waits.
        kind = info.data.get("type")
        if kind is None:
            return value
        if kind in _PHRASE_TYPES:
            phrases = [value] if isinstance(value, str) else value
            if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p for p in phrases):
                raise ValueError(f"type {kind} needs `value`: a phrase or a list of non-empty phrases")
        elif kind in _PATTERN_TYPES:
            if not isinstance(value, str) or not value:
                raise ValueError(f"type {kind} needs `value`: a regular expression")
            import regex  # the `regex` package (8 ms to import): only where a file has a pattern

            try:
                regex.compile(value)
            except regex.error as exc:
                raise ValueError(f"`value` is not a valid regular expression: {exc}") from None
        elif kind in _LENGTH_TYPES:
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"type {kind} needs `value`: a whole number of characters, 0 or more")
        elif not isinstance(value, str) or not _FUNCTION.match(value):
            raise ValueError("type python needs `value`: file.py:function (e.g. evals/checks/house.py:signed_off)")
        return value

    @field_validator("timeout_s", "threshold")
    @classmethod
    def _python_only(cls, value: float | None, info: ValidationInfo) -> float | None:
        kind = info.data.get("type")
        if value is not None and kind is not None and kind != "python":
            raise ValueError(f"applies to python checks only, not to type {kind}")
        return value

    @property
    def phrases(self) -> list[str]:
        return [self.value] if isinstance(self.value, str) else list(self.value)  # type: ignore[arg-type]

    @property
    def function_ref(self) -> tuple[str, str]:
        """``(file, function)`` of a ``python`` check."""
        m = _FUNCTION.match(str(self.value))
        assert m is not None  # validated
        return m["file"], m["function"]


class CustomCheck:
    """A check built from a :class:`CustomCheckSpec`; see :func:`build_custom_check`."""

    def __init__(self, spec: CustomCheckSpec, decide: Callable[[CheckContext], Outcome], source: str = "") -> None:
        self.spec = spec
        self.name = spec.name
        self.description = spec.description or _describe(spec)
        # timeout_s decides no verdict, and an unset threshold is no change: neither moves the version
        left_out = {"timeout_s"} | ({"threshold"} if spec.threshold is None else set())
        hashed = spec.model_dump(mode="json", exclude=left_out)
        self.version = "custom-" + hash_value({"spec": hashed, "source": source})[:12]
        self._decide = decide

    def run(self, ctx: CheckContext) -> CheckResult:
        if not applies(self.spec.applies_when, ctx.case):
            return result(None, detail=f"does not apply: {self.spec.applies_when} is false for this case")
        return self._finish(ctx, self._decide(ctx))

    def _finish(self, ctx: CheckContext, outcome: Outcome | CheckResult) -> CheckResult:
        if isinstance(outcome, CheckResult):  # a python check may build its own result
            built = outcome
        else:
            passed, spans, detail, data = outcome
            evidence = [span(ctx.reply, start, end) for start, end in spans[:_EVIDENCE_KEPT]]
            built = result(passed, evidence=evidence, detail=detail, data=data)
        if self.spec.type == "python":
            try:  # what the user's function returned must fit in a record, or the run could not write it
                built.model_dump_json()
            except Exception as exc:  # noqa: BLE001 - any failure to serialise: the check's fault, on this case
                raise TypeError(f"{self.spec.value} returned a result that cannot be recorded: {exc}") from None
        return built


def _describe(spec: CustomCheckSpec) -> str:
    if spec.type in _LENGTH_TYPES or spec.type == "python":
        return f"{spec.type} {spec.value}"
    return f"{spec.type} {', '.join(repr(p) for p in spec.phrases)}"


def _phrase_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    flags = re.IGNORECASE if spec.ignore_case else 0
    patterns = [(phrase, re.compile(re.escape(phrase), flags)) for phrase in spec.phrases]
    kind = spec.type

    def decide(ctx: CheckContext) -> Outcome:
        spans: list[tuple[int, int]] = []
        found, missing = [], []
        for phrase, pattern in patterns:
            hits = [m.span() for m in pattern.finditer(ctx.reply)]
            (found if hits else missing).append(phrase)
            spans += hits
        spans.sort()
        if kind == "contains":
            passed = bool(found)
            detail = f"found {_listed(found)}" if found else f"none of {_listed(missing)} found"
        elif kind == "contains_all":
            passed = not missing
            detail = f"all {len(found)} found" if passed else f"missing {_listed(missing)}"
        else:
            passed = not found
            detail = f"found {_listed(found)}" if found else "none found"
        return passed, spans, detail, {"found": found, "missing": missing}

    return decide


def _pattern_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    import regex

    pattern = regex.compile(str(spec.value), regex.IGNORECASE if spec.ignore_case else 0)
    wanted = spec.type == "regex"

    def decide(ctx: CheckContext) -> Outcome:
        try:
            spans = [m.span() for m in pattern.finditer(ctx.reply, timeout=PATTERN_TIMEOUT_S) if m.end() > m.start()]
        except TimeoutError:
            # Recorded as a crashed check on this case (harness.runner.evaluate.run_checks); the run goes on.
            raise TimeoutError(f"the pattern ran over {PATTERN_TIMEOUT_S:g} s on this reply (it backtracks "
                               f"too much: simplify it)") from None
        found = [ctx.reply[s:e] for s, e in spans[:_EVIDENCE_KEPT]]
        detail = f"{len(spans)} match(es)" if spans else "no match"
        return (bool(spans) if wanted else not spans), spans, detail, {"found": found}

    return decide


def _length_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    limit = int(spec.value)
    at_most = spec.type == "max_length"

    def decide(ctx: CheckContext) -> Outcome:
        length = len(ctx.reply)
        passed = length <= limit if at_most else length >= limit
        detail = f"{length} characters ({'at most' if at_most else 'at least'} {limit})"
        return passed, [], detail, {"length": length, "limit": limit}

    return decide


def build_custom_check(spec: CustomCheckSpec, resolve: Callable[[str], Path | None]) -> CustomCheck:
    """The check ``spec`` describes. ``resolve`` finds a python check's file (None: not found).

    Raises ValueError with a one-line reason when a python check's file or function cannot be loaded.
    """
    if spec.type in _PHRASE_TYPES:
        return CustomCheck(spec, _phrase_decider(spec))
    if spec.type in _PATTERN_TYPES:
        return CustomCheck(spec, _pattern_decider(spec))
    if spec.type in _LENGTH_TYPES:
        return CustomCheck(spec, _length_decider(spec))
    from harness.checks.custom_python import PythonCheck, load_module

    file, name = spec.function_ref
    path = resolve(file)
    if path is None:
        raise ValueError(f"python file not found: {file}")
    source, module = load_module(path)
    function = getattr(module, name, None)
    if not callable(function):
        raise ValueError(f"{file} has no function {name}")
    return PythonCheck(spec, function, f"{file}:{name}", source)


def _listed(phrases: list[str]) -> str:
    return ", ".join(repr(p) for p in phrases)
