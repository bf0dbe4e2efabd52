"""YAML loading that remembers where every value came from.

Pydantic reports an error at a path such as ``("candidates", 1, "modle")``;
:func:`validate_yaml` turns it into ``file:line: candidates[1].modle: problem``
by walking the YAML node tree to the line of that path.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import SeveralErrors, UserError

M = TypeVar("M", bound=BaseModel)
# Deepest nesting a YAML file (and a dataset row's free-form values, harness.datasets.loader) may have:
# no harness file needs more than a handful of levels, and past ~250 the manifest or cases.jsonl could
# not be written.
MAX_NESTING = 100
# Most values (keys, items, scalars) a YAML file may stand for once its aliases are expanded. An eval
# file holds tens to hundreds; a few aliases nested a few levels deep ("billion laughs") stand for
# millions, which the manifest would write out in full.
MAX_VALUES = 100_000


class _CountingLoader(yaml.SafeLoader):
    """A SafeLoader that counts, as it composes, the values the document stands for with every alias
    expanded, and stops at the alias (or value) that takes it past :data:`MAX_VALUES`.

    Counting here, not in the node tree afterwards, is what names the alias: the tree holds the
    anchored node itself where an alias was, and the alias's own line is lost.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.expanded = 0
        self._anchor_sizes: dict[str, int] = {}

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            # An alias inside its own anchor (a recursive structure) is not expanded; it counts once.
            self._add(self._anchor_sizes.get(event.anchor, 1), event, f"alias *{event.anchor}")
            return node
        before = self.expanded
        node = super().compose_node(parent, index)
        self._add(1, event, "this value")
        if event.anchor is not None:
            self._anchor_sizes[event.anchor] = self.expanded - before
        return node

    def _add(self, count: int, event: yaml.Event, what: str) -> None:
        self.expanded += count
        if self.expanded > MAX_VALUES:
            raise yaml.composer.ComposerError(
                None, None, f"{what} takes the file past {MAX_VALUES:,} values with its aliases expanded",
                event.start_mark)


def read_text(path: Path, error: type[UserError]) -> str:
    """The file's text, or a one-line error if it is missing, binary or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise error("is a directory, expected a file", file=str(path)) from None
    if b"\x00" in data:
        raise error("binary file, expected UTF-8 text", file=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"not UTF-8 text (byte {exc.start})", file=str(path), line=line) from None


def load_yaml(path: Path, error: type[UserError]) -> tuple[Any, yaml.Node | None]:
    """Parse ``path``; return the plain data and its node tree (for line numbers)."""
    text = read_text(path, error)
    # One parse where it can be: yaml.safe_load composes this same node tree and constructs the
    # data from it. Constructing rewrites the mappings that hold merge (``<<``) or value (``=``)
    # keys, which would move line numbers, so a tree with such keys is kept and the text parsed again.
    # Composing counts the values the aliases expand to, so a "billion laughs" file stops there.
    loader = _CountingLoader(text)
    try:
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            data = None
        elif _rewritten_by_construction(node):
            data = yaml.safe_load(text)
        else:
            data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"invalid YAML: {problem}", file=str(path), line=line) from None
    except RecursionError:  # the parser recurses once per level of nesting
        raise error(f"invalid YAML: nested over {MAX_NESTING} levels deep", file=str(path)) from None
    if node is not None:
        _refuse_unusable(node, path, error)
    bad = _lone_surrogate_scalar(node) if node is not None and "\\u" in text.lower() else None
    if bad is not None:
        # A double-quoted "\\ud83e" (half a surrogate pair) is no valid text: refused here, with its
        # line, rather than failing when a manifest, prompt or cache key is written.
        raise error("text holds a lone surrogate escape (half of a \\uXXXX pair), not valid Unicode",
                    file=str(path), line=bad.start_mark.line + 1)
    return data, node


def _refuse_unusable(root: yaml.Node, path: Path, error: type[UserError]) -> None:
    """Refuse, with its line, what parses but would be silently wrong or fail later.

    A key given twice keeps only its last value (PyYAML says nothing), so ``checks: none`` below
    ``checks: all`` would win unseen. A ``!!binary`` value becomes bytes, and bytes that are not
    UTF-8 fail the manifest, which keeps the eval spec as JSON; so does nesting past ~250 levels.
    """
    stack = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise error(f"nested over {MAX_NESTING} levels deep", file=str(path), line=node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag == "tag:yaml.org,2002:binary":
            raise error("binary values (!!binary) are not supported; write text", file=str(path),
                        line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(node, path, error)
            stack += [(child, depth + 1) for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(child, depth + 1) for child in node.value]


def _refuse_duplicate_keys(node: yaml.MappingNode, path: Path, error: type[UserError]) -> None:
    first: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in _REWRITTEN_KEY_TAGS:
            continue
        line = key_node.start_mark.line + 1
        key = (key_node.tag, key_node.value)
        if key in first:
            raise error(f"duplicate key {key_node.value!r} (first on line {first[key]}; only one can count)",
                        file=str(path), line=line)
        first[key] = line


def _lone_surrogate_scalar(root: yaml.Node) -> yaml.Node | None:
    """The first scalar (key or value) of the tree that UTF-8 cannot encode, or None."""
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode):
            try:
                node.value.encode("utf-8")
            except UnicodeEncodeError:
                return node
    return None


_REWRITTEN_KEY_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _rewritten_by_construction(root: yaml.Node) -> bool:
    """Whether a mapping in the tree has a merge or value key (SafeConstructor.flatten_mapping edits those)."""
    return any(isinstance(node, yaml.MappingNode) and any(key.tag in _REWRITTEN_KEY_TAGS for key, _ in node.value)
               for node in _nodes(root))


def _nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node of the tree once (an alias shares its anchor's node), in document order, keys before values."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                stack += (value_node, key_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at ``loc`` (or of its deepest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        child = _child(node, key)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def has_key(node: yaml.Node | None, loc: tuple[Any, ...], key: str) -> bool:
    """Whether the mapping at ``loc`` in the tree holds ``key``."""
    for step in loc:
        node = _child(node, step)
        if node is None:
            return False
    return isinstance(node, yaml.MappingNode) and any(k.value == key for k, _ in node.value)


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return key_node if value_node is None else value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def format_loc(loc: tuple[Any, ...]) -> str:
    """``("candidates", 1, "model")`` -> ``candidates[1].model``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


_NO_DATA = object()
# Errors of one file listed at once (``harness validate``, a run's refusal); past this many, a count of the rest.
MAX_REPORTED = 20

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
    kind: Any = model
    for key, tag in steps:
        kind = _step_into(kind, key, tag)
        if kind is None:
            return []
    kind = _step_into(kind, None, False) if _is_union(kind) else _unwrapped(kind)  # `X | None`: X
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [field.alias or name for name, field in kind.model_fields.items()]
    return []


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


def validate_yaml(model: type[M], data: Any, node: yaml.Node | None, path: Path,
                  error: type[UserError], context: dict[str, Any] | None = None, *,
                  at: tuple[Any, ...] = (), remap: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None) -> M:
    """Validate ``data`` as ``model``; on failure raise ``error`` naming file, line and field: for several
    mistakes, a :class:`~harness.errors.SeveralErrors` (also an ``error``) holding each, in line order.

    A validator's own message is the problem as it wrote it, without pydantic's "Value error, " in
    front (as the dataset loader words row errors). ``at`` is where ``data`` sits in the file (a
    part of it validated on its own); ``remap`` turns an error's location in ``data`` into one in
    the file, where ``data`` was rewritten from it (an eval file's candidate matrix expanded).
    """
    if data is None:
        raise error("file is empty", file=str(path), line=1)
    if not isinstance(data, dict):
        raise error("expected a mapping of fields at the top level", file=str(path), line=1)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        errors = [_located(error, node, path, at + (remap(loc) if remap else loc), message)
                  for loc, message, _ in all_errors(exc, data, model)]
    raise all_at_once(error, errors)


def _located(error: type[UserError], node: yaml.Node | None, path: Path, loc: tuple[Any, ...],
             message: str) -> UserError:
    return error(message.removeprefix("Value error, "), file=str(path), line=line_of(node, loc),
                 field=format_loc(loc) or None)


def all_at_once(error: type[UserError], errors: list[UserError]) -> UserError:
    """The one error, or all of them in line order (at most :data:`MAX_REPORTED`, with a count of the rest)
    as one ``error``, to raise."""
    errors = sorted(errors, key=lambda e: e.line or 0)
    if len(errors) == 1:
        return errors[0]
    return SeveralErrors.of(error)(errors[:MAX_REPORTED], more=max(0, len(errors) - MAX_REPORTED))


def did_you_mean(name: str, known: Iterable[str], show: Callable[[str], str] = str) -> str:
    """``"; did you mean x?"`` for the name of ``known`` closest to a mistyped ``name`` (a different letter
    case first), shown as ``show`` writes it, else ``""``: the end of a message about a name that is not there."""
    known = [str(k) for k in known]
    same = [k for k in known if k.lower() == name.lower() and k != name]
    close = same[:1] or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {show(close[0])}?" if close else ""
