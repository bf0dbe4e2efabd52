"""Checks written in the eval file: phrases, patterns, lengths, or a Python function.

An eval file's ``checks`` list may hold, beside built-in check names, checks of
its own::

    checks:
      - all
      - {name: no_competitors, type: not_contains, value: [Globex, Initech]}
      - {name: cites_order, type: regex, value: '#\\d{5}', applies_when: always}
      - {name: short_enough, type: max_length, value: 600}
      - {name: signed_off, type: python, value: evals/checks/house.py:signed_off}
      - {name: cites_the_order, type: contains, value: "{{ metadata.order_id }}"}
      - {name: fast_enough, type: max_latency_ms, value: 2000}

Also ``equals``, ``starts_with``, ``min_length``, ``is_json`` (with a JSON Schema or none:
:mod:`harness.checks.custom_json`) and ``max_cost_usd``. A phrase or pattern may name a field of the case
(:mod:`harness.checks.custom_refs`); latency and cost read the responder call's accounting
(:mod:`harness.checks.custom_calls`).

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
import typing
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from harness.config.promptfoo_words import check_type_problem
from harness.config.yamlfile import did_you_mean
from harness.checks import custom_refs
from harness.checks.base import CheckContext, CheckResult
from harness.checks.custom_json import _check_schema, _json_decider
from harness.checks.custom_refs import Unfilled
from harness.checks.results import result, span
from harness.datasets.conditions import AppliesWhen, applies
from harness.hashing import hash_value

CustomType = Literal["contains", "contains_all", "not_contains", "not_contains_all", "equals", "not_equals",
                     "starts_with", "not_starts_with", "regex", "not_regex", "max_length", "min_length", "is_json",
                     "not_is_json", "max_latency_ms", "max_cost_usd", "python", "rouge_l", "levenshtein", "bleu",
                     "similar"]
_PHRASE_TYPES = ("contains", "contains_all", "not_contains", "not_contains_all")
# the reply is / starts with one of the phrases (or, negated, is not / does not)
_WHOLE_TYPES = ("equals", "starts_with", "not_equals", "not_starts_with")
_JSON_TYPES = ("is_json", "not_is_json")
_PATTERN_TYPES = ("regex", "not_regex")
_LENGTH_TYPES = ("max_length", "min_length")
_CALL_TYPES = ("max_latency_ms", "max_cost_usd")  # read the responder call's accounting, not the reply
_REFERENCE_TYPES = ("rouge_l", "levenshtein", "bleu", "similar")  # compare with a reference (checks.reference)
_EVIDENCE_KEPT = 20  # spans per result at most: the evidence shows where, not every occurrence
PATTERN_TIMEOUT_S = 1.0  # per reply: a pattern that backtracks for ever fails this case, not the run
# The python checks' limits (harness.checks.custom_python reads them from here when used):
PYTHON_TIMEOUT_S = 10.0  # per reply, for a python check without `timeout_s`: then a crash on that case
_STUCK_KEPT = 4  # a check's calls still running past their limit: beyond this many, later cases are not run
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")  # a check's name, as `name`'s pattern (in the schema) says
_FUNCTION = re.compile(r"^(?P<file>.+\.py):(?P<function>[A-Za-z_][A-Za-z0-9_]*)$")

Outcome = tuple[bool | None, list[tuple[int, int]], str, dict[str, Any]]


class CustomCheckSpec(BaseModel):
    """One check written in the eval file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    type: CustomType = Field(description="contains: any of the values appears; contains_all: every value does; "
                                         "not_contains: none does; not_contains_all: not every one does; equals / "
                                         "starts_with: the reply is / starts with one of the values (not_equals / "
                                         "not_starts_with: none of them); regex / not_regex: the pattern is found / "
                                         "not found; max_length / min_length: the reply's length in characters; "
                                         "is_json: the reply parses as JSON (and fits the JSON Schema in `value`, if "
                                         "given); not_is_json: it does not parse as JSON; "
                                         "max_latency_ms / max_cost_usd: the responder call took / cost at most "
                                         "`value`; python: `file.py:function`, called with the check context; "
                                         "rouge_l / levenshtein / bleu / similar: how close the reply is to the "
                                         "case's reference_reply (or to `value`)")
    value: str | list[str] | int | float | dict[str, Any] | None = Field(
        None, validate_default=True,
        description="The phrase(s), pattern, length, JSON Schema, milliseconds, US dollars or `file.py:function`. "
                    "Phrases and patterns may hold `{{ metadata.<key> }}` (or another case field): the case's "
                    "value, filled in per case.")
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
    min: float | None = Field(None, ge=0, le=1, description="rouge_l, bleu, similar, levenshtein: the lowest score "
                                                            "(0 to 1) that passes (defaults: rouge_l 0.75, bleu 0.5, "
                                                            "similar 0.8).")
    max_distance: int | None = Field(None, ge=0, description="levenshtein: the most character edits that pass "
                                                             "(promptfoo's threshold; default 5 when `min` is unset).")

    @field_validator("type", mode="before")
    @classmethod
    def _type_known(cls, value: Any) -> Any:
        # promptfoo's spellings and types answered with the harness's (never with the opposite check);
        # anything else is left to the Literal, whose message lists the types.
        if isinstance(value, str) and value not in typing.get_args(CustomType):
            problem = check_type_problem(value, typing.get_args(CustomType))
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _name_characters(cls, value: Any) -> Any:
        # Before the pattern: pydantic's own message shows the regex, not which characters are allowed.
        if isinstance(value, str) and value and not _NAME.match(value):
            raise ValueError(f"{value!r}: a check name may hold only letters A-Z and a-z, digits, _, . and - "
                             f"(no spaces)")
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _value_fits_type(cls, value: Any, info: ValidationInfo) -> Any:
        # A field validator (not a model one), so an error names `value` and its line; run before the union
        # of value shapes is parsed, so the error is this type's, not pydantic's tries at each shape. `type`
        # is declared first: when it is missing or wrong, that is the error, and this one waits.
        if isinstance(value, bool):  # YAML's yes/no: a bool is an int to pydantic, never meant here
            raise ValueError("must be a phrase, a list of phrases, a pattern, a number, a JSON Schema or "
                             "file.py:function")
        kind = info.data.get("type")
        if kind is None:
            return value
        if kind in _PHRASE_TYPES or kind in _WHOLE_TYPES:
            phrases = [value] if isinstance(value, str) else value
            if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p for p in phrases):
                raise ValueError(f"type {kind} needs `value`: a phrase or a list of non-empty phrases")
            for phrase in phrases:
                if custom_refs.has_references(phrase):
                    custom_refs.parse(phrase)
        elif kind in _PATTERN_TYPES:
            if not isinstance(value, str) or not value:
                raise ValueError(f"type {kind} needs `value`: a regular expression")
            import regex  # the `regex` package (8 ms to import): only where a file has a pattern

            written = custom_refs.placeholder(custom_refs.parse(value, pattern=True)) if (
                custom_refs.has_references(value)) else value
            try:
                regex.compile(written)
            except regex.error as exc:
                raise ValueError(f"`value` is not a valid regular expression: {exc}") from None
        elif kind in _LENGTH_TYPES:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, str) and value.strip().isdigit():  # quoted in YAML: text, not missing
                raise ValueError(f"type {kind} needs a whole number, and `value` is the text \"{value}\": write "
                                 f"value: {value.strip()} (without quotes)")
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"type {kind} needs `value`: a whole number of characters, 0 or more")
        elif kind in _CALL_TYPES:
            from harness.checks.custom_calls import check_limit

            check_limit(kind, value)
        elif kind in _REFERENCE_TYPES:
            from harness.checks.reference import check_value

            check_value(kind, value)
        elif kind == "is_json":
            if value is not None:
                _check_schema(value)
        elif kind == "not_is_json":
            if value is not None:
                raise ValueError("type not_is_json takes no `value` (it passes when the reply is not JSON)")
        elif not isinstance(value, str) or not _FUNCTION.match(value):
            raise ValueError("type python needs `value`: file.py:function (e.g. evals/checks/house.py:signed_off)")
        return value

    @field_validator("timeout_s", "threshold", mode="wrap")
    @classmethod
    def _python_only(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        # Around the 0-1 range check: `type: latency, threshold: 500` (promptfoo's) is answered by its type alone.
        if value is None:
            return handler(value)
        if "type" not in info.data:  # the type was refused (or missing): that error says what to write
            return None
        kind = info.data["type"]
        if kind in _CALL_TYPES and info.field_name == "threshold":
            raise ValueError(f"a {kind} check's limit is its value: (where promptfoo has threshold:)")
        if kind in _REFERENCE_TYPES and info.field_name == "threshold":
            raise ValueError("write " + ("max_distance: (the most edits) or min: (a similarity from 0 to 1)" if
                                         kind == "levenshtein" else "min:") + f" for a {kind} check's threshold")
        if kind != "python":
            raise ValueError(f"applies to python checks only, not to type {kind}")
        return handler(value)

    @field_validator("min", "max_distance", mode="wrap")
    @classmethod
    def _reference_only(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if value is None or "type" not in info.data:  # unset, or the type was refused: that error says it
            return handler(value) if value is None else None
        from harness.checks.reference import check_limits

        return handler(check_limits(info.data["type"], info.field_name, value))

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
        # timeout_s decides no verdict, and an unset threshold (min, max_distance) is no change: none moves the version
        left_out = {"timeout_s"} | {name for name in ("threshold", "min", "max_distance") if getattr(spec, name) is None}
        hashed = spec.model_dump(mode="json", exclude=left_out)
        self.version = "custom-" + hash_value({"spec": hashed, "source": source})[:12]
        self._decide = decide

    def run(self, ctx: CheckContext) -> CheckResult:
        if not applies(self.spec.applies_when, ctx.case):
            return result(None, detail=f"does not apply: {self.spec.applies_when} is false for this case")
        try:
            outcome = self._decide(ctx)
        except Unfilled as missing:  # a `{{ field }}` of the value that this case has no value for
            return result(None, detail=f"does not apply: {missing}")
        return self._finish(ctx, outcome)

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
    if spec.type in (*_LENGTH_TYPES, *_CALL_TYPES, *_REFERENCE_TYPES, "python"):
        return f"{spec.type} {spec.value}"
    if spec.type in _JSON_TYPES:
        return spec.type if spec.value is None else "is_json, fitting a JSON Schema"
    return f"{spec.type} {', '.join(repr(p) for p in spec.phrases)}"


def _phrases_of(spec: CustomCheckSpec) -> list[str] | Callable[[CheckContext], list[str]]:
    """The check's phrases: as written, or (when they name fields of the case) a function of the context
    filling in the case's values, which raises Unfilled where the case has none."""
    parsed = [custom_refs.parse(phrase) for phrase in spec.phrases]
    if any(custom_refs.is_templated(parts) for parts in parsed):
        return lambda ctx: [custom_refs.fill(parts, ctx.case) for parts in parsed]
    return ["".join(parts) for parts in parsed]  # type: ignore[arg-type]  # literal pieces only


def _phrase_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    flags = re.IGNORECASE if spec.ignore_case else 0
    phrases = _phrases_of(spec)
    fixed = None if callable(phrases) else [(p, re.compile(re.escape(p), flags)) for p in phrases]
    kind = spec.type
    case = _case_note(spec)

    def decide(ctx: CheckContext) -> Outcome:
        patterns = fixed if fixed is not None else [
            (p, re.compile(re.escape(p), flags)) for p in phrases(ctx)]  # type: ignore[operator]
        spans: list[tuple[int, int]] = []
        found, missing = [], []
        for phrase, pattern in patterns:
            hits = [m.span() for m in pattern.finditer(ctx.reply)]
            (found if hits else missing).append(phrase)
            spans += hits
        spans.sort()
        if kind == "contains":
            passed = bool(found)
            detail = f"found {_listed(found)}" if found else f"none of {_listed(missing)} found{case}"
        elif kind in ("contains_all", "not_contains_all"):
            passed = not missing if kind == "contains_all" else bool(missing)
            detail = f"missing {_listed(missing)}{case}" if missing else f"all {len(found)} found"
            # the phrases found are not why it failed (the missing ones, in the detail, are): nothing to quote
            spans = [] if kind == "contains_all" and not passed else spans
        else:
            passed = not found
            detail = f"found {_listed(found)}" if found else f"none of {_listed(missing)} found{case}"
        return passed, spans, detail, {"found": found, "missing": missing}

    return decide


def _whole_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    """equals / starts_with: the reply (surrounding whitespace aside) is / starts with one of the phrases."""
    flags = re.IGNORECASE if spec.ignore_case else 0
    written = _phrases_of(spec)
    starts = spec.type.endswith("starts_with")
    wanted = not spec.type.startswith("not_")
    verb, negated = ("starts with", "does not start with") if starts else ("is", "is not")

    def decide(ctx: CheckContext) -> Outcome:
        reply = ctx.reply
        offset = len(reply) - len(reply.lstrip())
        text = reply[offset:] if starts else reply.strip()
        phrases = written(ctx) if callable(written) else written
        for phrase in phrases:
            pattern = re.escape(phrase)
            m = re.match(pattern, text, flags) if starts else re.fullmatch(pattern, text, flags)
            if m is not None:
                return wanted, [(offset + m.start(), offset + m.end())], f"{verb} {phrase!r}", {"matched": phrase}
        return not wanted, [], f"{negated} {_listed(phrases)}{_case_note(spec)}", {"matched": None}

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
        from harness.checks.custom_patterns import pattern_decider

        return CustomCheck(spec, pattern_decider(spec))
    if spec.type in _LENGTH_TYPES:
        return CustomCheck(spec, _length_decider(spec))
    if spec.type in _WHOLE_TYPES:
        return CustomCheck(spec, _whole_decider(spec))
    if spec.type in _JSON_TYPES:
        return CustomCheck(spec, _json_decider(spec))
    if spec.type in _REFERENCE_TYPES:
        from harness.checks.reference import ReferenceCheck, describe

        probe = CustomCheck(spec, lambda ctx: (None, [], "", {}))  # its version and description, as any check's
        return ReferenceCheck(spec, probe.version, spec.description or describe(spec))  # type: ignore[return-value]
    if spec.type in _CALL_TYPES:
        from harness.checks.custom_calls import call_decider

        return CustomCheck(spec, call_decider(spec.type, spec.value))  # type: ignore[arg-type]
    from harness.checks.custom_python import PythonCheck, load_module

    file, name = spec.function_ref
    path = resolve(file)
    if path is None:
        raise ValueError(f"python file not found: {file}")
    source, module = load_module(path)
    function = getattr(module, name, None)
    if not callable(function):
        functions = [key for key, held in vars(module).items() if callable(held) and not key.startswith("_")]
        raise ValueError(f"{file} has no function {name}{did_you_mean(name, functions)}")
    return PythonCheck(spec, function, f"{file}:{name}", source)


def _case_note(spec: CustomCheckSpec) -> str:  # beside a miss: "Sorry" was in the reply, "sorry" looked for
    return "" if spec.ignore_case else " (case-sensitive)"


def _listed(phrases: list[str]) -> str:
    return ", ".join(repr(p) for p in phrases)
