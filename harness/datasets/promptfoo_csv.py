"""promptfoo's ``__expected`` CSV columns, read as the case's own checks (:mod:`harness.datasets.case_checks`)
and, for ``llm-rubric:`` / ``grade:`` cells, its own judge criteria (:mod:`harness.datasets.case_criteria`).

promptfoo writes a test's assertions in ``__expected``, ``__expected1``, ``__expected2``, ... cells as
``[not-]type[(threshold)]: value`` (a cell with no known type is ``equals`` that text). The ones a check of
ours can say become a check of the case; the others are refused, at their row and column, with what to use
instead. promptfoo's string assertions are case-sensitive (its ``icontains`` family is not), so each check
made here says ``ignore_case`` as promptfoo would match. ``similar``, ``levenshtein``, ``rouge-n`` and ``bleu``
cells compare the reply with the cell's value (:mod:`harness.checks.reference`); ``rouge-n`` is scored as ROUGE-L.
"""

from __future__ import annotations

import re
from typing import Any

EXPECTED = re.compile(r"^__expected\d*$")
_ASSERTION = re.compile(r"^(?P<not>not-)?(?P<type>[a-z][a-z0-9-]*)(?:\((?P<threshold>[^)]*)\))?(?::\s?(?P<value>.*))?$",
                        re.S)
_JUDGED = ("llm-rubric", "grade", "model-graded-closedqa", "model-graded-factuality", "factuality", "g-eval",
           "answer-relevance", "context-faithfulness", "context-recall", "context-relevance", "select-best",
           "classifier", "moderation", "pi")
# promptfoo's other assertion types: refused by name (a cell naming none of these is `equals` its text).
_OTHERS = ("levenshtein", "rouge-n", "bleu", "gleu", "meteor", "perplexity", "perplexity-score", "contains-json",
           "is-xml", "contains-xml", "is-sql", "contains-sql", "is-html", "contains-html", "webhook", "word-count",
           "finish-reason", "is-refusal", "is-valid-openai-tools-call", "is-valid-openai-function-call",
           "guardrails", "f-score", "javascript", "python", "equals", "starts-with", "regex", "is-json", "latency",
           "cost", "contains", "icontains", "contains-any", "icontains-any", "contains-all", "icontains-all")
_JUDGE_HINT = ("a model's grading is a judge criterion here: `llm-rubric: <question>` in this cell (a criterion of "
               "this case), a question in the eval file's judge, `judge: {model: ..., rubric: {criteria: [{id: "
               "apologises, question: Does the reply apologise?}]}}`, or a rubric file (see 'Rubrics and the judge' "
               "in the README)")
_CODE_HINT = ("code runs as a python check: write a function in a .py file and give it in the case's `checks` "
              "column as [{\"type\": \"python\", \"value\": \"checks.py:my_check\"}] (or in the eval file's checks)")
# promptfoo's reference assertions -> the check type comparing the reply with the cell's value, and the key its
# threshold becomes (rouge-n becomes ROUGE-L: the longest common word sequence, not n-gram recall).
_REFERENCE = {"similar": ("similar", "min"), "levenshtein": ("levenshtein", "max_distance"),
              "rouge-n": ("rouge_l", "min"), "bleu": ("bleu", "min")}


class Refused(ValueError):
    """A cell that no check of ours can say: the message says what to use instead."""


def is_expected_column(name: str) -> bool:
    return bool(EXPECTED.match(name))


def promptfoo_csv_note(header: list[str], name: str) -> str | None:
    """Why a CSV whose header is promptfoo's (``__expected`` or ``vars.`` columns) is not a dataset yet: what
    it lacks, and how to give it that; None for any other header."""
    own = [column for column in header if is_expected_column(column) or column.startswith("vars.")]
    if not own:
        return None
    wanted = (("id", "each case's own, kept across runs"), ("complaint", "the customer's message"))
    lacks = [f"{column} column ({why})" for column, why in wanted if column not in header]
    shown = ", ".join(own[:3]) + (", …" if len(own) > 3 else "")
    return (f"a promptfoo tests CSV ({shown}), not a dataset as it is: it has no {' and no '.join(lacks)}; "
            f"add {'them' if len(lacks) > 1 else 'it'} to its header, or "
            f"map its own columns in an eval file (dataset: {{path: {name}, columns: {{id: <column>, complaint: "
            f"<column>}}}}) and validate that")


_RUBRIC = re.compile(r"^(?:llm-rubric|grade)\s*:\s*(?P<question>.+)$", re.S)


def expected_criterion(cell: str) -> dict[str, Any] | None:
    """The judge criterion of an ``llm-rubric: text`` or ``grade: text`` cell (no id: the case gives it a default,
    as it names a check), else None. Its text is the question, judged pass/fail on the default levels."""
    match = _RUBRIC.match(cell.strip())
    return {"question": match["question"].strip()} if match and match["question"].strip() else None


def expected_check(cell: str) -> dict[str, Any]:
    """The check spec of one ``__expected`` cell (no name: the case gives it a default), or Refused."""
    text = cell.strip()
    if text.startswith(("javascript:", "fn:", "eval:")):
        raise Refused(f"{text.split(':', 1)[0]}: JavaScript is not run here; {_CODE_HINT}")
    match = _ASSERTION.match(text)
    kind = match["type"] if match else None
    known = kind is not None and (kind in _OTHERS or kind in _JUDGED or kind.startswith("similar"))
    bare = match is not None and match["value"] is None and match["threshold"] is None
    if not known or bare and kind != "is-json" and kind not in _JUDGED:
        spec = {"type": "equals", "value": text, "ignore_case": False}  # promptfoo's bare value: the whole reply
    else:
        spec = _check(kind, bool(match["not"]), match["threshold"], match["value"], text)
    return {**spec, "description": f"promptfoo: {text}"[:200]}  # what the cell said, beside the check it became


def _check(kind: str, negated: bool, threshold: str | None, value: str | None, text: str) -> dict[str, Any]:
    written = f"{'not-' if negated else ''}{kind}"
    if kind in _JUDGED:
        raise Refused(f"{written}: {_JUDGE_HINT}")
    if kind in ("javascript", "python"):
        raise Refused(f"{written}: {_CODE_HINT if kind == 'python' else 'JavaScript is not run here; ' + _CODE_HINT}")
    if kind in _REFERENCE:
        return _reference(kind, negated, threshold, value, written)
    value = value or ""
    spec = _plain(kind, negated, value)
    if spec is None:
        spec = _limit(kind, negated, threshold or value)
    if spec is None:
        raise Refused(f"{written}: no check of ours says this; the types a cell may have are contains, icontains, "
                      f"contains-any, contains-all, equals, starts-with, regex, is-json (and their not- forms), "
                      f"latency, cost, similar, levenshtein, rouge-n, bleu; for anything else write a python check or a judge criterion")
    return spec


def _reference(kind: str, negated: bool, threshold: str | None, value: str | None, written: str) -> dict[str, Any]:
    """``similar(0.8): text`` and its kin: the reference check against ``text`` (none: the case's reference_reply)."""
    check, key = _REFERENCE[kind]
    if negated:
        raise Refused(f"{written}: there is no negated {check} check here; hold it to a maximum with a python check")
    spec: dict[str, Any] = {"type": check}
    if value and value.strip():
        spec["value"] = value.strip()
    if threshold is not None and threshold.strip():
        try:
            number = float(threshold)
        except ValueError:
            raise Refused(f"{written}({threshold}): the threshold must be a number") from None
        spec[key] = int(number) if key == "max_distance" and number.is_integer() else number
    return spec


def _plain(kind: str, negated: bool, value: str) -> dict[str, Any] | None:
    """The phrase, pattern and JSON assertions, in their ``i`` (ignore case) and ``not-`` forms."""
    ignore = kind.startswith("i") and kind[1:] in ("contains", "contains-any", "contains-all")
    base = kind[1:] if ignore else kind
    phrases = [part.strip() for part in value.split(",") if part.strip()]  # promptfoo: comma-delimited
    if base == "contains" and value:
        return {"type": "not_contains" if negated else "contains", "value": value, "ignore_case": ignore}
    if base == "contains-any" and phrases:
        return {"type": "not_contains" if negated else "contains", "value": phrases, "ignore_case": ignore}
    if base == "contains-all" and phrases:
        return {"type": "not_contains_all" if negated else "contains_all", "value": phrases, "ignore_case": ignore}
    if kind == "regex" and value:
        return {"type": "not_regex" if negated else "regex", "value": value, "ignore_case": False}
    if kind in ("equals", "starts-with") and value:
        return {"type": ("not_" if negated else "") + kind.replace("-", "_"), "value": value, "ignore_case": False}
    if kind == "is-json":
        return {"type": "not_is_json" if negated else "is_json"}
    return None


def _limit(kind: str, negated: bool, amount: str) -> dict[str, Any] | None:
    """``latency(2000)`` / ``cost: 0.01``: the responder call's limits."""
    names = {"latency": "max_latency_ms", "cost": "max_cost_usd"}
    if kind not in names or negated:
        return None
    try:
        number = float(amount.strip())
    except ValueError:
        return None
    return {"type": names[kind], "value": int(number) if number.is_integer() else number}
