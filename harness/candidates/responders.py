"""Candidates: what is evaluated. Each turns a case into a reply.

* :class:`RecordedResponder` replays ``recorded_replies[version]`` (no model call).
* :class:`ReplayedResponder` replays the replies of a candidate of an earlier run (no model call).
* :class:`ModelResponder` renders a Jinja2 system prompt from the case and replays
  the thread as chat messages (customer → user, agent → assistant, the bot's tool calls and results in
  OpenAI's form: :mod:`harness.candidates.thread_messages`) to a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import jinja2

from harness.candidates.template_hints import lookup, missing_key, undefined_hint
from harness.candidates.thread_messages import ROLE_OF, thread_messages  # noqa: F401  (imported from here)
from harness.datasets.schema import THREAD_VERSION, Case
from harness.errors import CaseFault, TemplateError, ToolCallReplyError, UserError
from harness.models.base import Message, tool_call_reply_message
from harness.runner.tool_loop import call_stats, run_tool_loop
from harness.config.tools_spec import ToolSpec
from harness.records.schema import CallStats, ErrorInfo, ReplayedFrom, ToolUse



class MissingReplyError(CaseFault):
    kind = "missing_recorded_reply"


class TemplateRenderError(CaseFault):
    kind = "template"
    case_id = ""  # set by :func:`prerender`: the case the template failed on
    missing: str | None = None  # the case's field it lacks (``metadata.order_id``), where that is why


@dataclass
class Reply:
    text: str
    source: Literal["recorded", "model", "replayed"]
    stats: CallStats = field(default_factory=CallStats)
    system_prompt: str | None = None  # what a model candidate's template rendered for the case
    replayed_from: ReplayedFrom | None = None  # a replayed reply: the run and candidate that wrote it
    tool_calls: list[ToolUse] = field(default_factory=list)  # a model candidate's simulated tool calls


class Responder(Protocol):
    name: str

    async def respond(self, case: Case, sample: int = 0) -> Reply: ...


@dataclass
class RecordedResponder:
    name: str
    version: str

    async def respond(self, case: Case, sample: int = 0) -> Reply:
        text = case.recorded_replies.get(self.version)
        if text is None:
            if self.version in case.blank_replies:  # the key is there, its reply empty: not "no reply"
                raise MissingReplyError(f"recorded reply for version {self.version!r} is blank")
            if self.version == THREAD_VERSION:
                # The conversation's own agent reply: none followed the customer's last message (an export's
                # conversation that ends on the customer, a thread's last turn under `replay: turns`).
                raise MissingReplyError("the conversation ends on the customer's message: no bot reply to grade "
                                        f"(case has no recorded reply for version {THREAD_VERSION!r})")
            raise MissingReplyError(f"case has no recorded reply for version {self.version!r}")
        return Reply(text=text, source="recorded")


@dataclass
class ReplayedResponder:
    """Replays the replies a candidate of an earlier run gave (``replies_from`` in the eval file), so they
    can be graded again (new checks, another judge or rubric) without asking the responder again.

    ``replies`` maps ``(case id, sample)`` to the reply; a case the run has no reply for (it erred
    there, or was not in it) is a case error on that case.
    """

    name: str
    run: str
    candidate: str
    replies: dict[tuple[str, int], str]
    model_name: str | None = None  # the model that wrote the replies, when that run's candidate was a model
    dataset_sha256: str | None = None  # the dataset that run read
    # Which run that was, whatever its path: a diff still knows it after the runs were copied or moved.
    source: dict[str, str] = field(default_factory=dict)
    # The system prompts the replies were written under, where that run's records kept them (record schema 3).
    prompts: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)

    # The source run's case errors by (case id, sample), read on the first case it has no reply to.
    _failures: dict[tuple[str, int], ErrorInfo] | None = field(default=None, repr=False)

    async def respond(self, case: Case, sample: int = 0) -> Reply:
        text = self.replies.get((case.id, sample))
        if text is None:
            raise MissingReplyError(f"run {self.run} has no reply of candidate {self.candidate!r} to this case"
                                    + (f" (sample {sample})" if sample else "") + self._why_missing(case.id, sample))
        return Reply(text=text, source="replayed", system_prompt=self.prompts.get((case.id, sample)),
                     replayed_from=ReplayedFrom(run=self.run, candidate=self.candidate))

    def _why_missing(self, case_id: str, sample: int) -> str:
        """Why the source run has no reply here: the error its case ended in there (a rate limit is worth
        re-running, a content filter is not), or that the case was not in it."""
        if self._failures is None:
            from harness.records.store import candidate_failures

            try:
                self._failures = candidate_failures(Path(self.run), self.candidate)
            except UserError:  # the run's records went unreadable since the plan read them: say no more
                self._failures = {}
        error = self._failures.get((case_id, sample))
        if error is None:
            known = any(key[0] == case_id for key in (*self.replies, *self._failures))
            return "" if known else ": the case is not in that run"
        message = error.message if len(error.message) <= WHY_CHARS else error.message[:WHY_CHARS] + "…"
        return f": the case ended in error {error.kind} there ({message})"


# Of the source run's error message, quoted in a replayed case's own error.
WHY_CHARS = 160


def compile_template(source: str, origin: str, partials: dict[str, str] | None = None) -> jinja2.Template:
    """Compile a prompt template against the ``partials`` it includes (read by the eval loader: name ->
    text); syntax errors name the template, or the partial, and line."""
    loader = jinja2.DictLoader(partials) if partials else None
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False,
                             loader=loader)
    try:
        template = env.from_string(source)
        template.harness_source = source  # read by an undefined variable's hint (template_hints)
        for name in partials or ():  # a partial's own syntax error, named, before any case renders it
            env.get_template(name)
        return template
    except jinja2.TemplateSyntaxError as exc:
        where = f" in partial {exc.name}" if exc.name else ""
        raise TemplateError(f"template syntax error{where}: {exc.message}", file=origin, line=exc.lineno) from None


def template_variables(case: Case, data: dict | None = None) -> dict:
    """What a prompt template sees: the case's fields, plus ``case`` itself and the customer text.

    ``data`` is ``case.model_dump()`` when the caller has it already (a fresh one, used once).
    """
    if data is None:
        data = case.model_dump()
    return {**data, "case": data, "customer_text": case.customer_text,
            "last_customer_text": case.last_customer_text}


def render_system_prompt(template: jinja2.Template, case: Case, data: dict | None = None) -> str:
    variables = template_variables(case, data)
    try:
        return template.render(variables).strip()
    except jinja2.UndefinedError as exc:
        source = getattr(template, "harness_source", None)
        missing = missing_key(str(exc), variables, source)
        if missing is not None:  # a key other cases have: named as the case's field, not as jinja's dict
            error = TemplateRenderError(f"prompt template failed on this case: the case has no {missing}")
            error.missing = missing
            raise error from None
        hint = undefined_hint(str(exc), case, variables, source)
        raise TemplateRenderError(f"prompt template failed on this case: {exc}{hint}") from None
    except jinja2.TemplateError as exc:
        raise TemplateRenderError(f"prompt template failed on this case: {exc}") from None
    except Exception as exc:  # template code can raise anything ("None + 1" is a TypeError)
        raise TemplateRenderError(f"prompt template failed on this case: {type(exc).__name__}: {exc}") from None


# Prompts rendered by the preflight and kept for the case's first call: at most this many (~1 KB each).
PRERENDERED_KEPT = 20_000


def prerender(template: jinja2.Template, cases: list[Case],
              dumps: dict[int, tuple[Case, dict]] | None = None) -> dict[int, tuple[Case, str]]:
    """Every case's system prompt, rendered now (raising TemplateRenderError on the first that fails).

    Returned by ``id(case)`` with the case itself (so an id is never reused while
    its entry lives), for the first :data:`PRERENDERED_KEPT` cases; the rest are
    rendered again when their call is made. ``dumps`` holds ``case.model_dump()``
    by ``id(case)`` (:func:`harness.datasets.loader.load_dataset_and_dumps`): each
    one used is taken out, so no render sees a dump another render saw.
    """
    kept: dict[int, tuple[Case, str]] = {}
    dumps = dumps if dumps is not None else {}
    for case in cases:
        entry = dumps.pop(id(case), None)
        try:
            prompt = render_system_prompt(template, case, entry[1] if entry is not None and entry[0] is case else None)
        except TemplateRenderError as exc:
            exc.case_id = case.id
            if exc.missing is not None:
                exc.args = (f"{exc} ({_how_many_have(exc.missing, cases)}; "
                            f"{{{{ {exc.missing} | default('') }}}} renders without it)",)
            raise
        if len(kept) < PRERENDERED_KEPT:
            kept[id(case)] = (case, prompt)
    return kept


def _how_many_have(path: str, cases: list[Case]) -> str:
    """``5 of 6 cases have it``: whether the key is missing from one row or from the dataset's format."""
    *parent, key = path.split(".")
    have = sum(1 for case in cases if key in (lookup(template_variables(case), parent) or {}))
    return f"{have} of {len(cases)} case{'s' if len(cases) != 1 else ''} {'has' if have == 1 else 'have'} it"


@dataclass
class ModelResponder:
    name: str
    model: object  # harness.models.model.Model
    template: jinja2.Template
    # The preflight's renders (see :func:`prerender`), each used once by the case's first call.
    prerendered: dict[int, tuple[Case, str]] = field(default_factory=dict, repr=False)
    # Tools offered to the model, each call answered from the case (harness.runner.tool_loop); none: no loop.
    tools: list[ToolSpec] = field(default_factory=list)
    max_tool_rounds: int = 5

    def system_prompt(self, case: Case) -> str:
        entry = self.prerendered.pop(id(case), None)
        if entry is not None and entry[0] is case:
            return entry[1]
        return render_system_prompt(self.template, case)

    def messages_for(self, case: Case) -> list[Message]:
        return [Message(role="system", content=self.system_prompt(case)), *thread_messages(case)]

    async def respond(self, case: Case, sample: int = 0) -> Reply:
        salt = f"sample:{sample}" if sample else ""
        messages = self.messages_for(case)
        if self.tools:
            return await self._respond_with_tools(case, messages, salt)
        try:
            response = await self.model.generate(messages, cache_salt=salt)
        except Exception as exc:
            _keep_prompt(exc, messages[0].content)
            raise
        if response.tool_calls and not response.text.strip():
            # Tools offered through `params.extra.tools` alone: no answers to give them, as before `tools:`.
            names = [str(call["function"]["name"]) for call in response.tool_calls]
            error = ToolCallReplyError(tool_call_reply_message(self.model.name, [n for n in names if n]))
            _keep_prompt(error, messages[0].content)
            raise error
        return Reply(text=response.text.strip(), source="model", stats=call_stats(response),
                     system_prompt=messages[0].content)

    async def _respond_with_tools(self, case: Case, messages: list[Message], salt: str) -> Reply:
        try:
            done = await run_tool_loop(self.model, messages, self.tools, case, max_rounds=self.max_tool_rounds,
                                       cache_salt=salt)
        except Exception as exc:
            _keep_prompt(exc, messages[0].content)
            raise
        return Reply(text=done.text, source="model", stats=done.stats, system_prompt=messages[0].content,
                     tool_calls=done.tool_calls)


def _keep_prompt(exc: BaseException, prompt: str) -> None:
    # The record of a failed call keeps the prompt too: a content filter's refusal is read against it.
    try:
        exc.system_prompt = prompt  # type: ignore[attr-defined]
    except AttributeError:  # an exception type without a __dict__
        pass
