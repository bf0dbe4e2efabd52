"""Checks for one case: a case's own ``checks``, as promptfoo's ``tests[].assert`` or DeepEval's metrics per test case.

    {"id": "t1", "complaint": "...", "checks": [{"type": "contains", "value": "4411"}]}

Each item is the spec an eval file's checks of its own take (:class:`harness.checks.custom.CustomCheckSpec`:
``name``, ``type``, ``value``, ``ignore_case``, ...), run on that case only, beside the eval's ``checks:``.
``name`` may be left out: a default is made from the type and value (``contains_4411``), unique within the
case. On the cases without it, such a check is absent from the record, not n/a: the scorecard then counts
it over the cases that carry it, a diff reads an absent check as not applicable, as it does a check that
did not apply, and a gate on it holds over those cases.

The specs are validated when the case is (a bad one is ``file:line: checks[1].type: ...``) and kept in the
case as their JSON dump, so the dataset hash covers them: a changed check is a changed case. The checks
are built once per distinct spec when a run is planned (:func:`build_case_checks`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")
_NAME_LENGTH = 60  # a default name's longest: a scorecard row, not the whole phrase


def normalized_checks(items: list[Any]) -> list[dict[str, Any]]:
    """The case's check specs validated, each with a name, as JSON dumps; ValueError ``checks[i].field: problem``
    for each bad one, a line each (:func:`check_errors` makes them the loader's errors)."""
    return each_normalized(items, _normalized)


Normalize = Callable[[Any, int, set[str]], dict[str, Any]]  # (item, index, names taken so far) -> its dump


def each_normalized(items: list[Any], normalize: Normalize) -> list[dict[str, Any]]:
    """``normalize(item, index, names taken so far)`` of every item; every bad one is listed (a ValueError of
    one line each), not only the first: one round of fixes. Shared by a case's checks and its criteria."""
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    taken: set[str] = set()
    for index, item in enumerate(items):
        try:
            out.append(normalize(item, index, taken))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("\n".join(problems))
    return out


def _normalized(item: Any, index: int, taken: set[str]) -> dict[str, Any]:
    from harness.checks.custom import CustomCheckSpec

    if not isinstance(item, dict):
        raise ValueError(f"checks[{index}]: expected an object ({{type, value, ...}}), as an eval file's "
                         f"checks of its own")
    named = item.get("name") is not None
    spec = validated(CustomCheckSpec, item, f"checks[{index}]", "name")
    name = spec.name if named else default_name(spec, taken)
    if name in taken:
        raise ValueError(f"checks[{index}].name: {name!r} names another check of this case: give it another")
    taken.add(name)
    dump = spec.model_dump(mode="json", exclude_none=True)
    dump["name"] = name
    if not dump.get("description"):
        dump.pop("description", None)
    return dump


def validated(model: Any, item: dict, where: str, key: str) -> Any:
    """``item`` as ``model`` (a placeholder under ``key`` when the item leaves its name out, given by the caller
    later); ValueError ``where.field: problem`` naming its first mistake. A case's checks and criteria alike."""
    from harness.config.validation_errors import first_error
    from harness.config.yamlfile import format_loc

    try:
        return model.model_validate(item if item.get(key) is not None else {**item, key: "unnamed"})
    except ValidationError as exc:
        loc, message = first_error(exc, item, model)
        at = format_loc((where, *loc)) if loc else where
        raise ValueError(f"{at}: {message.removeprefix('Value error, ')}") from None


def check_errors(message: str, source: str, number: int) -> Exception:
    """The DatasetError of each ``checks[i].field: problem`` line of ``message`` (several: a SeveralErrors)."""
    from harness.config.yamlfile import all_at_once
    from harness.errors import DatasetError

    errors = []
    for line in message.splitlines():
        field, _, problem = line.partition(": ")
        errors.append(DatasetError(problem, file=source, line=number, field=field))
    return all_at_once(DatasetError, errors)


def default_name(spec: Any, taken: set[str]) -> str:
    """``contains_4411``, ``regex_refund.within``: the type, then the value's letters and digits (its first
    phrase), cut to a readable length; ``_2``, ``_3`` after it where the case has that name already. Another
    case may give the same name to another spec (``contains: sorry`` and ``icontains: sorry``):
    :func:`unique_names` tells them apart across the dataset."""
    base = _default_base(spec.type, spec.value)
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    return name


def _default_base(kind: str, value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    text = "" if value is None or isinstance(value, dict) else str(value)
    slug = _SLUG.sub("_", text.replace("{{", "").replace("}}", "")).strip("_.-")
    return f"{kind}_{slug}"[:_NAME_LENGTH].rstrip("_.-") if slug else kind


def _is_default_named(dump: dict[str, Any]) -> bool:
    """True when the check's name is the default one (written so or left out: the two read the same)."""
    base = _default_base(dump["type"], dump.get("value"))
    return dump["name"] == base or re.fullmatch(re.escape(base) + r"_\d+", dump["name"]) is not None


def _identity(dump: dict[str, Any]) -> str:
    """What a check decides by: its spec without the name and the description (a promptfoo cell's text)."""
    return spec_key({k: v for k, v in dump.items() if k not in ("name", "description")})


def unique_names(cases: Iterable[Any]) -> None:
    """Give each default-named check whose name the dataset already has for another spec that name and
    ``_`` and a short hash of its own spec (``contains_sorry_3f9a1c``), in place, so two checks never share a
    row. The first spec in the file (or one written with that name) keeps the name; the hash keeps each
    other's name the same from run to run (trends pair), wherever the rows move."""
    distinct_keys([dump for case in cases for dump in case.checks or ()], "name", _is_default_named, _identity)


def distinct_keys(dumps: list[dict[str, Any]], key: str, is_default: Callable[[dict[str, Any]], bool],
                  identity_of: Callable[[dict[str, Any]], str]) -> None:
    """Suffix ``dumps[i][key]`` (a check's name, a criterion's id) with ``_`` and a short hash of its identity
    where another identity already has that key and this one's key is the default one, in place: written keys
    are seen first and never change."""
    from harness.hashing import hash_value

    owner: dict[str, str] = {}
    for dump in sorted(dumps, key=is_default):  # False (written) sorts first
        identity = identity_of(dump)
        if owner.setdefault(dump[key], identity) != identity and is_default(dump):
            dump[key] = f"{dump[key]}_{hash_value(identity)[:6]}"
            owner.setdefault(dump[key], identity)


def written_ways(dataset: Any) -> list[str]:
    """One warning per check name the cases of ``dataset`` (a LoadedDataset: every case, not a run's selection)
    give to different specs (a name written by hand): their results share one row, which pools two checks; then
    the same of the cases' judge criteria (:func:`harness.datasets.case_criteria.written_ways`)."""
    from harness.datasets import case_criteria

    def shown(dump: dict[str, Any]) -> str:
        return f"{dump['type']}" + (f" {short(dump['value'])}" if "value" in dump else "")

    return (ways_warnings(dataset, "checks", "check", _identity, shown, "results")
            + case_criteria.written_ways(dataset))


def ways_warnings(dataset: Any, field: str, what: str, identity: Callable[[dict], str], shown: Callable[[dict], str],
                  outcome: str) -> list[str]:
    """``source: check cites is written 2 ways: lines 2, 7 (contains 1001) and line 9 (regex ^Dear); their results
    share one row``: one per name the cases' ``field`` (``checks`` or ``criteria``) give to different definitions
    (``identity``), each way with its lines (five at most) and ``shown``."""
    cases, lines, source = dataset.cases, dataset.lines, dataset.source
    key = "name" if field == "checks" else "id"
    ways: dict[str, dict[str, list[int | str]]] = {}
    said: dict[str, str] = {}
    for case in cases:
        for dump in getattr(case, field, None) or ():
            found = identity(dump)
            ways.setdefault(dump[key], {}).setdefault(found, []).append(lines.get(case.id, case.id))
            said[found] = shown(dump)
    return [f"{source}: {what} {name} is written {len(found)} ways: " + " and ".join(
                f"line{'s' if len(at) > 1 else ''} {', '.join(map(str, at[:5]))}{' …' if len(at) > 5 else ''} "
                f"({said[identity_]})" for identity_, at in found.items()) + f"; their {outcome} share one row"
            for name, found in ways.items() if len(found) > 1]


def short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def spec_key(dump: dict[str, Any]) -> str:
    """One text per distinct spec: cases with the same check share one built check."""
    import json

    return json.dumps(dump, sort_keys=True, ensure_ascii=False)


def build_case_checks(cases: Iterable[Any], source: str, lines: dict[str, int], eval_checks: list[str],
                      resolve: Callable[[str], Path | None], fail: Callable[..., Exception]) -> dict[str, Any]:
    """Every distinct per-case check of ``cases``, built, by :func:`spec_key`. A check named as one of the eval's
    (``eval_checks``) or one whose python file cannot be loaded is ``fail(problem, file, line, field)``."""
    from harness.checks.custom import CustomCheckSpec, build_custom_check
    from harness.hashing import hash_file

    built: dict[str, Any] = {}
    taken = set(eval_checks)
    for case in cases:
        for index, dump in enumerate(case.checks):
            where = (source, lines.get(case.id), f"checks[{index}]")
            if dump["name"] in taken:
                raise fail(f"{dump['name']!r} is the name of a check of the eval file (or a built-in one): give this "
                           f"check of the case another", *where[:2], f"{where[2]}.name")
            key = spec_key(dump)
            if key in built:
                continue
            spec = CustomCheckSpec.model_validate(dump)
            try:
                built[key] = build_custom_check(spec, resolve)
            except ValueError as exc:
                raise fail(str(exc), *where[:2], f"{where[2]}.value") from None
            if spec.type == "python":  # the file's text: the one part of the check the case's hash does not cover
                built[key].source_sha256 = hash_file(resolve(spec.function_ref[0]))
    return built


def checks_of(case: Any, built: dict[str, Any]) -> list[Any]:
    """The built checks of ``case``'s own specs, in its order (none: an empty list)."""
    return [built[spec_key(dump)] for dump in case.checks] if case.checks else []


# A per-case check's manifest version: marked, so comparisons leave it out (:func:`is_case_version`). A case's
# own checks are part of the case (its hash covers their specs): a changed one is a changed case, not a changed
# grader. Only a python check's file is outside the case, so its text is what the version keeps.
CASE_VERSION = "case:"


def check_versions(built: dict[str, Any]) -> dict[str, str]:
    """Name -> version of the per-case checks, for the manifest: ``case:spec`` (the version is in each case's
    spec), or ``case:<hash>`` of the python files a name's checks run (an edited file is a changed check)."""
    from harness.hashing import hash_value

    sources: dict[str, set[str]] = {}
    for check in built.values():
        found = sources.setdefault(check.name, set())
        if getattr(check, "source_sha256", None):
            found.add(check.source_sha256)
    return {name: CASE_VERSION + (hash_value(sorted(found))[:12] if found else "spec")
            for name, found in sorted(sources.items())}


def is_case_version(version: object) -> bool:
    """True for a per-case check's version: ``case:...``, or ``case-...`` as runs before the mark wrote one
    name's several specs (a name with one spec was written as its spec's version, and reads as a check's)."""
    return isinstance(version, str) and version.startswith((CASE_VERSION, "case-"))
