"""The human-label file: one JSON object per line.

```json
{"case_id": "c003", "candidate": "bot-v1", "criterion": "apology_quality", "label": 2, "labeller": "ana"}
{"case_id": "c003", "reply": "Sorry for any inconvenience ...", "check": "apology_wording", "label": "fail", "labeller": "ana"}
```

A label names the reply by ``candidate`` (a candidate name in the run) or by its
exact ``reply`` text, and what it grades by ``criterion`` (a rubric criterion id)
or ``check`` (a deterministic check name), exactly one of each. ``label`` is
``pass``/``fail`` (or yes/no, true/false as words or JSON booleans, 1/0) for
pass/fail criteria and checks, and an integer 1-5 for 1-5 criteria; the words are
read in any case, and any other string is refused (a number is written as one, not
quoted). Several labellers may label the same reply; the
humans' verdict is then their median (a tie on pass/fail counts as fail).
Errors name the file, the line and the field, like dataset errors.

The file alone does not know a criterion's scale (the run's rubric does), so a
label's value is held to its target's scale where labels meet a run
(:func:`scale_problem`, called by calibrate); each loaded label keeps its line
number and the value as written for that.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, ValidationError,
                      field_validator, model_validator)

from harness.config.yamlfile import first_error, format_loc
from harness.errors import DatasetError

LABELS_SCHEMA_VERSION = 1
_WORDS = {"pass": 1.0, "fail": 0.0, "yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0}


def _any_case(word: str) -> str:
    """``pass`` as ``[Pp][Aa][Ss][Ss]``: JSON Schema patterns (ECMA-262) have no portable ignore-case flag."""
    return "".join(f"[{c.upper()}{c}]" for c in word)


# A word ``label`` may be, as the published schema says it (surrounding blanks are read too).
LabelWord = Annotated[str, StringConstraints(
    pattern=r"^\s*(?:" + "|".join(_any_case(word) for word in _WORDS) + r")\s*$")]


class HumanLabel(BaseModel):
    """One person's verdict on one reply for one criterion or check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = Field(LABELS_SCHEMA_VERSION, strict=True)  # "1" or true: refused, as the schema does
    case_id: str = Field(min_length=1)
    candidate: str | None = Field(None, description="Candidate name in the run whose reply was labelled.")
    reply: str | None = Field(None, description="The labelled reply's exact text (instead of candidate).")
    criterion: str | None = Field(None, description="Rubric criterion id the label grades.")
    check: str | None = Field(None, description="Deterministic check name the label grades.")
    label: float = Field(allow_inf_nan=False, description=(
        "1/0 or pass/fail (also yes/no, true/false: words in any case, or JSON booleans) on pass/fail "
        "criteria and checks; an integer 1-5 on 1-5 criteria."))
    labeller: str = Field("anonymous", min_length=1)
    note: str = ""

    _line: int | None = PrivateAttr(None)  # where load_labels read it (None when built otherwise)
    _given: object = PrivateAttr(None)  # ``label`` as written: a word and a number read alike in ``label``

    # What ``label`` takes, as the JSON Schema says it; the model holds it as a number.
    @field_validator("label", mode="before", json_schema_input_type=float | bool | LabelWord)
    @classmethod
    def _label_as_number(cls, value: object) -> object:
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str) and value.strip().lower() in _WORDS:
            return _WORDS[value.strip().lower()]
        shown = _shown(value)
        if isinstance(value, str) and _is_number(value):
            raise ValueError(f"{shown} is a number in quotes: write it without them")
        raise ValueError(f"{shown} is not a label: give pass or fail, yes or no, true or false, "
                         f"or a number (1 or 0, or 1 to 5)")

    @model_validator(mode="after")
    def _one_of_each(self) -> "HumanLabel":
        if (self.candidate is None) == (self.reply is None):
            raise ValueError("give exactly one of `candidate` or `reply`")
        if (self.criterion is None) == (self.check is None):
            raise ValueError("give exactly one of `criterion` or `check`")
        if self.schema_version > LABELS_SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version} is newer than this harness reads "
                             f"({LABELS_SCHEMA_VERSION}); upgrade the harness")
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _keep_given(cls, data: object, handler) -> "HumanLabel":
        label = handler(data)
        if isinstance(data, dict):
            label._given = data.get("label")
        return label

    @property
    def line(self) -> int | None:
        """The label file's line this label was read from (None when it was not read from a file)."""
        return self._line

    @property
    def target(self) -> tuple[str, str]:
        """``("criterion", id)`` or ``("check", name)``."""
        return ("criterion", self.criterion) if self.criterion else ("check", self.check or "")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _shown(value: object) -> str:
    """``value`` as it reads in the file (cut short: a label line may hold anything)."""
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def scale_problem(label: HumanLabel, scale: str) -> str | None:
    """Why ``label``'s value is not on ``scale`` (``pass_fail`` or ``1-5``) of its target; None when it is.

    Pass/fail takes 1/0, true/false, pass/fail or yes/no; 1-5 takes an integer 1 to 5 and
    refuses the pass/fail words and booleans (which would otherwise read as 1 or 0).
    """
    given = label._given if label._given is not None else label.label
    shown = json.dumps(given, ensure_ascii=False)
    what = f"{label.target[0]} {label.target[1]!r}"
    if scale == "pass_fail":
        if label.label in (0.0, 1.0):
            return None
        return f"{shown} is not on the pass/fail scale of {what} (give pass or fail, true or false, yes or no, 1 or 0)"
    word = isinstance(given, bool) or (isinstance(given, str) and given.strip().lower() in _WORDS)
    if word:
        return f"{shown} is a pass/fail answer, but {what} is scored on the 1-5 scale (give an integer 1 to 5)"
    if label.label.is_integer() and 1.0 <= label.label <= 5.0:
        return None
    return f"{shown} is not on the 1-5 scale of {what} (give an integer 1 to 5)"


def load_labels(path: str | Path) -> list[HumanLabel]:
    """Read and validate a label file; a bad line stops with ``file:line: field: problem``."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError("label file not found", file=str(path))
    labels = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                labels.append(_parse(_text(raw, path, number), path, number))
    if not labels:
        raise DatasetError("label file holds no labels", file=str(path))
    return labels


def _text(raw: bytes, path: Path, number: int) -> str:
    """One line's text; a line that is not UTF-8 is refused with its number (not a UnicodeDecodeError)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"not UTF-8 text (byte {exc.start} of the line)", file=str(path), line=number) from None


def _parse(line: str, path: Path, number: int) -> HumanLabel:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"not JSON ({exc.msg})", file=str(path), line=number) from None
    except RecursionError:
        raise DatasetError("JSON nested too deeply", file=str(path), line=number) from None
    if not isinstance(data, dict):
        raise DatasetError(f"expected a JSON object (one label), got {type(data).__name__}", file=str(path),
                           line=number)
    try:
        label = HumanLabel.model_validate(data)
    except ValidationError as exc:
        # In plain words, as eval files and datasets say them ("unknown field ...; did you mean labeller?").
        loc, message = first_error(exc, data, HumanLabel)
        raise DatasetError(message.removeprefix("Value error, "), file=str(path), line=number,
                           field=format_loc(loc) or None) from None
    label._line = number
    return label
