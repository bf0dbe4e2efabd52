"""Check results built without validating again what the checks built themselves.

A check's result is a pydantic :class:`~harness.checks.base.CheckResult` holding
:class:`~harness.checks.base.Span`\\ s. Validating one costs microseconds, a
sizeable share of running the whole check set on a reply, and the checks only
ever pass values of the declared types. :func:`result` and :func:`span` make the
same objects as the validating constructors (same field values and order, same
``model_fields_set``), the way pydantic's ``model_construct`` does but without
its per-field bookkeeping. A value of any other type goes through the validating
constructor, so nothing skips validation that would have changed it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from harness.checks.base import CheckResult, Span

_MISSING: Any = object()
# The slots every pydantic model instance has, set through their descriptors (what
# ``object.__setattr__`` does, without looking the name up each time).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _built(cls: type, values: dict[str, Any], fields_set: set[str]) -> Any:
    obj = _new(cls)
    _set_dict(obj, values)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def span(reply: str, start: int, end: int) -> Span:
    """The span of ``reply`` from ``start`` to ``end`` (as :func:`harness.checks.base.span`)."""
    if type(start) is not int or type(end) is not int:
        return Span(start=start, end=end, text=reply[start:end])
    obj = _new(Span)  # _built, inlined: a reply's evidence is built here span by span
    _set_dict(obj, {"start": start, "end": end, "text": reply[start:end]})
    _set_fields_set(obj, {"start", "end", "text"})
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def result(passed: bool | None, evidence: list[Span] = _MISSING, detail: str = _MISSING,
           data: dict[str, Any] = _MISSING) -> CheckResult:
    """``CheckResult(passed=..., evidence=..., detail=..., data=...)``, omitted arguments left unset."""
    # What the checks pass: every argument, of the declared types (the same test as below, done at once).
    if (type(evidence) is list and type(detail) is str and type(data) is dict
            and (passed is None or type(passed) is bool)):
        for item in evidence:
            if type(item) is not Span:
                break
        else:
            for key in data:
                if type(key) is not str:
                    break
            else:
                return _built(CheckResult, {"passed": passed, "evidence": list(evidence), "detail": detail,
                                            "data": dict(data)}, {"passed", "evidence", "detail", "data"})
    fields = {"passed"}
    plain = passed is None or type(passed) is bool
    if evidence is _MISSING:
        evidence_value: list[Span] = []
    else:
        fields.add("evidence")
        plain = plain and type(evidence) is list and all(type(item) is Span for item in evidence)
        evidence_value = list(evidence) if plain else evidence
    if detail is _MISSING:
        detail_value = ""
    else:
        fields.add("detail")
        plain = plain and type(detail) is str
        detail_value = detail
    if data is _MISSING:
        data_value: dict[str, Any] = {}
    else:
        fields.add("data")
        plain = plain and type(data) is dict and all(type(key) is str for key in data)
        data_value = dict(data) if plain else data
    if not plain:
        given = {"evidence": evidence, "detail": detail, "data": data}
        return CheckResult(passed=passed, **{k: v for k, v in given.items() if v is not _MISSING})
    return _built(CheckResult, {"passed": passed, "evidence": evidence_value, "detail": detail_value,
                                "data": data_value}, fields)
