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
limit, or one that raises anything (``sys.exit()`` included), is a crashed check on that case.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import math
import numbers
import re
import sys
import threading
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


class PythonCheck(CustomCheck):
    """A ``python`` check: the user's function, called off the event loop under a time limit.

    ``run(ctx)`` (no event loop needed) waits for a worker thread; ``await arun(ctx)`` (what the
    runner uses) lets the loop serve model calls meanwhile. Both raise :class:`TimeoutError` past the
    limit; the runner records any exception as a crashed check on that case.
    """

    def __init__(self, spec: CustomCheckSpec, function: Callable[[CheckContext], Any], label: str,
                 source: str) -> None:
        super().__init__(spec, self._interpret, source)  # type: ignore[arg-type]  # run/arun call it themselves
        self.function = function
        self.label = label
        self.is_async = inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
            getattr(function, "__call__", None))
        self.timeout_s = spec.timeout_s or PYTHON_TIMEOUT_S
        self._stuck: list[threading.Thread] = []  # calls that ran past their limit and are still running
        self._lock = threading.Lock()

    def run(self, ctx: CheckContext) -> CheckResult:
        if not applies(self.spec.applies_when, ctx.case):
            return result(None, detail=f"does not apply: {self.spec.applies_when} is false for this case")
        done = threading.Event()
        box: list[tuple[bool, Any]] = []

        def settle(outcome: tuple[bool, Any]) -> None:
            box.append(outcome)
            done.set()

        thread = self._start(ctx, settle)
        if not done.wait(self.timeout_s):
            self._abandon(thread)
        return self._finish(ctx, self._interpret(self._unbox(box[0])))

    async def arun(self, ctx: CheckContext) -> CheckResult:
        if not applies(self.spec.applies_when, ctx.case):
            return result(None, detail=f"does not apply: {self.spec.applies_when} is false for this case")
        if self.is_async:  # awaited on the run's loop, so its clients live there: it must not block
            try:
                outcome = await asyncio.wait_for(_guarded(self.function(ctx)), self.timeout_s)
            except TimeoutError:
                raise self._timed_out() from None
            return self._finish(ctx, self._interpret(self._unbox(outcome)))
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[bool, Any]] = loop.create_future()

        def settle(outcome: tuple[bool, Any]) -> None:
            try:
                loop.call_soon_threadsafe(_settle, future, outcome)
            except RuntimeError:  # the loop is closed: the run ended while this call ran past its limit
                pass

        thread = self._start(ctx, settle)
        try:
            outcome = await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            self._abandon(thread)
        return self._finish(ctx, self._interpret(self._unbox(outcome)))

    def _start(self, ctx: CheckContext, settle: Callable[[tuple[bool, Any]], None]) -> threading.Thread:
        with self._lock:
            self._stuck = [t for t in self._stuck if t.is_alive()]
            if len(self._stuck) >= _STUCK_KEPT:
                raise TimeoutError(f"not run: {len(self._stuck)} earlier calls of {self.label} timed out after "
                                   f"{self.timeout_s:g} s and are still running")

        def work() -> None:
            try:
                answer = asyncio.run(_guarded(self.function(ctx))) if self.is_async else (True, self.function(ctx))
            except BaseException as exc:  # noqa: BLE001 - sys.exit() included: carried to the caller, not lost here
                answer = (False, exc)
            settle(answer)

        # A daemon thread per call (not the loop's default executor, whose threads hold up the exit):
        # a call that never returns is left behind, and the process still ends.
        thread = threading.Thread(target=work, name=f"check {self.name}", daemon=True)
        thread.start()
        return thread

    def _abandon(self, thread: threading.Thread) -> None:
        with self._lock:
            self._stuck.append(thread)
        raise self._timed_out() from None

    def _timed_out(self) -> TimeoutError:
        limit = "its timeout_s" if self.spec.timeout_s else "the default limit; set timeout_s in its entry to change it"
        return TimeoutError(f"timed out after {self.timeout_s:g} s ({limit})")

    @staticmethod
    def _unbox(outcome: tuple[bool, Any]) -> Any:
        ok, value = outcome
        if not ok:
            raise value
        return value

    def _interpret(self, answer: Any) -> Outcome | CheckResult:
        return _interpret(answer, self.label, self.spec.threshold)


async def _guarded(awaitable: Any) -> tuple[bool, Any]:
    """``(True, value)`` or ``(False, exception)``: a SystemExit must not leave through the loop."""
    try:
        return True, await awaitable
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: BLE001 - the user's code: carried to the caller
        return False, exc


def _settle(future: asyncio.Future[tuple[bool, Any]], outcome: tuple[bool, Any]) -> None:
    if not future.done():  # not timed out (and cancelled) meanwhile
        future.set_result(outcome)


_FORMS = ("return True, False, None, (passed, detail), 1 or 0, a score from 0 to 1 with `threshold` set, "
          "or a CheckResult")


def _interpret(answer: Any, label: str, threshold: float | None) -> Outcome | CheckResult:
    """What a python check's return value says: ``(passed, spans, detail, data)`` or its CheckResult."""
    if isinstance(answer, CheckResult):
        return answer
    detail: Any = ""
    if isinstance(answer, tuple) and len(answer) == 2 and (answer[1] is None or isinstance(answer[1], str)):
        answer, detail = answer
        detail = detail or ""
    if inspect.isawaitable(answer):
        if inspect.iscoroutine(answer):
            answer.close()  # no "never awaited" warning: the message says what to do
        raise TypeError(f"{label} returned an awaitable; declare the function `async def` (it is then awaited)")
    answer = _plain(answer)
    if answer is None or isinstance(answer, bool):
        return answer, [], detail, {}
    if isinstance(answer, numbers.Real):
        return _number(answer, label, threshold, detail)
    shown = type(answer).__qualname__ if type(answer).__module__ == "builtins" else (
        f"{type(answer).__module__}.{type(answer).__qualname__}")
    raise TypeError(f"{label} returned {shown}; {_FORMS}")


def _number(answer: numbers.Real, label: str, threshold: float | None, detail: Any) -> Outcome:
    """What a number returned by a python check says, by its value whatever its type (``1``, ``1.0``,
    ``np.float32(1)`` alike): with ``threshold``, a score from 0 to 1 that passes at or above it; without,
    0 fails and 1 passes, and any other number is refused (a score needs its threshold said: unlike
    promptfoo, which passes any number above 0, a score of 0.01 does not pass unannounced)."""
    try:
        value = float(answer)
    except OverflowError:  # an int too big for a float: no score, no verdict
        value = math.inf
    if threshold is not None:
        if not 0 <= value <= 1:
            raise TypeError(f"{label} returned the score {value:g}; a score is from 0 to 1")
        return value >= threshold, [], detail, {"score": value, "threshold": threshold}
    if value in (0, 1):
        return value == 1, [], detail, {}
    if 0 < value < 1:
        raise TypeError(f"{label} returned a score ({value:g}); add `threshold:` (0 to 1) to its entry to "
                        f"pass scores at or above it")
    raise TypeError(f"{label} returned the number {value:g}; {_FORMS}")


def _plain(answer: Any) -> Any:
    """A numpy (or torch, …) scalar as the Python value it holds; anything else as it is."""
    if type(answer).__module__ == "builtins" or not callable(getattr(answer, "item", None)):
        return answer
    try:
        value = answer.item()
    except Exception:  # noqa: BLE001 - an array of several values, say: not a verdict
        return answer
    return value if isinstance(value, (bool, int, float)) else answer


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
    file, name = spec.function_ref
    path = resolve(file)
    if path is None:
        raise ValueError(f"python file not found: {file}")
    source, module = load_module(path)
    function = getattr(module, name, None)
    if not callable(function):
        raise ValueError(f"{file} has no function {name}")
    return PythonCheck(spec, function, f"{file}:{name}", source)


_MODULES: dict[Path, tuple[str, Any]] = {}


def load_module(path: Path) -> tuple[str, Any]:
    """``(source text, module)`` of the Python file at ``path``, executed once per process."""
    key = path.resolve()
    known = _MODULES.get(key)
    if known is not None:
        return known
    try:
        source = key.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    module_name = f"harness_custom_checks_{hash_value(str(key))[:12]}"
    loader_spec = importlib.util.spec_from_file_location(module_name, key)
    if loader_spec is None or loader_spec.loader is None:
        raise ValueError(f"cannot import {path}")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module  # so dataclasses and pickling inside it work
    try:
        loader_spec.loader.exec_module(module)
    except KeyboardInterrupt:
        sys.modules.pop(module_name, None)
        raise
    except BaseException as exc:  # noqa: BLE001 - the user's code (sys.exit() too): theirs to see, on one line
        sys.modules.pop(module_name, None)
        what = f"sys.exit({exc.code!r}) was called" if isinstance(exc, SystemExit) else f"{type(exc).__name__}: {exc}"
        raise ValueError(f"importing {path} failed: {what}") from None
    _MODULES[key] = (source, module)
    return source, module


def _listed(phrases: list[str]) -> str:
    return ", ".join(repr(p) for p in phrases)
