"""What a run would cost before it is made: calls, tokens and price per model, live and batched.

``harness estimate EVAL`` reads the eval file, its dataset (with the same case
selection as ``harness run``), templates and rubric, makes no call and needs no
key. It renders every prompt a run would send: each model candidate's system
prompt and thread (a recorded tool call's name and arguments and a tool result
counted as the messages sent carry them), and the judge's prompt for every
applicable criterion of every reply. A judge prompt holds the reply, which a model candidate has not written
yet: it stands in a placeholder of the expected reply length.

Tokens are counted with OpenAI's ``o200k_base`` encoding from the copy litellm
ships (never downloaded); other providers' tokenizers differ by some 10-20%.
Without that copy, characters ÷ 4. Completions are estimated: a reply at the
mean length of the dataset's recorded replies (capped by ``max_tokens``; 150
tokens without any), a judge answer at :data:`JUDGE_ANSWER_TOKENS`. Retries and
structured-output fallbacks are not counted. Prices come from litellm's bundled
price map (list prices, and batch prices as :mod:`harness.batch.prices` reads
them; a model ``--batch`` runs live, one with ``deployments`` or of a provider
without a batch API, costs its live price there too); a model it does not price, a self-hosted endpoint (``api_base``) and the
embedded model show no price, unless the eval file gives the model a ``price:`` (US dollars per million
tokens), which then prices it, live and batched alike, in place of the map's. A model with ``deployments``
is priced deployment by deployment (:mod:`harness.runner.estimate_rates`), whose ``rpm``/``tpm`` also
bound the time floor.

The response cache (``$HARNESS_CACHE_DIR``, else ``./.harness-cache``, as ``harness run`` without
``--cache``) is read, never written: a responder call whose cache key is there is counted as cached, and so
is a judge call whose reply is known (recorded, re-graded, or a model candidate's reply found in the cache)
and whose own answer is there too. A judge call on a reply not yet written cannot be looked up and counts
as one to make. Tokens, prices and the time floor count the calls left to make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from harness.candidates.responders import thread_messages
from harness.config.candidates import CandidateSpec
from harness.config.evalfile import LoadedEval
from harness.runner.estimate_embeddings import EmbeddingWork, Replies, embedding_work
from harness.datasets.case_criteria import criteria_of
from harness.datasets.loader import load_dataset_and_dumps
from harness.datasets.schema import Case
from harness.datasets.selection import CaseSelection
from harness.runner.estimate_cache import CacheView, count_cached
from harness.runner.estimate_rates import NOT_IN_MAP, SELF_HOSTED, deployment_price, total_limits, unpriced_words
from harness.runner.estimate_tokens import _bundled_tokenizers, message_tokens, token_counter  # noqa: F401 - where they were

JUDGE_ANSWER_TOKENS = 60  # {"reason": one or two sentences, "score": n}
DEFAULT_REPLY_TOKENS = 150


@dataclass
class ModelLine:
    """One model's share of the run: a candidate's responder, or the judge (each panellist apart)."""

    role: str  # "responder" or "judge"
    label: str  # the candidate's name, or the judge's (panellist's) label
    model: str
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    live_usd: float | None = None
    batch_usd: float | None = None
    priced: bool = False
    concurrency: int = 1  # the model's own limit on calls in flight (its ``concurrency``)
    batched: bool = True  # ``--batch`` sends its calls to a batch API; when not, its batch_usd is its live price
    cached: int = 0  # calls the response cache already answers (a run serves them free)
    explicit_price: bool = False  # priced by the eval file's ``price:``, not litellm's map
    no_price: str = ""  # why a model has no price ("" when it has one, or is the embedded model)
    partly_priced: str = ""  # the deployments without a price, of a model with priced ones too
    rpm: int | None = None  # its deployments' summed rate limits (None: no deployments, or one unbounded)
    tpm: int | None = None

    @property
    def to_make(self) -> int:
        return self.calls - self.cached

    def net(self, amount: float | int | None) -> float | None:
        """``amount`` (this line's tokens or price) less the cached calls' share: calls alike cost alike."""
        if amount is None:
            return None
        return amount * self.to_make / self.calls if self.calls else amount


@dataclass
class RunEstimate:
    """Every model's line, the cases they cover, and how tokens were counted."""

    eval_name: str
    n_cases: int  # with the perturbed variants
    lines: list[ModelLine] = field(default_factory=list)
    n_variants: int = 0  # the perturbed variants among n_cases (every rate of a run is over the others)
    tokenizer: str = ""
    reply_tokens: dict[str, int] = field(default_factory=dict)  # model candidate -> assumed reply length
    concurrency: int = 1
    # Calls one after another within the run's tasks (a case × candidate's responder call, then its criteria
    # one by one; a panel's members answer a criterion at once): what the time floor counts.
    rounds: int = 0

    concurrency_followed: str = ""  # who the eval's unset concurrency follows ("" when set, or the default)
    capped: list[str] = field(default_factory=list)  # a model's own concurrency the eval's caps, one line each
    tool_notes: list[str] = field(default_factory=list)  # a candidate with tools: how its calls were counted
    cache: str = ""  # the response cache read, or why none was ("" when it was not looked at)
    cache_found: bool = False
    embedding: EmbeddingWork | None = None  # the similar checks' embedder and its most texts (no table line)

    @property
    def calls(self) -> int:
        return sum(line.calls for line in self.lines)

    @property
    def cached(self) -> int:
        return sum(line.cached for line in self.lines)

    def total(self, attr: str, net: bool = False) -> float | None:
        """The sum of ``live_usd`` or ``batch_usd`` over priced lines (None when none is priced); with ``net``,
        of the calls left to make."""
        values = [line.net(getattr(line, attr)) if net else getattr(line, attr) for line in self.lines
                  if line.priced]
        return sum(values) if values else None

    @property
    def rounds_to_make(self) -> float:
        """The calls in sequence, less the cached share (a cached call takes no round)."""
        return self.rounds * (self.calls - self.cached) / self.calls if self.calls else 0


def estimate_run(loaded: LoadedEval, *, limit: int | None = None, candidate_names: list[str] | None = None,
                 selection: CaseSelection = CaseSelection(), reply_tokens: int | None = None,
                 cache_path: Path | None = None) -> RunEstimate:
    """The calls, tokens and prices of running ``loaded`` with these options (see the module docstring);
    ``cache_path`` is the response cache to look in (default: the one ``harness run`` uses)."""
    from harness.runner.plan import select_candidates

    originals, cases, dumps = _selected(loaded, limit, selection)
    count = token_counter()
    # An in-process model answers one call at a time (the engine runs such an eval's cases one by one).
    in_process = any(name.startswith("embedded/") for name in _model_names(loaded, candidate_names))
    estimate = RunEstimate(loaded.name, len(cases), n_variants=len(cases) - len(originals), tokenizer=count.name,
                           concurrency=1 if in_process else loaded.spec.concurrency)
    if not in_process:
        _concurrency_notes(estimate, loaded)
    judged = _JudgeWork.of(loaded, in_process)
    chosen = select_candidates(loaded, candidate_names)
    # The recorded replies' mean length, counted once for every model candidate that needs it.
    recorded_mean = _mean_recorded_tokens(cases, count) \
        if reply_tokens is None and any(spec.kind == "model" for spec in chosen) else None
    templates: dict[str, tuple] = {}  # model candidate -> its template and renders, made once
    replies = Replies()
    for spec in chosen:
        if spec.kind == "model":
            assumed = reply_tokens or _capped(recorded_mean, spec.params.max_tokens)
            reply_of = _model_candidate(estimate, loaded, spec, (cases, dumps, templates), count, assumed, in_process)
        else:
            reply_of = _given_replies(loaded, spec)
        # Recorded and replayed candidates skip the perturbed variants.
        judged.add(estimate, cases if spec.kind == "model" else originals, reply_of, count, spec.epochs)
        replies.add(cases if spec.kind == "model" else originals, reply_of, spec.epochs, spec.kind == "model")
    estimate.embedding = embedding_work(loaded, cases, replies)
    estimate.lines += judged.priced_lines()
    _count_cache(estimate, loaded, cache_path, (chosen, cases, templates, judged.criteria, judged.judges))
    return estimate


def _selected(loaded: LoadedEval, limit: int | None, selection: CaseSelection) -> tuple[list[Case], list[Case], object]:
    """The original cases a run selects, those with their perturbed variants, and the dataset's dumps."""
    from harness.config.gate_names import refuse_unknown_gate_checks
    from harness.runner.plan import perturbed, select_cases

    dataset, dumps = load_dataset_and_dumps(loaded.dataset_path, columns=loaded.column_map)
    selection = selection.perturbed_by(loaded.spec.perturb and loaded.spec.perturb.kinds)
    originals = select_cases(dataset, limit or loaded.spec.limit, loaded.spec.replay, selection)
    # A gate on a check neither the eval file nor these cases have is refused, as the run would (read once here).
    refuse_unknown_gate_checks(loaded, originals, dataset.cases)
    return originals, perturbed(loaded, originals, selection), dumps  # the variants' calls count too


def _capped(mean: int, cap: int | None) -> int:
    """The reply length assumed from the recorded replies' mean: at most the candidate's ``max_tokens``."""
    return max(1, min(mean, cap) if cap else mean)


def _model_candidate(estimate: RunEstimate, loaded: LoadedEval, spec, data: tuple, count, assumed: int,
                     in_process: bool) -> Callable[[Case], str | None]:
    """Add a model candidate's responder line; return the placeholder reply its judge prompts hold.
    ``data``: the cases, the dataset's dumps and the templates rendered so far (this one is added)."""
    cases, dumps, templates = data
    estimate.reply_tokens[spec.name] = assumed
    templates[spec.name] = _rendered(loaded, spec, cases, dumps)
    tools = _tools_tokens(loaded, spec, count, estimate)
    line = _responder_line(spec, cases, templates[spec.name], count, assumed, 1 if in_process else spec.concurrency,
                           tools)
    estimate.rounds += line.calls  # a case's responder calls come one after another
    estimate.lines.append(line)
    placeholder = " ".join(["word"] * assumed)
    return lambda case: placeholder


@dataclass
class _JudgeWork:
    """The judge's lines (one per panellist: each is sent the same prompts) and what it grades."""

    judge: object | None
    criteria: list
    judges: list[tuple]  # (label, model, fields)
    lines: list[ModelLine]

    @classmethod
    def of(cls, loaded: LoadedEval, in_process: bool) -> "_JudgeWork":
        from harness.runner.plan import select_criteria

        judge = loaded.spec.judge
        criteria = select_criteria(loaded).criteria if judge is not None else []
        judges = [] if judge is None else (
            [("judge", judge.model, judge)] if judge.panel is None else [(p.label, p.model, p) for p in judge.panel])
        lines = [ModelLine("judge", label, model, concurrency=1 if in_process else fields.concurrency)
                 for label, model, fields in judges]
        return cls(judge, criteria, judges, lines)

    def add(self, estimate: RunEstimate, cases: list[Case], reply_of, count, epochs: int) -> None:
        """The judge calls grading one candidate's replies to ``cases``, rendered and counted once."""
        if not self.lines:
            return
        calls, prompt_tokens = _judge_prompts(cases, self.criteria, reply_of, count)
        times = epochs * self.judge.epochs
        estimate.rounds += times * calls  # a panel's members answer a criterion together: one round
        for line in self.lines:
            line.calls += times * calls
            line.prompt_tokens += times * prompt_tokens
            line.completion_tokens += times * calls * JUDGE_ANSWER_TOKENS

    def priced_lines(self) -> list[ModelLine]:
        for line, (_, _, fields) in zip(self.lines, self.judges):
            _price(line, fields)
        return self.lines


def _count_cache(estimate: RunEstimate, loaded: LoadedEval, cache_path: Path | None, work: tuple) -> None:
    """The calls the response cache at ``cache_path`` already answers; ``work``: (candidates, cases,
    templates, criteria, judges)."""
    with CacheView.at(cache_path) as view:
        estimate.cache, estimate.cache_found = view.where, view.found
        if view.found:
            count_cached(estimate, loaded, *work, view)


def _concurrency_notes(estimate: RunEstimate, loaded: LoadedEval) -> None:
    """Whose ``concurrency`` the eval's follows when it sets none, and the models its own caps."""
    from harness.config.concurrency import DEFAULT_EVAL_CONCURRENCY, cap_message, capped_models, model_limits

    spec = loaded.spec
    if "concurrency" not in spec.model_fields_set and spec.concurrency > DEFAULT_EVAL_CONCURRENCY:
        estimate.concurrency_followed = next(who for who, _, limit, _ in model_limits(spec)
                                             if limit == spec.concurrency)
    estimate.capped = [cap_message(who, limit, spec.concurrency) for who, _, limit in capped_models(spec)]


def _rendered(loaded: LoadedEval, spec, cases: list[Case], dumps) -> tuple:
    """A model candidate's template and its renders (a broken template fails here, as in a run)."""
    from harness.runner.preflight import checked_template

    return checked_template(loaded, spec.name, cases, dumps)


def system_prompt(rendered: tuple, case: Case) -> str:
    """The system prompt a model candidate sends ``case``: its render, or rendered now past the kept ones."""
    template, renders = rendered
    entry = renders.get(id(case))
    if entry is not None and entry[0] is case:
        return entry[1]
    from harness.candidates.responders import render_system_prompt

    return render_system_prompt(template, case)


def _tools_tokens(loaded: LoadedEval, spec, count, estimate: RunEstimate) -> int:
    """The tokens of the tool definitions a candidate sends with every call (0 without tools), and a note that
    its tool rounds are not foreseen: each is one more call, which resends the tools and every result so far."""
    if not spec.tools:
        return 0
    import json

    from harness.config.tools_spec import candidate_tools

    tools = candidate_tools(loaded, spec)
    estimate.tool_notes.append(
        f"{spec.name} has {len(tools)} tool{'s' if len(tools) != 1 else ''}: counted at one call per case with "
        f"their definitions; each tool round a reply takes is one more call (up to {spec.max_tool_rounds + 1} "
        f"a case), which this estimate cannot foresee")
    return count(json.dumps([tool.openai_form() for tool in tools]))


def _responder_line(spec, cases: list[Case], rendered: tuple, count, assumed: int, concurrency: int,
                    tools: int = 0) -> ModelLine:
    """A model candidate's calls and tokens: its rendered system prompt, its tools' definitions and the
    thread, per case and epoch."""
    line = ModelLine("responder", spec.name, spec.model, concurrency=concurrency)
    for case in cases:
        prompt = count(system_prompt(rendered, case)) + tools + sum(message_tokens(m, count)
                                                                    for m in thread_messages(case))
        line.calls += spec.epochs
        line.prompt_tokens += spec.epochs * (prompt + 4 * (len(case.turns) + 1))
        line.completion_tokens += spec.epochs * assumed
    _price(line, spec)
    return line


def _given_replies(loaded: LoadedEval, spec) -> Callable[[Case], str | None]:
    """The reply a recorded or replayed candidate gives a case (None: none, a case error, no judge call)."""
    if spec.kind == "recorded":
        return lambda case, version=spec.recorded: case.recorded_replies.get(version)
    from harness.records.store import candidate_replies
    from harness.runner.replayed import replayed_source

    replies = candidate_replies(*replayed_source(loaded, spec)[:2])
    return lambda case: replies.get((case.id, 0))


def _model_names(loaded: LoadedEval, candidate_names: list[str] | None) -> list[str]:
    """The models the run would call: those of the chosen candidates, and the judge's."""
    judge = loaded.spec.judge
    names = [c.model for c in loaded.spec.candidates if c.model and (not candidate_names or c.name in candidate_names)]
    if judge is not None:
        names += [judge.model] if judge.panel is None else [p.model for p in judge.panel]
    return [n for n in names if n]


def _judge_prompts(cases: list[Case], criteria, reply_of, count) -> tuple[int, int]:
    """The judge calls one candidate's replies take (every applicable criterion, once) and their prompt tokens."""
    from harness.judges.prompt import build_judge_messages

    calls = tokens = 0
    for case in cases:
        reply = reply_of(case)
        if reply is None:  # a recorded candidate without a reply here: a case error, no judge call
            continue
        for criterion in [*criteria, *criteria_of(case)]:  # the rubric's, then the case's own
            if criterion.applies_to(case):
                messages = build_judge_messages(case, reply, criterion)
                calls += 1
                tokens += sum(message_tokens(m, count) for m in messages) + 4 * len(messages)
    return calls, tokens


def _mean_recorded_tokens(cases: list[Case], count) -> int:
    """The mean length of the cases' recorded replies (any version); :data:`DEFAULT_REPLY_TOKENS` without any."""
    lengths = [count(text) for case in cases for text in case.recorded_replies.values() if text]
    return round(sum(lengths) / len(lengths)) if lengths else DEFAULT_REPLY_TOKENS


def _price(line: ModelLine, fields: CandidateSpec | object) -> None:
    """Fill in ``line``'s live and batch prices, if litellm's price map has its model and it is not self-hosted."""
    from harness.batch.prices import batch_prices, list_prices, runs_batched

    model = line.model
    deployments = getattr(fields, "deployments", None)
    line.rpm, line.tpm = total_limits(deployments or [])
    line.batched = runs_batched(line.model, bool(deployments))
    price = getattr(fields, "price", None)
    if price is not None:  # the eval file's own price wins (a run prices every call, batched or not, at it)
        line.priced = line.explicit_price = True
        line.live_usd = line.batch_usd = price.cost(line.prompt_tokens, line.completion_tokens)
        return
    if deployments:  # each deployment's share at its own price, as a run accounts them; --batch runs it live
        line.live_usd, unpriced = deployment_price(deployments, line.prompt_tokens, line.completion_tokens)
        line.priced = line.live_usd is not None
        line.batch_usd = line.live_usd
        if line.priced:
            line.partly_priced = unpriced_words(unpriced) if unpriced else ""
        else:
            line.no_price = unpriced_words(unpriced)
        return
    if model.startswith("embedded/"):
        return
    if getattr(fields, "api_base", None):
        line.no_price = SELF_HOSTED
        return
    live, batch = list_prices(model), batch_prices(model)
    if live is None:
        line.no_price = NOT_IN_MAP
        return
    line.priced = True
    line.live_usd = line.prompt_tokens * live[0] + line.completion_tokens * live[1]
    if not line.batched:
        line.batch_usd = line.live_usd  # never batched (deployments, a provider without a batch API): live price
    elif batch is not None:
        line.batch_usd = line.prompt_tokens * batch[0] + line.completion_tokens * batch[1]
