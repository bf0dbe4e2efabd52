"""The eval file: which dataset, which candidates, which checks, which judge.

Unknown fields are errors (a typo is never silently ignored), and every error
names the file, the line and the field. Relative paths are read from the current
directory first, then from the eval file's own directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from harness.calibration.schema import CalibrationGateSpec
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.config.yamlfile import format_loc, has_key, line_of, load_yaml, validate_yaml
from harness.errors import ConfigError, UserError
from harness.gates.spec import GatesSpec
from harness.models.base import DeploymentSpec, GenerateConfig, RoutingSpec

EMBEDDED_MODEL = "embedded/gemma-3-270m"
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".txt", ".md")
MAX_NAME = 100


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallSettings(_Spec):
    """How a model is called: shared by model candidates (one by one, or in a matrix) and judges."""

    api_base: str | None = None
    api_key_env: str | None = Field(None, description="Environment variable holding the API key.")
    params: GenerateConfig = Field(default_factory=GenerateConfig)
    concurrency: int = Field(8, ge=1, le=1024)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0, le=20)


class ModelFields(CallSettings):
    """A model and its call settings: judges and panellists."""

    model: str = Field(min_length=1, description="litellm form (openai/gpt-4o-mini, ollama/llama3, ...) "
                                                 f"or {EMBEDDED_MODEL}")
    deployments: list[DeploymentSpec] = Field(default_factory=list, description="Several deployments of this "
                                              "model, spread over by litellm's Router (`model` is then a label).")
    routing: RoutingSpec = Field(default_factory=RoutingSpec, description="How calls spread over `deployments`.")


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

    @field_validator("reducer")
    @classmethod
    def _known_reducer(cls, value: str) -> str:
        from harness.sampling.reducers import parse_reducer

        parse_reducer(value)  # ValueError names the choices
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "CandidateSpec":
        given = [self.recorded is not None, self.model is not None, self.replies_from is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of `recorded` (a recorded version), `model`, or `replies_from` "
                             "(a run directory whose replies to re-grade)")
        if self.model is None and self.prompt is not None:
            raise ValueError("`prompt` applies to model candidates only")
        if self.model is not None and not self.prompt:
            raise ValueError("a model candidate needs a `prompt` (template file or inline text)")
        if self.from_candidate is not None and self.replies_from is None:
            raise ValueError("`from_candidate` goes with `replies_from`")
        if self.model is None:
            # Settings of a model call, on a candidate that makes none: a misplaced line, never what was meant.
            unused = [f for f in _MODEL_ONLY if f in self.model_fields_set]
            if unused:
                raise ValueError(f"{', '.join(f'`{f}`' for f in unused)} applies to model candidates only")
        return self

    @property
    def kind(self) -> Literal["recorded", "model", "replayed"]:
        if self.model is not None:
            return "model"
        return "recorded" if self.recorded is not None else "replayed"


_MODEL_ONLY = ("api_base", "api_key_env", "params", "concurrency", "timeout_s", "max_retries", "deployments",
               "routing")


class MatrixSpec(_Spec):
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
    name with ``/`` written ``:``), all with the call settings given beside ``matrix``."""

    matrix: MatrixSpec
    epochs: int = Field(1, ge=1, le=1000)
    reducer: str = "mean"

    _known_reducer = field_validator("reducer")(CandidateSpec._known_reducer.__func__)  # type: ignore[attr-defined]

    def expand(self) -> list[dict[str, Any]]:
        """The candidates this entry stands for, as eval-file entries."""
        shared = self.model_dump(exclude={"matrix"}, exclude_unset=True)
        prompts = self.matrix.prompt
        return [{"name": f"{_prompt_label(p, i)}@{_label(m.replace('/', ':'))}", "model": m, "prompt": p, **shared}
                for i, p in enumerate(prompts) for m in self.matrix.model]


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


class PanellistSpec(ModelFields):
    """One judge model of a panel, with its own call settings."""

    name: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9_.:@/+-]+$",
                             description="Names its verdicts in records and scorecards (default: the model name).")

    @property
    def label(self) -> str:
        return self.name or self.model


class JudgeSpec(ModelFields):
    """One judge model (``model`` and its settings), or a ``panel`` of several, on one rubric."""

    model: str | None = Field(None, min_length=1, description="litellm form (openai/gpt-4o-mini, ollama/llama3, "
                                                              f"...) or {EMBEDDED_MODEL}; or give `panel`")
    rubric: str = Field(min_length=1, description="Path of a rubric YAML file.")
    criteria: list[str] | None = Field(None, description="Only these criteria of the rubric.")
    max_attempts: int = Field(2, ge=1, le=10, description="Asks per criterion before a judge error is recorded.")
    epochs: int = Field(1, ge=1, le=100, description="Times each criterion is asked; the answers are reduced.")
    reducer: Literal["mean", "median", "majority"] = Field("mean", description="How judge epochs reduce.")
    calibration: CalibrationGateSpec | None = Field(None, description="Agreement gate against human labels: "
                                                    "criteria below the bar are marked uncalibrated.")
    panel: list[PanellistSpec] | None = Field(None, min_length=2, description="Several judge models grading every "
                                              "criterion; their verdicts are aggregated (instead of `model`).")
    aggregate: Literal["mean", "median", "majority"] = Field("mean", description="How a panel's verdicts "
                                                             "aggregate per criterion.")

    @field_validator("panel")
    @classmethod
    def _distinct_panellists(cls, value: list[PanellistSpec] | None) -> list[PanellistSpec] | None:
        labels = [p.label for p in value or []]
        dupes = sorted({label for label in labels if labels.count(label) > 1})
        if dupes:
            raise ValueError(f"two panellists are named {', '.join(dupes)}: give each a distinct `name`")
        return value

    @model_validator(mode="after")
    def _model_or_panel(self) -> "JudgeSpec":
        if self.panel is None:
            if self.model is None:
                raise ValueError("give `model` (one judge) or `panel` (several judge models)")
            if "aggregate" in self.model_fields_set:
                raise ValueError("`aggregate` applies to a judge `panel` only")
            return self
        # The model first, then its settings, as a panellist is written.
        shared = sorted((name for name in ModelFields.model_fields if name in self.model_fields_set),
                        key=lambda name: name != "model")
        if shared:
            raise ValueError(f"with `panel`, give {', '.join(f'`{n}`' for n in shared)} inside each panellist")
        return self


class EvalSpec(_Spec):
    name: str | None = None
    description: str = ""
    dataset: str = Field(min_length=1)
    limit: int | None = Field(None, ge=1, description="Only the first N cases (threads, with `replay: turns`).")
    replay: Literal["last", "turns"] = Field("last", description="`last`: answer each thread's last customer turn. "
                                             "`turns`: one case per agent turn of each thread, given the recorded "
                                             "history up to it (`<id>@t<k>`).")
    candidates: list[CandidateEntry] = Field(
        min_length=1, description="Candidates; an entry with `matrix` stands for one candidate per prompt × model.")
    checks: Literal["all", "none"] | list[str | CustomCheckSpec] = Field(
        "all", description="`all`, `none`, or a list of built-in check names (`all` for every one) and checks "
                           "written here: `{name, type, value}`, type one of contains, contains_all, not_contains, "
                           "regex, not_regex, max_length, min_length, python.")
    judge: JudgeSpec | None = None
    concurrency: int = Field(16, ge=1, le=4096, description="Case × candidate tasks in flight.")
    gates: GatesSpec | None = Field(None, description="Minimums and largest regressions a run must keep.")
    max_error_rate: float | None = Field(None, ge=0, le=1, description="Largest share of records with an error "
                                                                       "for the run to count as complete.")

    @field_validator("name")
    @classmethod
    def _file_name(cls, value: str | None) -> str | None:
        # It names the default results directory (results/<name>-<time>): a slash would write it
        # elsewhere, and a NUL, a control character or a very long name would fail making it, mid-run.
        if value is not None and (not value.strip(".") or len(value) > MAX_NAME or "/" in value or "\\" in value
                                  or any(ord(c) < 32 or c == "\x7f" for c in value)):
            raise ValueError(f"must be usable as a file name: no slashes or control characters, not '.' "
                             f"or '..', at most {MAX_NAME} characters")
        return value

    @field_validator("candidates", mode="before")
    @classmethod
    def _matrices_expanded(cls, value: Any) -> Any:
        # load_eval expands matrices first (so each error names its line); data given in code is expanded here.
        if isinstance(value, list) and any(isinstance(c, dict) and "matrix" in c for c in value):
            return [item for c in value for item in
                    (MatrixCandidateSpec.model_validate(c).expand() if isinstance(c, dict) and "matrix" in c else [c])]
        return value

    @field_validator("candidates")
    @classmethod
    def _unique_names(cls, value: list[CandidateSpec]) -> list[CandidateSpec]:
        names = [c.name for c in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate candidate name: {', '.join(dupes)}")
        return value


class LoadedEval(BaseModel):
    """An eval spec plus where it came from and its paths resolved."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: EvalSpec
    path: Path
    name: str
    dataset_path: str
    rubric_path: Path | None
    prompts: dict[str, str] = Field(description="candidate name -> template source")
    prompt_files: dict[str, str] = Field(default_factory=dict)
    node: Any = Field(None, exclude=True, repr=False, description="the YAML node tree, for line numbers")
    custom_checks: list[Any] = Field(default_factory=list, exclude=True, repr=False,
                                     description="the checks written in the eval file, built")
    candidate_locs: list[tuple] = Field(default_factory=list, exclude=True, repr=False,
                                        description="where each candidate is written in the file (a matrix's "
                                                    "candidates: in their matrix)")

    def error(self, problem: str, *loc: Any, kind: type[UserError] = ConfigError) -> UserError:
        """A ``kind`` error at ``loc`` in this eval file: ``eval.yaml:7: candidates[1].model: problem``."""
        loc = in_matrix(loc, self.node)
        return kind(problem, file=str(self.path), line=line_of(self.node, loc), field=format_loc(loc) or None)

    def candidate_loc(self, name: str) -> tuple[Any, ...]:
        """Where candidate ``name`` sits in the eval file, as a field path (a matrix's: the matrix entry)."""
        index = next(i for i, c in enumerate(self.spec.candidates) if c.name == name)
        return self.candidate_locs[index] if index < len(self.candidate_locs) else ("candidates", index)


def in_matrix(loc: tuple[Any, ...], node) -> tuple[Any, ...]:
    """``candidates[i].model`` (or ``.prompt``) as ``candidates[i].matrix.model`` where entry ``i`` of the file
    is a matrix: a generated candidate's model and prompt are written in the matrix, its other settings beside it."""
    if len(loc) >= 3 and loc[0] == "candidates" and loc[2] in ("model", "prompt") and has_key(node, loc[:2], "matrix"):
        return loc[:2] + ("matrix",) + loc[2:]
    return loc


def resolve_path(raw: str, eval_path: Path) -> Path | None:
    """``raw`` relative to the current directory, else to the eval file's directory; None if neither exists."""
    path = Path(raw)
    if path.is_absolute() or _exists(path):
        return path if _exists(path) else None  # kept as written, so messages name it as the user did
    beside = eval_path.parent / raw
    return beside if _exists(beside) else None


def _exists(path: Path) -> bool:
    """``path.exists()``, False for a name the system cannot look up (too long, a NUL byte) instead of OSError."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def load_eval(path: str | Path) -> LoadedEval:
    """Read, validate and resolve an eval file. Raises ConfigError naming file, line and field."""
    path = Path(path)
    data, node = load_yaml(path, ConfigError)
    data, locs = _expand_matrices(data, node, path)
    spec = validate_yaml(EvalSpec, data, node, path, ConfigError, remap=lambda loc: _in_file(loc, locs, node))
    def fail(problem: str, *loc) -> ConfigError:
        loc = in_matrix(loc, node)
        return ConfigError(problem, file=str(path), line=line_of(node, loc), field=format_loc(loc))

    dataset = resolve_path(spec.dataset, path)
    if dataset is None and _looks_like_a_file(spec.dataset):
        raise fail(f"dataset file not found: {spec.dataset}", "dataset")
    dataset_path = str(dataset) if dataset else spec.dataset  # may be a hub dataset id
    rubric_path = None
    if spec.judge is not None:
        rubric_path = resolve_path(spec.judge.rubric, path)
        if rubric_path is None:
            raise fail(f"rubric file not found: {spec.judge.rubric}", "judge", "rubric")
    locs = locs or [("candidates", i) for i in range(len(spec.candidates))]
    prompts, prompt_files = _load_prompts(spec, path, fail, locs)
    custom_checks = _build_checks(spec, path, fail)
    return LoadedEval(spec=spec, path=path, name=spec.name or path.stem, dataset_path=dataset_path,
                      rubric_path=rubric_path, prompts=prompts, prompt_files=prompt_files, node=node,
                      custom_checks=custom_checks, candidate_locs=locs)


def _expand_matrices(data: Any, node, path: Path) -> tuple[Any, list[tuple]]:
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


def _in_file(loc: tuple[Any, ...], locs: list[tuple], node) -> tuple[Any, ...]:
    """An error location in the expanded data as the place in the file it comes from."""
    if len(loc) >= 2 and loc[0] == "candidates" and isinstance(loc[1], int) and loc[1] < len(locs):
        return in_matrix(locs[loc[1]] + tuple(loc[2:]), node)
    return loc


def _looks_like_a_file(raw: str) -> bool:
    # Anything else may be a Hugging Face dataset id ("owner/name"), which the loader fetches.
    return raw.startswith((".", "/", "~")) or Path(raw).suffix.lower() in DATASET_SUFFIXES


DATASET_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".pq")


def _load_prompts(spec: EvalSpec, path: Path, fail, locs: list[tuple]) -> tuple[dict[str, str], dict[str, str]]:
    prompts: dict[str, str] = {}
    files: dict[str, str] = {}
    for index, candidate in enumerate(spec.candidates):
        raw = candidate.prompt
        if raw is None:
            continue
        if "\n" not in raw and raw.strip().endswith(TEMPLATE_SUFFIXES):
            found = resolve_path(raw.strip(), path)
            if found is None:
                raise fail(f"prompt template file not found: {raw}", *locs[index], "prompt")
            try:
                prompts[candidate.name] = found.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise fail(f"prompt template is not UTF-8 text: {raw}", *locs[index], "prompt") from None
            files[candidate.name] = str(found)
        else:
            prompts[candidate.name] = raw
    return prompts, files


def _build_checks(spec: EvalSpec, path: Path, fail) -> list[Any]:
    """Check the built-in names the eval file lists and build the checks it writes itself."""
    if not isinstance(spec.checks, list):
        return []
    from harness.checks.base import registry

    known = registry()
    built, seen = [], set()
    for index, item in enumerate(spec.checks):
        name = item if isinstance(item, str) else item.name
        loc = ("checks", index) if isinstance(item, str) else ("checks", index, "name")
        if name in seen:
            raise fail(f"check {name!r} is listed twice", *loc)
        seen.add(name)
        if isinstance(item, str):
            if name == "none":
                raise fail("`none` stands alone (checks: none), not inside a list", *loc)
            if name != "all" and name not in known:
                raise fail(f"unknown check {name!r} (known: {', '.join(sorted(known))}; or write one: "
                           f"{{name, type, value}})", *loc)
            continue
        if name in known or name == "all":
            raise fail(f"{name!r} is a built-in check's name: give this check another", *loc)
        try:
            built.append(build_custom_check(item, lambda raw: resolve_path(raw, path)))
        except ValueError as exc:
            raise fail(str(exc), "checks", index, "value") from None
    return built


def check_names(spec: EvalSpec) -> list[str]:
    """The built-in check names ``spec`` selects, in run order (a list's ``all`` expands in place)."""
    from harness.checks.base import registry

    if spec.checks == "none":
        return []
    if spec.checks == "all":
        return sorted(registry())
    listed = {item for item in spec.checks if isinstance(item, str)}
    names: list[str] = []
    for item in spec.checks:
        if item == "all":
            names += [name for name in sorted(registry()) if name not in listed]
        elif isinstance(item, str):
            names.append(item)
    return names
