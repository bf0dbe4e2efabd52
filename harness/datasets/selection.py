"""Which cases of a dataset a run evaluates: by id, by field, or those that failed in an earlier run.

``harness run --cases 'c01*,c042' --where persona=abusive,angry --where channel=twitter --failing RUN``
keeps the cases that match every option given: an id pattern (shell-style, ``*``
and ``?``; a turn case ``<id>@t<k>`` matches by its own id or its thread's), every
``--where`` (a field equal to one of its comma-separated values), and, with
``--failing``, only the cases that failed or errored in that run. ``limit`` then
takes the first N threads of what is kept.

With an eval file's ``perturb``, a pattern selects original cases, each with all its variants; a variant's
own id (``c001~shout``, as a report shows it, or ``c00*~shout``) selects its original with only that kind
of variant: the scorecard pairs a variant with its original, so the original always comes along.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from harness.config.yamlfile import did_you_mean
from harness.datasets.perturb import KINDS, SEPARATOR
from harness.datasets.personas import normalize_persona
from harness.datasets.schema import Case, leaf_keys, nested_value
from harness.datasets.turns import thread_of
from harness.errors import ConfigError

WHERE_FIELDS = ("persona", "category", "channel")
"""Fields ``--where`` reads, besides ``metadata.<key>``."""


@dataclass(frozen=True)
class Where:
    """``field=value[,value...]``: the case's field equals one of the values (as text)."""

    field: str
    values: tuple[str, ...]

    def holds(self, case: Case) -> bool:
        if self.field.startswith("metadata."):
            actual = metadata_value(case, self.field[len("metadata."):])
            return actual is not None and any(_same(actual, v) for v in self.values)
        actual = getattr(case, self.field)
        if self.field == "persona":
            return normalize_persona(actual) in {normalize_persona(v) for v in self.values}
        return actual in self.values


@dataclass(frozen=True)
class CaseSelection:
    """What ``--cases``, ``--where`` and ``--failing`` keep; an empty selection keeps everything."""

    ids: tuple[str, ...] = ()
    where: tuple[Where, ...] = ()
    only: frozenset[str] | None = None  # ids kept by --failing (None: not given)
    only_from: str | None = None  # where ``only`` came from, for the manifest
    only_on: tuple[str, ...] = ()  # --failing-on: the checks and criteria whose failures counted (): all
    # The kinds the eval file perturbs with (set by the run's plan, not an option): ``<id>~<kind>`` in ``ids``
    # then selects that original with only that kind of variant.
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.ids or self.where or self.only is not None)

    def keeps(self, case: Case) -> bool:
        if self.only is not None and case.id not in self.only:
            return False
        if self.ids and not any(self.matches(case.id, pattern) for pattern in self.ids):
            return False
        return all(w.holds(case) for w in self.where)

    def matches(self, case_id: str, pattern: str) -> bool:
        """Whether ``pattern`` selects the original case ``case_id``: by its id, or as one of its variants."""
        if id_matches(case_id, pattern):
            return True
        variant = variant_pattern(pattern, self.kinds)
        return variant is not None and id_matches(case_id, variant[0])

    def keeps_variant(self, original: str, kind: str) -> bool:
        """Whether the ``kind`` variant of the kept original ``original`` runs: every variant of an original
        selected as itself (or with no ``--cases``), only the named kinds of one selected by a variant id."""
        if not self.ids:
            return True
        for pattern in self.ids:
            if id_matches(original, pattern):
                return True
            variant = variant_pattern(pattern, self.kinds)
            if variant is not None and id_matches(original, variant[0]) and kind in variant[1]:
                return True
        return False

    def perturbed_by(self, kinds: list[str] | tuple[str, ...] | None) -> "CaseSelection":
        """This selection in an eval file that perturbs with ``kinds`` (None or empty: none)."""
        return replace(self, kinds=tuple(kinds or ()))

    def describe(self) -> dict[str, Any]:
        """The selection as the manifest records it (empty when nothing is selected)."""
        described: dict[str, Any] = {}
        if self.ids:
            described["cases"] = list(self.ids)
        if self.where:
            described["where"] = [f"{w.field}={_joined(w.values)}" for w in self.where]
        if self.only is not None:
            described["failing_in"] = self.only_from
            if self.only_on:
                described["failing_on"] = list(self.only_on)
        return described


def selection_words(selection: Any) -> str | None:
    """A manifest's ``dataset.selection`` as the options that made it: ``--where persona=abusive --failing RUN``.

    Read from files (a manifest, the history index): a value of the wrong shape is left out, not a crash.
    """
    if not isinstance(selection, dict) or not selection:
        return None
    cases, where, failing = selection.get("cases"), selection.get("where"), selection.get("failing_in")
    words = [f"--cases {','.join(map(str, cases))}"] if isinstance(cases, list) and cases else []
    words += [f"--where {w}" for w in where if isinstance(w, str)] if isinstance(where, list) else []
    if isinstance(failing, str) and failing:
        words.append(f"--failing {failing}")
        on = selection.get("failing_on")
        if isinstance(on, list) and on:
            words.append(f"--failing-on {','.join(map(str, on))}")
    limit = selection.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool):
        words.append(f"--limit {limit}")
    return " ".join(words) or None


# diff.md and the other Markdown outputs put a zero-width space after @ and # so an id cannot @mention anyone
# or link an issue (harness.report.markdown); an id copied from there must still find its case.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def typed_id(text: str) -> str:
    """A case id or pattern as typed or pasted: surrounding space and zero-width characters removed."""
    return text.translate(_ZERO_WIDTH).strip()


def parse_ids(raw: str | None) -> tuple[str, ...]:
    """``--cases a,b*`` as patterns; an empty pattern is an error."""
    if raw is None:
        return ()
    patterns = tuple(typed_id(p) for p in raw.split(","))
    if not all(patterns):
        raise ConfigError("give case ids or patterns separated by commas (e.g. c017,c02*)", field="--cases")
    return patterns


def parse_where(raw: str) -> Where:
    """``persona=abusive,angry`` or ``metadata.source=twitter-2019``."""
    name, sep, values = raw.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise ConfigError(f"expected FIELD=VALUE[,VALUE...], got {raw!r}", field="--where")
    if name not in WHERE_FIELDS and not (name.startswith("metadata.") and len(name) > len("metadata.")):
        raise ConfigError(f"unknown field {name!r} (one of {', '.join(WHERE_FIELDS)}, or metadata.<key>)",
                          field="--where")
    return Where(name, tuple(v.strip() for v in _split_values(values) if v.strip()))


def _split_values(text: str) -> list[str]:
    """``a,b\\,c`` -> ``["a", "b,c"]``: values split at commas, ``\\,`` a comma inside one."""
    return [part.replace("\x00", ",") for part in text.replace("\\,", "\x00").split(",")]


def _joined(values: tuple[str, ...]) -> str:
    """The values as ``--where`` takes them back (commas inside a value escaped)."""
    return ",".join(v.replace(",", "\\,") for v in values)


def select(cases: list[Case], selection: CaseSelection, limit: int | None, source: str = "the dataset") -> list[Case]:
    """The cases ``selection`` keeps, then those of the first ``limit`` threads among them.

    An id or pattern of ``--cases`` that matches no case of ``cases`` (a typo: ``a33`` for ``a3``), or a
    ``--where metadata.<key>`` that no case has, or a ``--where`` whose values no case has (``persona=angyr``),
    is a ConfigError naming it, the closest name or value there is and those the cases have, as an unknown
    ``--candidates`` name is: it would otherwise drop out of the selection without a word.
    """
    if selection:
        _check_selection_names(cases, selection, source)
    kept = [case for case in cases if selection.keeps(case)] if selection else list(cases)
    if not limit:
        return kept
    threads: set[str] = set()
    chosen = []
    for case in kept:
        thread = thread_of(case.id)
        if thread not in threads:
            if len(threads) == limit:
                continue
            threads.add(thread)
        chosen.append(case)
    return chosen


def variant_pattern(pattern: str, kinds: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """``c001~shout`` (or ``c00*~sh*``) as the originals' pattern and the kinds among ``kinds`` it names; None
    for a pattern that names no variant of these kinds."""
    head, sep, tail = pattern.rpartition(SEPARATOR)
    named = tuple(kind for kind in kinds if fnmatchcase(kind, tail)) if sep and head and tail else ()
    return (head, named) if named else None


def _check_selection_names(cases: list[Case], selection: CaseSelection, source: str) -> None:
    """Refuse ``--cases`` ids/patterns matching no case and ``--where metadata.<key>`` keys no case has."""
    if selection.ids:
        unmatched = [p for p in selection.ids if not any(selection.matches(case.id, p) for case in cases)]
        _refuse_unmade_variant(unmatched, cases, selection.kinds)
        if unmatched:
            literal = [p for p in unmatched if not _is_pattern(p)]
            patterns = [p for p in unmatched if _is_pattern(p)]
            words = ([f"unknown case id{'s' if len(literal) > 1 else ''} {', '.join(literal)}"] if literal else [])
            words += ([f"pattern{'s' if len(patterns) > 1 else ''} {', '.join(patterns)} "
                       f"match{'' if len(patterns) > 1 else 'es'} no case"] if patterns else [])
            hint = _close_id(literal[0], cases, selection.kinds) if len(literal) == 1 else None
            count = f"{len(cases)} case{'' if len(cases) == 1 else 's'}"
            hint = f" (did you mean {hint}?)" if hint else ""
            raise ConfigError(f"{'; '.join(words)} of {source} ({count}){hint}", field="--cases")
    for where in selection.where:
        if where.field.startswith("metadata."):
            key = where.field[len("metadata."):]
            if not any(metadata_value(case, key) is not None for case in cases):
                keys = metadata_keys(cases)
                raise ConfigError(f"no case of {source} has metadata key {key!r}{did_you_mean(key, keys)}"
                                  f"{_listed(keys)}", field="--where")
        if not any(where.holds(case) for case in cases):
            # One clause no case meets selects nothing whatever the others say: name it and what is there
            # (a typo: "angyr" for "angry"), not only "no case is selected".
            raise ConfigError(_no_value_message(where, cases, source), field="--where")


def _refuse_unmade_variant(unmatched: list[str], cases: list[Case], kinds: tuple[str, ...]) -> None:
    """A variant id pasted from another run's report (``c001~typos``) whose kind this eval file does not make:
    say what to type instead, not only "unknown case id"."""
    for pattern in unmatched:
        variant = variant_pattern(pattern, KINDS)
        if variant is None or not any(id_matches(case.id, variant[0]) for case in cases):
            continue
        if kinds:
            made, instead = f"this eval file perturbs with {', '.join(kinds)} only", ""
        else:
            made = "this eval file has no `perturb:`, so its runs make no variants"
            instead = f" (or add `perturb: [{', '.join(variant[1])}]` to it)"
        raise ConfigError(f"{pattern} is a perturbed variant of {variant[0]}, but {made}: give --cases "
                          f"{variant[0]}{instead}", field="--cases")


LISTED = 12  # values or keys named in a message; more are counted


def _listed(names: list[str]) -> str:
    """`` (the cases have: a, b and 3 more)``, or `` (no case has any)``."""
    if not names:
        return " (no case has any)"
    more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return f" (the cases have: {', '.join(names[:LISTED])}{more})"


def _no_value_message(where: Where, cases: list[Case], source: str) -> str:
    """Why ``--where field=values`` keeps no case: the values no case has, the closest one present, the rest."""
    present = field_values(cases, where.field)
    wanted = [normalize_persona(v) or v for v in where.values] if where.field == "persona" else list(where.values)
    hint = next((h for h in (did_you_mean(v, present) for v in wanted) if h), "")
    values = " or ".join(where.values)
    return (f"no case of {source} has {where.field} {values}"
            f"{hint}{_listed(present)}")


def field_values(cases: list[Case], name: str) -> list[str]:
    """The values ``--where`` could match at field ``name``, as written on its command line, sorted; a
    persona as it is read (``Angry`` is ``angry``)."""
    found: set[str] = set()
    for case in cases:
        if name.startswith("metadata."):
            value = metadata_value(case, name[len("metadata."):])
            text = value if isinstance(value, str) else json.dumps(value) if _scalar(value) else None
        else:
            value = getattr(case, name)
            text = normalize_persona(value) if name == "persona" else value
        if text:
            found.add(text)
    return sorted(found)


def metadata_keys(cases: list[Case]) -> list[str]:
    """Every dotted metadata key some case holds a text, number or true/false at (what ``--where
    metadata.<key>`` can match), sorted."""
    found: set[str] = set()
    for case in cases:
        found.update(leaf_keys(case.metadata or {}, _scalar))
    return sorted(found)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _close_id(wanted: str, cases: list[Case], kinds: tuple[str, ...] = ()) -> str | None:
    """Up to three case (or thread) ids close to a mistyped one, likeliest first: ``c002, c020 or c062``; for a
    variant's id (``c02~shout``, ``c002~shoutt``), the variants of those (``c002~shout``)."""
    ids = list(dict.fromkeys(thread_of(case.id) for case in cases))
    variant = variant_pattern(wanted, kinds) or _mistyped_kind(wanted, kinds)
    if variant is not None:
        heads = [variant[0]] if variant[0] in ids else close_ids(variant[0], ids)
        close = [f"{found}{SEPARATOR}{kind}" for found in heads for kind in variant[1]][:3]
    else:
        close = close_ids(wanted, ids)
    head = wanted.rpartition(SEPARATOR)[0]
    if not close and head in ids:  # an id with a tail no kind of the eval's `perturb` is near: the original
        close = [head]
    return f"{', '.join(close[:-1])} or {close[-1]}" if len(close) > 1 else (close[0] if close else None)


def _mistyped_kind(wanted: str, kinds: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """``c001~shoutt`` as ``c001`` and the kinds of the eval's ``perturb`` its tail is close to (``shout``)."""
    from difflib import get_close_matches

    head, sep, tail = wanted.rpartition(SEPARATOR)
    close = tuple(get_close_matches(tail, kinds, n=2, cutoff=0.6)) if sep and head and tail else ()
    return (head, close) if close else None


_NUMBERED = re.compile(r"(.*?)(\d+)$")


def close_ids(wanted: str, ids: list[str], n: int = 3) -> list[str]:
    """The ``n`` ids nearest ``wanted``. Ids are usually a prefix and a number (``c002``), and a mistyped one
    usually drops or adds a digit, so among ids one or two edits away (string similarity alone offers
    ``c062`` for ``c02`` as readily as ``c002``) those with the same prefix come first, then the same number
    (``c002`` for ``c02``), then the fewest edits, then those that keep the typed digits in a row (``c020``)."""
    typed = _NUMBERED.match(wanted)
    limit = max(1, min(2, len(wanted) // 3))

    def key(candidate: str) -> tuple:
        found = _NUMBERED.match(candidate)
        same_prefix = bool(typed and found and typed.group(1) == found.group(1))
        same_number = bool(same_prefix and int(typed.group(2)) == int(found.group(2)))
        in_a_row = bool(typed and typed.group(2) in candidate[len(typed.group(1)):])
        return (not same_prefix, not same_number, _edits(wanted, candidate), not in_a_row, candidate)

    near = [c for c in ids if _edits(wanted, c) <= limit or not key(c)[1]]  # key(c)[1] False: the same number
    if near:
        return sorted(near, key=key)[:n]
    from difflib import get_close_matches

    return get_close_matches(wanted, ids, n=n)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions turning ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char != other))
    return row[-1]


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def id_matches(case_id: str, pattern: str) -> bool:
    """Whether ``case_id`` (or, for a turn case ``<id>@t<k>``, its thread's id) matches the shell ``pattern``."""
    return fnmatchcase(case_id, pattern) or fnmatchcase(thread_of(case_id), pattern)


def metadata_value(case: Case, key: str) -> Any:
    """The case's metadata value at ``key``, a dotted key read as nested mappings (:func:`nested_value`);
    None where it has none."""
    return nested_value(case.metadata or {}, key.split("."))


def _same(actual: Any, wanted: str) -> bool:
    """Whether a metadata value equals ``wanted`` as written on the command line: text as text, numbers as
    numbers (``1`` is ``1.0``), ``true``/``false`` as booleans only (never 1/0)."""
    if isinstance(actual, str):
        return actual == wanted
    try:
        parsed = json.loads(wanted)
    except ValueError:
        return False
    if isinstance(actual, bool) or isinstance(parsed, bool):  # Python counts True as 1: keep them apart
        return type(actual) is bool and type(parsed) is bool and actual == parsed
    return actual == parsed  # 2 == 2.0
