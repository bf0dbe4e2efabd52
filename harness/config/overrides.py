"""Changing an eval file from the command line: ``--model``, ``--judge-model`` (with ``--judge-api-base`` and
``--judge-api-key-env``) and ``--set KEY=VALUE``, on ``harness run``, ``estimate`` and ``validate``.

Inspect AI users pass ``--model`` and ``-T``, promptfoo users ``--var``: trying another model or a setting
should not mean editing (and then un-editing) the file. The options change the file's data after its
``${VAR}`` references are read and before it is validated, so every check and did-you-mean of the eval file
applies to what they give; an error about a value an option put there names the option (``--set judge.modle:
no such key in the eval file; did you mean judge.model?``), never a line of the file that does not hold it.

The order is fixed whatever the command line's: ``--model``, then the judge options, then each ``--set`` as
given, so a ``--set`` of one candidate's model wins over ``--model``. The loaded spec records the options
(``overrides`` in a run manifest's ``eval_spec``), so a reader of the run sees they came from the command line.
A run loads its eval file in more than one place, so the options are held for the evals loaded inside
:func:`overridden`, as ``--repeat`` is.
"""

from __future__ import annotations

import datetime
import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from harness.config.yamlfile import all_at_once, format_loc
from harness.errors import ConfigError, OverrideError, SeveralErrors, UserError


@dataclass(frozen=True)
class Overrides:
    """The options as given (None / empty: not given)."""

    model: str | None = None
    judge_model: str | None = None
    judge_api_base: str | None = None
    judge_api_key_env: str | None = None
    sets: tuple[str, ...] = ()  # each KEY=VALUE as typed
    # --candidates of run / estimate: only these are held to being distinct (a file comparing two models
    # runs one of them with --model); not an override, so not among the words.
    only: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.model, self.judge_model, self.judge_api_base, self.judge_api_key_env, self.sets))

    def words(self) -> list[str]:
        """The options in the order they are applied, as a manifest records them."""
        flags = (("--model", self.model), ("--judge-model", self.judge_model),
                 ("--judge-api-base", self.judge_api_base), ("--judge-api-key-env", self.judge_api_key_env))
        return [f"{flag} {value}" for flag, value in flags if value is not None] + [f"--set {s}" for s in self.sets]


_HELD: ContextVar[Overrides | None] = ContextVar("overrides", default=None)


@contextmanager
def overridden(overrides: Overrides | None) -> Iterator[None]:
    """Evals loaded inside are changed by ``overrides`` (None or empty: as the file says)."""
    token = _HELD.set(overrides or None)
    try:
        yield
    finally:
        _HELD.reset(token)


def parse_sets(texts: list[str] | None) -> tuple[str, ...]:
    """``--set`` values, each checked to be ``KEY=VALUE`` with a usable dotted path (its value is read later)."""
    for text in texts or []:
        _split(text)
    return tuple(texts or ())


def _split(text: str) -> tuple[str, tuple[Any, ...], str]:
    """(the key as typed, its steps, the raw value) of one ``--set``."""
    key, eq, raw = text.partition("=")
    key = key.strip()
    if not eq or not key:
        raise OverrideError(f"{text!r}: give KEY=VALUE, KEY a dotted path into the eval file (judge.model=openai/"
                            "gpt-4o, candidates.0.params.temperature=0.2)", field="--set")
    steps: list[Any] = []
    for part in key.split("."):
        found = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", part)
        if found is None or not (found.group(1) or found.group(2)):
            raise OverrideError("not a dotted path (each part a key or a list index: candidates.0.model)",
                                field=f"--set {key}")
        if found.group(1):
            steps.append(int(found.group(1)) if found.group(1).isdigit() else found.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", found.group(2))]
    return key, tuple(steps), raw


def _value(key: str, raw: str) -> Any:
    """The value as YAML reads it (``0.2`` a number, ``[a, b]`` a list, ``null`` unset); a date stays text."""
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise OverrideError(f"the value is not valid YAML ({problem}): quote text holding ': ' or '#'",
                            field=f"--set {key}") from None
    return raw if isinstance(value, (datetime.date, datetime.datetime)) else value


@dataclass
class Applied:
    """What the options changed: the fields each put a value in (errors there name the option), and what to
    say about it at a run's start."""

    words: list[str] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (option as named in errors, field path)
    notes: list[str] = field(default_factory=list)
    model: str | None = None
    only: tuple[str, ...] = ()
    old_models: dict[int, str] = field(default_factory=dict)  # entry index -> the file's model (one candidate)
    matrices: set[int] = field(default_factory=set)  # matrix entries --model collapsed

    def reword(self, exc: UserError, path: str) -> UserError:
        """``exc`` with each error about a field an option set named by the option instead of the file."""
        errors = exc.errors if isinstance(exc, SeveralErrors) else [exc]
        changed = [self.reword_one(e, path) for e in errors]
        if all(a is b for a, b in zip(changed, errors)):
            return exc
        unique = list({e.one_line(): e for e in changed}.values())  # one per option (two candidates' --model)
        if len(unique) == 1:
            return unique[0]
        several = all_at_once(ConfigError, unique)
        several.file = path  # "harness validate FILE" and its "more errors" line name the eval file
        if isinstance(exc, SeveralErrors):
            several.more = exc.more
        return several

    def reword_one(self, error: UserError, path: str) -> UserError:
        if error.file != path or not error.field:
            return error
        for option, place in reversed(self.places):  # the last option to set a field is the one that counts
            if error.field == place or error.field.startswith((place + ".", place + "[")):
                return _named(error, option, place)
        return error


def _named(error: UserError, option: str, place: str) -> UserError:
    rest = error.field[len(place):].lstrip(".")
    problem = error.problem
    if not rest and problem.startswith("unknown field (check the spelling)"):
        hint = problem.removeprefix("unknown field (check the spelling)")
        parent = option.removeprefix("--set ").rpartition(".")[0]  # the key as typed, less its last part
        if hint.startswith("; did you mean ") and option.startswith("--set ") and parent:
            hint = f"; did you mean {parent}.{hint.removeprefix('; did you mean ')}"
        problem = "no such key in the eval file" + hint
    kind = OverrideError if type(error) in (ConfigError, OverrideError) or isinstance(error, SeveralErrors) \
        else type(error)
    return kind(f"{rest}: {problem}" if rest else problem, field=option)


def apply_overrides(data: Any, held: Overrides | None = None) -> tuple[Any, Applied | None]:
    """``data`` (an eval file's, read) changed by the options held (:func:`overridden`), and what changed."""
    held = held if held is not None else _HELD.get()
    if not held or not isinstance(data, dict):
        return data, None
    data, applied = _copied(data), Applied(words=held.words(), only=held.only)
    if held.model is not None:
        _apply_model(data, held.model, applied)
    if any((held.judge_model, held.judge_api_base, held.judge_api_key_env)):
        _apply_judge(data, held, applied)
    for text in held.sets:
        key, steps, raw = _split(text)
        before = _get(data, steps)
        root = _put(data, steps, _value(key, raw), key)
        applied.places.append((f"--set {key}", format_loc(root)))
        applied.notes.append(f"--set {key}={raw} (the eval file: {_shown(before)})")
    return data, applied


def _copied(value: Any) -> Any:
    """A copy sharing nothing: a YAML alias makes two places one object, and a --set of one must not
    change the other."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _apply_model(data: dict, model: str, applied: Applied) -> None:
    """Every model candidate's model made ``model`` (a matrix's models: ``[model]``); recorded and replayed
    candidates are left as they are."""
    applied.model = model
    candidates = data.get("candidates")
    found: list[str] = []
    first_note = len(applied.notes)
    for index, entry in enumerate(candidates if isinstance(candidates, list) else []):
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("matrix"), dict):
            olds = entry["matrix"].get("model")
            found += [str(m) for m in olds] if isinstance(olds, list) else [str(olds)]
            entry["matrix"]["model"] = [model]
            applied.matrices.add(index)
            applied.places.append(("--model", format_loc(("candidates", index, "matrix", "model"))))
        elif entry.get("model") is not None:
            applied.old_models[index] = str(entry["model"])
            found.append(str(entry["model"]))
            entry["model"] = model
            applied.places.append(("--model", format_loc(("candidates", index, "model"))))
        else:
            continue
        _called_directly(entry, f"candidates.{index}", "--model", applied, _named_entry(entry, index))
    if not found:
        raise OverrideError("the eval file has no model candidate (its candidates replay recorded replies or an "
                            "earlier run's): nothing for it to change", field="--model")
    applied.notes.insert(first_note, f"--model {model}: every model candidate's model (the eval file: "
                                     f"{', '.join(dict.fromkeys(found))})")


def _named_entry(entry: dict, index: int) -> str:
    name = entry.get("name")
    return f"candidate {name}" if isinstance(name, str) and "{" not in name else f"candidates.{index}"


def _called_directly(entry: dict, at: str, option: str, applied: Applied, who: str = "the judge") -> None:
    """A model given on the command line is called as named: the file's ``deployments`` (whose models the
    calls went to) are dropped; its ``api_base`` is kept, and said, as a gateway may serve the new model too."""
    for key in ("deployments", "routing"):
        if entry.pop(key, None) is not None and key == "deployments":
            applied.notes.append(f"{option}: {who} calls it directly, not the eval file's deployments")
    if entry.get("api_base"):
        applied.notes.append(f"{option}: {who} keeps the eval file's api_base {entry['api_base']} "
                             f"(--set {at}.api_base=null drops it)")


def _apply_judge(data: dict, held: Overrides, applied: Applied) -> None:
    judge = data.get("judge")
    option = next(f for f, v in (("--judge-model", held.judge_model), ("--judge-api-base", held.judge_api_base),
                                 ("--judge-api-key-env", held.judge_api_key_env)) if v is not None)
    if not isinstance(judge, dict):
        raise OverrideError("the eval file has no judge (a `judge:` block with a model and a rubric) to change",
                            field=option)
    if held.judge_model is not None:
        panel = judge.pop("panel", None)
        judge.pop("aggregate", None)
        was = (f"a panel of {len(panel)}" if isinstance(panel, list) else "a panel") if panel is not None \
            else judge.get("model")
        judge["model"] = held.judge_model
        applied.places.append(("--judge-model", "judge.model"))
        applied.notes.append(f"--judge-model {held.judge_model}: the judge (the eval file: {_shown(was)})")
        if held.judge_api_base is None:
            _called_directly(judge, "judge", "--judge-model", applied)
        else:
            judge.pop("deployments", None), judge.pop("routing", None)
    for flag, key, value in (("--judge-api-base", "api_base", held.judge_api_base),
                             ("--judge-api-key-env", "api_key_env", held.judge_api_key_env)):
        if value is not None:
            applied.notes.append(f"{flag} {value} (the eval file: {_shown(judge.get(key))})")
            judge[key] = value
            applied.places.append((flag, f"judge.{key}"))


def _get(data: Any, steps: tuple[Any, ...]) -> Any:
    for step in steps:
        if isinstance(data, dict):
            data = data.get(step, data.get(str(step)))
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _put(data: dict, steps: tuple[Any, ...], value: Any, key: str) -> tuple[Any, ...]:
    """Set ``value`` at ``steps``, making the mappings on the way that the file does not have; returns where
    the values the option put start (the first mapping it made, else the key itself)."""
    node: Any = data
    made: tuple[Any, ...] | None = None
    for index, step in enumerate(steps):
        here = steps[:index]
        if isinstance(node, list):
            if not isinstance(step, int):
                raise OverrideError(f"{_where(here)} is a list: give an index (0 to {len(node) - 1}), not {step!r}",
                                    field=f"--set {key}")
            if step >= len(node):
                raise OverrideError(f"{_where(here)} has {len(node)} entr{'y' if len(node) == 1 else 'ies'}: give "
                                    f"an index from 0 to {len(node) - 1}", field=f"--set {key}")
        elif isinstance(node, dict):
            step = step if step in node or isinstance(step, str) else str(step)
        else:
            raise OverrideError(f"{_where(here)} is {_kind(node)}, not a mapping: it has no {step!r}",
                                field=f"--set {key}")
        if index == len(steps) - 1:
            node[step] = value
        else:
            if isinstance(node, dict) and node.get(step) is None:
                node[step] = {}
                made = made or steps[:index] + (step,)
            node = node[step]
    return made or steps


def _where(steps: tuple[Any, ...]) -> str:
    return format_loc(steps) if steps else "the eval file's top level"


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text"}.get(type(value), "a value")


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    return value if isinstance(value, str) else json.dumps(value, default=str)


def check_expanded(data: Any, locs: list[tuple], applied: Applied | None) -> None:
    """Refuse, naming ``--model``, candidates it made alike: two the same in every setting (they differed by
    model only), or a matrix's that now have another candidate's name."""
    if applied is None or applied.model is None or not isinstance(data, dict):
        return
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    entries = [loc[1] for loc in locs] if locs else list(range(len(candidates)))
    seen: dict[str, tuple[str, int]] = {}
    names: dict[str, int] = {}
    for candidate, entry in zip(candidates, entries):
        name = str(candidate.get("name"))
        if not _chosen(name, applied.only):
            continue
        if name in names and (entry in applied.matrices or names[name] in applied.matrices):
            raise OverrideError(f"{applied.model} names two candidates {name!r} (a matrix's names follow its "
                                "model): run one of them, with --candidates", field="--model")
        names[name] = entry
        if candidate.get("model") is None:
            continue
        shape = json.dumps({k: v for k, v in candidate.items() if k != "name"}, sort_keys=True, default=str)
        if shape in seen and _differed(applied, seen[shape][1], entry):
            raise OverrideError(f"{applied.model} makes candidates {seen[shape][0]} and {name} the same (they "
                                f"differed only in model): run one of them, with --candidates {seen[shape][0]}",
                                field="--model")
        seen.setdefault(shape, (name, entry))


def _chosen(name: str, only: tuple[str, ...]) -> bool:
    """Whether ``--candidates`` (``only``; empty: all) takes candidate ``name``: by its name, the part before
    ``@``, or a start of it (as :func:`harness.config.candidates.resolve_candidate` reads them)."""
    return not only or any(name == n or name.split("@", 1)[0] == n or name.startswith(n) for n in only)


def _differed(applied: Applied, first: int, second: int) -> bool:
    """Whether two entries' candidates had different models in the file (a matrix's: taken as different)."""
    a, b = applied.old_models.get(first), applied.old_models.get(second)
    return a is None or b is None or a != b
