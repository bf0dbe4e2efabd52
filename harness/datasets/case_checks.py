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
    for the first bad one (the loader names the field from that prefix)."""
    from harness.checks.custom import CustomCheckSpec
    from harness.config.validation_errors import first_error
    from harness.config.yamlfile import format_loc

    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"checks[{index}]: expected an object ({{type, value, ...}}), as an eval file's "
                             f"checks of its own")
        named = item.get("name") is not None
        try:
            spec = CustomCheckSpec.model_validate(item if named else {**item, "name": "unnamed"})
        except ValidationError as exc:
            loc, message = first_error(exc, item, CustomCheckSpec)
            where = format_loc((f"checks[{index}]", *loc)) if loc else f"checks[{index}]"
            raise ValueError(f"{where}: {message.removeprefix('Value error, ')}") from None
        name = spec.name if named else default_name(spec, taken)
        if name in taken:
            raise ValueError(f"checks[{index}].name: {name!r} names another check of this case: give it another")
        taken.add(name)
        dump = spec.model_dump(mode="json", exclude_none=True)
        dump["name"] = name
        if not dump.get("description"):
            dump.pop("description", None)
        out.append(dump)
    return out


def default_name(spec: Any, taken: set[str]) -> str:
    """``contains_4411``, ``regex_refund.within``: the type, then the value's letters and digits (its first
    phrase), cut to a readable length; ``_2``, ``_3`` after it where the case has that name already."""
    value = spec.value
    if isinstance(value, list):
        value = value[0] if value else ""
    text = "" if value is None or isinstance(value, dict) else str(value)
    slug = _SLUG.sub("_", text.replace("{{", "").replace("}}", "")).strip("_.-")
    base = f"{spec.type}_{slug}"[:_NAME_LENGTH].rstrip("_.-") if slug else spec.type
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    return name


def spec_key(dump: dict[str, Any]) -> str:
    """One text per distinct spec: cases with the same check share one built check."""
    import json

    return json.dumps(dump, sort_keys=True, ensure_ascii=False)


def build_case_checks(cases: Iterable[Any], source: str, lines: dict[str, int], eval_checks: list[str],
                      resolve: Callable[[str], Path | None], fail: Callable[..., Exception]) -> dict[str, Any]:
    """Every distinct per-case check of ``cases``, built, by :func:`spec_key`. A check named as one of the eval's
    (``eval_checks``) or one whose python file cannot be loaded is ``fail(problem, file, line, field)``."""
    from harness.checks.custom import CustomCheckSpec, build_custom_check

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
            try:
                built[key] = build_custom_check(CustomCheckSpec.model_validate(dump), resolve)
            except ValueError as exc:
                raise fail(str(exc), *where[:2], f"{where[2]}.value") from None
    return built


def checks_of(case: Any, built: dict[str, Any]) -> list[Any]:
    """The built checks of ``case``'s own specs, in its order (none: an empty list)."""
    return [built[spec_key(dump)] for dump in case.checks] if case.checks else []


def check_versions(built: dict[str, Any]) -> dict[str, str]:
    """Name -> version of the per-case checks, for the manifest: one name's specs differ from case to case
    (``{{ metadata.x }}`` aside, a value written per case), so its version is a hash of all of them."""
    from harness.hashing import hash_value

    versions: dict[str, set[str]] = {}
    for check in built.values():
        versions.setdefault(check.name, set()).add(check.version)
    return {name: (next(iter(found)) if len(found) == 1 else "case-" + hash_value(sorted(found))[:12])
            for name, found in sorted(versions.items())}
