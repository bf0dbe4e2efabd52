"""``harness validate``: check datasets, rubrics and eval files without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

# Skipped and is_eval_file: also imported from here (the CLI's validate command).
from harness.cli.validation_files import (DATASET_SUFFIXES, YAML_SUFFIXES, Skipped, is_eval_file,  # noqa: F401
                                          is_label_file, walked_files, mapped_datasets, yaml_kind)
from harness.datasets.case_checks import written_ways
from harness.datasets.notices import blank_reply_warnings
from harness.errors import SeveralErrors, UserError

if TYPE_CHECKING:
    from harness.config.evalfile import LoadedEval

class Valid(str):
    """A valid file's description, with what validate says about it without failing (``warnings``: lines
    naming file, line and field)."""

    warnings: tuple[str, ...] = ()

    def __new__(cls, description: str, warnings: list[str] | tuple[str, ...] = ()) -> "Valid":
        valid = super().__new__(cls, description)
        valid.warnings = tuple(warnings)
        return valid


def validate_file(path: Path) -> str:
    """A short description of a valid file; raises UserError naming file, line and field."""
    from harness.datasets.loader import load_dataset

    if not path.exists():  # before its name is judged: "not found" is what is wrong with it
        raise UserError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json") and is_label_file(path):
        from harness.calibration.labels import load_labels

        n = len(load_labels(path))
        return f"label file, {n} label{'s' if n != 1 else ''}"
    if suffix in DATASET_SUFFIXES:
        dataset = load_dataset(path, all_errors=True)
        return Valid(f"dataset, {len(dataset)} case{'' if len(dataset) == 1 else 's'}",
                     blank_reply_warnings(path, dataset) + written_ways(dataset) + list(dataset.notes))
    if suffix not in YAML_SUFFIXES:
        raise UserError("not a dataset (.jsonl, .json, .csv, .parquet) or YAML file", file=str(path))
    if yaml_kind(path) == "rubric":
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
    found = list(walked_files(paths))
    mapped = mapped_datasets([path for path, skipped in found if skipped is None])
    for path, skipped in found:
        if skipped is not None:
            by = mapped.get(path.resolve())
            yield path, Skipped(f"read through {by}'s dataset.columns: validated with it") if by else skipped
            continue
        try:
            yield path, validate_file(path)
        except UserError as exc:
            yield from ((path, error) for error in _each(exc))


def _each(exc: UserError) -> list[UserError]:
    """The errors ``exc`` stands for, one per line: each of several found at once (then how many more), or itself."""
    if not isinstance(exc, SeveralErrors):
        return [exc]
    more = [UserError(f"and {exc.more} more error{'s' if exc.more != 1 else ''} (fix these first)", file=exc.file)
            ] if exc.more else []
    return exc.errors + more
