"""Judge criteria for one case: a case's own ``criteria``, as promptfoo's per-test ``llm-rubric``.

    {"id": "t1", "complaint": "...", "criteria": [{"id": "names_the_order", "question": "Does the reply name order 4411?"}]}

Each item is a rubric criterion (:class:`harness.judges.rubric.Criterion`), most often in the short form
(``id`` and ``question``: pass/fail on the default levels); a full one (scale, levels, threshold) is allowed.
``id`` may be left out: a default is made from the question (``llm_rubric_names_order_4411``), as a case's
check is named from its type and value, unique within the case and, by a short hash of the question,
across the dataset. A promptfoo CSV's ``llm-rubric:`` / ``grade:`` cells become such criteria.

They are judged on that case only, by the eval's judge, after the rubric's criteria; a case with criteria
and an eval without a judge is refused at the case's row (:func:`refuse_case_criteria`). They are kept in
the case as their JSON dump, so the dataset hash covers them (a case without any hashes as before): an
edited criterion is a changed case, never a reason to call runs incomparable. The manifest lists them
beside the rubric's criteria, marked ``case`` (:func:`criteria_record`), so scorecards, diffs and exports
read their verdicts as any criterion's.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Callable, Iterable

_SLUG = re.compile(r"[^a-z0-9]+")
_NAME_LENGTH = 60  # as a case's check's default name: a scorecard row, not the whole question
DEFAULT_PREFIX = "llm_rubric"
# The fields a short criterion leaves out of its dump (they read back the same): compact cases.jsonl rows.
_DEFAULTS = {"pass_threshold": 4, "use_context": False, "applies_when": "always"}
CASE_VERSION = "case:spec"  # a case criterion's manifest hash: its definition is in each case (see guard)


def normalized_criteria(items: list[Any]) -> list[dict[str, Any]]:
    """The case's criteria validated, each with an id, as compact JSON dumps; ValueError ``criteria[i].field:
    problem`` for each bad one, a line each."""
    from harness.datasets.case_checks import each_normalized

    return each_normalized(items, _normalized)


def _normalized(item: Any, index: int, taken: set[str]) -> dict[str, Any]:
    from harness.datasets.case_checks import validated
    from harness.judges.rubric import SHORT_LEVELS, Criterion

    if not isinstance(item, dict):
        raise ValueError(f"criteria[{index}]: expected an object ({{id, question}}), as a rubric's criterion")
    named = item.get("id") is not None
    criterion = validated(Criterion, item, f"criteria[{index}]", "id")
    name = criterion.id if named else default_id(criterion.question, taken)
    if name in taken:
        raise ValueError(f"criteria[{index}].id: {name!r} names another criterion of this case: give it another")
    taken.add(name)
    dump = {"id": name, **{k: v for k, v in criterion.definition().items() if k != "id"}}
    if dump["scale"] == "pass_fail" and dump["levels"] == SHORT_LEVELS:  # the short form: it reads back the same
        del dump["scale"], dump["levels"]
    for key, value in _DEFAULTS.items():
        if dump.get(key) == value:
            del dump[key]
    return dump


def default_id(question: str, taken: set[str]) -> str:
    """``llm_rubric_does_the_reply_name_order_4411``: the question's letters and digits, cut to a readable
    length; ``_2``, ``_3`` after it where the case has that id already."""
    slug = _SLUG.sub("_", question.lower()).strip("_")
    base = f"{DEFAULT_PREFIX}_{slug}"[:_NAME_LENGTH].rstrip("_") if slug else DEFAULT_PREFIX
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    return name


def _is_default_id(dump: dict[str, Any]) -> bool:
    base = default_id(dump["question"], set())
    return dump["id"] == base or re.fullmatch(re.escape(base) + r"_\d+", dump["id"]) is not None


def _identity(dump: dict[str, Any]) -> str:
    return spec_key({k: v for k, v in dump.items() if k != "id"})


def unique_ids(cases: Iterable[Any]) -> None:
    """Give each default-named criterion whose id the dataset already has for another definition that id and
    ``_`` and a short hash of its definition, in place, so two questions never share a row (as
    :func:`harness.datasets.case_checks.unique_names` does for checks)."""
    from harness.datasets.case_checks import distinct_keys

    distinct_keys([dump for case in cases for dump in case.criteria or ()], "id", _is_default_id, _identity)


def written_ways(dataset: Any) -> list[str]:
    """One warning per criterion id the cases of ``dataset`` (every case, not a run's selection) give to different
    definitions (an id written by hand; a made one never is: :func:`unique_ids`): their verdicts share one row,
    which pools two questions, and the manifest keeps the first one's scale."""
    from harness.datasets.case_checks import ways_warnings

    return ways_warnings(dataset, "criteria", "criterion", _identity, _shown, "verdicts")


def _shown(dump: dict[str, Any]) -> str:
    from harness.datasets.case_checks import short

    scale = dump.get("scale")
    return f'"{short(dump["question"])}"' + (f", {scale}" if scale and scale != "pass_fail" else "")


def spec_key(dump: dict[str, Any]) -> str:
    return json.dumps(dump, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=4096)
def _built(key: str) -> Any:
    from harness.judges.rubric import Criterion

    return Criterion.model_validate(json.loads(key))


def criteria_of(case: Any) -> list[Any]:
    """The case's own criteria as Criterion objects, in its order (built once per distinct definition)."""
    return [_built(spec_key(dump)) for dump in case.criteria] if getattr(case, "criteria", None) else []


def criteria_record(cases: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The manifest's entries for the cases' own criteria (by id, first definition's scale and threshold),
    marked ``case: true`` and hashed :data:`CASE_VERSION`: the comparability guard leaves them out."""
    found: dict[str, dict[str, Any]] = {}
    for case in cases:
        for criterion in criteria_of(case):
            found.setdefault(criterion.id, {"scale": criterion.scale, "pass_threshold": criterion.pass_threshold,
                                            "applies_when": criterion.applies_when, "sha256": CASE_VERSION,
                                            "case": True})
    return found


def is_case_criterion(entry: object) -> bool:
    """True for a manifest criterion entry of a case's own criterion."""
    return isinstance(entry, dict) and bool(entry.get("case"))


def refuse_case_criteria(cases: Iterable[Any], source: str, lines: dict[str, int],
                         rubric_ids: list[str] | None) -> None:
    """A DatasetError at the first case with criteria when the eval has no judge (``rubric_ids`` None), or at a
    case criterion whose id is one of the rubric's (their verdicts would share one key of the record)."""
    from harness.errors import DatasetError

    for case in cases:
        if not case.criteria:
            continue
        line = lines.get(case.id)
        if rubric_ids is None:
            raise DatasetError("this case has judge criteria of its own, but the eval has no judge to ask them: add "
                               "a `judge:` (a model and a rubric) to the eval file, or remove the case's criteria",
                               file=source, line=line, field="criteria")
        for index, dump in enumerate(case.criteria):
            if dump["id"] in rubric_ids:
                raise DatasetError(f"{dump['id']!r} is the id of a criterion of the eval's rubric: give this "
                                   f"criterion of the case another", file=source, line=line,
                                   field=f"criteria[{index}].id")


def refuse_unjudged(loaded: Any) -> None:
    """For ``harness validate``: the no-judge refusal at the first case of the eval's local dataset that has
    criteria (a hub dataset is not fetched; a bad row is left to the dataset's own step, which names it)."""
    from pathlib import Path

    from harness.datasets.loader import load_dataset
    from harness.errors import UserError

    if loaded.spec.judge is not None or not Path(loaded.dataset_path).is_file():
        return
    try:
        dataset = load_dataset(loaded.dataset_path, columns=loaded.column_map)
    except UserError:
        return
    refuse_case_criteria(dataset.cases, dataset.source, dict(dataset.lines), None)
