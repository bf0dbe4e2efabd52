"""The ``python`` checks of an eval file: the user's function, run off the event loop under a time limit,
and what its return value says.

Split out of :mod:`harness.checks.custom` (which holds the spec and the declarative checks, and builds
these through :func:`~harness.checks.custom.build_custom_check`). The limits
(:data:`~harness.checks.custom.PYTHON_TIMEOUT_S`, ``_STUCK_KEPT``) stay there, beside the spec field
that sets one, and are read from there when used.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import math
import numbers
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from harness.checks import custom
from harness.checks.base import CheckContext, CheckResult
from harness.checks.custom import CustomCheck, CustomCheckSpec, Outcome
from harness.checks.results import result
from harness.datasets.conditions import applies
from harness.hashing import hash_value


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
        self.timeout_s = spec.timeout_s or custom.PYTHON_TIMEOUT_S
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
            if len(self._stuck) >= custom._STUCK_KEPT:
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
          "a dict {pass, score, reason}, or a CheckResult")
_DICT_KEYS = ("pass", "passed", "score", "reason")


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
    if isinstance(answer, dict):
        return _from_dict(answer, label, threshold)
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


def _from_dict(answer: dict[Any, Any], label: str, threshold: float | None) -> Outcome:
    """What a dict returned by a python check says: promptfoo's result shape ``{pass, score, reason}``
    (``passed`` for ``pass`` too). ``pass`` decides (true, false, or null: does not apply); without it,
    ``score`` decides against ``threshold``. ``score`` (0 to 1) is kept in ``data``, ``reason`` is the detail.
    Any other key, or a value of the wrong type, is the check's fault, named."""
    unknown = [key for key in answer if key not in _DICT_KEYS]
    if unknown:
        raise TypeError(f"{label} returned a dict with the key {unknown[0]!r}; a result dict has pass (or passed), "
                        f"score and reason")
    if "pass" in answer and "passed" in answer:
        raise TypeError(f"{label} returned a dict with both 'pass' and 'passed'; give one")
    key = "pass" if "pass" in answer else "passed"
    reason = answer.get("reason")
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise TypeError(f"{label} returned a dict whose 'reason' is {type(reason).__qualname__}, not text")
    data: dict[str, Any] = {}
    score = None
    if answer.get("score") is not None:
        score = _plain(answer["score"])
        if isinstance(score, bool) or not isinstance(score, numbers.Real) or not 0 <= score <= 1:
            raise TypeError(f"{label} returned a dict whose 'score' is {score!r}; a score is a number from 0 to 1")
        data["score"] = score = float(score)
    if key in answer:
        passed = _plain(answer[key])
        if passed is not None and not isinstance(passed, bool):
            raise TypeError(f"{label} returned a dict whose {key!r} is {passed!r}; it must be true, false or "
                            f"null (does not apply)")
        return passed, [], reason, data
    if score is None:
        raise TypeError(f"{label} returned a dict without 'pass' (or 'passed'): say whether the reply passes, or "
                        f"give 'score' with `threshold:` in the check's entry")
    if threshold is None:
        raise TypeError(f"{label} returned a dict with a score ({score:g}) and no 'pass'; add `threshold:` (0 to 1) "
                        f"to its entry to pass scores at or above it, or return 'pass'")
    return score >= threshold, [], reason, {**data, "threshold": threshold}


def _plain(answer: Any) -> Any:
    """A numpy (or torch, …) scalar as the Python value it holds; anything else as it is."""
    if type(answer).__module__ == "builtins" or not callable(getattr(answer, "item", None)):
        return answer
    try:
        value = answer.item()
    except Exception:  # noqa: BLE001 - an array of several values, say: not a verdict
        return answer
    return value if isinstance(value, (bool, int, float)) else answer


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
