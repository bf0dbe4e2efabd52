"""Rubrics: versioned YAML files of criteria a judge model scores.

A criterion has an ``id``, the ``question``, a ``scale`` (``1-5`` or ``pass_fail``)
with an anchored description of each level, a pass threshold, whether the case's
policy context is shown to the judge, and when it applies.

Two shorter ways to write one (promptfoo's one-line ``llm-rubric`` is the yardstick):

* a criterion with its ``id`` and ``question`` (or ``description``) and no ``levels``
  is a pass/fail one whose two levels say :data:`SHORT_LEVELS`. It is the same
  criterion as one written out with those words, and hashes as it: the judge is
  shown the same thing, so the response cache and run comparisons take them alike.
* a rubric written in the eval file (``judge: {rubric: {criteria: [...]}}``) instead
  of a file of its own; its ``id`` defaults to the eval's name and its ``version``
  to ``"1"``, and it hashes as the same rubric in a file would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from harness.config.yamlfile import load_yaml, validate_yaml
from harness.datasets.conditions import AppliesWhen, applies
from harness.datasets.schema import Case
from harness.errors import RubricError
from harness.hashing import hash_value

def _yaml_text(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if isinstance(value, (int, float)) else value


# Each scale's levels, in order: a criterion anchors every one of them and no other.
SCALE_LEVELS = {"1-5": ("1", "2", "3", "4", "5"), "pass_fail": ("pass", "fail")}


# The levels a criterion written without any (its question only) is judged on, pass/fail.
SHORT_LEVELS = {"pass": "Yes: the reply does what the question asks, fully and clearly.",
                "fail": "No: the reply does not, or does it only in part."}


def _listed(levels) -> str:
    return ", ".join(repr(level) for level in levels)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=1)
    scale: Literal["1-5", "pass_fail"] = "1-5"
    levels: dict[str, str] = Field(description="Anchors: '1'..'5', or 'pass'/'fail'.")
    pass_threshold: int = Field(4, ge=1, le=5, description="On 1-5 scales, a score at or above this passes.")
    use_context: bool = Field(False, description="Show the case's policy facts to the judge as reference.")
    use_prompt: bool = Field(False, description=(
        "Show the judge the candidate's system prompt (its instructions, as rendered for the case), for a question "
        "about following them; not applicable to a reply with no prompt (a recorded reply)."))
    applies_when: AppliesWhen = "always"

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        """``description`` as another word for ``question``; no ``levels`` (and no 1-5 scale) is a pass/fail
        criterion on :data:`SHORT_LEVELS`. Only filled in here: what is validated and hashed is the full form."""
        if not isinstance(value, dict):
            return value
        value = dict(value)
        if "description" in value:
            if "question" in value:
                raise ValueError("give the criterion's `question` or its `description`, not both")
            value["question"] = value.pop("description")
        if "levels" not in value and value.get("scale", "pass_fail") == "pass_fail":
            value = {**value, "scale": "pass_fail", "levels": dict(SHORT_LEVELS)}
        return value

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_as_text(cls, value: object) -> object:
        # YAML reads `1:` as an int and `no` as False; a level's key and text are always text here.
        if isinstance(value, dict):
            return {_yaml_text(k): _yaml_text(v) for k, v in value.items()}
        return value

    @field_validator("pass_threshold")
    @classmethod
    def _threshold_on_a_1_5_scale(cls, value: int, info: ValidationInfo) -> int:
        # Runs only when given, after `scale`: on pass_fail it was accepted and ignored (`pass` passes).
        if info.data.get("scale") == "pass_fail":
            raise ValueError("applies to 1-5 scales only: a pass_fail criterion passes on `pass`")
        return value

    @field_validator("levels")
    @classmethod
    def _levels_match_scale(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        # A field validator (after `scale`), so the error names `levels` and its line, and is found beside
        # the criterion's other mistakes; a wrong `scale` is that field's error, and this one waits.
        scale = info.data.get("scale")
        if scale is None:
            return value
        expected = SCALE_LEVELS[scale]
        missing = [level for level in expected if level not in value]
        extra = [level for level in value if level not in expected]
        if missing or extra:
            said = ([f"missing {_listed(missing)}"] if missing else []) + (
                [f"{_listed(extra)} {'is' if len(extra) == 1 else 'are'} not a level of it"] if extra else [])
            raise ValueError(f"scale {scale} has the levels {_listed(expected)}: {'; '.join(said)}")
        return value

    def applies_to(self, case: Case) -> bool:
        """Whether this criterion is judged for ``case`` (else it is recorded as not applicable)."""
        return applies(self.applies_when, case)

    def to_pass(self, score: float) -> bool:
        return score >= (1 if self.scale == "pass_fail" else self.pass_threshold)

    @property
    def max_score(self) -> int:
        return 1 if self.scale == "pass_fail" else 5

    @property
    def sha256(self) -> str:
        """Hash of this criterion's definition (canonical JSON): question, scale, levels, threshold, context
        and applicability."""
        return hash_value(self.definition())

    def definition(self) -> dict:
        """What the hashes cover: every field, ``use_prompt`` only when set (it came later: a criterion without
        it hashes as it did before, so runs made before it stay comparable)."""
        found = self.model_dump(mode="json")
        if not self.use_prompt:
            found.pop("use_prompt")
        return found


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return _yaml_text(value)  # `version: 2` in YAML is an int

    @model_validator(mode="after")
    def _unique_ids(self) -> "Rubric":
        ids = [c.id for c in self.criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion id: {', '.join(dupes)}")
        return self

    @property
    def sha256(self) -> str:
        """Hash of the rubric's content (canonical JSON), independent of YAML formatting."""
        return hash_value({**self.model_dump(mode="json"), "criteria": [c.definition() for c in self.criteria]})

    def select(self, ids: list[str] | None) -> "Rubric":
        """This rubric restricted to ``ids`` (in rubric order); all criteria when ``ids`` is None."""
        if not ids:
            return self
        unknown = sorted(set(ids) - {c.id for c in self.criteria})
        if unknown:
            raise RubricError(f"unknown criterion: {', '.join(unknown)}", field="judge.criteria")
        return self.model_copy(update={"criteria": [c for c in self.criteria if c.id in ids]})

    def record(self, path: str) -> dict:
        """The manifest entry for this rubric: its content hash covers the selected criteria; each criterion's
        ``sha256`` covers its own definition (what its judge is shown), so runs that judged different
        criteria of one rubric can be compared on those both judged (:mod:`harness.compare.guard`)."""
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "path": path,
                "criteria": {c.id: {"scale": c.scale, "pass_threshold": c.pass_threshold,
                                    "applies_when": c.applies_when, "sha256": c.sha256} for c in self.criteria}}


def rubric_criterion_ids(record: dict | None) -> list[str]:
    """The ids of the rubric's own criteria a run judged, from its manifest entry (:meth:`Rubric.record`): what
    its file is selected by again. A case's own criteria sit beside them there, marked ``case``
    (:mod:`harness.datasets.case_criteria`), and are no criteria of the file."""
    criteria = (record or {}).get("criteria") or {}
    return [name for name, entry in criteria.items() if not (isinstance(entry, dict) and entry.get("case"))]


INLINE_AT = ("judge", "rubric")  # where an eval file holds a rubric of its own


def load_rubric(path: str | Path) -> Rubric:
    """Load and validate a rubric file, or the rubric an eval file holds under ``judge.rubric`` (its manifest
    names the eval file as the rubric's path); errors name file, line and field."""
    path = Path(path)
    data, node = load_yaml(path, RubricError)
    inline = inline_rubric(data)
    if inline is not None:
        data = {"id": _eval_name(data, node, path), "version": "1", **inline}
    return validate_yaml(Rubric, data, node, path, RubricError, at=INLINE_AT if inline is not None else (),
                         remap=lambda loc: _at_duplicate(loc, data))


def inline_rubric(data: object) -> dict | None:
    """The rubric written in an eval file (``judge.rubric`` a mapping), else None."""
    judge = data.get("judge") if isinstance(data, dict) else None
    found = judge.get("rubric") if isinstance(judge, dict) else None
    return found if isinstance(found, dict) else None


def _eval_name(data: dict, node: yaml.Node | None, path: Path) -> str:
    """The eval's name, which an inline rubric's id defaults to (``name``, resolved as the eval file is, or
    the file's stem, as :func:`harness.config.evalfile.load_eval` names it)."""
    from harness.config.interpolate import interpolate

    name = interpolate({"name": data.get("name")}, node, path).get("name")
    return str(name) if name else path.stem


def _at_duplicate(loc: tuple, data: object) -> tuple:
    """An error of the whole rubric (a duplicate criterion id) at the second use of the id, for its line."""
    if loc or not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        return loc
    seen: set = set()
    for index, criterion in enumerate(data["criteria"]):
        found = criterion.get("id") if isinstance(criterion, dict) else None
        if found in seen:
            return ("criteria", index, "id")
        seen.add(found)
    return loc
