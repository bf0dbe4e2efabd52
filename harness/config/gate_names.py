"""The names an eval file's judge and gates refer to, held to what the eval has.

A gate on a check the eval file does not write may name a check of the dataset's cases
(:mod:`harness.datasets.case_checks`). Loading the eval file does not read the dataset (a hub dataset
would be fetched, a large file read twice in a run), so such a name is kept aside
(:attr:`LoadedEval.gated_case_checks`) and held to the cases' checks by whoever reads the dataset anyway:
``harness validate`` (a local file), the run's plan, ``harness estimate`` (:func:`unknown_gate_checks`).
A built-in check's name is never a case's (a case's check may not take one), so a gate on an unselected
built-in is refused at load as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from harness.config.yamlfile import did_you_mean
from harness.errors import UserError
from harness.gates.spec import ANY, unknown_names

if TYPE_CHECKING:
    from harness.config.evalfile import EvalSpec, LoadedEval


def check_named(spec: EvalSpec, rubric_path: Path | None, fail, problems: list[UserError]) -> list[str]:
    """Add to ``problems`` a judge criterion the rubric lacks, and a gate on a candidate, check or criterion the
    eval does not have, at its own line with the closest name there is. The run refuses them too
    (harness.runner.plan), but without the line of the name or a hint; here, every command that reads the eval
    file does. Returns the gated checks that may be checks of the dataset's cases (named as no check of the
    file, nor a built-in one, which a case's check may not take): the dataset is not read here, so they are
    held to its cases' checks by whoever reads it (:func:`unknown_gate_checks`)."""
    judge, gates = spec.judge, spec.gates
    # The rubric is read here only when a name is to be held to it (a run reads it again to build the judge).
    criteria = _rubric_criteria(rubric_path) if judge and (judge.criteria or gates and gates.criteria) else None
    if judge is None:
        criteria = []
    elif criteria is not None and judge.criteria:
        problems += [fail(f"unknown criterion {name!r}{did_you_mean(name, criteria)} (the rubric has: "
                          f"{', '.join(criteria)})", "judge", "criteria", index)
                     for index, name in enumerate(judge.criteria) if name not in criteria]
        criteria = [name for name in criteria if name in judge.criteria]
    if gates is None:
        return []
    from harness.checks.base import registry

    checks = eval_check_names(spec)
    deferred = [name for name in gates.checks if name not in checks and name != ANY and name not in registry()]
    held = gates.model_copy(update={"checks": {k: v for k, v in gates.checks.items() if k not in deferred}})
    problems += [fail(problem, "gates", *loc)
                 for loc, problem in unknown_names(held, [c.name for c in spec.candidates], checks, criteria)]
    return deferred


def eval_check_names(spec: EvalSpec) -> list[str]:
    """The names of the checks the eval file selects or writes, built or not (one that failed to build has its
    own error)."""
    written = [item.name for item in spec.checks if not isinstance(item, str)] if isinstance(spec.checks, list) else []
    return check_names(spec) + written


def unknown_gate_checks(loaded: LoadedEval, case_checks: Iterable[str],
                        elsewhere: Callable[[], Iterable[str]] = tuple) -> list[UserError]:
    """An error at its line for each check a gate names that neither the eval file nor ``case_checks`` (the
    checks of the cases a run evaluates) has, with the closest name there is; one ``elsewhere()`` names (checks
    of the dataset's cases the run leaves out; asked only when a name is missing) is said to be so."""
    own = set(case_checks)
    missing = [name for name in loaded.gated_case_checks if name not in own]
    if not missing:
        return []
    known = eval_check_names(loaded.spec) + sorted(own)
    others = set(elsewhere())
    out = []
    for name in missing:
        problem = (f"this run has no check {name!r}: only cases it leaves out (--limit, limit:, --cases, --where, "
                   f"--failing) carry it" if name in others else
                   f"this run has no check {name!r}{did_you_mean(name, known)} (it has: {', '.join(known) or 'none'})")
        out.append(loaded.error(problem, "gates", "checks", name))
    return out


def refuse_unknown_gate_checks(loaded: LoadedEval, cases: list[Any], dataset_cases: list[Any]) -> None:
    """Refuse, each at its line, a gate on a check neither the eval file nor ``cases`` (those a run evaluates,
    among ``dataset_cases``) have: ``harness validate`` and ``harness estimate``, all at once."""
    if not loaded.gated_case_checks:
        return
    from harness.config.yamlfile import all_at_once

    problems = unknown_gate_checks(loaded, case_check_names(cases), lambda: case_check_names(dataset_cases))
    if problems:
        raise all_at_once(type(problems[0]), problems)


def unfetched_gate_checks(loaded: LoadedEval) -> list[str]:
    """A warning line for each gate on a check the eval file lacks when its dataset is not read (validate does
    not fetch a hub dataset): whether the cases carry that check is known when a run (or estimate) reads them."""
    known = eval_check_names(loaded.spec)
    return [loaded.error(f"no check of the eval file is named {name!r}{did_you_mean(name, known)}; validate does "
                         f"not fetch the hub dataset {loaded.dataset_path}, so whether its cases carry such a check "
                         f"is not known here: a run refuses this gate before its first call if they do not",
                         "gates", "checks", name).one_line()
            for name in loaded.gated_case_checks]


def case_check_names(cases: Iterable[Any]) -> set[str]:
    """The names of the checks ``cases`` carry of their own (:mod:`harness.datasets.case_checks`)."""
    return {dump["name"] for case in cases if case.checks for dump in case.checks}


def _rubric_criteria(rubric_path: Path | None) -> list[str] | None:
    """The criterion ids of the rubric, or None when there is none to read or it is broken (what is wrong
    with it is said, at its own line, where the rubric is loaded for the run or validated)."""
    if rubric_path is None:
        return None
    from harness.judges.rubric import load_rubric

    try:
        return [criterion.id for criterion in load_rubric(rubric_path).criteria]
    except UserError:
        return None


def check_names(spec: EvalSpec) -> list[str]:
    """The built-in check names ``spec`` selects, in run order (a list's ``all`` expands in place)."""
    from harness.checks.base import registry

    if spec.checks == "none":
        return []
    if spec.checks == "all":
        return sorted(registry())
    listed = {item for item in spec.checks if isinstance(item, str)}
    names: list[str] = []
    for item in spec.checks:
        if item == "all":
            names += [name for name in sorted(registry()) if name not in listed]
        elif isinstance(item, str):
            names.append(item)
    return names
