"""Rubrics: versioned YAML files of criteria a judge model scores.

A criterion has an ``id``, the ``question``, a ``scale`` (``1-5`` or ``pass_fail``)
with an anchored description of each level, a pass threshold, whether the case's
policy context is shown to the judge, and when it applies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

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


def load_rubric(path: str | Path) -> Rubric:
    """Load and validate a rubric file; errors name file, line and field."""
    path = Path(path)
    data, node = load_yaml(path, RubricError)
    rubric = validate_yaml(Rubric, data, node, path, RubricError, remap=lambda loc: _at_duplicate(loc, data))
    return rubric


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
