"""``regex`` / ``not_regex`` checks of the eval file (:mod:`harness.checks.custom`): the pattern, with any case
field it names filled in per case, run by the ``regex`` package under a time limit per reply."""

from __future__ import annotations

import functools
from typing import Any, Callable

from harness.checks import custom_refs
from harness.checks.base import CheckContext
from harness.checks import custom  # PATTERN_TIMEOUT_S is read there at each call: tests lower it
from harness.checks.custom import _EVIDENCE_KEPT, CustomCheckSpec, Outcome, _case_note


def pattern_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    import regex

    flags = regex.IGNORECASE if spec.ignore_case else 0
    written = str(spec.value)
    parts = custom_refs.parse(written, pattern=True) if custom_refs.has_references(written) else None
    if parts is not None and custom_refs.is_templated(parts):
        compiled = functools.lru_cache(maxsize=256)(lambda text: regex.compile(text, flags))

        def pattern_of(ctx: CheckContext) -> Any:  # the case's values, escaped: they match literally
            return compiled(custom_refs.fill(parts, ctx.case, regex.escape))
    else:
        fixed = regex.compile(written, flags)

        def pattern_of(ctx: CheckContext) -> Any:
            return fixed
    wanted = spec.type == "regex"

    def decide(ctx: CheckContext) -> Outcome:
        pattern = pattern_of(ctx)
        try:
            spans = [m.span() for m in pattern.finditer(ctx.reply, timeout=custom.PATTERN_TIMEOUT_S) if m.end() > m.start()]
        except TimeoutError:
            # Recorded as a crashed check on this case (harness.runner.evaluate.run_checks); the run goes on.
            raise TimeoutError(f"the pattern ran over {custom.PATTERN_TIMEOUT_S:g} s on this reply (it backtracks "
                               f"too much: simplify it)") from None
        found = [ctx.reply[s:e] for s, e in spans[:_EVIDENCE_KEPT]]
        shown = f"/{pattern.pattern}/"  # named: a check's name (regex_d) does not say what was looked for
        detail = f"{len(spans)} match(es) of {shown}" if spans else f"no match for {shown}{_case_note(spec)}"
        return (bool(spans) if wanted else not spans), spans, detail, {"found": found}

    return decide
