"""``harness validate``: check datasets, rubrics and eval files without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import yaml

from harness.errors import UserError

if TYPE_CHECKING:
    from harness.config.evalfile import LoadedEval

DATASET_SUFFIXES = {".jsonl", ".json", ".csv", ".parquet", ".pq"}
YAML_SUFFIXES = {".yaml", ".yml"}


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in DATASET_SUFFIXES | YAML_SUFFIXES)
        else:
            yield path


def _yaml_kind(path: Path) -> str:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError, RecursionError):
        return "eval"  # let the eval loader report the problem with its line
    return "rubric" if isinstance(data, dict) and "criteria" in data else "eval"


def validate_file(path: Path) -> str:
    """A short description of a valid file; raises UserError naming file, line and field."""
    from harness.datasets.loader import load_dataset

    if not path.exists():  # before its name is judged: "not found" is what is wrong with it
        raise UserError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in DATASET_SUFFIXES:
        return f"dataset, {len(load_dataset(path))} cases"
    if suffix not in YAML_SUFFIXES:
        raise UserError("not a dataset (.jsonl, .csv, .parquet) or YAML file", file=str(path))
    if _yaml_kind(path) == "rubric":
        from harness.judges.rubric import load_rubric

        rubric = load_rubric(path)
        return f"rubric {rubric.id} v{rubric.version}, {len(rubric.criteria)} criteria"
    from harness.config.evalfile import load_eval

    from harness.runner.plan import check_eval

    loaded = load_eval(path)
    _check_against_dataset(loaded)
    check_eval(loaded)
    n = len(loaded.spec.candidates)
    checks = len(loaded.custom_checks)
    return (f"eval {loaded.name}, {n} candidate{'s' if n != 1 else ''}"
            + (f", {checks} check{'s' if checks != 1 else ''} of its own" if checks else ""))


def _check_against_dataset(loaded: LoadedEval) -> None:
    """What a run refuses, before any call, about the eval file's dataset (a local file; a hub dataset is not
    fetched): a bad row, an id turn-level replay would make, a recorded version no case has a reply of."""
    from harness.config.versions import check_recorded_versions
    from harness.datasets.loader import load_dataset
    from harness.datasets.turns import expand_cases

    if not Path(loaded.dataset_path).is_file():
        return
    dataset = load_dataset(loaded.dataset_path)
    limit = loaded.spec.limit
    cases = dataset.cases[:limit] if limit else dataset.cases  # as the run selects them
    if loaded.spec.replay == "turns":
        cases = expand_cases(cases, dataset.source, dataset.lines)
    check_recorded_versions(loaded, cases)


def validate_paths(paths: list[Path]) -> Iterator[tuple[Path, str | UserError]]:
    """Each file under ``paths`` with its description, or the error it raised."""
    for path in _files(paths):
        try:
            yield path, validate_file(path)
        except UserError as exc:
            yield path, exc
