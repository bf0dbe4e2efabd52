"""Which files ``harness validate`` reads under the paths it is given, and what each is: a dataset, an eval
file, a rubric, or something else a directory holds (a JSON Schema, a report, a promptfoo config, a label file),
passed over with the reason."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Iterator

import yaml

from harness.config.promptfoo_words import MIGRATION_LINK, looks_like_promptfoo
from harness.datasets.bad_text import wide_encoding
from harness.datasets.promptfoo_csv import promptfoo_csv_note

DATASET_SUFFIXES = {".jsonl", ".json", ".csv", ".parquet", ".pq"}
YAML_SUFFIXES = {".yaml", ".yml"}
# Names of the keys (JSONL, Parquet) or columns (CSV) one of which every dataset has: the thread.
_CASE_KEYS = ("turns", "complaint")
_HARNESS_KEY = re.compile(r"^(dataset|candidates|criteria)\s*:", re.MULTILINE)
_SNIFF_BYTES = 1 << 20


class Skipped(str):
    """Why a file or directory met while walking a directory is not validated (it is not a harness file)."""


def walked_files(paths: list[Path]) -> Iterator[tuple[Path, Skipped | None]]:
    """The files to validate, each with None; in a directory, also what is passed over, with why.

    A file named on the command line is always validated. In a directory, only what can be recognised as a
    dataset, eval file or rubric is: run directories (a ``manifest.json``), hidden directories, virtual
    environments and ``node_modules`` are passed over, and so is a file whose content is not one of ours
    (:func:`_sniff`): a JSON document (a JSON Schema, a report), a JSONL/CSV/Parquet table without a
    ``turns`` or ``complaint`` field, a YAML file without a ``dataset:``, ``candidates:`` or ``criteria:`` key.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path, None


def _walk(root: Path) -> Iterator[tuple[Path, Skipped | None]]:
    """What ``root`` holds, in path order: each file with a harness suffix, sniffed, and each directory
    passed over with why."""
    found: list[tuple[Path, str | None]] = []  # a file (None) or a directory passed over (why)
    for directory, subdirs, names in os.walk(root):
        here = Path(directory)
        kept = []
        for name in subdirs:
            reason = _skipped_dir(here / name)
            if reason is None:
                kept.append(name)
            elif reason:  # "": passed over without a word (.git, __pycache__)
                found.append((here / name, reason))
        subdirs[:] = kept
        found += [(here / name, None) for name in names
                  if Path(name).suffix.lower() in DATASET_SUFFIXES | YAML_SUFFIXES]
    for path, reason in sorted(found):
        if reason is not None:
            yield path, Skipped(reason)
        elif path.is_file():
            yield path, _sniff(path)


def _skipped_dir(path: Path) -> str | None:
    """Why the walk does not enter ``path`` (``""``: without saying so), or None to enter it."""
    name = path.name
    if name.startswith(".") or name == "__pycache__":
        return ""
    if (path / "manifest.json").is_file():
        return "a run directory (manifest.json): not validated"
    if (path / "pyvenv.cfg").is_file() or name == "node_modules":
        return "not validated (installed packages)"
    return None


def _sniff(path: Path) -> Skipped | None:
    """None when ``path`` (found in a directory) looks like a dataset, eval file or rubric, else why not.

    Never raises: a file it cannot make sense of (unreadable, damaged, binary, UTF-16) is validated, and
    validating it says what is wrong in one line naming the file."""
    try:
        return _sniffed(path)
    except Exception:  # noqa: BLE001 - unreadable or damaged: validating it says what is wrong, at its line
        return None


def _sniffed(path: Path) -> Skipped | None:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return _sniff_yaml(path)
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        return None if _has_thread(names) else Skipped(
            "not a dataset (no turns or complaint column)")
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if wide_encoding(head) is not None:  # decoded as UTF-8 it is NULs and noise: the loader names the encoding
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if suffix == ".csv":
        header = [cell.strip() for cell in next(csv.reader(io.StringIO(text)), [])]
        return None if _has_thread(header) else Skipped(
            promptfoo_csv_note(header, path.name) or "not a dataset (no turns or complaint column in its header)")
    return _sniff_json(path, text)


def _sniff_json(path: Path, text: str) -> Skipped | None:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        row = json.loads(first)
    except ValueError:
        if path.suffix.lower() == ".jsonl":
            return None  # JSON Lines with a bad (or no) first row: validating it says where
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return Skipped("not JSON Lines (its first line is not JSON)")
        if path.name.endswith(".schema.json") or isinstance(document, dict) and (
                "$schema" in document or "$defs" in document):
            return Skipped("a JSON Schema, not a dataset")
        if _is_case_array(document):
            return None
        return Skipped("a JSON document, not a dataset (JSON Lines: one case per line)")
    if isinstance(row, dict) and not _has_thread(row):
        return Skipped("not a dataset (its first row has no turns or complaint)")
    if isinstance(row, list) and not _is_case_array(row):
        return Skipped("a JSON array, not a dataset (its first item has no turns or complaint)")
    return None


def _is_case_array(document: object) -> bool:
    """Whether a JSON document is an array of cases (a ``.json`` dataset): its first item has a thread."""
    return (isinstance(document, list) and bool(document) and isinstance(document[0], dict)
            and _has_thread(document[0]))


def _has_thread(names) -> bool:
    """Whether a row's keys (a table's columns) hold a thread: ``turns`` or ``complaint``, or one message of
    it (``thread_id``, ``role``, ``content``: one row per message, :mod:`harness.datasets.long_rows`)."""
    from harness.datasets.long_rows import REQUIRED_KEYS

    return any(key in names for key in _CASE_KEYS) or all(key in names for key in REQUIRED_KEYS)


def is_label_file(path: Path) -> bool:
    """Whether the first row of a JSON Lines file is a human label (``harness calibrate --labels``)."""
    try:
        with open(path, "rb") as handle:
            first = next((line for line in handle if line.strip()), b"")
        return _is_label(json.loads(first))
    except (OSError, ValueError, RecursionError):  # not JSON: the dataset loader says where
        return False


def _is_label(row: object) -> bool:
    # `case_id` names a case in a label; a case itself has `id`, and a thread (`turns` or `complaint`).
    return isinstance(row, dict) and "case_id" in row and not any(key in row for key in _CASE_KEYS)


def _sniff_yaml(path: Path) -> Skipped | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        # Broken YAML that names a harness key is an eval file or rubric with a mistake: validating it says where.
        return None if _HARNESS_KEY.search(text) else Skipped(
            "not an eval file or rubric (no dataset:, candidates: or criteria: key)")
    if isinstance(data, dict) and any(key in data for key in ("dataset", "candidates", "criteria")):
        return None
    if looks_like_promptfoo(data):  # said apart: someone porting it wants the way, not "not ours"
        return Skipped(f"a promptfoo config, not an eval file (harness validate {path} names the harness's word "
                       f"for each of its keys; the whole mapping: {MIGRATION_LINK})")
    return Skipped("not an eval file or rubric (no dataset:, candidates: or criteria: key)")


def yaml_kind(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError, RecursionError):
        return "eval"  # let the eval loader report the problem with its line
    return "rubric" if isinstance(data, dict) and "criteria" in data else "eval"


def is_eval_file(path: Path) -> bool:
    """Whether ``path`` is validated as an eval file (a YAML file that is not a rubric)."""
    return path.suffix.lower() in YAML_SUFFIXES and path.is_file() and yaml_kind(path) == "eval"


def mapped_datasets(files: list[Path]) -> dict[Path, str]:
    """The dataset files that eval files among ``files`` read through a column mapping, each with the eval file's
    name: such a file has columns of its own names, so a directory's walk passes it over (no ``complaint``
    column), and it is validated with its eval file instead."""
    from harness.config.evalfile import resolve_path

    out: dict[Path, str] = {}
    for path in files:
        if path.suffix.lower() not in YAML_SUFFIXES:
            continue
        try:
            dataset = yaml.safe_load(path.read_text(encoding="utf-8")).get("dataset")
        except Exception:  # noqa: BLE001 - not an eval file that loads: validating it says why
            continue
        if isinstance(dataset, dict) and dataset.get("columns") and isinstance(dataset.get("path"), str):
            found = resolve_path(dataset["path"], path)
            if found is not None:
                out[found.resolve()] = path.name
    return out
