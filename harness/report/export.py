"""``harness export``: a run's records as one flat row per case × candidate × sample, for a spreadsheet or a
reviewer's tool, in the order ``report.html`` lists them (cases in the dataset's order, then the eval's
candidate order), whatever order the run's calls finished in.

Columns: the record's identity (case, candidate, sample, persona, category, turn), the customer's last
message (the complaint the reply answers) and the reply, the record's error (``error_kind`` and ``error_message``: the case error, which left no
reply; else ``check_crashed`` when a check crashed on the reply, the message naming each such check and why,
as ``harness show`` and junit.xml count it), then one column per key of the cases' metadata (promptfoo's
vars: ``metadata.order_id``, nested objects flattened to ``metadata.a.b``, lists as JSON text; empty for a case
without the key), one column per check (``pass``, ``fail``, ``n/a`` or
``crashed``) and two per judge criterion (``<name>`` the score, ``pass``/``fail`` for a pass/fail criterion,
or ``error``; ``<name>.reason``), the
failing checks and criteria in one column, the failed checks again with what each asks and why it failed
(``failed_checks_detail``: ``regex_d (promptfoo: regex: \\$\\d+): no match; ...``: a case's own check is named
from its value and cut, its description is what it asks), and the responder's tokens, latency and cache hit.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return, also after leading whitespace: a complaint can hold anything) are written with a
leading ``'``, as OWASP advises, unless ``formula_escape`` is off. Spreadsheets read a formula only at
the start of a cell, so a ``=`` after a line break inside a cell is left as written: instead every cell
holding a line break of any kind (LF, a lone CR, CRLF, U+2028, ...: what
``str.splitlines`` splits on) is quoted, so a reader that honours quotes sees one row per record and
never a row that starts with the text after the break. JSONL rows hold the same fields, unescaped, one
line each (U+2028, U+2029 and U+0085 written as JSON escapes, as a reader splitting on them would
otherwise cut a row).

``excel`` (``harness export --excel``) writes the CSV as Excel itself saves "CSV UTF-8": a byte-order mark
first and CRLF row ends. Excel on Windows reads a CSV without the mark in the machine's legacy code page,
so Arabic, CJK and emoji in a reply show garbled; other readers (Python's ``csv`` with ``utf-8-sig``,
pandas, LibreOffice) take either. Plain CSV stays without it: a mark confuses tools that read bytes.

``--out`` never replaces a file that is not an earlier export (:func:`is_export`: exactly an export's
columns) unless ``--force``: a dataset, a rubric or a sheet someone added a column to would be lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.checks.base import CHECK_CRASHED, is_crashed
from harness.gates.tolerance import crashed_checks
from harness.records.schema import Record
from harness.records.store import iter_records, read_manifest
from harness.datasets.turns import thread_of
from harness.report.case_about import CheckAbout, eval_check_about, flat_metadata, last_customer, metadata_keys
from harness.report.html_records import RunOrder

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What str.splitlines ends a line at: a CSV cell holding one is quoted; in JSONL the last three are escaped.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_JSON_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}  # json.dumps escapes the rest
IDENTITY = ["case_id", "candidate", "sample", "persona", "category", "thread_id", "turn_index", "customer", "reply",
            "error_kind", "error_message"]
# The identity columns of an export written before thread_id: still recognised as an earlier export to replace.
_OLD_IDENTITY = [name for name in IDENTITY if name != "thread_id"]
TAIL = ["failing", "failed_checks_detail", "responder_prompt_tokens", "responder_completion_tokens",
        "responder_latency_s", "responder_cache_hit"]
# The tail of an export written before failed_checks_detail: still recognised as an earlier export to replace.
_OLD_TAIL = [name for name in TAIL if name != "failed_checks_detail"]


def is_export(path: Path) -> bool:
    """Whether the file at ``path`` is empty or has exactly an export's columns (CSV header, or the fields of a
    JSONL file's first row): the identity columns, then only ``metadata.*``, ``check.*`` and ``criterion.*``
    ones, then the tail. A sheet someone added a column to (a hand label), a first line left blank, or any other file is not."""
    try:
        if path.stat().st_size == 0:
            return True
        # utf-8-sig: an --excel export starts with a byte-order mark, and is an earlier export all the same
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as file:
            first = file.readline(1 << 16)
    except OSError:
        return False
    try:
        row = json.loads(first)
    except ValueError:
        row = None
    if isinstance(row, dict):
        return _export_shaped(list(row))
    return _export_shaped(next(csv.reader([first]), []))


def _export_shaped(columns: list[str]) -> bool:
    """Exactly :func:`export_columns`' shape (or an earlier version's), for some run's metadata, checks and
    criteria."""
    for identity in (IDENTITY, _OLD_IDENTITY):
        for tail in (TAIL, _OLD_TAIL):
            middle = columns[len(identity):len(columns) - len(tail)]
            if (len(columns) >= len(identity) + len(tail) and columns[:len(identity)] == identity
                    and columns[len(columns) - len(tail):] == tail
                    and all(name.startswith(("metadata.", "check.", "criterion.")) for name in middle)):
                return True
    return False


def export_columns(run_dir: Path, cases: dict[str, dict] | None = None) -> list[str]:
    """The header: identity, a column per metadata key of the run's cases (``cases``: its case snapshot, read
    when not given), a column per check, two per criterion (from the manifest), then the tail."""
    from harness.runner.outputs import load_cases

    manifest = read_manifest(run_dir)
    criteria = list((manifest.rubric or {}).get("criteria") or {})
    meta = [f"metadata.{key}" for key in metadata_keys((load_cases(run_dir) if cases is None else cases).values())]
    checks = [f"check.{name}" for name in manifest.checks]
    judged = [column for name in criteria for column in (f"criterion.{name}", f"criterion.{name}.reason")]
    return IDENTITY + meta + checks + judged + TAIL


def export_rows(run_dir: Path) -> Iterator[dict[str, Any]]:
    """One row per record in run order (:class:`~harness.report.html_records.RunOrder`, as ``report.html``
    lists them: cases in the dataset's order, a case's candidates in the eval's order, then by sample), not
    in the order the calls finished, so two runs of an eval export alike. The records are read once; their
    rows are held until the last is read, to be sorted."""
    from harness.runner.outputs import load_cases

    cases = load_cases(run_dir)
    manifest = read_manifest(run_dir)
    criteria = (manifest.rubric or {}).get("criteria") or {}
    pass_fail = {name for name, c in criteria.items() if isinstance(c, dict) and c.get("scale") == "pass_fail"}
    order = RunOrder(cases, [c["name"] for c in manifest.candidates if isinstance(c.get("name"), str)])
    about = CheckAbout(cases, eval_check_about(manifest.eval_spec))
    keyed = [(order.key(record.key), _row(record, cases.get(record.case_id), pass_fail, about.of(record.case_id)))
             for record in iter_records(run_dir)]
    keyed.sort(key=lambda item: item[0])
    for _, row in keyed:
        yield row


def _row(record: Record, case: dict | None, pass_fail: set[str] = frozenset(),
         about: dict[str, str] | None = None) -> dict[str, Any]:
    """One record's row; the criteria of ``pass_fail`` read ``pass``/``fail``, as the checks do, not 1.0/0.0;
    ``about``: what the described checks ask (:class:`~harness.report.case_about.CheckAbout`)."""
    row: dict[str, Any] = {
        "case_id": record.case_id, "candidate": record.candidate, "sample": record.sample,
        "persona": record.persona, "category": record.category,
        # A turn case's thread, so a sheet can group its turns (None for a run that does not replay turns).
        "thread_id": thread_of(record.case_id) if record.turn_index is not None else None,
        "turn_index": record.turn_index,
        "customer": last_customer(case), "reply": record.reply,
        **_error_columns(record),
        **{f"metadata.{key}": value for key, value in flat_metadata(case).items()},
    }
    failing, why = [], []
    for name, result in record.checks.items():
        row[f"check.{name}"] = "crashed" if is_crashed(result) else {True: "pass", False: "fail", None: "n/a"}[result.passed]
        if result.passed is False:
            failing.append(name)
            why.append(_failed_check(name, result.detail, (about or {}).get(name)))
    for name, verdict in record.judge.items():
        if verdict.error is not None:
            row[f"criterion.{name}"] = "error"
            row[f"criterion.{name}.reason"] = f"{verdict.error.kind}: {verdict.error.message}"
            continue
        if not verdict.applicable or verdict.score is None:
            row[f"criterion.{name}"] = "n/a"
        elif name in pass_fail:
            row[f"criterion.{name}"] = "pass" if verdict.passed else "fail"
        else:
            row[f"criterion.{name}"] = verdict.score
        row[f"criterion.{name}.reason"] = verdict.reason
        if verdict.passed is False:
            failing.append(name)
    stats = record.responder
    row.update({"failing": " ".join(failing), "failed_checks_detail": "; ".join(why) or None,
                "responder_prompt_tokens": stats.usage.prompt_tokens,
                "responder_completion_tokens": stats.usage.completion_tokens,
                "responder_latency_s": round(stats.latency_s, 3),
                "responder_cache_hit": bool(stats.calls) and stats.cache_hits == stats.calls})
    return row


def _error_columns(record: Record) -> dict[str, str | None]:
    """``error_kind`` and ``error_message``: the case error, else a check error (``check_crashed``; ``gold_ok:
    check crashed: ValueError: …``, one per crashed check, ``; ``-joined), else empty."""
    if record.error is not None:
        return {"error_kind": record.error.kind, "error_message": record.error.message}
    crashed = crashed_checks(record)
    if not crashed:
        return {"error_kind": None, "error_message": None}
    return {"error_kind": CHECK_CRASHED,
            "error_message": "; ".join(f"{name}: {record.checks[name].detail}" for name in crashed)}


def _failed_check(name: str, detail: str, asks: str | None) -> str:
    """``regex_d (promptfoo: regex: \\$\\d+): no match``: a failed check, what it asks when described, and why."""
    named = f"{name} ({asks})" if asks else name
    return f"{named}: {detail}" if detail else named


BOM = "\ufeff"


def write_export(run_dir: Path, out: io.TextIOBase, fmt: str, *, formula_escape: bool = True,
                 excel: bool = False) -> int:
    """Write the run's rows to ``out`` as ``csv`` or ``jsonl``; returns how many rows were written. ``excel``
    (CSV only) starts with a byte-order mark and ends rows in CRLF, as Excel's own "CSV UTF-8" does."""
    if excel and fmt != "csv":
        raise ValueError("excel is a CSV form")
    columns = export_columns(run_dir)  # reads the case snapshot once more: the rows' own read is streamed
    written = 0
    if fmt == "jsonl":
        for row in export_rows(run_dir):
            out.write(_json_line({c: row.get(c) for c in columns}))
            written += 1
        return written
    end = "\r\n" if excel else "\n"
    out.write((BOM if excel else "") + csv_line(columns, end))
    for row in export_rows(run_dir):
        out.write(csv_line([_cell(row.get(c), formula_escape) for c in columns], end))
        written += 1
    return written


def csv_line(cells: list[Any], end: str = "\n") -> str:
    """One CSV row ending in ``end`` (LF, or CRLF for Excel). Not :mod:`csv`'s writer: with an LF line end it
    leaves a cell with a lone CR (or U+2028) unquoted, and a reader splitting there sees a second row made of
    the cell's tail."""
    return ",".join(_quoted(str(cell)) for cell in cells) + end


def _quoted(text: str) -> str:
    """``text`` as a CSV field: quoted (its quotes doubled) when it holds a comma, a quote or a line break,
    or starts or ends with whitespace (a reader that trims would change it)."""
    if ("," in text or '"' in text or not LINE_BREAKS.isdisjoint(text)
            or text[:1].isspace() or text[-1:].isspace()):
        return '"' + text.replace('"', '""') + '"'
    return text


def _json_line(row: dict[str, Any]) -> str:
    line = json.dumps(row, ensure_ascii=False)
    for raw, escaped in _JSON_BREAKS.items():
        line = line.replace(raw, escaped)  # only ever inside a string: JSON has no other place for them
    return line + "\n"


def _cell(value: Any, formula_escape: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and formula_escape and _formula_like(value):
        return "'" + value
    return value


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: it starts with one of :data:`FORMULA_STARTS`,
    or does after leading whitespace (LibreOffice's "trim spaces" import option strips it first)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS[:4])
