"""The names an eval file's judge and gates refer to, held to what the eval has.

A gate on a check the eval file does not write may name a check of the dataset's cases
(:mod:`harness.datasets.case_checks`). Loading the eval file does not read the dataset (a hub dataset
would be fetched, a large file read twice in a run), so such a name is kept aside
(:attr:`LoadedEval.gated_case_checks`) and held to the cases' checks by whoever reads the dataset anyway:
``harness validate`` (a local file), the run's plan, ``harness estimate`` (:func:`unknown_gate_checks`).
A built-in check's name is never a case's (a case's check may not take one), so a gate on an unselected
built-in is refused at load as before.

A gate on a criterion the rubric lacks is kept aside the same way: it may name a judge criterion of the
dataset's cases (:mod:`harness.datasets.case_criteria`), whose ids are never the rubric's. Both kinds share
:attr:`LoadedEval.gated_case_checks` (what the run's own name check lets through to the dataset's step);
which table named each is read back from the gates (:func:`_deferred_checks`, :func:`_deferred_criteria`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from harness.config.yamlfile import did_you_mean
from harness.errors import UserError
from harness.gates.spec import ANY, scale_problems, unknown_names

if TYPE_CHECKING:
    from harness.config.evalfile import EvalSpec, LoadedEval


def check_named(spec: EvalSpec, rubric_path: Path | None, fail, problems: list[UserError]) -> list[str]:
    """Add to ``problems`` a judge criterion the rubric lacks, and a gate on a candidate, check or criterion the
    eval does not have, at its own line with the closest name there is. The run refuses them too
    (harness.runner.plan), but without the line of the name or a hint; here, every command that reads the eval
    file does. Returns the gated checks that may be checks of the dataset's cases (named as no check of the
    file, nor a built-in one, which a case's check may not take), then the gated criteria that may be criteria
    of its cases (named as no criterion the judge asks): the dataset is not read here, so they are held to its
    cases' by whoever reads it (:func:`refuse_unknown_gate_checks`)."""
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
    # Without a judge no case may carry criteria (refused at its row), so a criterion gate is held here as before.
    later = [name for name in gates.criteria if judge is not None and criteria is not None
             and name != ANY and name not in criteria]
    held = gates.model_copy(update={"checks": {k: v for k, v in gates.checks.items() if k not in deferred},
                                    "criteria": {k: v for k, v in gates.criteria.items() if k not in later}})
    problems += [fail(problem, "gates", *loc)
                 for loc, problem in unknown_names(held, [c.name for c in spec.candidates], checks, criteria)]
    return deferred + [name for name in later if name not in deferred]


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
    return _unknown(loaded, "checks", _deferred_checks(loaded), set(case_checks),
                    lambda: eval_check_names(loaded.spec), elsewhere)


def unknown_gate_criteria(loaded: LoadedEval, case_criteria: Iterable[str],
                          elsewhere: Callable[[], Iterable[str]] = tuple) -> list[UserError]:
    """As :func:`unknown_gate_checks`, for each judge criterion a gate names that neither the rubric (the
    criteria the judge asks) nor ``case_criteria`` (those of the cases a run evaluates) has."""
    return _unknown(loaded, "criteria", _deferred_criteria(loaded), set(case_criteria),
                    lambda: _rubric_selected(loaded.spec, loaded.rubric_path) or [], elsewhere)


def _unknown(loaded: LoadedEval, table: str, deferred: list[str], own: set[str], eval_names: Callable[[], list[str]],
             elsewhere: Callable[[], Iterable[str]]) -> list[UserError]:
    missing = [name for name in deferred if name not in own]
    if not missing:
        return []
    what = "check" if table == "checks" else "criterion"
    known = eval_names() + sorted(own)
    others = set(elsewhere())
    out = []
    for name in missing:
        problem = (f"this run has no {what} {name!r}: only cases it leaves out (--limit, limit:, --cases, --where, "
                   f"--failing) carry it" if name in others else
                   f"this run has no {what} {name!r}{did_you_mean(name, known)} (it has: {', '.join(known) or 'none'})")
        out.append(loaded.error(problem, "gates", table, name))
    return out


def _deferred_checks(loaded: LoadedEval) -> list[str]:
    """The gated names :func:`check_named` left to the cases' checks: named under ``gates.checks``, as no check
    of the eval file nor a built-in one."""
    from harness.checks.base import registry

    gates, own = loaded.spec.gates, set(eval_check_names(loaded.spec))
    return [name for name in loaded.gated_case_checks if gates is not None and name in gates.checks
            and name not in own and name not in registry()]


def _deferred_criteria(loaded: LoadedEval) -> list[str]:
    """The gated names :func:`check_named` left to the cases' criteria: named under ``gates.criteria``, as no
    criterion the judge asks (the rubric is read again only for a name deferred as a check as well)."""
    gates = loaded.spec.gates
    if gates is None:
        return []
    as_checks = set(_deferred_checks(loaded))
    named = [name for name in loaded.gated_case_checks if name in gates.criteria]
    rubric = _rubric_selected(loaded.spec, loaded.rubric_path) if as_checks.intersection(named) else []
    return [name for name in named if name not in as_checks or name not in (rubric or [])]


def refuse_unknown_gate_checks(loaded: LoadedEval, cases: list[Any], dataset_cases: list[Any]) -> None:
    """Refuse, each at its line, a gate on a check or judge criterion neither the eval file (its rubric) nor
    ``cases`` (those a run evaluates, among ``dataset_cases``) have, and a bound off the scale of the cases'
    criterion it holds: ``harness validate``, ``harness run`` and ``harness estimate``, all at once."""
    gates = loaded.spec.gates
    if gates is None or not (loaded.gated_case_checks or gates.criteria):
        return
    from harness.config.yamlfile import all_at_once

    problems = []
    if loaded.gated_case_checks:
        problems += unknown_gate_checks(loaded, case_check_names(cases), lambda: case_check_names(dataset_cases))
        problems += unknown_gate_criteria(loaded, case_criterion_scales(cases),
                                          lambda: case_criterion_scales(dataset_cases))
    # A bound off a case criterion's scale (`min: 4` on a pass/fail one): the rubric's are held by the run's plan.
    problems += [loaded.error(problem, "gates", *loc) for loc, problem in
                 scale_problems(gates, case_criterion_scales(cases))]
    if problems:
        raise all_at_once(type(problems[0]), problems)


def unfetched_gate_checks(loaded: LoadedEval) -> list[str]:
    """A warning line for each gate on a check (or criterion) the eval file (or its rubric) lacks when its dataset
    is not read (validate does not fetch a hub dataset): whether the cases carry it is known when a run (or
    estimate) reads them."""
    known = eval_check_names(loaded.spec)
    warnings = [_unfetched(loaded, "checks", f"no check of the eval file is named {name!r}{did_you_mean(name, known)}",
                           name) for name in _deferred_checks(loaded)]
    criteria = _rubric_selected(loaded.spec, loaded.rubric_path) or []
    return warnings + [_unfetched(loaded, "criteria", f"no criterion of the rubric is named {name!r}"
                                                      f"{did_you_mean(name, criteria)}", name)
                       for name in _deferred_criteria(loaded)]


def _unfetched(loaded: LoadedEval, table: str, lacking: str, name: str) -> str:
    what = "check" if table == "checks" else "criterion"
    return loaded.error(f"{lacking}; validate does not fetch the hub dataset {loaded.dataset_path}, so whether its "
                        f"cases carry such a {what} is not known here: a run refuses this gate before its first call "
                        f"if they do not", "gates", table, name).one_line()


def case_check_names(cases: Iterable[Any]) -> set[str]:
    """The names of the checks ``cases`` carry of their own (:mod:`harness.datasets.case_checks`)."""
    return {dump["name"] for case in cases if case.checks for dump in case.checks}


def case_criterion_scales(cases: Iterable[Any]) -> dict[str, str]:
    """Id -> scale of the judge criteria ``cases`` carry of their own (:mod:`harness.datasets.case_criteria`;
    an id written two ways: its first definition's, as the manifest records it)."""
    from harness.datasets.case_criteria import criteria_of

    found: dict[str, str] = {}
    for case in cases:
        for criterion in criteria_of(case):
            found.setdefault(criterion.id, criterion.scale)
    return found


def _rubric_selected(spec: EvalSpec, rubric_path: Path | None) -> list[str] | None:
    """The ids of the rubric's criteria the judge asks (``judge.criteria``, else all); None: no rubric read."""
    criteria = _rubric_criteria(rubric_path) if spec.judge is not None else []
    if criteria is None or spec.judge is None or not spec.judge.criteria:
        return criteria
    return [name for name in criteria if name in spec.judge.criteria]


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
