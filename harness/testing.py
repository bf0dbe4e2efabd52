"""Checking ONE reply in a plain test, with no dataset or eval file (DeepEval's ``assert_test`` shape)::

    from harness.testing import assert_reply, check_reply

    def test_apology():
        assert_reply("I'm sorry your order is late. I've sent a replacement today.",
                     complaint="My order never arrived!",
                     checks=["apology_wording", {"type": "not_contains", "value": "FAQ"}])

``checks`` takes what an eval file's ``checks:`` takes: ``"all"`` (every built-in check), ``"none"``,
or a list of built-in check names and checks written as mappings (``name`` may be left out: the check
is named after its type). ``assert_reply`` needs it said (as DeepEval's ``assert_test`` needs its
metrics): a test holds a reply to the checks it names, not to every built-in one, some of which (a
follow-up offer, an empathy statement) a good short reply may leave out. ``check_reply``, for looking
at a reply, runs every built-in check unless told otherwise. The case is built from ``complaint`` and
the optional ``context`` (policy facts), ``expectations``, ``metadata``, ``persona`` and
``category``, as a dataset row would give them.

Offline by default: checks only. A judge is asked only when a model is given: ``judge=`` a model
name or a mapping as an eval file's ``judge:`` block has it (``model``, ``api_base``,
``api_key_env``, ``params``...), with ``rubric=`` a rubric file's path or a rubric mapping (one
``question`` per criterion is enough) and ``criteria=`` to keep some of them; a key named by
``api_key_env`` may be in the working directory's ``.env``. Nothing is cached.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.checks.base import CheckContext, CheckResult, registry
from harness.ci.verdicts import failed_check_line
from harness.config.validation_errors import first_error
from harness.config.yamlfile import format_loc
from harness.errors import ConfigError, UserError


class ReplyAssertionError(AssertionError):
    """A reply failed a check or criterion; the message names each, with its evidence or the judge's reason."""


@dataclass
class ReplyResult:
    """Every check's result on the reply, and every criterion's verdict when a judge was asked."""

    reply: str
    checks: dict[str, CheckResult]
    criteria: dict[str, Any] = field(default_factory=dict)  # harness.records.schema.CriterionResult by id

    @property
    def passed(self) -> bool:
        """No check failed or crashed, no criterion failed and the judge answered on each."""
        return not self.failures()

    def failures(self) -> list[str]:
        """One line per failing check (its evidence) or criterion (its score and the judge's reason)."""
        lines = []
        for name, result in self.checks.items():
            if result.passed is False:
                lines.append(failed_check_line(name, result))
            elif result.passed is None and result.data.get("error"):
                lines.append(f"check {name} crashed: {result.detail.removeprefix('check crashed: ')}")
        for name, verdict in self.criteria.items():
            if verdict.error is not None:
                lines.append(f"criterion {name}: judge error {verdict.error.kind}: {verdict.error.message}")
            elif verdict.passed is False:
                lines.append(f"criterion {name} failed (score {verdict.score:g}): {verdict.reason}")
        return lines


def check_reply(reply: str, complaint: str = "", *, checks: str | list = "all", context: dict | None = None,
                expectations: dict | None = None, metadata: dict | None = None, persona: str | None = None,
                category: str | None = None, judge: str | dict | None = None, rubric: str | dict | None = None,
                criteria: list[str] | None = None) -> ReplyResult:
    """Run ``checks`` (and, with ``judge``, the rubric's criteria) on ``reply`` to ``complaint``.

    A wrong argument raises one user error saying which: :class:`ConfigError` for a check, a judge option
    or a case field, RubricError for a rubric file, MissingCredentialError for an unset key."""
    __tracebackhide__ = True  # pytest: a wrong argument is the test's line, not this module's frames
    try:
        return _check_reply(reply, complaint, checks, context, expectations, metadata, persona, category, judge,
                            rubric, criteria)
    except UserError as exc:
        # Raised afresh from here, without the frames below: the message names the argument, and the
        # traceback's last line is then the test's call (README: "pytest plugin", one reply).
        raise exc.with_traceback(None) from None


def _check_reply(reply, complaint, checks, context, expectations, metadata, persona, category, judge, rubric,
                 criteria) -> ReplyResult:
    from harness.runner.evaluate import run_checks

    case = _case(complaint, context, expectations, metadata, persona, category)
    ctx = CheckContext(case=case, reply=reply, candidate="check_reply")
    results = run_checks(_checks(checks), ctx)
    verdicts = _judge(ctx, judge, rubric, criteria) if judge is not None else {}
    return ReplyResult(reply, results, verdicts)


def assert_reply(reply: str, complaint: str = "", **options: Any) -> ReplyResult:
    """:func:`check_reply`, raising :class:`ReplyAssertionError` with every failure's evidence if any failed.

    ``checks=`` is required: a test names what it holds the reply to."""
    __tracebackhide__ = True  # pytest: the message says everything, this module's frames would not
    if "checks" not in options:
        raise ConfigError(_NO_CHECKS + ", ".join(sorted(registry())))
    result = check_reply(reply, complaint, **options)
    if not result.passed:
        raise ReplyAssertionError("\n".join([f"reply: {reply[:400]}"] + [f"  {line}" for line in result.failures()]))
    return result


_NO_CHECKS = ("assert_reply needs checks=[...]: names of built-in checks, checks written as mappings "
              "({'type': 'contains', 'value': 'refund'}), \"all\" for every built-in check, or \"none\" beside a "
              "judge=; the built-in checks are ")


def _case(complaint: str, context, expectations, metadata, persona, category):
    from harness.datasets.schema import Case

    fields = {"context": context, "expectations": expectations, "metadata": metadata, "persona": persona,
              "category": category}
    data = {"id": "reply", "turns": [{"role": "customer", "content": complaint or "-"}],
            **{k: v for k, v in fields.items() if v is not None}}
    try:
        return Case.model_validate(data)
    except ValueError as exc:
        raise _refused(exc, data, Case, "") from None


def _checks(checks: str | list) -> list:
    """The checks ``checks`` names or writes, as an eval file's ``checks:`` would build them."""
    known = registry()
    if checks in ("all", "none"):
        return [known[name] for name in sorted(known)] if checks == "all" else []
    if isinstance(checks, (str, dict)):
        checks = [checks]
    built, names = [], []
    for index, item in enumerate(checks):
        if isinstance(item, str) and item not in known:
            from harness.config.validation_errors import did_you_mean

            raise ConfigError(f"no built-in check {item!r}{did_you_mean(item, list(known))}", field=f"checks[{index}]")
        check = known[item] if isinstance(item, str) else _written(item, index, names)
        names.append(check.name)
        built.append(check)
    return built


def _written(item: dict, index: int, names: list[str]):
    """A check written as a mapping (``name`` defaults to its type, numbered when taken)."""
    from harness.checks.custom import CustomCheckSpec, build_custom_check

    if not isinstance(item, dict):
        raise ConfigError("a check is a built-in check's name or a mapping with `type`", field=f"checks[{index}]")
    name = item.get("name") or str(item.get("type", "check"))
    if "name" not in item and name in names:
        name = f"{name}_{index + 1}"
    try:
        spec = CustomCheckSpec.model_validate({**item, "name": name})
        return build_custom_check(spec, lambda file: Path(file) if Path(file).is_file() else None)
    except ValueError as exc:
        raise _refused(exc, {**item, "name": name}, CustomCheckSpec, f"checks[{index}]") from None


def _refused(exc: ValueError, data: Any, model: Any, at: str) -> ConfigError:
    """The first mistake pydantic found in ``data`` (the argument ``at``), at its field and in the eval file's
    plain words (an unknown key: its did-you-mean, or promptfoo's word for it); a ValueError of ours as it is."""
    if not isinstance(exc, ValidationError):
        return ConfigError(str(exc), field=at or None)
    loc, message = first_error(exc, data, model)
    where = format_loc(loc)
    field = f"{at}.{where}" if at and where else at or where
    return ConfigError(message.removeprefix("Value error, "), field=field or None)


def _judge(ctx: CheckContext, judge: str | dict, rubric: str | dict | None, criteria: list[str] | None) -> dict:
    """The rubric's verdicts on ``ctx`` by the judge model ``judge`` describes (asked now, nothing cached)."""
    from harness.config.judge_spec import ModelFields
    from harness.judges.judge import Judge
    from harness.records.schema import CallStats
    from harness.runner.plan import model_spec

    if rubric is None:
        raise ConfigError("check_reply: a judge needs rubric= (a rubric file's path, or the rubric as a mapping)")
    from harness.config.interpolate import load_env_files
    from harness.models.registry import build_model

    data = {"model": judge} if isinstance(judge, str) else judge
    try:
        fields = ModelFields.model_validate(data)
    except ValueError as exc:
        raise _refused(exc, data, ModelFields, "judge") from None
    chosen = _rubric(rubric).select(criteria)  # before the key is looked for: every offline mistake first
    load_env_files(Path.cwd() / "check_reply")  # a key in the working directory's .env, as an eval's run reads it

    model = build_model(model_spec(fields))
    model.check_credentials()
    grader = Judge(model=model, rubric=chosen)
    return asyncio.run(grader.grade(ctx, CallStats()))


def _rubric(rubric: str | dict):
    from harness.judges.rubric import Rubric, load_rubric

    if isinstance(rubric, dict):
        data = {"id": "check_reply", "version": "1", **rubric}
        try:
            return Rubric.model_validate(data)
        except ValueError as exc:
            raise _refused(exc, data, Rubric, "rubric") from None
    return load_rubric(rubric)
