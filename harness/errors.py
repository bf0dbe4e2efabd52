"""Every exception the harness raises on purpose, in one tree.

    HarnessError                      base; never escapes the CLI as a traceback
    ├── UserError                     the user's input is wrong: one line, exit code 2
    │   ├── ConfigError               an eval file or CLI option is wrong
    │   ├── DatasetError              a dataset row or file is wrong
    │   ├── RubricError               a rubric file is wrong
    │   ├── TemplateError             a prompt template does not render
    │   └── ResultsError              a results directory cannot be used (schema too new, missing)
    ├── MissingCredentialError        a provider key is not set (a UserError too)
    ├── MissingDependencyError        an optional component (the embedded model) is not installed (a UserError too)
    └── CaseFault                     a failure inside one case; recorded on its record, never raised out of a run
        ├── ModelCallError            a provider call failed after its retries
        │   ├── RateLimitError        429
        │   ├── ServerError           5xx
        │   ├── CallTimeoutError      no answer within the timeout
        │   ├── ConnectionFault       connection dropped or refused
        │   ├── ContentFilterError    the provider refused the content
        │   ├── AuthError             401/403: the provider refused the key (or a call not made after repeated refusals)
        │   └── EmptyResponseError    the provider answered with no content
        └── JudgeOutputError          the judge's answer failed validation after its retries

User errors carry the place they come from (file, line, field) so the CLI can
print ``file:line: field: problem``.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every deliberate harness error."""


class UserError(HarnessError):
    """Bad input from the user. Printed as one line; exit code 2."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        place = ""
        if self.file:
            place = self.file if self.line is None else f"{self.file}:{self.line}"
            place += ": "
        field = f"{self.field}: " if self.field else ""
        # A path or value quoted from the input may hold line breaks; the message stays one line.
        return f"{place}{field}{self.problem}".replace("\r", "\\r").replace("\n", "\\n")


class ConfigError(UserError):
    """An eval file or a command-line option is wrong."""


class DatasetError(UserError):
    """A dataset file or row is wrong."""


class RubricError(UserError):
    """A rubric file is wrong."""


class TemplateError(UserError):
    """A prompt template fails to parse or render."""


class ResultsError(UserError):
    """A results directory cannot be read or written as asked."""


class MissingCredentialError(UserError):
    """A provider needs an API key that is not set; raised before the first call."""


class MissingDependencyError(UserError):
    """An optional component (e.g. the embedded model) is not installed; the message says how to install it."""


class CaseFault(HarnessError):
    """A failure confined to one case. The engine records it and carries on.

    ``kind`` is a short stable name used to count errors by kind in scorecards.
    """

    kind = "case_error"

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ModelCallError(CaseFault):
    kind = "model_error"


class RateLimitError(ModelCallError):
    kind = "rate_limit"


class ServerError(ModelCallError):
    kind = "server_error"


class CallTimeoutError(ModelCallError):
    kind = "timeout"


class ConnectionFault(ModelCallError):
    kind = "connection"


class AuthError(ModelCallError):
    kind = "auth"


class ContentFilterError(ModelCallError):
    kind = "content_filter"


class EmptyResponseError(ModelCallError):
    kind = "empty_response"


class JudgeOutputError(CaseFault):
    kind = "judge_output"


class SeveralErrors(UserError):
    """Every mistake one check of a file found (its schema validation), each a UserError naming its line and
    field, in line order; ``more`` were found beyond those kept.

    It reads as the first of them (``problem``, ``file``, ``line``, ``field``), so whatever shows one line of
    an error shows that one, with a count of the rest; ``harness validate`` shows each on its own line.
    :meth:`of` makes it an error of the file's own kind too, so ``except ConfigError`` still catches an eval
    file's mistakes.
    """

    _kinds: dict[type, type] = {}

    def __init__(self, errors: list[UserError], more: int = 0) -> None:
        first = errors[0]
        self.errors = list(errors)
        self.more = more
        super().__init__(first.problem, file=first.file, line=first.line, field=first.field)

    @classmethod
    def of(cls, kind: type[UserError]) -> type["SeveralErrors"]:
        """This class as a ``kind`` too (``SeveralConfigErrors`` is a ConfigError)."""
        if kind not in cls._kinds:
            cls._kinds[kind] = type(f"Several{kind.__name__}s", (cls, kind), {"__doc__": cls.__doc__})
        return cls._kinds[kind]

    @property
    def count(self) -> int:
        return len(self.errors) + self.more

    def one_line(self) -> str:
        rest = self.count - 1
        return (super().one_line() + f" (and {rest} more error{'s' if rest != 1 else ''} in this file: "
                f"harness validate {self.file} lists them)")


class RunNotFinished(HarnessError):
    """A run stopped before it finished for a reason outside the user's input (a batch provider that refuses
    to report on a batch it accepted, or stays unreachable for longer than a batch can take). Printed as one
    line; exit code 3. The run is marked interrupted, so ``--resume`` continues it."""

    exit_code = 3


class ProtocolError(ServerError):
    """An answer that is not the chat-completions protocol at all (an HTML page with a 200, a body that is not
    JSON or not a chat completion): kind ``server_error`` as before, told apart so that an endpoint that never
    spoke the protocol can be given up on (:mod:`harness.models.breaker`)."""


class ForeignConfigError(ConfigError):
    """A file written for another tool (a promptfoo config given as an eval file). Where it is among a file's
    errors, the CLI prints every one of them, as ``harness validate`` does: each names the harness's word for
    one of the other tool's keys, and the first alone would not say what to write."""


class OverrideError(ConfigError):
    """A command-line option that changes the eval file (``--model``, ``--judge-model``, ``--set``) gave what
    the file cannot take: named by the option, not by a line of the file that does not hold the value. The
    CLI prints every one of a file's errors when one is this (a file's line alone would not lead to it)."""


class ToolCallReplyError(ModelCallError):
    """A model candidate answered with a tool call instead of text for the customer. The harness replays the
    tool calls and results a thread recorded, but runs no tool itself: nothing was replied, so the case is
    this error (not retried: the same messages ask for the same call), and the run goes on."""

    kind = "tool_call_reply"


class GeneratedAnswerError(CaseFault):
    """``harness generate``: a model's answer that is not a complaint of the asked JSON shape, after the retry
    that showed it the problem. Counted in the command's summary; that generation is dropped, the rest go on."""

    kind = "generated_answer"


class ToolRoundsError(CaseFault):
    """A model candidate with simulated tools was still calling tools after ``max_tool_rounds`` model turns:
    no reply to grade. The calls it made are kept in the record; the run goes on."""

    kind = "tool_rounds"
