"""``{{ field.path }}`` in the value of a declarative check: the case's own value, filled in per case.

    - {name: cites_order, type: contains, value: "{{ metadata.order_id }}"}

A reference names one field of the case: ``id``, ``persona``, ``category``, ``channel``,
``context.<field>`` and ``expectations.<field>`` (the fields of those records), ``metadata.<key>``
(``.<key>`` again for a nested mapping) or ``recorded_replies.<version>``. It is not Jinja: only a
field is named, never an expression, so every reference can be checked when the eval file is read
(a field no case can have is refused there, at its line), a phrase stays literal text, and a value
filled into a pattern matches literally (it is escaped). ``\\{{`` writes a literal ``{{``; in a
pattern the backslash stays, where it already makes the brace literal.

Where a case lacks the field (absent, null, empty text) or holds no text or number there (a list,
a mapping, true/false), :class:`Unfilled` is raised: the check does not apply to that case, and says which field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import UnionType
from typing import Any, Callable, Union, get_args, get_origin

from harness.config.yamlfile import did_you_mean
from harness.datasets.schema import Case, Expectations, PolicyContext, leaf_keys, nested_value

_REFERENCE = re.compile(r"(\\?)\{\{(.*?)\}\}", re.S)
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*$")
_SCALARS = ("id", "persona", "category", "channel")
_RECORDS = {"context": PolicyContext, "expectations": Expectations}
_MAPPINGS = ("metadata", "recorded_replies")
ROOTS = (*_SCALARS, *_RECORDS, *_MAPPINGS)


class Unfilled(Exception):
    """The case has no value for a reference of the check's value: the check does not apply to it."""


@dataclass(frozen=True)
class Reference:
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.path)


Parts = tuple["str | Reference", ...]


def has_references(text: str) -> bool:
    return "{{" in text


def parse(text: str, pattern: bool = False) -> Parts:
    """``text`` as literal pieces and references. Raises ValueError naming a reference no case can fill."""
    parts: list[str | Reference] = []
    at = 0
    for match in _REFERENCE.finditer(text):
        literal = text[at:match.start()]
        at = match.end()
        if match[1]:  # \{{ ... }}: literal text (a pattern keeps the backslash, its own escape of the brace)
            parts.append(literal + (match[0] if pattern else match[0][1:]))
            continue
        parts.append(literal)
        parts.append(_reference(match[2].strip(), match[0]))
    parts.append(text[at:])
    joined: list[str | Reference] = []
    for part in parts:  # adjacent literal pieces as one
        if isinstance(part, str) and joined and isinstance(joined[-1], str):
            joined[-1] += part
        elif part != "":
            joined.append(part)
    return tuple(joined)


def _reference(inner: str, written: str) -> Reference:
    if not _PATH.match(inner):
        raise ValueError(f"{written} is not a case field reference: write {{{{ metadata.<key> }}}} (or another "
                         f"field: {', '.join(ROOTS)}), or \\{written} for the literal text")
    path = tuple(inner.split("."))
    root, rest = path[0], path[1:]
    if root not in ROOTS:
        meant = _meant(path)
        raise ValueError(f"{written}: {root!r} is not a case field{meant} (fields: {', '.join(ROOTS)}"
                         f"{'' if meant else did_you_mean(root, ROOTS)}); write \\{written} for the literal text")
    if root in _SCALARS and rest:
        raise ValueError(f"{written}: {root} is text, with no fields of its own")
    if root in _RECORDS:
        fields = _RECORDS[root].model_fields
        if len(rest) != 1 or rest[0] not in fields:
            raise ValueError(f"{written}: name one field of {root}: {', '.join(fields)}"
                             f"{did_you_mean('.'.join(rest), fields) if rest else ''}")
        kind = _kind_of(fields[rest[0]].annotation)
        if kind:
            usable = [name for name, info in fields.items() if not _kind_of(info.annotation)]
            raise ValueError(f"{written}: {root}.{rest[0]} holds {kind}, never a text or a number, so the check "
                             f"would apply to no case (fields of {root} that can: {', '.join(usable)}; "
                             f"{'applies_when or ' if kind == 'true/false' else ''}a python check can read it)")
    if root in _MAPPINGS and not rest:
        raise ValueError(f"{written}: name a key of {root}: {{{{ {root}.<key> }}}}")
    if root == "recorded_replies" and len(rest) != 1:
        raise ValueError(f"{written}: recorded_replies holds text by version: {{{{ recorded_replies.<version> }}}}")
    return Reference(path)


# A prompt template's own names, which a check's value cannot name: never suggested as a metadata key.
_NOT_METADATA = ("customer_text", "last_customer_text", "turns", "case")


def _meant(path: tuple[str, ...]) -> str:
    """``"; did you mean {{ metadata.order_id }}?"`` for a bare name no root has (a column of one's own is a
    metadata key) or promptfoo's ``vars.<name>``; ``""`` for a name close to a root (did_you_mean says it)."""
    if path[0] == "vars" and len(path) > 1:
        return f"; promptfoo's vars are metadata here: did you mean {{{{ metadata.{'.'.join(path[1:])} }}}}?"
    if len(path) == 1 and path[0] not in _NOT_METADATA and not did_you_mean(path[0], ROOTS):
        return f"; did you mean {{{{ metadata.{path[0]} }}}}?"
    return ""


def _kind_of(annotation: Any) -> str | None:
    """What a field of that type holds when it can hold no text or number (``a list``), else None."""
    kinds = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    if any(kind in (str, int, float) for kind in kinds):
        return None
    if any(get_origin(kind) is list or kind is list for kind in kinds):
        return "a list"
    if any(get_origin(kind) is dict or kind is dict for kind in kinds):
        return "a mapping"
    if bool in kinds:
        return "true/false"
    return "no text or number"


def is_templated(parts: Parts) -> bool:
    return any(isinstance(part, Reference) for part in parts)


def fill(parts: Parts, case: Case, escape: Callable[[str], str] | None = None) -> str:
    """``parts`` with each reference replaced by the case's value (through ``escape``, for a pattern).

    Raises :class:`Unfilled` where the case has no text or number for a reference.
    """
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = _text(lookup(part, case), part)
        pieces.append(escape(value) if escape else value)
    return "".join(pieces)


def references(value: Any) -> list[Reference]:
    """The references in a check's ``value`` (a phrase, a list of them or a pattern), each once, in order;
    none in a value of another shape (a length, a JSON Schema)."""
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    found: list[Reference] = []
    for text in texts:
        if isinstance(text, str) and has_references(text):
            found += [part for part in parse(text) if isinstance(part, Reference) and part not in found]
    return found


def fills(ref: Reference, case: Case) -> bool:
    """Whether ``case`` has a text or a number at ``ref`` (where it does not, a check naming it is n/a)."""
    try:
        _text(lookup(ref, case), ref)
    except Unfilled:
        return False
    return True


MAX_DEPTH = 4  # nested metadata keys named in a did-you-mean: deeper ones are never the typo's neighbour


def filled_names(root: str, cases: list[Case]) -> list[str]:
    """The references under ``root`` (``metadata.order_id``) that some of ``cases`` can fill, sorted: what
    a reference no case fills may have meant."""
    names: set[str] = set()
    for case in cases:
        value = getattr(case, root)
        if root in _RECORDS:
            names.update(f"{root}.{key}" for key, held in value if _fillable(held))
        elif root in _MAPPINGS:
            names.update(f"{root}.{key}" for key in leaf_keys(value, _fillable, MAX_DEPTH))
    return sorted(names)


def _fillable(value: Any) -> bool:
    """Whether a reference to ``value`` fills (:func:`_text`): a number, or a text that is not blank."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
        isinstance(value, str) and bool(value.strip()))


def lookup(ref: Reference, case: Case) -> Any:
    """The case's value at ``ref`` (None where it has none)."""
    root, rest = ref.path[0], ref.path[1:]
    value: Any = getattr(case, root)
    if root in _RECORDS:
        return getattr(value, rest[0])
    return nested_value(value, rest)


def _text(value: Any, ref: Reference) -> str:
    if value is None:
        raise Unfilled(f"the case has no {ref.name}")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        shown = str(value).lower() if isinstance(value, bool) else f"a {type(value).__name__}"
        raise Unfilled(f"the case's {ref.name} is {shown}, not a text or a number")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if not value.strip():
        raise Unfilled(f"the case's {ref.name} is empty")
    return value


def placeholder(parts: Parts) -> str:
    """``parts`` with each reference as a plain word: to check at load time that a pattern compiles."""
    return "".join(part if isinstance(part, str) else "x" for part in parts)
