"""The columns a table dataset (CSV, Parquet, hub) may have, checked at its header before any row.

Split out of :mod:`harness.datasets.loader`. The table readers (:mod:`harness.datasets.table_rows`) call
:func:`check_columns` and shape each row as a case by the same prefixes. A column the case has no field for is refused, named with what to write instead.
"""

from __future__ import annotations

import difflib
from typing import get_origin

from harness.config.yamlfile import all_at_once
from harness.datasets.long_rows import LONG_ID, MESSAGE_KEYS, is_long_header, partly_long
from harness.datasets.promptfoo_csv import is_expected_column
from harness.datasets.schema import Case, Expectations, PolicyContext
from harness.errors import DatasetError

REPLY_PREFIX, METADATA_PREFIX = "reply:", "metadata."
# The objects of a case whose fields may each have a column of their own (``expectations.escalation_expected``),
# with those fields; a field holding a list takes JSON text (``["refund", "credit"]``) in CSV.
FIELD_COLUMNS = {"context": PolicyContext.model_fields, "expectations": Expectations.model_fields}
FIELD_PREFIXES = tuple(f"{name}." for name in FIELD_COLUMNS)
LIST_FIELDS = {f"{head}.{name}" for head, fields in FIELD_COLUMNS.items() for name, info in fields.items()
               if get_origin(info.annotation) is list}
# Every column a table may have, as the errors list them.
COLUMNS_HELP = ("id, complaint (or turns), persona, category, channel, context, expectations, recorded_replies, "
                "metadata, checks, criteria, reply:<version>, context.<field>, expectations.<field>, metadata.<key>, "
                "__expected<n>")
# promptfoo's `vars.<name>` columns: the case field a name is, where it is one (else `metadata.<name>`).
_CASE_NAMES = ("id", "complaint", "persona", "category", "channel")
NO_ID_ADD = ("no `id` column: ids pair each case with itself across runs (a diff, a baseline, --resume), so each "
             "row needs one that stays with it: add a first column `id` (a ticket number, or 1, 2, 3, ...)")
# The way to map one: an eval file that maps columns already (mapping.ColumnMap) says it where it names the mapping.
NO_ID = NO_ID_ADD + (", or map a column of the file that holds one in the eval file (dataset: {path: <file>, "
                     "columns: {id: <column>}})")


def check_columns(columns: list[str], source: str, line: int | None) -> None:
    """Refuse a table's columns before any row: one the case has no field for (named with what to write
    instead), no ``id`` column, no ``complaint`` or ``turns`` column, or both of those. ``line`` is the
    header's (None for Parquet and hub tables). A nameless column (``Unnamed: <index>``) passes: it is
    ignored while its cells are empty."""
    long = is_long_header(columns)
    missing = partly_long(columns)
    if missing:
        raise DatasetError(f"a one-row-per-message file needs columns thread_id, role and content: no "
                           f"{', '.join(missing)}", file=source, line=line)
    fields = set(Case.model_fields) | {"complaint"}
    if long:  # one row per message (harness.datasets.long_rows): the thread is made of the rows
        fields = (fields - {"turns", "complaint", "id"}) | set(MESSAGE_KEYS)
    # Every bad column at once (validate lists every mistake): fixing one header should not reveal the next.
    problems = []
    for index, name in enumerate(columns):
        if long and name == "id":
            problems.append(DatasetError(LONG_ID, file=source, line=line, field=name))
        elif not (_known_column(name, fields) or name.startswith("Unnamed: ")):
            problems.append(DatasetError(_unknown_column(name, fields, first=index == 0), file=source, line=line,
                                         field=name))
    if "id" not in columns and not long and "id" in fields:
        problems.append(DatasetError(NO_ID, file=source, line=line))
    if problems:
        raise all_at_once(DatasetError, problems)
    _refuse_nested_clash(columns, source, line)
    if long:
        return
    if "complaint" in columns and "turns" in columns:
        raise DatasetError("columns `complaint` and `turns` are alternatives (a complaint is a thread of one "
                           "customer turn): keep one", file=source, line=line, field="complaint")
    if "complaint" not in columns and "turns" not in columns:
        raise DatasetError("no `complaint` column (the customer's message; or `turns`, the thread as JSON)",
                           file=source, line=line)


def _refuse_nested_clash(columns: list[str], source: str, line: int | None) -> None:
    """Refuse ``metadata.a`` beside ``metadata.a.b``: a dotted key is nested (``{"a": {"b": ...}}``), so
    ``a`` cannot also hold a value of its own."""
    keys = {name[len(METADATA_PREFIX):] for name in columns if name.startswith(METADATA_PREFIX)}
    for key in sorted(keys):
        parts = key.split(".")
        for end in range(1, len(parts)):
            outer = ".".join(parts[:end])
            if outer in keys:
                raise DatasetError(f"column `{METADATA_PREFIX}{outer}` is also a column, but `{METADATA_PREFIX}{key}` "
                                   f"nests a key under it (`{{{{ metadata.{key} }}}}` reads a nested mapping): "
                                   f"rename one", file=source, line=line, field=METADATA_PREFIX + key)


def _field_column(name: str) -> bool:
    """Whether ``name`` is a column of one field of ``context`` or ``expectations`` (``context.max_refund``)."""
    head, dot, rest = name.partition(".")
    return bool(dot) and rest in FIELD_COLUMNS.get(head, ())


def _known_column(name: str, fields: set[str]) -> bool:
    """Whether ``name`` is a column a table may have (a field of the case, or one of the prefixed columns:
    a version or a metadata key with no space around it, nor around a dotted key's parts)."""
    if name in fields or _field_column(name) or is_expected_column(name):
        return True
    if name.startswith(REPLY_PREFIX):
        version = name[len(REPLY_PREFIX):]
        return bool(version) and version == version.strip()
    if name.startswith(METADATA_PREFIX):
        parts = name[len(METADATA_PREFIX):].split(".")
        return all(part and part == part.strip() for part in parts)
    return False


def _malformed_part(name: str) -> str | None:
    """What is wrong with a prefixed column whose version or key part has a space around it
    (``reply: v1``, ``metadata.tier ``) or whose dotted key has an empty part (``metadata.a..b``), or None."""
    for prefix in (REPLY_PREFIX, METADATA_PREFIX):
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix):]
        parts = [rest] if prefix == REPLY_PREFIX else rest.split(".")
        if len(rest) and len(parts) > 1 and not all(parts):
            return (f"a dotted metadata key has an empty part (a nested key is written "
                    f"`{METADATA_PREFIX}<key>.<key>`)")
        for index, part in enumerate(parts):
            before = prefix + ".".join(parts[:index]) + ("." if index else "")
            if part != part.lstrip() and part.strip():
                return f"remove the space after `{before}`"
            if part != part.rstrip() and part.strip():
                return f"remove the space after `{before}{part.rstrip()}`"
    return None


def _unknown_column(name: str, fields: set[str], first: bool = False) -> str:
    """Why column ``name`` is refused, and what to write instead (``first``: it is the table's first column)."""
    stripped = name.strip()
    if stripped != name and _known_column(stripped, fields):
        if name != name.lstrip():
            fix = ("remove the space at the start of the header" if first else
                   f"remove the space after the comma before `{stripped}`")
        else:
            fix = f"remove the space after `{stripped}`"
        return f"unknown column `{name}`: {fix} (column names are read as written, spaces and all)"
    malformed = _malformed_part(name)
    if malformed and malformed.startswith("remove"):
        return f"unknown column `{name}`: {malformed} (column names are read as written, spaces and all)"
    if malformed:
        return f"unknown column `{name}`: {malformed}"
    head, dot, rest = name.partition(".")
    if dot and head in FIELD_COLUMNS:
        known = sorted(FIELD_COLUMNS[head])
        close = difflib.get_close_matches(rest, known, n=1, cutoff=0.6)
        hint = f"did you mean `{head}.{close[0]}`? " if close else ""
        return f"unknown column: `{head}` has no field `{rest}` ({hint}its fields are {', '.join(known)})"
    if dot and head == "recorded_replies" and rest:
        return f"unknown column (a recorded reply's column is `{REPLY_PREFIX}{rest}`)"
    promptfoo = _promptfoo_column(name)
    if promptfoo:
        return promptfoo
    lower = name.lower()
    for prefix in (REPLY_PREFIX, METADATA_PREFIX):
        if lower.startswith(prefix):
            if len(name) == len(prefix):
                return f"unknown column: `{prefix}` names no {'version' if prefix == REPLY_PREFIX else 'key'}"
            return f"unknown column (did you mean `{prefix}{name[len(prefix):]}`? column names are case-sensitive)"
    close = [lower] if lower in fields else difflib.get_close_matches(name, sorted(fields), n=1, cutoff=0.8)
    if close:
        return f"unknown column (did you mean `{close[0]}`? column names are case-sensitive)"
    return (f"unknown column; to keep a column of your own, name it `metadata.{name}` (it goes into the case's "
            f"metadata); the columns are {COLUMNS_HELP}; or leave the file as it is and map its columns to these in "
            f"the eval file (dataset: {{path: <file>, columns: {{<field>: {name}}}}})")


def _promptfoo_column(name: str) -> str | None:
    """What a column of promptfoo's test CSV is here (``vars.complaint``, ``__description``), or None."""
    if name.startswith("vars.") and len(name) > len("vars."):
        var = name[len("vars."):]
        target = var if var in _CASE_NAMES else f"{METADATA_PREFIX}{var}"
        reads = "" if var in _CASE_NAMES else f"; a prompt or check reads it as {{{{ metadata.{var} }}}}"
        return f"unknown column: promptfoo's vars are plain columns here: name it `{target}`{reads}"
    if name.startswith("__metadata:"):
        return f"unknown column: a case's metadata column is `{METADATA_PREFIX}{name[len('__metadata:'):]}`"
    if name.startswith("__"):
        own = name.lstrip("_")
        return (f"unknown column: promptfoo's `{name}` has no column here (checks for one case go in "
                f"`__expected`, `__expected1`, ... or a `checks` column; anything else of your own: `metadata.{own}`)")
    return None
