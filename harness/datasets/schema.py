"""The typed shape of one recorded complaint (a *case*).

The JSON Schema exported from :class:`Case` ships as
``harness/schemas/case.schema.json`` and is documented in the README.
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Sequence

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_serializer,
                      model_validator)

# The recorded version name that means "the agent turn the thread itself recorded" (harness.datasets.turns).
THREAD_VERSION = "thread"
# The case metadata key holding the per-message fields (a timestamp, a message id) of the recorded reply a
# one-row-per-message thread ended on (harness.datasets.long_rows): one object per message of that reply.
REPLY_METADATA = "recorded_reply"
# Other names exports give the two sides (OpenAI chat, DeepEval, LangSmith write user/assistant), read as ours
# when a turn is loaded: a thread exported from those tools loads as it is, and is stored under our names.
ROLE_ALIASES = {"user": "customer", "assistant": "agent", "bot": "agent"}
# A role that is no part of the recorded thread: refused with what to do instead (never silently dropped).
_NOT_A_SIDE = {
    "system": "a system prompt is not part of the recorded thread: give it to the candidate (its prompt's "
              "system message) and remove this turn",
}
# OpenAI's older name of a tool result (`{"role": "function", "name": ..., "content": ...}`), read as one.
TOOL_ROLE_ALIASES = {"function": "tool"}


def _without_blank_replies(replies: dict[str, str]) -> dict[str, str]:
    """``replies`` without the empty or whitespace-only ones: a blank recorded reply is no reply (a
    ``missing_recorded_reply`` error on the case, as an empty CSV cell always was), never a reply graded,
    which passed every check that looks for something wrong. One rule, whatever format the case came in."""
    if all(reply.strip() for reply in replies.values()):
        return replies
    return {version: reply for version, reply in replies.items() if reply.strip()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyContext(_Strict):
    """Policy facts the reply must respect. Every field is optional."""

    refund_window_days: int | None = Field(None, ge=0, description="Days after purchase a refund is allowed.")
    days_since_purchase: int | None = Field(None, ge=0, description="How long ago the customer bought.")
    # NaN and infinity are refused: the check read infinity as no limit, and a run's case snapshot wrote null.
    max_refund: float | None = Field(None, ge=0, allow_inf_nan=False,
                                     description="Largest refund the agent may offer, in `currency`.")
    max_credit: float | None = Field(None, ge=0, allow_inf_nan=False,
                                     description="Largest credit or voucher the agent may offer.")
    currency: str | None = Field(None, description="ISO code or symbol of the amounts, e.g. USD.")
    allowed_offers: list[str] = Field(default_factory=list,
                                      description="What may be offered: 'refund', 'replacement', 'credit', ...")
    forbidden_offers: list[str] = Field(default_factory=list,
                                        description="What must not be offered or promised.")
    escalation: str | None = Field(None, description="When and how to hand over to a human.")
    facts: list[str] = Field(default_factory=list, description="Other facts known to the company.")
    notes: str | None = Field(None, description="Free-text policy notes.")


class Expectations(_Strict):
    """What a good reply to this case must do, when the dataset author knows."""

    boundary_required: bool | None = Field(None, description="The reply must set a boundary.")
    escalation_expected: bool | None = Field(None, description="The reply should offer a human hand-over.")
    question_expected: bool | None = Field(None, description="Information is missing: the reply should ask.")
    refund_allowed: bool | None = Field(None, description="A refund is within policy.")
    notes: str | None = None


class ToolCall(_Strict):
    """One tool call an agent turn made (a lookup of an order, a refund, a ticket): OpenAI's
    ``{"id", "type": "function", "function": {"name", "arguments"}}`` is read as ``{id, name, arguments}``."""

    id: str | None = Field(None, min_length=1, description="The call's id; the tool turn answering it names it "
                                                           "(`tool_call_id`). None for OpenAI's older "
                                                           "`function_call`, which had none.")
    name: str = Field(min_length=1, description="The tool's name.")
    arguments: str = Field("", description="The call's arguments as JSON text, as OpenAI writes them.")

    @model_validator(mode="before")
    @classmethod
    def _openai_form(cls, value: Any) -> Any:
        from harness.datasets.tool_turns import flat_tool_call  # the OpenAI shapes, read in one place

        return flat_tool_call(value)


class Turn(_Strict):
    """One message of the thread.

    Agent turns may say who wrote them (``author``), what other versions replied
    at this point given the same history (``replies``), and what a good reply at
    this point must do (``expectations``); turn-level replay
    (:mod:`harness.datasets.turns`) reads them. Customer turns carry none. Any turn
    may keep its message's own fields (``metadata``: a timestamp, a message id).

    The bot's tool use is kept too (:mod:`harness.datasets.tool_turns`): an agent turn may hold the
    ``tool_calls`` it made (its text may then be empty), and a ``tool`` turn what a tool returned
    (``content``), with the tool's ``name`` and the ``tool_call_id`` it answers. Tool turns are context for
    the reply and its graders, never what the customer said nor a reply graded.
    """

    role: Literal["customer", "agent", "tool"]
    content: str
    author: str | None = Field(None, min_length=1, description="Agent turns: the version (bot or human) that "
                                                               "wrote this turn.")
    replies: dict[str, str] = Field(default_factory=dict,
                                    description="Agent turns: version name -> what that version replied at this "
                                                "point, given the same history (for turn-level replay).")
    expectations: Expectations | None = Field(None, description="Agent turns: what a reply at this point must do; "
                                              "the fields given replace the case's.")
    metadata: dict[str, Any] = Field(default_factory=dict,
                                     description="This message's own fields (a timestamp, a message id), as a "
                                                 "one-row-per-message file's rows hold them.")
    tool_calls: list[ToolCall] = Field(default_factory=list,
                                       description="Agent turns: the tool calls this turn made (its content may "
                                                   "then be empty).")
    name: str | None = Field(None, min_length=1, description="Tool turns: the tool that returned this result.")
    tool_call_id: str | None = Field(None, min_length=1, description="Tool turns: the id of the call (an agent "
                                                                     "turn's `tool_calls[].id`) this result answers.")

    @model_validator(mode="before")
    @classmethod
    def _openai_message(cls, value: Any) -> Any:
        from harness.datasets.tool_turns import turn_fields  # null contents, `function_call`, `function` role

        return turn_fields(value)

    @field_validator("role", mode="before")
    @classmethod
    def _role_alias(cls, value: Any) -> Any:
        if isinstance(value, str) and value in _NOT_A_SIDE:
            raise ValueError(f"role {value!r}: {_NOT_A_SIDE[value]}")
        if isinstance(value, str) and value in TOOL_ROLE_ALIASES:
            return TOOL_ROLE_ALIASES[value]
        return ROLE_ALIASES.get(value, value) if isinstance(value, str) else value

    @field_validator("name", "tool_call_id")
    @classmethod
    def _tool_only(cls, value, info: ValidationInfo):
        if info.data.get("role") != "tool":
            raise ValueError("only tool turns carry it (what a tool returned: role `tool`)")
        return value

    @field_validator("tool_calls")
    @classmethod
    def _calls_agent_only(cls, value, info: ValidationInfo):
        if value and info.data.get("role") != "agent":
            raise ValueError("only agent turns make tool calls")
        return value

    @field_validator("author", "replies", "expectations")
    @classmethod
    def _agent_only(cls, value, info: ValidationInfo):
        # Runs only on given values (defaults are not validated), after `role`, so the error names the field.
        if info.data.get("role") in ("customer", "tool"):
            raise ValueError("only agent turns carry it")
        if value == THREAD_VERSION or (info.field_name == "replies" and THREAD_VERSION in value):
            raise ValueError(f"{THREAD_VERSION!r} is reserved: in turn-level replay it names the thread's own "
                             "agent turn")
        author = info.data.get("author")
        if info.field_name == "replies" and author is not None and author in value:
            raise ValueError(f"{author!r} wrote this turn (author), so its reply here is the turn's content")
        return value

    @field_validator("replies")
    @classmethod
    def _no_blank_replies(cls, value: dict[str, str]) -> dict[str, str]:
        return _without_blank_replies(value)

    @model_serializer(mode="wrap")
    def _omit_unset_extras(self, handler):
        # Plain turns dump as {role, content}, as before these fields existed: dataset hashes stay stable.
        data = handler(self)
        for name, empty in (("author", None), ("replies", {}), ("expectations", None), ("metadata", {}),
                            ("tool_calls", []), ("name", None), ("tool_call_id", None)):
            if data.get(name) == empty:
                data.pop(name, None)
        return data

    @property
    def is_tool_step(self) -> bool:
        """A tool result, or an agent turn making tool calls: the bot's work before its reply, not a message
        either side wrote to the other (no reply position, no customer text, may be empty)."""
        return self.role == "tool" or bool(self.tool_calls)


class Case(_Strict):
    """One recorded complaint thread and what is known about it."""

    id: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1)
    recorded_replies: dict[str, str] = Field(default_factory=dict,
                                             description="Version name -> the reply a deployed bot actually sent.")
    # Left out of the dump when unset (every case before there were reference checks): dataset hashes stay stable.
    reference_reply: str | None = Field(None, exclude_if=lambda value: value is None,
                                        description="A reference (\"golden\") reply to the complaint, e.g. one a "
                                                    "senior agent wrote: what the rouge_l, levenshtein, bleu and "
                                                    "similar checks compare the reply with.")
    persona: str | None = None
    category: str | None = None
    channel: str | None = None
    context: PolicyContext = Field(default_factory=PolicyContext)
    expectations: Expectations = Field(default_factory=Expectations)
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Left out of the dump when empty (every case before there were checks per case): dataset hashes stay stable.
    checks: list[Any] = Field(default_factory=list, exclude_if=lambda value: not value,
                              description="Checks for this case only, beside the eval file's: each as an eval "
                                          "file's checks of its own ({name, type, value, ...}; name optional).")
    # Left out of the dump when empty too: a case without criteria of its own hashes as before they existed.
    criteria: list[Any] = Field(default_factory=list, exclude_if=lambda value: not value,
                                description="Judge criteria for this case only, beside the rubric's: each as a "
                                            "rubric's criterion ({id, question}, or a full one; id optional).")
    # What a model candidate's simulated tools return on this case (tool name -> text or JSON value); left out of
    # the dump when empty, so a case without them hashes as before.
    tool_results: dict[str, Any] = Field(default_factory=dict, exclude_if=lambda value: not value,
                                         description="Tool name -> what a model candidate's call of that tool "
                                                     "returns on this case (text or any JSON value).")
    # The versions whose recorded reply was blank in the file (dropped from recorded_replies): so the error says
    # "blank", not "missing", and validate can count them. Not a field: dumps, snapshots and hashes are unchanged.
    _blank_replies: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_blank_replies(cls, data: Any, handler) -> "Case":
        case = handler(data)
        replies = data.get("recorded_replies") if isinstance(data, dict) else None
        if isinstance(replies, dict) and len(replies) != len(case.recorded_replies):
            case._blank_replies = frozenset(version for version, reply in replies.items()
                                            if isinstance(reply, str) and not reply.strip())
        return case

    @property
    def blank_replies(self) -> frozenset[str]:
        """The versions whose recorded reply was empty or whitespace in the file (none in ``recorded_replies``)."""
        return self._blank_replies

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("recorded_replies")
    @classmethod
    def _no_blank_replies(cls, value: dict[str, str]) -> dict[str, str]:
        return _without_blank_replies(value)

    @field_validator("checks")
    @classmethod
    def _checks_valid(cls, value: list[Any]) -> list[dict[str, Any]]:
        if not value:
            return value
        from harness.datasets.case_checks import normalized_checks  # imports the checks: only for a case with some

        return normalized_checks(value)

    @field_validator("criteria")
    @classmethod
    def _criteria_valid(cls, value: list[Any]) -> list[dict[str, Any]]:
        if not value:
            return value
        from harness.datasets.case_criteria import normalized_criteria  # imports the rubric: only when some

        return normalized_criteria(value)

    @model_validator(mode="after")
    def _last_turn_is_customer(self) -> "Case":
        if all(turn.role != "customer" for turn in self.turns):
            raise ValueError("turns: no customer turn (a thread needs the customer's message to answer)")
        # The bot's tool calls and their results may come after it: the reply graded is written after them.
        if self.turns[-1].role != "customer" and not self.turns[-1].is_tool_step:
            tools = any(turn.is_tool_step for turn in self.turns)
            raise ValueError("turns: the last turn must be the customer's"
                             + (" (or the bot's tool calls and results after it)" if tools else ""))
        return self

    @property
    def customer_text(self) -> str:
        """Every customer turn, joined: what the complaint says."""
        return "\n".join(t.content for t in self.turns if t.role == "customer")

    @property
    def last_customer_text(self) -> str:
        """The customer turns after the last agent reply (the message being answered); the bot's tool calls and
        results after it are passed over, never read as the customer's."""
        tail: list[str] = []
        for turn in reversed(self.turns):
            if turn.is_tool_step:  # what a tool returned is no customer's text
                continue
            if turn.role == "agent":
                break
            tail.append(turn.content)
        return "\n".join(reversed(tail))


def nested_value(value: Any, keys: Sequence[str]) -> Any:
    """The value at ``keys`` in nested mappings (``["a", "b"]`` reads ``{"a": {"b": ...}}``, as a CSV
    ``metadata.a.b`` column loads it), None where there is none. ``--where`` and ``{{ metadata.a.b }}``
    references both read a case's metadata so."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def leaf_keys(mapping: dict, keep: Callable[[Any], bool], depth: int | None = None) -> list[str]:
    """The dotted keys (``a.b``) of the values in nested ``mapping`` that ``keep`` accepts, in its order;
    nested mappings are read ``depth`` levels deep (all levels when None)."""
    found = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            if depth is None or depth > 1:
                found += [f"{key}.{sub}" for sub in leaf_keys(value, keep, None if depth is None else depth - 1)]
        elif keep(value):
            found.append(f"{key}")
    return found
