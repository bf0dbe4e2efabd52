"""The eval file: which dataset, which candidates, which checks, which judge.

Unknown fields are errors (a typo is never silently ignored), and every error
names the file, the line and the field. Relative paths are read from the current
directory first, then from the eval file's own directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_serializer,
                      model_validator)

from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.config.candidates import (CandidateEntry, CandidateSpec,
                                       MatrixCandidateSpec, StrictSpec, at_second_name, expand_matrices, in_file,
                                       in_matrix)
from harness.config.concurrency import DEFAULT_EVAL_CONCURRENCY, following_models
from harness.config.interpolate import interpolate
from harness.config.overrides import Applied, apply_overrides, check_expanded
# resolve_path: also imported from here (the run's plan, validate).
from harness.config.prompt_files import load_partials, load_prompts, resolve_path  # noqa: F401
# The judge block's models, also imported from here (tests, schemas).
from harness.config.judge_spec import EMBEDDED_MODEL, JudgeSpec, ModelFields, PanellistSpec  # noqa: F401
from harness.config.yamlfile import all_at_once, did_you_mean, format_loc, line_of, load_yaml, validate_yaml
from harness.config.dataset_spec import DatasetSpec, check_column_targets
from harness.config.embedding_spec import EmbeddingSpec
from harness.datasets.mapping import ColumnMap
from harness.datasets.perturb import PerturbSpec
from harness.config.promptfoo_words import looks_like_line, looks_like_promptfoo
from harness.config.repeat import repeat_samples, repeated  # noqa: F401  (repeated: the CLI's, from here)
from harness.errors import ConfigError, ForeignConfigError, SeveralErrors, UserError
from harness.gates.spec import GatesSpec
# check_names: also imported from here (the run's plan).
from harness.config.gate_names import check_named, check_names  # noqa: F401

MAX_NAME = 100


def _breakdowns(names: list[str]) -> list[str]:
    from harness.scoring.fields import checked_breakdowns  # harness.scoring imports this module: late

    return checked_breakdowns(names)


def _feedback(names: list[str]) -> list[str]:
    from harness.scoring.feedback_keys import checked_feedback  # harness.scoring imports this module: late

    return checked_feedback(names)


class EvalSpec(StrictSpec):
    name: str | None = None
    description: str = ""
    dataset: str | DatasetSpec = Field(
        description="A .jsonl/.json/.csv/.parquet file or a Hugging Face dataset id; or `{path, columns}` to map "
                    "the file's own column names to the case's fields.")
    limit: int | None = Field(None, ge=1, description="Only the first N cases (threads, with `replay: turns`).")
    replay: Literal["last", "turns"] = Field("last", description="`last`: answer each thread's last customer turn. "
                                             "`turns`: one case per agent turn of each thread, given the recorded "
                                             "history up to it (`<id>@t<k>`).")
    # Left out of the dump when unset: manifests' eval_spec (which a resume compares) stay as they were.
    perturb: PerturbSpec | None = Field(
        None, exclude_if=lambda value: value is None,
        description="Add harder variants of each case (`<id>~<kind>`), answered by model candidates only: "
                    "`[shout, typos, abuse, injection]` or `{kinds: [...], seed: 7}`.")
    candidates: list[CandidateEntry] = Field(
        min_length=1, description="Candidates; an entry with `matrix` stands for one candidate per prompt × model.")
    checks: Literal["all", "none"] | list[str | CustomCheckSpec] = Field(
        "all", description="`all`, `none`, or a list of built-in check names (`all` for every one) and checks "
                           "written here: `{name, type, value}`, type one of contains, contains_all, not_contains, "
                           "not_contains_all, equals, not_equals, starts_with, not_starts_with, regex, not_regex, "
                           "max_length, min_length, is_json, not_is_json, max_latency_ms, max_cost_usd, python, "
                           "and against a reference reply rouge_l, levenshtein, bleu, similar.")
    judge: JudgeSpec | None = None
    # Left out of the dump when unset: manifests' eval_spec (which a resume compares) stay as they were.
    embedding: EmbeddingSpec | None = Field(
        None, exclude_if=lambda value: value is None,
        description="The model that embeds replies for `similar` checks: `{model, api_base, api_key_env}` (any "
                    "OpenAI-compatible /v1/embeddings, or a litellm embedding model); unset: the embedded model "
                    "(offline, weak).")
    # Unset, it follows the models' own when higher (_concurrency_follows_models); the schema's text stays.
    concurrency: int = Field(DEFAULT_EVAL_CONCURRENCY, ge=1, le=4096,
                             description="Case × candidate tasks in flight.")
    gates: GatesSpec | None = Field(None, description="Minimums and largest regressions a run must keep.")
    max_error_rate: float | None = Field(None, ge=0, le=1, description="Largest share of records with an error "
                                                                       "for the run to count as complete; unset: "
                                                                       "0.05, 1 turns the share off.")
    # Left out of the dump when unset: manifests' eval_spec (which a resume compares) stay as they were.
    breakdowns: Annotated[list[str], AfterValidator(_breakdowns)] | None = Field(
        None, exclude_if=lambda value: value is None,
        description="The case fields the scorecard breaks results down by, one table each: `persona`, "
                    "`category` (the default), `channel`, `metadata.<key>` (e.g. `[metadata.channel, "
                    "metadata.language]`). A field with many values shows its 20 most frequent, the rest pooled.")
    # Left out of the dump when unset, as breakdowns.
    feedback: Annotated[list[str], AfterValidator(_feedback)] | None = Field(
        None, exclude_if=lambda value: value is None,
        description="Case fields holding what the customer said of the conversation (a CSAT score, a thumbs up or "
                    "down), e.g. `[metadata.csat, metadata.thumbs=up]`: the scorecard summarises each and says how "
                    "far each check and criterion agrees with it. `=value` names the value to count the share of.")
    # The command-line options that changed the file (--model, --set, ...): not a field, so a file cannot write
    # it; dumped (a manifest's eval_spec) as `overrides` when there are any.
    _overrides: list[str] = PrivateAttr(default_factory=list)

    @model_serializer(mode="wrap")
    def _with_overrides(self, handler) -> dict[str, Any]:
        dumped = handler(self)
        if self._overrides and isinstance(dumped, dict):
            dumped["overrides"] = list(self._overrides)
        return dumped

    @property
    def overrides(self) -> list[str]:
        """The command-line options that changed the eval file, as given (empty: none)."""
        return list(self._overrides)

    @property
    def dataset_file(self) -> str:
        """The dataset's path (or hub id) as written."""
        return self.dataset if isinstance(self.dataset, str) else self.dataset.path

    @property
    def dataset_columns(self) -> dict[str, str]:
        """The field -> file column mapping (empty: the file's columns are the case's own names)."""
        return {} if isinstance(self.dataset, str) else dict(self.dataset.columns)

    @field_validator("dataset")
    @classmethod
    def _dataset_named(cls, value: str | DatasetSpec) -> str | DatasetSpec:
        # Checked here, not as a constraint of the string member: a union would word it for both members.
        if isinstance(value, str) and not value:
            raise ValueError("String should have at least 1 character")
        return value

    @field_validator("perturb")
    @classmethod
    def _perturb_not_turns(cls, value: PerturbSpec | None, info: ValidationInfo) -> PerturbSpec | None:
        # Turn cases answer a recorded history; their variants would not pair with the thread's turns.
        if value is not None and info.data.get("replay") == "turns":
            raise ValueError("perturb does not go with `replay: turns`: perturb the last customer turn "
                             "(`replay: last`) or drop `perturb`")
        return value

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

    @model_validator(mode="after")
    def _concurrency_follows_models(self) -> "EvalSpec":
        # Unset, the eval's limit follows its models' own: a judge given `concurrency: 64` gets 64 calls in
        # flight, not the default's 16 (see harness.config.concurrency). Set in place, not as a field the file
        # set, so that "the file sets none" stays readable.
        derived = following_models(self)
        if derived is not None:
            self.__dict__["concurrency"] = derived
        return self

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
    prompt_partials: dict[str, dict[str, str]] = Field(default_factory=dict, description=(
        "candidate name -> the partials its template includes, imports or extends: name as written -> text"))
    node: Any = Field(None, exclude=True, repr=False, description="the YAML node tree, for line numbers")
    custom_checks: list[Any] = Field(default_factory=list, exclude=True, repr=False,
                                     description="the checks written in the eval file, built")
    candidate_locs: list[tuple] = Field(default_factory=list, exclude=True, repr=False,
                                        description="where each candidate is written in the file (a matrix's "
                                                    "candidates: in their matrix)")
    gated_case_checks: list[str] = Field(default_factory=list, exclude=True, repr=False, description=(
        "the checks and judge criteria gates name that the eval file does not have: a case's own checks or "
        "criteria, or typos, told apart once the dataset is read (unknown_gate_checks)"))
    applied: Applied | None = Field(None, exclude=True, repr=False, description=(
        "what --model, --judge-model and --set changed (None: nothing): its errors name the option"))

    def error(self, problem: str, *loc: Any, kind: type[UserError] = ConfigError) -> UserError:
        """A ``kind`` error at ``loc`` in this eval file: ``eval.yaml:7: candidates[1].model: problem`` (a value
        a command-line option put there: ``--model: problem``)."""
        error = _error_at(self.path, self.node, problem, loc, kind)
        return self.applied.reword_one(error, str(self.path)) if self.applied is not None else error

    @property
    def column_map(self) -> ColumnMap:
        """The dataset's column mapping, its mistakes named at this eval file's ``dataset.columns`` lines."""
        return ColumnMap(self.spec.dataset_columns, origin=self.path.name,
                         where=lambda target, problem: self.error(problem, "dataset", "columns", target))

    def candidate_loc(self, name: str) -> tuple[Any, ...]:
        """Where candidate ``name`` sits in the eval file, as a field path (a matrix's: the matrix entry)."""
        index = next(i for i, c in enumerate(self.spec.candidates) if c.name == name)
        return self.candidate_locs[index] if index < len(self.candidate_locs) else ("candidates", index)


def _error_at(path: Path, node, problem: str, loc: tuple[Any, ...], kind: type[UserError] = ConfigError) -> UserError:
    """A ``kind`` error at ``loc`` of the eval file at ``path`` (a matrix candidate's model or prompt: in its matrix)."""
    loc = in_matrix(loc, node)
    return kind(problem, file=str(path), line=line_of(node, loc), field=format_loc(loc) or None)


def load_eval(path: str | Path) -> LoadedEval:
    """Read, validate and resolve an eval file, changed by the command-line options held
    (:func:`harness.config.overrides.overridden`). Raises ConfigError naming file, line and field (or the
    option that put a wrong value there)."""
    path = Path(path)
    data, node = load_yaml(path, ConfigError)
    data = interpolate(data, node, path)
    data, applied = apply_overrides(data)
    if applied is None:
        return _loaded(path, data, node)
    try:
        loaded = _loaded(path, data, node, applied)
    except UserError as exc:
        raise applied.reword(exc, str(path)) from None
    loaded.spec._overrides = applied.words
    loaded.applied = applied
    return loaded


def _loaded(path: Path, data: Any, node, applied: Applied | None = None) -> LoadedEval:
    data, locs = expand_matrices(data, node, path)
    check_expanded(data, locs, applied)
    try:
        spec = validate_yaml(EvalSpec, data, node, path, ConfigError,
                             remap=lambda loc: in_file(at_second_name(loc, data), locs, node))
    except ConfigError as exc:
        raise _said_as_promptfoo(exc, data, path) from None
    repeat_samples(spec)
    def fail(problem: str, *loc) -> UserError:
        return _error_at(path, node, problem, loc)

    dataset_path = _dataset_path(spec, path, fail)
    check_column_targets(spec.dataset_columns, fail)
    rubric_path = None
    if spec.judge is not None:
        # A rubric written here is read from this file (harness.judges.rubric.load_rubric knows one).
        rubric_path = path if isinstance(spec.judge.rubric, dict) else resolve_path(spec.judge.rubric, path)
        if rubric_path is None:
            raise fail(f"rubric file not found: {spec.judge.rubric}", "judge", "rubric")
    locs = locs or [("candidates", i) for i in range(len(spec.candidates))]
    prompts, prompt_files = load_prompts(spec, path, fail, locs)
    partials = load_partials(prompts, prompt_files, path, fail, locs, spec)
    # The checks and the names the file refers to are each looked at, and their mistakes said together.
    problems: list[UserError] = []
    custom_checks = _build_checks(spec, path, fail, problems)
    deferred = check_named(spec, rubric_path, fail, problems)
    if problems:
        raise all_at_once(ConfigError, problems)
    return LoadedEval(spec=spec, path=path, name=spec.name or path.stem, dataset_path=dataset_path,
                      rubric_path=rubric_path, prompts=prompts, prompt_files=prompt_files,
                      prompt_partials=partials, node=node,
                      custom_checks=custom_checks, candidate_locs=locs, gated_case_checks=deferred)


def _said_as_promptfoo(exc: ConfigError, data: Any, path: Path) -> UserError:
    """``exc``, led by a line saying the file is a promptfoo config when it reads as one (its keys' lines
    each name the harness's word: :mod:`harness.config.promptfoo_words`)."""
    if not looks_like_promptfoo(data):
        return exc
    errors = exc.errors if isinstance(exc, SeveralErrors) else [exc]
    return all_at_once(ConfigError, [ForeignConfigError(looks_like_line(), file=str(path), line=1), *errors])


def _dataset_path(spec: EvalSpec, path: Path, fail) -> str:
    """The dataset file, resolved (a hub dataset id as written); refuses a file not there, and a directory."""
    raw = spec.dataset_file
    at = ("dataset",) if isinstance(spec.dataset, str) else ("dataset", "path")
    dataset = resolve_path(raw, path)
    if dataset is None and _looks_like_a_file(raw):
        raise fail(f"dataset file not found: {raw}", *at)
    if dataset is not None and dataset.is_dir():  # as the run refuses it (validate took it for a hub id)
        raise fail(f"{raw} is a directory; name a .jsonl, .csv or .parquet file (a Hugging Face "
                   "save_to_disk directory is not read: write it out with to_json or to_parquet)", *at)
    return str(dataset) if dataset else raw  # may be a hub dataset id


def _looks_like_a_file(raw: str) -> bool:
    # Anything else may be a Hugging Face dataset id ("owner/name"), which the loader fetches.
    return raw.startswith((".", "/", "~")) or Path(raw).suffix.lower() in DATASET_SUFFIXES


DATASET_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".pq")


def _build_checks(spec: EvalSpec, path: Path, fail, problems: list[UserError]) -> list[Any]:
    """Check the built-in names the eval file lists and build the checks it writes itself; what is wrong with
    any of them is added to ``problems``."""
    if not isinstance(spec.checks, list):
        return []
    built, seen = [], set()
    for index, item in enumerate(spec.checks):
        try:
            check = _build_check(item, index, seen, path, fail)
        except UserError as exc:
            problems.append(exc)
            continue
        if check is not None:
            built.append(check)
    return built


def _build_check(item: str | CustomCheckSpec, index: int, seen: set[str], path: Path, fail) -> Any:
    """The check ``item`` of the list writes (None for a built-in's name); raises a ConfigError at its line."""
    from harness.checks.base import registry

    known = registry()
    name = item if isinstance(item, str) else item.name
    loc = ("checks", index) if isinstance(item, str) else ("checks", index, "name")
    if name in seen:
        raise fail(f"check {name!r} is listed twice", *loc)
    seen.add(name)
    if isinstance(item, str):
        if name == "none":
            raise fail("`none` stands alone (checks: none), not inside a list", *loc)
        if name != "all" and name not in known:
            raise fail(f"unknown check {name!r}{did_you_mean(name, known)} (known: {', '.join(sorted(known))}; "
                       f"or write one: {{name, type, value}})", *loc)
        return None
    if name in known or name == "all":
        raise fail(f"{name!r} is a built-in check's name: give this check another", *loc)
    try:
        return build_custom_check(item, lambda raw: resolve_path(raw, path))
    except ValueError as exc:
        raise fail(str(exc), "checks", index, "value") from None
