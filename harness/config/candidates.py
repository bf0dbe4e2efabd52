"""The candidates of an eval file: what is evaluated, one entry at a time or as a prompt × model matrix.

A candidate replays recorded replies (``recorded``), replays the replies of an
earlier run (``replies_from``), or asks a model with a prompt template (``model``
and ``prompt``, with their call settings). A ``matrix`` entry stands for one model
candidate per prompt × model: :func:`expand_matrices` writes it out before the
eval file is validated, and keeps where each candidate was written so that errors
name the file's own lines (:func:`in_file`, :func:`in_matrix`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, ValidationInfo,
                      field_validator, model_validator)
from pydantic_core import InitErrorDetails, PydanticCustomError

from harness.config.tools_spec import ToolSpec, distinct_names
from harness.config.yamlfile import has_key, validate_yaml
from harness.errors import ConfigError
from harness.models.base import DeploymentSpec, GenerateConfig, Price, RoutingSpec, env_var_name

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".txt", ".md")


class StrictSpec(BaseModel):
    """A part of the eval file: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class CallSettings(StrictSpec):
    """How a model is called: shared by model candidates (one by one, or in a matrix) and judges."""

    api_base: str | None = None
    api_key_env: str | None = Field(None, description="Environment variable holding the API key.")
    params: GenerateConfig = Field(default_factory=GenerateConfig)
    concurrency: int = Field(8, ge=1, le=1024)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0, le=20)
    price: Price | None = Field(None, description="What this model's calls cost (US dollars per million tokens): "
                                "prices a gateway or self-hosted endpoint litellm cannot, and wins over the "
                                "price litellm would report.")

    _key_env = field_validator("api_key_env")(env_var_name)


class CandidateSpec(CallSettings):
    """What is evaluated: recorded replies of a deployed bot, or a prompt template × a model."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:@+-]+$")
    recorded: str | None = Field(None, description="Version key in each case's recorded_replies.")
    replies_from: str | None = Field(None, min_length=1, description="A run directory: replay the replies one of "
                                                                     "its candidates gave (re-grade them).")
    from_candidate: str | None = Field(None, min_length=1, description="With `replies_from`: that run's candidate "
                                                                       "(default: this candidate's name).")
    model: str | None = Field(None, min_length=1)
    prompt: str | None = Field(None, description="Jinja2 system prompt: a template file path or inline text.")
    deployments: list[DeploymentSpec] = Field(default_factory=list, description="Several deployments of this "
                                              "model, spread over by litellm's Router (`model` is then a label).")
    routing: RoutingSpec = Field(default_factory=RoutingSpec, description="How calls spread over `deployments`.")
    epochs: int = Field(1, ge=1, le=1000, description="Samples per case (repeated sampling).")
    reducer: str = Field("mean", description="How a case's samples reduce: mean, median, majority or pass^k.")
    tools: list[ToolSpec] | str | None = Field(None, description="Tools the model may call (OpenAI function "
                                               "definitions, or a JSON/YAML file of them): each call is answered "
                                               "from the case's `tool_results`, never run.")
    max_tool_rounds: int = Field(5, ge=1, le=50, description="With `tools`: model turns that may call tools before "
                                 "the case ends in a tool_rounds error.")

    @field_validator("tools")
    @classmethod
    def _tools_named_once(cls, value: list[ToolSpec] | str | None) -> list[ToolSpec] | str | None:
        if isinstance(value, list):
            return distinct_names(value)
        if isinstance(value, str) and not value.strip():
            raise ValueError("give the tool definitions, or the path of a JSON/YAML file of them")
        return value

    @field_validator("reducer")
    @classmethod
    def _known_reducer(cls, value: str, info: ValidationInfo) -> str:
        from harness.sampling.reducers import parse_reducer

        parse_reducer(value)  # ValueError names the choices
        if info.data.get("recorded") is not None:
            raise ValueError("`reducer` folds a model's samples (`epochs`); a recorded candidate has one reply "
                             "per case")
        return value

    @field_validator("epochs")
    @classmethod
    def _epochs_sample_a_model(cls, value: int, info: ValidationInfo) -> int:
        if value > 1 and info.data.get("recorded") is not None:
            # Each sample would be the one recorded reply again: N identical records, no spread to measure.
            raise ValueError("`epochs` samples a model several times; a recorded candidate has one reply per "
                             "case (to ask the judge several times, use `epochs` under `judge:`)")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "CandidateSpec":
        given = [self.recorded is not None, self.model is not None, self.replies_from is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of `recorded` (a recorded version), `model`, or `replies_from` "
                             "(a run directory whose replies to re-grade)")
        if self.model is None and self.prompt is not None:
            raise _field_error("prompt", "`prompt` applies to model candidates only", self.prompt)
        if self.model is not None and not self.prompt:
            raise ValueError("a model candidate needs a `prompt` (template file or inline text)")
        if self.tools and self.model is not None and self.model.startswith("embedded/"):
            raise _field_error("tools", f"{self.model} cannot call tools: give `tools` to a model served over an "
                               "API (OpenAI-compatible or litellm)", "…")
        if "max_tool_rounds" in self.model_fields_set and not self.tools:
            raise _field_error("max_tool_rounds", "`max_tool_rounds` goes with `tools`", self.max_tool_rounds)
        if self.from_candidate is not None and self.replies_from is None:
            raise _field_error("from_candidate", "`from_candidate` goes with `replies_from`", self.from_candidate)
        if self.model is None:
            # Settings of a model call, on a candidate that makes none: a misplaced line, never what was meant.
            unused = [f for f in _MODEL_ONLY if f in self.model_fields_set]
            if unused:
                raise _field_error(unused[0], f"{', '.join(f'`{f}`' for f in unused)} applies to model candidates "
                                   "only", getattr(self, unused[0]))
        return self

    @property
    def kind(self) -> Literal["recorded", "model", "replayed"]:
        if self.model is not None:
            return "model"
        return "recorded" if self.recorded is not None else "replayed"


def _field_error(field: str, problem: str, value: Any) -> ValidationError:
    """An error at ``field`` of the entry, raised from a check of the whole entry: pydantic places a
    ValidationError raised in a validator under the entry's location, so the error names the field's line."""
    return ValidationError.from_exception_data("CandidateSpec", [InitErrorDetails(
        type=PydanticCustomError("value_error", "{problem}", {"problem": problem}), loc=(field,), input=value)])


_MODEL_ONLY = ("api_base", "api_key_env", "params", "concurrency", "timeout_s", "max_retries", "deployments",
               "routing", "price", "tools", "max_tool_rounds")


class MatrixSpec(StrictSpec):
    """Prompts and models to cross: one candidate per prompt × model."""

    prompt: list[str] = Field(min_length=1, description="Jinja2 system prompts: template file paths or inline text.")
    model: list[str] = Field(min_length=1, description="litellm model names (or the embedded model).")

    @field_validator("prompt", "model")
    @classmethod
    def _distinct_text(cls, value: list[str]) -> list[str]:
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise ValueError("each entry must be non-empty text")
        if len(set(value)) != len(value):
            raise ValueError("an entry is listed twice")
        return value


class MatrixCandidateSpec(CallSettings):
    """Several model candidates in one entry: every ``matrix.prompt`` × every ``matrix.model``, each named
    ``<prompt>@<model>`` (a template file's stem, or ``prompt1``, ``prompt2``, … for inline text; the model
    name with ``/`` written ``:``), or as ``name`` says, all with the call settings given beside ``matrix``."""

    matrix: MatrixSpec
    # After `matrix`: its check reads the matrix's prompts and models.
    name: str | None = Field(None, description="How each candidate is named: `{prompt}` and `{model}` stand for "
                             "the prompt's and the model's labels (default `{prompt}@{model}`; `{prompt}` with "
                             "one model). Each name must differ.")
    epochs: int = Field(1, ge=1, le=1000)
    reducer: str = "mean"
    tools: list[ToolSpec] | str | None = None
    max_tool_rounds: int = Field(5, ge=1, le=50)

    _tools_named_once = field_validator("tools")(CandidateSpec._tools_named_once.__func__)  # type: ignore[attr-defined]

    _known_reducer = field_validator("reducer")(CandidateSpec._known_reducer.__func__)  # type: ignore[attr-defined]

    @field_validator("name")
    @classmethod
    def _names_differ(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        bad = sorted(set(_PLACEHOLDER.findall(value)) - {"{prompt}", "{model}"})
        literal = _PLACEHOLDER.sub("", value)
        if bad or "{" in literal or "}" in literal:
            raise ValueError(f"{bad[0] if bad else 'a brace'} is not a placeholder here: use {{prompt}} and "
                             "{model}")
        if not re.fullmatch(r"[A-Za-z0-9_.:@+-]*", literal):
            raise ValueError("a candidate name holds letters, digits and _ . : @ + - only (besides {prompt} "
                             "and {model})")
        matrix = info.data.get("matrix")
        if matrix is not None:
            names = [name for name, _, _ in _combinations(matrix, value)]
            twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
            if twice:
                missing = [p for p in ("{prompt}", "{model}") if p not in value and
                           len(matrix.prompt if p == "{prompt}" else matrix.model) > 1]
                raise ValueError(f"names {twice[0]!r} more than one candidate of the matrix"
                                 + (f": put {missing[0]} in it" if missing else ""))
        return value

    def expand(self) -> list[dict[str, Any]]:
        """The candidates this entry stands for, as eval-file entries."""
        shared = self.model_dump(exclude={"matrix", "name"}, exclude_unset=True)
        return [{"name": name, "model": m, "prompt": p, **shared}
                for name, p, m in _combinations(self.matrix, self.name)]


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _combinations(matrix: MatrixSpec, pattern: str | None) -> list[tuple[str, str, str]]:
    """(name, prompt, model) of each candidate of ``matrix``, named by ``pattern`` (None: ``{prompt}@{model}``)."""
    pattern = pattern or "{prompt}@{model}"
    return [(pattern.replace("{prompt}", _prompt_label(p, i)).replace("{model}", _label(m.replace("/", ":"))), p, m)
            for i, p in enumerate(matrix.prompt) for m in matrix.model]


def _prompt_label(prompt: str, index: int) -> str:
    """A template file's stem, or ``prompt<n>`` for inline text."""
    raw = prompt.strip()
    if "\n" not in raw and raw.endswith(TEMPLATE_SUFFIXES):
        return _label(Path(raw).stem)
    return f"prompt{index + 1}"


def _label(text: str) -> str:
    """``text`` with every run of characters a candidate name cannot hold made one ``-``."""
    return re.sub(r"[^A-Za-z0-9_.:@+-]+", "-", text).strip("-") or "x"


def _entry_kind(value: Any) -> str:
    return "matrix" if (isinstance(value, dict) and "matrix" in value) or isinstance(value, MatrixCandidateSpec) \
        else "candidate"


# One candidate, or a matrix of them: told apart by the `matrix` key, so an error names one member's fields.
CandidateEntry = Annotated[Union[Annotated[CandidateSpec, Tag("candidate")], Annotated[MatrixCandidateSpec, Tag("matrix")]],
                           Discriminator(_entry_kind)]


def in_matrix(loc: tuple[Any, ...], node) -> tuple[Any, ...]:
    """``candidates[i].model`` (or ``.prompt``) as ``candidates[i].matrix.model`` where entry ``i`` of the file
    is a matrix: a generated candidate's model and prompt are written in the matrix, its other settings beside it.
    Its ``name`` is made from them: ``candidates[i].matrix``, unless the entry writes its ``name`` pattern."""
    if len(loc) >= 3 and loc[0] == "candidates" and loc[2] in ("model", "prompt", "name") \
            and has_key(node, loc[:2], "matrix") and not (loc[2] == "name" and has_key(node, loc[:2], "name")):
        return loc[:2] + ("matrix",) + (loc[2:] if loc[2] != "name" else loc[3:])
    return loc


def expand_matrices(data: Any, node, path: Path) -> tuple[Any, list[tuple]]:
    """``data`` with each candidate ``matrix`` entry replaced by its candidates, and where each candidate of
    the result is written in the file (empty when there is no matrix). A matrix entry is validated on its
    own first, so its errors name its own lines."""
    candidates = data.get("candidates") if isinstance(data, dict) else None
    if not isinstance(candidates, list) or not any(isinstance(c, dict) and "matrix" in c for c in candidates):
        return data, []
    expanded, locs = [], []
    for index, entry in enumerate(candidates):
        if isinstance(entry, dict) and "matrix" in entry:
            matrix = validate_yaml(MatrixCandidateSpec, entry, node, path, ConfigError, at=("candidates", index))
            generated = matrix.expand()
            expanded += generated
            locs += [("candidates", index)] * len(generated)
        else:
            expanded.append(entry)
            locs.append(("candidates", index))
    return {**data, "candidates": expanded}, locs


def at_second_name(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """An error of the whole candidate list (a name given twice) at the second entry of that name, for its line."""
    candidates = data.get("candidates") if isinstance(data, dict) else None
    if loc != ("candidates",) or not isinstance(candidates, list):
        return loc
    seen: set = set()
    for index, entry in enumerate(candidates):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in seen:
            return "candidates", index, "name"
        seen.add(name)
    return loc


def in_file(loc: tuple[Any, ...], locs: list[tuple], node) -> tuple[Any, ...]:
    """An error location in the expanded data as the place in the file it comes from."""
    if len(loc) >= 2 and loc[0] == "candidates" and isinstance(loc[1], int) and loc[1] < len(locs):
        return in_matrix(locs[loc[1]] + tuple(loc[2:]), node)
    return loc


def resolve_candidate(name: str, known: list[str], option: str) -> str:
    """The candidate of ``known`` that ``name`` (given to ``option``) means: itself, else the one whose name up
    to ``@`` it is (``prompt_a`` for ``prompt_a@openai:gpt-4o``), else the one it begins. More than one of them
    is refused with those it could mean; none returns ``name`` as given, for the caller's "no candidate" error
    (which names the closest). Every command option taking candidate names reads them through here.

    A matrix's names (``<prompt>@<model>``) are long to type; promptfoo and LangSmith users pick prompts by
    their label, so the shortest unambiguous part is enough, and a typo is never taken for another name."""
    if name in known:
        return name
    before_at = [c for c in known if c.split("@", 1)[0] == name]
    found = before_at or [c for c in known if c.startswith(name)]
    if len(found) == 1:
        if not before_at:  # a cut-off name: said, as the name it stands for may surprise
            import sys

            print(f"harness: note: {option} {name}: candidate {found[0]}", file=sys.stderr)
        return found[0]
    if found:
        raise ConfigError(f"{name!r} could mean {', '.join(found)}: give more of the name", field=option)
    return name


def resolve_candidates(names, known: list[str], option: str) -> list[str]:
    """:func:`resolve_candidate` for each of ``names``, in order, each once."""
    return list(dict.fromkeys(resolve_candidate(name, known, option) for name in names))
