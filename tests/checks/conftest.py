"""Helpers for the check tests: build a Case from a few keywords and run a check on it."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from harness.checks.base import CheckContext, CheckResult, registry
from harness.datasets.schema import Case

DEFAULT_COMPLAINT = "My parcel never arrived and nobody answers my emails."


def build_case(complaint: str = DEFAULT_COMPLAINT, *, persona: str | None = None,
               context: dict[str, Any] | None = None, expectations: dict[str, Any] | None = None,
               agent_turns: tuple[str, ...] = (), thread: tuple[str, ...] = ()) -> Case:
    """A one-thread case: optional earlier agent turns, then the complaint. ``thread`` puts earlier
    exchanges before the complaint instead: customer, agent, customer, agent, ... (then the complaint)."""
    turns = [{"role": "agent", "content": t} for t in agent_turns]
    turns += [{"role": "customer" if i % 2 == 0 else "agent", "content": t} for i, t in enumerate(thread)]
    turns.append({"role": "customer", "content": complaint})
    return Case(id="t1", turns=turns, persona=persona, context=context or {}, expectations=expectations or {})


def run_check(name: str, reply: str, case: Case | None = None, **case_kwargs: Any) -> CheckResult:
    """Run the registered check ``name`` on ``reply`` and assert its evidence indexes the reply."""
    check = registry()[name]
    result = check.run(CheckContext(case=case or build_case(**case_kwargs), reply=reply))
    for ev in result.evidence:
        assert reply[ev.start:ev.end] == ev.text, (ev, reply)
    return result


@pytest.fixture
def make_case() -> Callable[..., Case]:
    return build_case


@pytest.fixture
def run() -> Callable[..., CheckResult]:
    return run_check
