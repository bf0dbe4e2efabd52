"""The persisted formats of a run: one :class:`Record` per case × candidate, and the :class:`Manifest`.

Both carry ``schema_version``; readers refuse files written by a newer harness.
JSON Schemas are exported to ``harness/schemas/``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.checks.base import CheckResult
from harness.models.base import Usage
from harness.records.redaction import redact

# 2: CallStats.retries and .rate_limited (attempts repeated, and answered 429, for the calls of a record).
#    A v1 line still reads (they read 0).
# 3: Record.system_prompt: the system prompt a model candidate rendered for the case (None for recorded and
#    replayed replies, and in lines written before it). A v2 line still reads.
# 4: Record.reply_source "replayed" and .replayed_from (a re-grading's replies, named by their source run).
# 5: Record.tool_calls: a model candidate's simulated tool calls and their results; absent when none. A v4 line
#    still reads.
RECORD_SCHEMA_VERSION = 5
# 2: a model candidate records its prompt template's text (candidates[].prompt_template), so `harness diff` can
#    show how the prompt changed. A v1 manifest still reads (the diff then names a changed prompt by its hash).
MANIFEST_SCHEMA_VERSION = 2


class ErrorInfo(BaseModel):
    """A failure confined to one case (or one criterion of it)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="Stable short name: rate_limit, server_error, timeout, judge_output, ...")
    message: str
    attempts: int | None = Field(
        None, description="provider calls made for this outcome, retries included; null when none was made")

    @field_validator("message")
    @classmethod
    def _no_secrets(cls, value: str) -> str:
        # Provider errors may echo the key they were sent; records are shared, keys are not.
        return redact(value)


class CriterionResult(BaseModel):
    """The judge's verdict on one rubric criterion, or the error that replaced it."""

    model_config = ConfigDict(extra="forbid")

    score: float | None = Field(None, description="On the criterion's scale; 1/0 for pass/fail criteria.")
    passed: bool | None = Field(None, description="score >= the criterion's pass threshold.")
    weighted_score: float | None = Field(
        None, description="G-Eval style: sum of value x probability over the allowed scores (renormalised), "
                          "when the judge model reported score probabilities; 1/0 values for pass/fail.")
    reason: str = ""
    applicable: bool = True
    error: ErrorInfo | None = None
    cache_hit: bool = False
    latency_s: float = 0.0
    panel: dict[str, CriterionResult] | None = Field(
        None, description="With a judge panel: every panellist's own verdict (or error), by panellist name; "
                          "this result is then their aggregate.")
    n_votes: int | None = Field(None, description="With a judge panel: how many panellists' verdicts the "
                                                  "aggregate counts (panellists that erred are left out).")


class CallStats(BaseModel):
    """Accounting of the model calls made for one record, by role."""

    model_config = ConfigDict(extra="forbid")

    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    calls: int = 0
    cache_hits: int = 0
    retries: int = Field(0, description="Of the calls, those that repeated a failed attempt (any retried fault).")
    rate_limited: int = Field(0, description="Attempts answered with a rate limit (429, or every deployment "
                                             "cooling down), whether retried or ending the call.")
    deployments: dict[str, int] = Field(default_factory=dict, description="With a model spread over deployments: "
                                        "calls per deployment that answered (a cache hit counts the original one).")

    def __add__(self, more: "CallStats") -> "CallStats":
        """Both accountings together (a reply's tool rounds; a record's judge asks and those asked again)."""
        deployments = dict(self.deployments)
        for name, n in more.deployments.items():
            deployments[name] = deployments.get(name, 0) + n
        return CallStats(usage=self.usage + more.usage, latency_s=self.latency_s + more.latency_s,
                         calls=self.calls + more.calls, cache_hits=self.cache_hits + more.cache_hits,
                         retries=self.retries + more.retries, rate_limited=self.rate_limited + more.rate_limited,
                         deployments=deployments)


class ToolUse(BaseModel):
    """One tool call a model candidate made during its reply, and what the harness answered it with (from the
    case's ``tool_results``: no tool is ever run)."""

    model_config = ConfigDict(extra="forbid")

    round: int = Field(description="The model turn (1-based) that made the call.")
    id: str = Field(description="The call's id, as the model gave it (or as the harness made one).")
    name: str
    arguments: str = Field("", description="The call's arguments as the model wrote them (JSON text).")
    result: str = Field(description="What the model was given back: the case's canned result, the tool's "
                                    "default, or an `error: ...` text.")
    error: str | None = Field(None, description="Why the call got an error result (an unknown tool, arguments "
                                                "its schema refuses); None for a call answered normally.")


class ReplayedFrom(BaseModel):
    """Where a replayed reply (``replies_from``) was written: the earlier run and its candidate."""

    model_config = ConfigDict(extra="forbid")

    run: str = Field(description="The run directory, as the eval file's replies_from resolved it.")
    candidate: str = Field(description="That run's candidate whose reply this is.")


class Record(BaseModel):
    """What happened to one case × candidate (× sample)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = RECORD_SCHEMA_VERSION
    case_id: str
    candidate: str
    sample: int = 0
    persona: str | None = None
    category: str | None = None
    turn_index: int | None = Field(None, description="With turn-level replay: the 1-based agent turn of the thread "
                                                     "this case stands for.")
    reply: str | None = None
    reply_source: Literal["recorded", "model", "replayed"] | None = Field(None, description=(
        "recorded: the dataset's recorded_replies; model: a model candidate's call; replayed: an earlier run's "
        "reply, re-graded (replies_from; replayed_from names the run). Records written before 'replayed' "
        "existed say 'recorded' for a replayed reply."))
    replayed_from: ReplayedFrom | None = Field(None, description="With reply_source 'replayed': the run and "
                                               "candidate that wrote the reply.")
    system_prompt: str | None = Field(None, description="The system prompt a model candidate's template rendered "
                                                        "for this case, as sent (also when the call then failed); "
                                                        "for a replayed reply, the one its run recorded; None for "
                                                        "recorded replies.")
    # Left out of a line when empty: a record of a candidate without tools is written as before.
    tool_calls: list[ToolUse] = Field(default_factory=list, exclude_if=lambda value: not value,
                                      description="A model candidate with `tools`: every tool call it made while "
                                                  "replying, in order, with the result the harness gave it (also "
                                                  "when the case then failed).")
    checks: dict[str, CheckResult] = Field(default_factory=dict)
    judge: dict[str, CriterionResult] = Field(default_factory=dict)
    error: ErrorInfo | None = Field(None, description="A case error: no reply, so no checks or judge.")
    responder: CallStats = Field(default_factory=CallStats)
    judging: CallStats = Field(default_factory=CallStats)
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.case_id, self.candidate, self.sample)

    @property
    def reply_origin(self) -> str:
        """Where the reply came from, in words (``show`` and report.html's reply heading): ``model``,
        ``recorded``, ``replayed from runs/v1 (bot)``; ``none`` without a reply source."""
        if self.reply_source == "replayed" and self.replayed_from is not None:
            origin = self.replayed_from
            return f"replayed from {origin.run} ({origin.candidate})"
        return self.reply_source or "none"


class HashedRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str


class Manifest(BaseModel):
    """What ran: enough to reproduce a run, re-judge it, or refuse to compare it."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = MANIFEST_SCHEMA_VERSION
    harness_version: str
    git_revision: str | None = None
    eval_name: str
    eval_file: HashedRef
    eval_spec: dict[str, Any]
    dataset: dict[str, Any] = Field(description="path, sha256 of the validated rows, cases_sha256 (the same without the replies recorded for versions: what runs are compared on), n_cases, n_selected")
    rubric: dict[str, Any] | None = Field(None, description="id, version, sha256, criteria")
    judge: dict[str, Any] | None = None
    candidates: list[dict[str, Any]]
    checks: dict[str, str] = Field(description="check name -> version")
    started_at: str
    finished_at: str | None = None
    status: Literal["running", "complete", "interrupted"] = "running"
    notices: list[str] = Field(default_factory=list)
