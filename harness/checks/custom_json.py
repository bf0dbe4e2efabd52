"""``is_json``: the reply is one JSON value (``not_is_json``: it is not), read strictly, fitting a JSON Schema if the check gives one.

Split out of :mod:`harness.checks.custom`, which validates a check's ``value`` with :func:`_check_schema`
and builds the check with :func:`_json_decider`. ``jsonschema`` is imported only where an eval file has a
schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # custom imports this module: only its types are needed here
    from harness.checks.base import CheckContext
    from harness.checks.custom import CustomCheckSpec, Outcome


def _check_schema(schema: object) -> None:
    """Raise ValueError unless ``schema`` is a JSON Schema (a mapping, valid against its draft's meta-schema)."""
    if not isinstance(schema, dict):
        raise ValueError("type is_json takes no `value`, or a JSON Schema (a mapping, e.g. {type: object, "
                         "required: [order_id]})")
    import jsonschema  # only where an eval file has a schema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "".join(f"[{p!r}]" for p in exc.path)
        raise ValueError(f"`value` is not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")) \
            from None


class _NotJson(ValueError):
    """A form Python's lenient :func:`json.loads` reads that RFC 8259 (and ``JSON.parse``) does not."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value (JSON has no NaN or infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(f"the number {text[:40]} is too large to be a finite number")
    return value


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _NotJson(f"the key {key!r} is given twice in one object")
        out[key] = value
    return out


def strict_json(text: str) -> Any:
    """``text`` parsed as JSON, refusing what Python reads but other parsers do not: ``NaN``,
    ``Infinity``, a number overflowing to infinity (``1e999``) and a key given twice in one object.
    Raises ValueError (the reason in its message)."""
    import json

    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                      object_pairs_hook=_unique_object)


def _json_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    """is_json: the whole reply (surrounding whitespace aside) is one JSON value, fitting the schema if given;
    not_is_json (no schema): it is not."""
    decide = _is_json_decider(spec)
    if spec.type == "is_json":
        return decide

    def negated(ctx: CheckContext) -> Outcome:
        passed, spans, detail, data = decide(ctx)
        return not passed, spans, detail, data

    return negated


def _is_json_decider(spec: CustomCheckSpec) -> Callable[[CheckContext], Outcome]:
    validator = None
    if spec.value is not None:
        import jsonschema

        schema = spec.value
        validator = jsonschema.validators.validator_for(schema)(schema)

    def decide(ctx: CheckContext) -> Outcome:
        try:
            parsed = strict_json(ctx.reply)
        except ValueError as exc:  # JSONDecodeError, a number too long to convert, or _NotJson
            return False, [], f"not JSON: {exc}", {"json": False}
        except RecursionError:
            return False, [], "not JSON: nested too deep to read", {"json": False}
        if validator is None:
            return True, [], "parses as JSON", {"json": True}
        problems = list(validator.iter_errors(parsed))
        if not problems:
            return True, [], "parses as JSON and fits the schema", {"json": True, "schema_errors": []}
        shown = [f"{e.json_path}: {e.message}" for e in problems[:5]]
        return False, [], f"does not fit the schema: {shown[0]}" + (
            f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), {"json": True, "schema_errors": shown}

    return decide
