"""YAML loading that remembers where every value came from.

Pydantic reports an error at a path such as ``("candidates", 1, "modle")``;
:func:`validate_yaml` turns it into ``file:line: candidates[1].modle: problem``
by walking the YAML node tree to the line of that path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

# The plain-words errors and did-you-mean live in validation_errors; imported here for validate_yaml
# and kept importable from here, where most of the harness takes them from.
from harness.config.validation_errors import all_errors, did_you_mean, first_error  # noqa: F401
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


# Errors of one file listed at once (``harness validate``, a run's refusal); past this many, a count of the rest.
MAX_REPORTED = 20


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
