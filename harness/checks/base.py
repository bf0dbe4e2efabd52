"""The interface every deterministic check follows, and the registry by name.

A check is a small object with a ``name``, a ``version`` and a ``run(ctx)``
method that takes a :class:`CheckContext` and returns a :class:`CheckResult`.
Checks and judges share the same context so adding a field breaks nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from pydantic import BaseModel, ConfigDict, Field

from harness.datasets.schema import Case

if TYPE_CHECKING:  # records import this module (CheckResult): no import of theirs at run time
    from harness.records.schema import CallStats


class Span(BaseModel):
    """A span of the reply: ``reply[start:end] == text``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class CheckResult(BaseModel):
    """What a check decided about one reply.

    ``passed`` is ``None`` when the check does not apply to this case.
    ``data`` holds check-specific fields (e.g. apology ``form``, ``generic``;
    boundary ``detected``/``required``; ``next_step`` ``detected``).
    """

    model_config = ConfigDict(extra="forbid")

    passed: bool | None
    evidence: list[Span] = Field(default_factory=list)
    detail: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


# A check that raised (or ran out of time) decided nothing: its result is recorded with ``passed`` None and this
# ``data.error`` (harness.runner.evaluate.crashed). An export's ``error_kind`` and junit's ``<error type>`` name
# such a check error by it too.
CHECK_CRASHED = "check_crashed"


def is_crashed(result: CheckResult) -> bool:
    """Whether ``result`` records a check that crashed (an error of the record's check, not an n/a)."""
    return result.passed is None and result.data.get("error") == CHECK_CRASHED


@dataclass(frozen=True)
class CheckContext:
    """Everything a check or judge may look at for one reply."""

    case: Case
    reply: str
    candidate: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The accounting of the call that produced the reply (latency, tokens, cost, cache hits), as its record
    # holds it: no calls for a recorded or replayed reply; None where a context is built outside a run.
    responder: CallStats | None = None
    # The system prompt a model candidate's template rendered for the case (None for recorded replies): what a
    # judge criterion with use_prompt reads.
    system_prompt: str | None = None


class Check(Protocol):
    name: str
    version: str
    description: str

    def run(self, ctx: CheckContext) -> CheckResult: ...


_REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check instance to the registry (usable as a class decorator on an instance factory)."""
    if check.name in _REGISTRY:
        raise ValueError(f"check {check.name!r} is registered twice")
    _REGISTRY[check.name] = check
    return check


def span(reply: str, start: int, end: int) -> Span:
    """The span of ``reply`` from ``start`` to ``end``."""
    return Span(start=start, end=end, text=reply[start:end])


def registry() -> dict[str, Check]:
    """All registered checks by name (importing the built-in check modules first)."""
    import harness.checks.builtin  # noqa: F401  (registers the built-in checks)

    return dict(_REGISTRY)


CheckFactory = Callable[[], Check]
