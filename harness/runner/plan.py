"""Turning a loaded eval file into a plan: cases, responders, checks, judge (its manifest: :mod:`harness.runner.manifest`).

Everything a user got wrong is found here, before the first model call: a bad
dataset row, an unknown check, a broken template, a missing API key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.candidates.responders import ModelResponder, RecordedResponder, Responder
from harness.checks.base import Check, registry
from harness.config.candidates import CandidateSpec
from harness.config.concurrency import cap_warnings
from harness.config.versions import check_recorded_versions, unreplayed_turn_warnings
from harness.config.evalfile import JudgeSpec, LoadedEval, ModelFields, check_names, resolve_path
from harness.config.gate_names import refuse_unknown_gate_checks
from harness.config.tools_spec import candidate_tools, tool_result_warnings
from harness.datasets.case_checks import build_case_checks, checks_of, written_ways
from harness.datasets.case_criteria import refuse_case_criteria, refuse_unjudged
from harness.datasets.loader import LoadedDataset, load_dataset_and_dumps
from harness.datasets.perturb import is_variant, with_variants
from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection, select, selection_words
from harness.datasets.turns import REPLAY_CAVEAT, expand_cases
from harness.errors import ConfigError, RubricError, UserError
from harness.gates.spec import ANY, scale_problems
from harness.gc_pause import cycle_collector_paused
from harness.judges.judge import Judge
from harness.judges.panel import Panellist, PanelJudge
from harness.judges.rubric import Rubric, load_rubric
from harness.models.base import ModelSpec
from harness.models.cache import ResponseCache
from harness.models.logprobs import LogprobModel, can_return_logprobs
from harness.runner.preflight import build_checked_model, check_located_name, checked_template, field_loc, located
# The notices' texts: also imported from here (outputs, compare, pairwise, tests).
from harness.runner.plan_notices import EMBEDDED_NOTICE, SELF_JUDGING_NOTICE, plan_notices  # noqa: F401
from harness.runner.replayed import replayed_responder, replayed_source


@dataclass
class RunPlan:
    loaded: LoadedEval
    dataset: LoadedDataset
    cases: list[Case]
    responders: list[Responder]
    checks: list[Check]
    judge: Judge | PanelJudge | None
    rubric: Rubric | None
    models: list = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    epoch_notes: list[str] = field(default_factory=list)  # epochs that repeat one answer (among the notices)
    # Recorded candidates without a reply at some turn cases (`replay: turns`): said at run start only (the
    # records' missing_recorded_reply errors and the scorecard's error notice say it afterwards).
    turn_notes: list[str] = field(default_factory=list)
    selection: CaseSelection = field(default_factory=CaseSelection)
    limit_option: int | None = None  # --limit (the eval file's own `limit` is in its spec)
    # The cases' own checks (harness.datasets.case_checks), built once per distinct spec.
    case_checks: dict[str, Check] = field(default_factory=dict)
    embedder_model: Any = None  # the Model embedding texts for `similar` checks (harness.models.embeddings)

    def answers(self, responder: Responder, case: Case) -> bool:
        """Whether ``responder`` answers ``case``: a perturbed variant only a model candidate (a recorded or
        replayed reply answered the original text)."""
        return isinstance(responder, ModelResponder) or self.loaded.spec.perturb is None or not is_variant(case)

    def checks_for(self, case: Case) -> list[Check]:
        """The eval's checks, then ``case``'s own."""
        return self.checks + checks_of(case, self.case_checks) if case.checks else self.checks

    @property
    def uses_in_process_model(self) -> bool:
        return any(m.name.startswith("embedded/") for m in [*self.models, *filter(None, [self.embedder_model])])

    @property
    def judge_models(self) -> list:
        """The judge's model, or every panellist's; empty without a judge."""
        if self.judge is None:
            return []
        return list(self.judge.models) if isinstance(self.judge, PanelJudge) else [self.judge.model]


def model_spec(fields: ModelFields | CandidateSpec) -> ModelSpec:
    return ModelSpec(name=fields.model, api_base=fields.api_base, api_key_env=fields.api_key_env,
                     params=fields.params, concurrency=fields.concurrency, timeout_s=fields.timeout_s,
                     max_retries=fields.max_retries, deployments=fields.deployments, routing=fields.routing,
                     price=fields.price)


def select_cases(dataset: LoadedDataset, limit: int | None, replay: str = "last",
                 selection: CaseSelection = CaseSelection()) -> list[Case]:
    """The cases ``selection`` keeps (every case without one), those of the first ``limit`` threads among
    them; with ``replay="turns"``, each thread is one case per agent turn, and the selection reads those."""
    if not selection:  # the usual run: only the threads it evaluates are expanded
        cases = dataset.cases[:limit] if limit else list(dataset.cases)
        return expand_cases(cases, dataset.source, dataset.lines) if replay == "turns" else cases
    cases = expand_cases(dataset.cases, dataset.source, dataset.lines) if replay == "turns" else dataset.cases
    kept = select(cases, selection, limit, source=dataset.source)
    if not kept:
        raise ConfigError(f"no case of {dataset.source} is selected by {_selection_words(selection)}",
                          field="case selection")
    return kept


def perturbed(loaded: LoadedEval, cases: list[Case], selection: CaseSelection = CaseSelection()) -> list[Case]:
    """``cases``, each followed by the variants the eval's ``perturb`` makes and ``selection`` keeps."""
    try:
        return with_variants(cases, loaded.spec.perturb, selection.keeps_variant)
    except ValueError as exc:
        raise loaded.error(str(exc), "perturb") from None


def perturb_notes(plan: "RunPlan") -> list[str]:
    """Said once at run start: the recorded and replayed candidates that skip the perturbed variants."""
    if plan.loaded.spec.perturb is None:
        return []
    skipping = [r.name for r in plan.responders if not isinstance(r, ModelResponder)]
    n = sum(map(is_variant, plan.cases))
    if not skipping or not n:
        return []
    verb = "skips" if len(skipping) == 1 else "skip"
    return [f"{', '.join(skipping)} {verb} the {n} perturbed variants (their replies answered the original text); "
            "only model candidates answer them"]


def _selection_words(selection: CaseSelection) -> str:
    """What the selection asked for, in the words of its options."""
    if selection.only is not None and not selection.only:
        if selection.only_on:
            on = ",".join(selection.only_on)
            return f"--failing {selection.only_from} --failing-on {on} (none of them failed there)"
        return f"--failing {selection.only_from} (nothing failed there)"
    return selection_words(selection.describe()) or ""


def select_candidates(loaded: LoadedEval, names: list[str] | None) -> list[CandidateSpec]:
    candidates = loaded.spec.candidates
    if not names:
        return candidates
    from harness.config.candidates import resolve_candidates

    names = resolve_candidates(names, [c.name for c in candidates], "--candidates")  # a unique start of one
    known = {c.name for c in candidates}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"unknown candidate {', '.join(unknown)} (in this eval: {', '.join(sorted(known))})",
                          field="--candidates")
    return [c for c in candidates if c.name in names]


def select_checks(loaded: LoadedEval) -> list[Check]:
    """The built-in checks the eval file selects, then the checks it writes itself, in its order."""
    known = registry()
    return [known[name] for name in check_names(loaded.spec)] + list(loaded.custom_checks)


def _feedback_warnings(loaded: LoadedEval, cases: list) -> list[str]:
    """The eval's ``feedback`` keys no case has, or with values that are no number (said, never refused)."""
    from harness.datasets.perturb import is_variant
    from harness.scoring.feedback_keys import feedback_warnings

    return feedback_warnings(loaded, [case for case in cases if not is_variant(case)])


def build_plan(loaded: LoadedEval, *, limit: int | None = None, candidate_names: list[str] | None = None,
               cache: ResponseCache | None = None, selection: CaseSelection = CaseSelection()) -> RunPlan:
    """Validate everything and build the objects a run needs. Raises UserError subclasses."""
    # The plan allocates a few hundred thousand objects (cases, renders, rubric, check modules) that
    # live for the whole run and form no cycles worth collecting: without the pause the collector
    # walks them, and everything imported before, again and again (~30 ms of a 2,000-case plan).
    with cycle_collector_paused():
        return _build_plan(loaded, limit=limit, candidate_names=candidate_names, cache=cache, selection=selection)


def _build_plan(loaded: LoadedEval, *, limit: int | None, candidate_names: list[str] | None,
                cache: ResponseCache | None, selection: CaseSelection) -> RunPlan:
    # dumps: the first template render's data
    dataset, dumps = load_dataset_and_dumps(loaded.dataset_path, columns=loaded.column_map)
    selection = selection.perturbed_by(loaded.spec.perturb and loaded.spec.perturb.kinds)
    cases = select_cases(dataset, limit or loaded.spec.limit, loaded.spec.replay, selection)
    chosen = select_candidates(loaded, candidate_names)
    check_recorded_versions(loaded, cases, chosen)
    cases = perturbed(loaded, cases, selection)
    # Said before the first call, as validate says them: the export's repeats and order, turns left unreplayed,
    # models the eval's concurrency caps.
    turn_notes = [*dataset.notes, *unreplayed_turn_warnings(loaded, cases, chosen), *cap_warnings(loaded),
                  *written_ways(dataset), *_feedback_warnings(loaded, cases),
                  *tool_result_warnings(loaded, dataset, chosen)]
    models = []
    responders: list[Responder] = []
    for spec in chosen:
        if spec.kind == "recorded":
            responders.append(RecordedResponder(name=spec.name, version=spec.recorded))
            continue
        if spec.kind == "replayed":
            responders.append(replayed_responder(loaded, spec))
            continue
        template, rendered = checked_template(loaded, spec.name, cases, dumps)  # a broken template fails now
        model = build_checked_model(loaded, model_spec(spec), loaded.candidate_loc(spec.name), cache)
        models.append(model)
        responders.append(ModelResponder(name=spec.name, model=model, template=template,
                                         prerendered=rendered, tools=candidate_tools(loaded, spec),
                                         max_tool_rounds=spec.max_tool_rounds))
    judge = rubric = None
    if loaded.spec.judge is not None:
        rubric = select_criteria(loaded)
    refuse_case_criteria(cases, dataset.source, dict(dataset.lines), [c.id for c in rubric.criteria] if rubric else None)
    if rubric is not None:
        judge, judge_models = _build_judge(loaded, rubric, cache)
        models += judge_models
    checks = select_checks(loaded)
    plan = RunPlan(loaded=loaded, dataset=dataset, cases=cases, responders=responders,
                   checks=checks, judge=judge, rubric=rubric, models=models, selection=selection,
                   limit_option=limit, turn_notes=turn_notes, case_checks=own_checks(loaded, dataset, cases, checks))
    plan.embedder_model = _embedder(loaded, [*checks, *plan.case_checks.values()], cache)
    plan.notices = plan_notices(plan, loaded) + ([REPLAY_CAVEAT] if loaded.spec.replay == "turns" else [])
    _check_gate_names(loaded, [r.name for r in plan.responders], plan.checks, plan.rubric)
    refuse_unknown_gate_checks(loaded, cases, dataset.cases)  # gates on checks of the cases this run evaluates
    return plan


def _embedder(loaded: LoadedEval, checks: list[Check], cache: ResponseCache | None) -> Any:
    """The Model embedding for the `similar` checks among ``checks``, given to them; None when none needs one."""
    from harness.checks.reference import attach_embedder
    from harness.config.embedding_spec import DEFAULT_EMBEDDING
    from harness.models.embeddings import build_embedder

    spec = loaded.spec.embedding or DEFAULT_EMBEDDING
    embedder = build_embedder(spec.model_spec(), cache)
    if not attach_embedder(checks, embedder):
        return None
    try:
        embedder.model.check_credentials()
    except UserError as exc:
        raise located(exc, loaded, "embedding", *field_loc(exc.field, "model")) from None
    return embedder.model


def own_checks(loaded: LoadedEval, dataset: LoadedDataset, cases: list[Case], checks: list[Check]) -> dict[str, Check]:
    """The selected cases' own checks, built (a python check's file is found as the dataset's or the eval's)."""
    from harness.errors import DatasetError

    def resolve(raw: str) -> Path | None:
        return resolve_path(raw, Path(dataset.source)) or resolve_path(raw, loaded.path)

    def fail(problem: str, file: str, line: int | None, field: str) -> DatasetError:
        return DatasetError(problem, file=file, line=line, field=field)

    # The names a case's check may not take: the eval's checks, and every built-in (`all` may select them later).
    taken = [check.name for check in checks] + list(registry())
    return build_case_checks(cases, dataset.source, dict(dataset.lines), taken, resolve, fail)


def check_eval(loaded: LoadedEval) -> None:
    """What ``harness validate`` can refuse in an eval file without its dataset, keys or any call.

    The names a run would refuse before its first call: judge criteria the rubric lacks, model
    names no provider serves, gates on candidates, checks or criteria the eval does not have.
    """
    for spec in loaded.spec.candidates:
        if spec.kind == "model":
            check_located_name(loaded, model_spec(spec), loaded.candidate_loc(spec.name))
            candidate_tools(loaded, spec)  # a tools file's mistakes, named at its own lines
        elif spec.kind == "replayed":
            replayed_source(loaded, spec)
    rubric = None
    if loaded.spec.judge is not None:
        rubric = select_criteria(loaded)
        judge = loaded.spec.judge
        members = [(("judge",), judge)] if judge.panel is None else \
            [(("judge", "panel", i), m) for i, m in enumerate(judge.panel)]
        for loc, fields in members:
            check_located_name(loaded, model_spec(fields), loc)
    refuse_unjudged(loaded)  # a case's own criteria need the eval's judge
    # A gate on a check of the dataset's cases is held to them where validate reads the dataset (a local file).
    _check_gate_names(loaded, [c.name for c in loaded.spec.candidates], select_checks(loaded), rubric)


def _check_gate_names(loaded: LoadedEval, candidates: list[str], checks: list[Check],
                      rubric: Rubric | None) -> None:
    """Refuse gates on candidates, checks or criteria this run will not have, before any model call.

    :func:`harness.gates.evaluate.evaluate_gates` refuses them too, but only once the run is done:
    after every call was paid for, with a run directory left behind.
    """
    gates = loaded.spec.gates
    if gates is None:
        return
    for index, name in enumerate(gates.candidates or []):
        if name not in candidates:
            raise loaded.error(f"unknown candidate {name} (in this run: {', '.join(candidates)})",
                               "gates", "candidates", index)
    criteria = [c.id for c in rubric.criteria] if rubric else []
    for kind, table, known in (("checks", gates.checks, [c.name for c in checks]),
                               ("criteria", gates.criteria, criteria)):
        for name in table:
            # A check of the cases' own: held to them by unknown_gate_checks, with the closest name there is.
            if name != ANY and name not in known and name not in loaded.gated_case_checks:
                raise loaded.error(f"this run has no {'check' if kind == 'checks' else 'criterion'} {name!r} "
                                   f"(it has: {', '.join(known) or 'none'})", "gates", kind, name)
    # A bound off its criterion's scale (``min: 70`` on a pass/fail criterion) could never trip, or always would.
    scales = {criterion.id: criterion.scale for criterion in rubric.criteria} if rubric else {}
    for loc, problem in scale_problems(gates, scales):
        raise loaded.error(problem, "gates", *loc)


def _build_judge(loaded: LoadedEval, rubric: Rubric, cache: ResponseCache | None):
    """The judge (one model, or a panel of them) and the models it calls."""
    spec = loaded.spec.judge
    if spec.panel is None:
        model = build_checked_model(loaded, model_spec(spec), ("judge",), cache)
        return _one_judge(model, rubric, spec, spec), [model]
    panellists, models = [], []
    for index, member in enumerate(spec.panel):
        model = build_checked_model(loaded, model_spec(member), ("judge", "panel", index), cache)
        models.append(model)
        panellists.append(Panellist(name=member.label, judge=_one_judge(model, rubric, spec, member)))
    return PanelJudge(panellists, rubric, spec.aggregate), models


def _one_judge(model, rubric: Rubric, spec: JudgeSpec, fields: ModelFields):
    """A judge on ``model``: asking for token logprobs where its provider has them, over epochs if asked."""
    if asks_logprobs(model, fields):
        model = LogprobModel(model)
    judge = Judge(model=model, rubric=rubric, max_attempts=spec.max_attempts)
    if spec.epochs > 1:
        from harness.sampling.judge_epochs import EpochJudge

        judge = EpochJudge(judge, epochs=spec.epochs, reducer=spec.reducer)
    return judge


def asks_logprobs(model, fields: ModelFields) -> bool:
    """Judge calls ask for logprobs (for a weighted score) where the provider can, unless params say no."""
    refused = "logprobs" in fields.params.model_fields_set and not fields.params.logprobs
    return can_return_logprobs(model) and not refused


def select_criteria(loaded: LoadedEval) -> Rubric:
    rubric = load_rubric(loaded.rubric_path)
    try:
        return rubric.select(loaded.spec.judge.criteria)
    except RubricError as exc:
        raise located(exc, loaded, "judge", "criteria") from None
