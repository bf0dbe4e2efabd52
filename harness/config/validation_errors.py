"""Pydantic's validation errors in plain words: every mistake in a file, once each, and did-you-mean.

Pydantic reports a value that fits no member of a union once per member, under member tags that are
not in the data, and a misspelt key as an unknown field beside a "missing" real one; :func:`all_errors`
keeps the mistakes a user made and words them plainly. Kept apart from :mod:`harness.config.yamlfile`,
which puts these errors at a file's lines; they need no YAML, so the dataset loader and gates use them too.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Callable, Iterable

from pydantic import BaseModel, ValidationError

from harness.config.promptfoo_words import unknown_key_hint


_NO_DATA = object()

Located = tuple[tuple[Any, ...], str]  # an error's place in the data (a field path) and its message


def first_error(exc: ValidationError, data: Any = _NO_DATA, model: type[BaseModel] | None = None) -> Located:
    """The location and message of the first pydantic error, in plain words (see :func:`all_errors`)."""
    if data is not _NO_DATA:
        found = all_errors(exc, data, model)
        return next(((loc, message) for loc, message, kind in found if kind == "extra_forbidden"), found[0][:2])
    errors = exc.errors()
    # A misspelt key also makes the real key "missing"; the typo is the error worth naming.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    return _plain_loc(err), _plain_message(err, err["msg"])


def all_errors(exc: ValidationError, data: Any, model: type[BaseModel] | None = None) -> list[tuple[tuple, str, str]]:
    """Every mistake pydantic found in ``data``, once each, in plain words: ``(location, message, error type)``.

    A value that fits no member of a union (``checks: {a: 1}``) is named by its own field, ``checks``,
    not by pydantic's member tag (``checks.literal['all','none']``), with what each member wanted; one
    that got further into a member (``checks: [1]``) by that member's deeper errors (``checks[0]``), and
    only that member's: the other members' complaints about the same value are not mistakes of their own.
    ``model`` (the validated model) names, for an unknown field, the closest field it has.
    """
    steps = [(_steps(err, data), err) for err in exc.errors()]
    picked = _pick(steps, 0)
    typos = {(loc[:-1], _suggested_field(model, raw)) for raw, loc, _, err in picked if err["type"] == "extra_forbidden"}
    # A misspelt key also makes the real key "missing"; the typo is the error worth naming.
    return [(loc, _plain_message(err, message, model, raw), err["type"]) for raw, loc, message, err in picked
            if not (err["type"] == "missing" and (loc[:-1], loc[-1]) in typos)]


def _steps(err: dict, data: Any) -> tuple[tuple[Any, bool], ...]:
    """The error's location, each step with whether it is a union member tag pydantic put there.

    A tag is a step that is not in the data: the value at that point has no such key or index. The last
    step of a "missing" error is not in the data either, and is a field.
    """
    loc, value, steps = _plain_loc(err), data, []
    for index, key in enumerate(loc):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        elif isinstance(key, str) and not (err["type"] == "missing" and index == len(loc) - 1):
            steps.append((key, True))
            continue
        steps.append((key, False))
    return tuple(steps)


def _fields_of(steps: tuple[tuple[Any, bool], ...]) -> tuple[Any, ...]:
    return tuple(key for key, tag in steps if not tag)


_Picked = tuple[tuple, tuple, str, dict]  # the error's steps, its location, its message, pydantic's error


def _pick(items: list[tuple[tuple, dict]], depth: int) -> list[_Picked]:
    """The errors worth naming among ``items``, which share their first ``depth`` steps."""
    out = [(steps, _fields_of(steps), err["msg"], err) for steps, err in items if len(steps) == depth]
    deeper = [(steps, err) for steps, err in items if len(steps) > depth]
    tagged = [(steps, err) for steps, err in deeper if steps[depth][1]]
    if tagged:
        out += _pick_member(tagged, depth)
    keyed = [(steps, err) for steps, err in deeper if not steps[depth][1]]
    for key in dict.fromkeys(steps[depth][0] for steps, _ in keyed):
        out += _pick([(steps, err) for steps, err in keyed if steps[depth][0] == key], depth + 1)
    return out


def _pick_member(tagged: list[tuple[tuple, dict]], depth: int) -> list[_Picked]:
    """At a union (the ``depth``-th steps are member tags): the errors of the member the value got furthest
    into (where a member only refused the value's type, the one that took it in and found it wrong), or,
    when none got in, one error at the union naming what each member wanted."""
    here = tagged[0][0][:depth]
    reached = {}  # member tag -> how deep into the data its errors got
    for steps, _ in tagged:
        member = steps[depth][0]
        reached[member] = max(reached.get(member, 0), len(_fields_of(steps)))
    deepest = max(reached.values())
    if len(reached) == 1:  # one member was tried (a discriminated union): its errors, as they are
        return _pick(tagged, depth + 1)
    if deepest == len(_fields_of(here)):
        return [(here, _fields_of(here), _wanted(err for _, err in tagged), tagged[0][1])]
    furthest = [member for member, got in reached.items() if got == deepest]
    chosen = next((member for member in furthest if any(
        steps[depth][0] == member and len(_fields_of(steps)) == deepest and not _type_mismatch(err)
        for steps, err in tagged)), furthest[0])
    return _pick([(steps, err) for steps, err in tagged if steps[depth][0] == chosen], depth + 1)


def _plain_message(err: dict, message: str, model: type[BaseModel] | None = None, steps: tuple = ()) -> str:
    """``message`` (pydantic's, or what the union wanted) in plain words for the commonest kinds of error."""
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(steps[-1][0]) if steps else ""
        foreign = unknown_key_hint(_promptfoo_place(_model_at(model, steps[:-1])), key)
        if foreign:  # promptfoo's word for something: what does its job here, not the nearest spelling
            return f"unknown field: {foreign}"
        known = _fields_at(model, steps[:-1])
        hint = did_you_mean(key, known) if key else ""
        if not hint and known:
            hint = f"; the fields here are {', '.join(known)}"
        return "unknown field (check the spelling)" + hint
    if kind == "missing":
        return "required field is missing"
    if kind == "bool_parsing":  # the value is shown: " true" (a CSV cell's space) reads like true
        return f"{_shown(err['input'])} is not true or false (write true/false, yes/no or 1/0, with no spaces)"
    if kind == "literal_error" and isinstance(err.get("input"), str) and message == err["msg"]:
        allowed = re.findall(r"'((?:[^'\\]|\\.)*)'", err.get("ctx", {}).get("expected", ""))
        return f"{message}, not {_shown(err['input'])}{did_you_mean(err['input'], allowed, repr)}"
    return message


def _shown(value: Any) -> str:
    text = str(value)
    return repr(value) if len(text) <= 40 else repr(text[:40]) + "…"


def _suggested_field(model: type[BaseModel] | None, steps: tuple) -> str | None:
    """The field an unknown key at ``steps`` was most likely meant to be (its did-you-mean), or None."""
    known = _fields_at(model, steps[:-1]) if steps else []
    close = difflib.get_close_matches(str(steps[-1][0]), known, n=1, cutoff=0.6) if steps else []
    return close[0] if close else None


def _fields_at(model: type[BaseModel] | None, steps: tuple) -> list[str]:
    """The field names of the model that ``steps`` lead to inside ``model`` ([] where they lead elsewhere)."""
    kind = _model_at(model, steps)
    return [field.alias or name for name, field in kind.model_fields.items()] if kind else []


def _model_at(model: type[BaseModel] | None, steps: tuple) -> type[BaseModel] | None:
    """The model that ``steps`` lead to inside ``model`` (None where they lead elsewhere)."""
    kind: Any = model
    for key, tag in steps:
        kind = _step_into(kind, key, tag)
        if kind is None:
            return None
    kind = _step_into(kind, None, False) if _is_union(kind) else _unwrapped(kind)  # `X | None`: X
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _promptfoo_place(model: type[BaseModel] | None) -> str:
    """Which of promptfoo's tables an unknown key of ``model`` is looked up in ("": none)."""
    name = getattr(model, "__name__", "")
    return {"EvalSpec": "eval", "CustomCheckSpec": "check", "Criterion": "criterion", "CandidateSpec": "candidate",
            "MatrixCandidateSpec": "candidate"}.get(name, "")


def _step_into(kind: Any, key: Any, tag: bool) -> Any:
    """The type one step (a field, an index, a key or a union member's tag) inside ``kind``, or None."""
    kind = _unwrapped(kind)
    origin = typing.get_origin(kind)
    if _is_union(kind):
        members = [m for m in typing.get_args(kind) if m is not type(None)]
        if not tag:  # `X | None` has no member tags: the step is into X
            return _step_into(members[0], key, tag) if len(members) == 1 and key is not None else (
                members[0] if len(members) == 1 else None)
        return next((m for m in members if _tag_of(m) == key), None) or next(
            (m for m in members if _kind_name(m) == str(key).split("[")[0]), None)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(key) or next((f for f in kind.model_fields.values() if f.alias == key), None)
        return field.annotation if field is not None else None
    if origin in (list, tuple, set) and isinstance(key, int):
        return typing.get_args(kind)[0]
    if origin is dict:
        return typing.get_args(kind)[1]
    return None


def _is_union(kind: Any) -> bool:
    return typing.get_origin(_unwrapped(kind)) in (typing.Union, types.UnionType)


def _unwrapped(kind: Any) -> Any:
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    return kind


def _tag_of(member: Any) -> str | None:
    """The tag pydantic names a union member by in an error's location: a ``Tag``'s, or a model's name."""
    if typing.get_origin(member) is typing.Annotated:
        tag = next((m.tag for m in member.__metadata__ if hasattr(m, "tag")), None)
        if tag is not None:
            return tag
    member = _unwrapped(member)
    return member.__name__ if isinstance(member, type) and issubclass(member, BaseModel) else None


def _kind_name(member: Any) -> str:
    """How a pydantic tag for a member that is no model starts: ``list`` (``list[union[str,...]]``), ``str``."""
    member = _unwrapped(member)
    return getattr(typing.get_origin(member) or member, "__name__", "")


def _plain_loc(err: dict) -> tuple[Any, ...]:
    return tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith("function-")))


def _type_mismatch(err: dict) -> bool:
    """Whether pydantic refused the value for its type alone (it never looked inside)."""
    return err["type"].endswith("_type") or err["type"] in ("literal_error", "enum")


def _wanted(errors) -> str:
    """One message naming what each member of a union wanted."""
    wanted = [_MODEL_TYPE.sub("a mapping of fields", e["msg"].removeprefix("Input should be ")) for e in errors]
    return "Input should be " + ", or ".join(dict.fromkeys(wanted))


_MODEL_TYPE = re.compile(r"a valid dictionary or instance of \w+")


def did_you_mean(name: str, known: Iterable[str], show: Callable[[str], str] = str) -> str:
    """``"; did you mean x?"`` for the name of ``known`` closest to a mistyped ``name`` (a different letter
    case first), shown as ``show`` writes it, else ``""``: the end of a message about a name that is not there."""
    known = [str(k) for k in known]
    same = [k for k in known if k.lower() == name.lower() and k != name]
    close = same[:1] or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {show(close[0])}?" if close else ""
