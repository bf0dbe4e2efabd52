"""``harness validate``: check datasets, rubrics and eval files without running anything."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import yaml

from harness.config.promptfoo_words import MIGRATION_LINK, looks_like_promptfoo
from harness.datasets.bad_text import wide_encoding
from harness.datasets.case_checks import written_ways
from harness.datasets.notices import blank_reply_warnings
from harness.datasets.promptfoo_csv import promptfoo_csv_note
from harness.errors import SeveralErrors, UserError

if TYPE_CHECKING:
    from harness.config.evalfile import LoadedEval

DATASET_SUFFIXES = {".jsonl", ".json", ".csv", ".parquet", ".pq"}
YAML_SUFFIXES = {".yaml", ".yml"}
# Names of the keys (JSONL, Parquet) or columns (CSV) one of which every dataset has: the thread.
_CASE_KEYS = ("turns", "complaint")
_HARNESS_KEY = re.compile(r"^(dataset|candidates|criteria)\s*:", re.MULTILINE)
_SNIFF_BYTES = 1 << 20


class Skipped(str):
    """Why a file or directory met while walking a directory is not validated (it is not a harness file)."""


class Valid(str):
    """A valid file's description, with what validate says about it without failing (``warnings``: lines
    naming file, line and field)."""

    warnings: tuple[str, ...] = ()

    def __new__(cls, description: str, warnings: list[str] | tuple[str, ...] = ()) -> "Valid":
        valid = super().__new__(cls, description)
        valid.warnings = tuple(warnings)
        return valid


def _files(paths: list[Path]) -> Iterator[tuple[Path, Skipped | None]]:
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


def _is_label_file(path: Path) -> bool:
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


def _yaml_kind(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError, RecursionError):
        return "eval"  # let the eval loader report the problem with its line
    return "rubric" if isinstance(data, dict) and "criteria" in data else "eval"


def is_eval_file(path: Path) -> bool:
    """Whether ``path`` is validated as an eval file (a YAML file that is not a rubric)."""
    return path.suffix.lower() in YAML_SUFFIXES and path.is_file() and _yaml_kind(path) == "eval"


def validate_file(path: Path) -> str:
    """A short description of a valid file; raises UserError naming file, line and field."""
    from harness.datasets.loader import load_dataset

    if not path.exists():  # before its name is judged: "not found" is what is wrong with it
        raise UserError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json") and _is_label_file(path):
        from harness.calibration.labels import load_labels

        n = len(load_labels(path))
        return f"label file, {n} label{'s' if n != 1 else ''}"
    if suffix in DATASET_SUFFIXES:
        dataset = load_dataset(path, all_errors=True)
        return Valid(f"dataset, {len(dataset)} case{'' if len(dataset) == 1 else 's'}",
                     blank_reply_warnings(path, dataset) + written_ways(dataset) + list(dataset.notes))
    if suffix not in YAML_SUFFIXES:
        raise UserError("not a dataset (.jsonl, .json, .csv, .parquet) or YAML file", file=str(path))
    if _yaml_kind(path) == "rubric":
        from harness.judges.rubric import load_rubric

        rubric = load_rubric(path)
        return f"rubric {rubric.id} v{rubric.version}, {len(rubric.criteria)} criteria"
    from harness.config.concurrency import cap_warnings
    from harness.config.evalfile import load_eval
    from harness.runner.plan import check_eval

    loaded = load_eval(path)
    # The eval file's own errors (an inline rubric's fields among them) first, then its dataset's and templates'.
    errors: list[UserError] = []
    warnings: list[str] = []
    for step in (lambda: check_eval(loaded), lambda: warnings.extend(_check_against_dataset(loaded))):
        try:
            step()
        except UserError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
    if errors:
        raise errors[0] if len(errors) == 1 else SeveralErrors.of(type(errors[0]))(errors)
    warnings += _epoch_warnings(loaded) + cap_warnings(loaded)
    n = len(loaded.spec.candidates)
    checks = len(loaded.custom_checks)
    changed = f" (changed by {', '.join(loaded.spec.overrides)})" if loaded.spec.overrides else ""
    return Valid(f"eval {loaded.name}, {n} candidate{'s' if n != 1 else ''}"
                 + (f", {checks} check{'s' if checks != 1 else ''} of its own" if checks else "") + changed,
                 warnings)


def _epoch_warnings(loaded: LoadedEval) -> list[str]:
    """The notices a run prints at its start about epochs that repeat one answer, each at the ``epochs`` it is
    about (a candidate's, else the judge's)."""
    from harness.runner.epoch_notes import PERTURB_UNANSWERED, epoch_notices

    lines = []
    for notice in epoch_notices(loaded, loaded.spec.candidates):
        # By the whole name: a matrix candidate's holds a colon (polite@openai:gpt-4o-mini).
        named = [spec.name for spec in loaded.spec.candidates if notice.startswith(f"candidate {spec.name}: ")]
        if PERTURB_UNANSWERED in notice:  # about the eval's `perturb`, not a candidate's epochs: at its line
            loc: tuple = ("perturb",)
        else:
            loc = (*loaded.candidate_loc(named[0]), "epochs") if named else ("judge", "epochs")
        lines.append(loaded.error(notice, *loc).one_line())
    return lines


def _check_against_dataset(loaded: LoadedEval) -> list[str]:
    """What a run refuses, before any call, about the eval file's dataset (a local file; a hub dataset is not
    fetched): a bad row, an id turn-level replay would make, a recorded version no case has a reply of, a
    field a check names that no case has. Returns what to warn of: a recorded version some turn cases have no
    reply of (``replay: turns``), the fields a check names that some cases lack (there, it is n/a)."""
    from harness.config.field_refs import field_reference_gaps
    from harness.config.tools_spec import tool_result_warnings
    from harness.scoring.feedback_keys import feedback_warnings
    from harness.config.gate_names import refuse_unknown_gate_checks, unfetched_gate_checks
    from harness.config.versions import check_recorded_versions, unreplayed_turn_warnings
    from harness.datasets.loader import load_dataset
    from harness.datasets.turns import expand_cases, inherited_expectation_warning

    if not Path(loaded.dataset_path).is_file():
        return unfetched_gate_checks(loaded)
    dataset = load_dataset(loaded.dataset_path, all_errors=True, columns=loaded.column_map)
    limit = loaded.spec.limit
    cases = dataset.cases[:limit] if limit else dataset.cases  # as the run selects them
    refuse_unknown_gate_checks(loaded, cases, dataset.cases)
    inherited: list[str] = []
    if loaded.spec.replay == "turns":
        inherited = inherited_expectation_warning(cases, dataset.source, dataset.lines)
        cases = expand_cases(cases, dataset.source, dataset.lines)
    check_recorded_versions(loaded, cases)
    # dataset.notes: what a production export still gets wrong (repeated rows dropped, times that go down).
    return (list(dataset.notes) + written_ways(dataset) + inherited
            + unreplayed_turn_warnings(loaded, cases, lines=dataset.lines)
            + field_reference_gaps(loaded, cases)
            + feedback_warnings(loaded, cases) + tool_result_warnings(loaded, dataset)
            + _unholdable_gates(loaded, len(cases)) + _render_prompts(loaded, cases))


RENDERED_AT_MOST = 5_000  # cases each prompt template is rendered for by validate; more: an even sample


def _render_prompts(loaded: LoadedEval, cases: list) -> list[str]:
    """Render each model candidate's prompt template for the cases, as a run does before its first call, so
    validate says what the run would stop on (``'order_id' is undefined; did you mean metadata.order_id?``).
    Over :data:`RENDERED_AT_MOST` cases, an even sample of them, and a line saying so."""
    from harness.runner.preflight import checked_template

    names = [spec.name for spec in loaded.spec.candidates if spec.kind == "model"]
    if not names or not cases:
        return []
    step = -(-len(cases) // RENDERED_AT_MOST)  # ceiling: every step-th case
    sample = cases[::step]
    failed = []
    for name in names:
        try:
            checked_template(loaded, name, sample)  # the run's own error, at the candidate's prompt line
        except UserError as exc:
            failed.append(exc)
    if failed:
        from harness.config.yamlfile import all_at_once

        raise all_at_once(type(failed[0]), failed)
    if step == 1:
        return []
    note = (f"prompt templates rendered for {len(sample):,} of the {len(cases):,} cases (one in every {step}); a run "
            f"renders every case before its first call")
    return [loaded.error(note, *loaded.candidate_loc(names[0]), "prompt").one_line()]


def _unholdable_gates(loaded: LoadedEval, n_cases: int) -> list[str]:
    """A line when the eval's ``significant_only`` max_regression gates cannot fail over its ``n_cases`` (too few
    for any drop to be significant after Holm): they would read "not held" every night."""
    from harness.gates.regression import significance_warnings
    from harness.runner.plan import select_checks, select_criteria

    gates = loaded.spec.gates
    if gates is None or not gates.has_regressions:
        return []
    criteria = [("criterion", c.id) for c in select_criteria(loaded).criteria] if loaded.spec.judge else []
    measures = criteria + [("check", check.name) for check in select_checks(loaded)]
    return [loaded.error(line, "gates").one_line() for line in significance_warnings(gates, n_cases, measures)]


def validate_paths(paths: list[Path]) -> Iterator[tuple[Path, str | UserError]]:
    """Each file under ``paths`` with its description, or the error it raised (a file with several mistakes found
    at once: once per mistake, in line order); what a directory holds that is not a harness file comes with a
    :class:`Skipped` description."""
    found = list(_files(paths))
    mapped = _mapped_datasets([path for path, skipped in found if skipped is None])
    for path, skipped in found:
        if skipped is not None:
            by = mapped.get(path.resolve())
            yield path, Skipped(f"read through {by}'s dataset.columns: validated with it") if by else skipped
            continue
        try:
            yield path, validate_file(path)
        except UserError as exc:
            yield from ((path, error) for error in _each(exc))


def _mapped_datasets(files: list[Path]) -> dict[Path, str]:
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


def _each(exc: UserError) -> list[UserError]:
    """The errors ``exc`` stands for, one per line: each of several found at once (then how many more), or itself."""
    if not isinstance(exc, SeveralErrors):
        return [exc]
    more = [UserError(f"and {exc.more} more error{'s' if exc.more != 1 else ''} (fix these first)", file=exc.file)
            ] if exc.more else []
    return exc.errors + more
