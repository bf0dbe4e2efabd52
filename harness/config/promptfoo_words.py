"""promptfoo's words in an eval file, each answered with the harness's own: one table, read by every message.

Someone coming from promptfoo writes its keys (``prompts:``, ``tests:``) and assertion types
(``icontains``, ``llm-rubric``, ``not-starts-with``). A spelling suggestion is the wrong answer
to them (``tests`` is not a typo of ``gates``), and suggesting ``starts_with`` for
``not-starts-with`` suggests the opposite check. So each is named here with what does its job in
the harness, in one line; :func:`check_type_problem` and :func:`unknown_key_hint` are what the
validation messages read. README: "Coming from promptfoo".
"""

from __future__ import annotations

import difflib
from typing import Iterable

MIGRATION_LINK = "README.md#coming-from-promptfoo"

# The inline form first: it is what an llm-rubric assertion's one line becomes; a rubric file is for reuse.
_JUDGE = ("a judge criterion: judge: {model, rubric: {criteria: [{id, question}]}} in the eval file "
          "(or a rubric file named by judge.rubric)")
_PYTHON = "a python check ({type: python, value: file.py:function})"

# promptfoo assertion types the harness has no check type of that name for -> what does their job.
CHECK_TYPES = {
    "icontains": "use contains (ignore_case is true by default)",
    "icontains-any": "use contains (any phrase; ignore_case is true by default)",
    "icontains-all": "use contains_all (ignore_case is true by default)",
    "contains-any": "use contains (it passes when any of the phrases appears)",
    "javascript": f"write {_PYTHON}",
    "llm-rubric": f"write {_JUDGE}",
    "g-eval": f"write {_JUDGE}",
    "factuality": f"write {_JUDGE}",
    "answer-relevance": f"write {_JUDGE}",
    "select-best": "compare two candidates with `harness pairwise RUN`",
    "cost": "use max_cost_usd (value: US dollars per reply, where promptfoo has threshold:)",
    "latency": "use max_latency_ms (value: milliseconds, where promptfoo has threshold:)",
    "similar": "use similar (embeddings' cosine against the case's reference_reply or value:; threshold: is min:, "
               "default 0.8; the eval file's embedding: {model, api_base} picks the embedding model)",
    "levenshtein": "use levenshtein (threshold: is max_distance:, default 5 edits; or min:, a similarity 0 to 1)",
    "rouge-n": "use rouge_l (the ROUGE-L F-measure against the case's reference_reply or value:; threshold: is min:)",
    "bleu": "use bleu (sentence BLEU against the case's reference_reply or value:; threshold: is min:)",
    "contains-json": f"is_json wants the whole reply to be JSON; to find JSON inside a reply, write {_PYTHON}",
}
# Families of promptfoo types, by the start of their name.
CHECK_TYPE_PREFIXES = {"model-graded-": f"write {_JUDGE}", "context-": f"write {_JUDGE}"}

# Keys of one check that promptfoo has and a check here does not.
CHECK_KEYS = {
    "weight": "checks have no weights: each passes or fails on its own; hold the ones that matter to a minimum "
              "with gates: {checks: {<name>: {min: 0.9}}}",
    "metric": "a check is reported under its own name (name:); gates: {checks: {<name>: {min: ...}}} holds it "
              "to a minimum",
    "negate": "use the not_ type instead (not_contains, not_contains_all, not_equals, not_starts_with, "
              "not_regex, not_is_json)",
    "provider": "a check's grader model is the judge's: judge: {model, rubric}",
    "transform": f"no transform: {_PYTHON} can read the reply however it needs",
}

# Keys of a judge criterion that promptfoo's llm-rubric assertion has and a criterion here does not.
CRITERION_KEYS = {
    "weight": "criteria have no weights: each passes or fails on its own; hold the ones that matter to a minimum "
              "with gates: {criteria: {<id>: {min: 0.9}}}",
    "threshold": "a 1-5 criterion passes at pass_threshold: (1-5, default 4); a pass_fail one needs none",
    "metric": "a criterion is reported under its own id (id:)",
    "value": "the criterion's question goes in question:",
    "provider": "the criteria's grader model is the judge's: judge: {model, rubric}",
}

# Keys of a promptfoo provider that a candidate here spells otherwise.
CANDIDATE_KEYS = {
    "config": "a candidate's model settings (temperature, max_tokens, ...) go in params:",
    "id": "a candidate's model is model: (provider/name, e.g. openai/gpt-4o-mini)",
    "label": "a candidate's label is name:",
    "prompts": "a candidate has one prompt: prompt: (several: a matrix of prompt: [...])",
}

# promptfoo's top-level keys -> the harness's word for the same job.
TOP_KEYS = {
    "prompts": "here each candidate has a prompt: candidates[].prompt (several: candidates: [{matrix: {prompt: "
               "[a.jinja, b.jinja], model: [...]}}])",
    "providers": "here each candidate has a model: candidates[].model (several: a matrix of model: [...])",
    "tests": "here the cases are a dataset file: dataset: cases.jsonl or .csv (a test's vars are the case's "
             "complaint and metadata.<key>)",
    "scenarios": "here the cases are a dataset file: dataset: (choose some with --where or --cases)",
    "defaultTest": "here checks: lists the checks every case gets",
    "assert": "here checks: lists the checks every case gets",
    "outputPath": "here a run writes to its own directory: harness run --out DIR",
    "evaluateOptions": "here concurrency: is a top-level key, and repeats are epochs: (or harness run --repeat N)",
    "sharing": "here a run writes a self-contained report.html to share",
    "env": "here set environment variables in the shell; a candidate's api_key_env names one",
    "vars": "here a case's fields come from the dataset: {{ metadata.<key> }} in a prompt or check",
    "nunjucksFilters": "prompts here are Jinja templates; a filter of your own is not loaded",
}
# Keys that say "promptfoo" without being its words for something (they only count towards the file's look).
_PROMPTFOO_ONLY = ("redteam", "derivedMetrics", "extensions", "writeLatestResults")


def looks_like_promptfoo(data: object) -> bool:
    """Whether a YAML mapping reads as a promptfoo config: two or more of its top-level keys."""
    return isinstance(data, dict) and len(promptfoo_keys(data)) >= 2


def promptfoo_keys(keys: Iterable[object]) -> list[str]:
    return [key for key in keys if isinstance(key, str) and (key in TOP_KEYS or key in _PROMPTFOO_ONLY)]


def looks_like_line() -> str:
    return (f"this looks like a promptfoo config, not an eval file: the lines below name the harness's word for "
            f"each of its keys; the whole mapping: {MIGRATION_LINK}")


def unknown_key_hint(where: str, key: str) -> str | None:
    """What an unknown ``key`` of promptfoo's means here (``where``: ``eval`` for the top level, ``check``
    for one check, ``criterion`` for a judge criterion, ``candidate`` for one candidate), or None when it is
    not one of promptfoo's."""
    table = {"eval": TOP_KEYS, "check": CHECK_KEYS, "criterion": CRITERION_KEYS,
             "candidate": CANDIDATE_KEYS}.get(where, {})
    hint = table.get(key)
    return f"promptfoo's {key}: {hint}" if hint else None


def check_type_problem(written: str, known: Iterable[str]) -> str | None:
    """Why a check ``type`` is refused, when it is promptfoo's spelling or vocabulary (None: not one of those,
    pydantic's list of types says it). A negated type is never answered with the type it negates."""
    known = list(known)
    underscored = written.replace("-", "_")
    if underscored in known:
        return f"type {written!r}: did you mean {underscored}? (types here are written with underscores)"
    hint = _pointer(written)
    if hint:
        return f"type {written!r} is promptfoo's: {hint}"
    if underscored.startswith("not_"):
        return _negated(written, underscored.removeprefix("not_"), known)
    return None


def _pointer(written: str) -> str | None:
    name = written.replace("_", "-")
    return CHECK_TYPES.get(name) or next(
        (hint for prefix, hint in CHECK_TYPE_PREFIXES.items() if name.startswith(prefix)), None)


_NEGATED_EQUIVALENT = {"icontains": "contains", "icontains_any": "contains", "contains_any": "contains",
                       "icontains_all": "contains_all"}


def _negated(written: str, base: str, known: list[str]) -> str | None:
    equivalent = _NEGATED_EQUIVALENT.get(base)
    if equivalent and f"not_{equivalent}" in known:
        return f"type {written!r}: did you mean not_{equivalent}? (ignore_case is true by default)"
    negated = [k for k in known if k.startswith("not_")]
    close = difflib.get_close_matches(f"not_{base}", negated, n=1, cutoff=0.85)  # a typo: among negated types only
    if close:  # a misspelt negated type: the list of types, and the closest (a negated one), say it
        return None
    negated = ", ".join(negated)
    return (f"type {written!r}: there is no negated {base.replace('_', '-')} check here (the negated types are "
            f"{negated}); for another, {_PYTHON} can return the opposite")
