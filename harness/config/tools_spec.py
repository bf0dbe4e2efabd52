"""The tools a model candidate is offered (``tools:`` of a candidate): OpenAI function definitions.

Written inline in the eval file or in a JSON/YAML file the candidate names. Each is OpenAI's
``{"type": "function", "function": {"name", "description", "parameters"}}`` or the same without the
wrapper (``{name, description, parameters}``, as Inspect AI and DeepEval users write a tool), plus one
field of the harness's own: ``result``, what the tool returns to a case that has neither a ``tool_results``
entry for it nor a recorded result of it in its thread ("no record found"). The harness never runs a tool:
each call is answered from the case (:mod:`harness.candidates.tool_answers`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.errors import ConfigError

# What a call gets when neither the case nor the tool's definition says what it returns.
NO_RESULT = "no record found"


class ToolSpec(BaseModel):
    """One tool a model candidate may call; the harness answers its calls from the case."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The function's name (OpenAI's rule: "
                                                                     "letters, digits, _ and -, at most 64).")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}},
                                       description="JSON Schema of the call's arguments.")
    strict: bool | None = None
    result: Any = Field(None, description="What a call returns on a case with neither a `tool_results` entry "
                                          f"nor a thread's recorded result for this tool (text or any JSON value; "
                                          f"default {NO_RESULT!r}).")

    @model_validator(mode="before")
    @classmethod
    def _unwrapped(cls, value: Any) -> Any:
        """OpenAI's ``{"type": "function", "function": {...}}`` read as its function (``result`` beside it)."""
        if isinstance(value, dict) and "function" in value:
            if value.get("type", "function") != "function":
                raise ValueError(f"tool type {value.get('type')!r} is not supported: only `function` tools")
            inner = value["function"]
            if not isinstance(inner, dict):
                raise ValueError("`function` must be a mapping with name, description and parameters")
            rest = {k: v for k, v in value.items() if k not in ("type", "function")}
            return {**inner, **rest}
        return value

    @field_validator("parameters")
    @classmethod
    def _a_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as exc:
            where = "/".join(str(p) for p in exc.path)
            raise ValueError(f"not a valid JSON Schema{f' at {where}' if where else ''}: {exc.message}") from None
        if value.get("type", "object") != "object":
            raise ValueError("a function's parameters must be a JSON Schema of type object")
        return value

    def openai_form(self) -> dict[str, Any]:
        """The definition as the chat API takes it (the harness's own ``result`` left out)."""
        function: dict[str, Any] = {"name": self.name, "description": self.description,
                                    "parameters": self.parameters}
        if self.strict is not None:
            function["strict"] = self.strict
        return {"type": "function", "function": function}

    def default_result(self) -> str:
        return NO_RESULT if self.result is None else result_text(self.result)


def result_text(value: Any) -> str:
    """A canned result as the tool message's text: text as it is, any other JSON value as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _ToolsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: list[ToolSpec] = Field(min_length=1)


def distinct_names(tools: list[ToolSpec]) -> list[ToolSpec]:
    names = [tool.name for tool in tools]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        raise ValueError(f"tool {twice!r} is defined twice")
    return tools


def candidate_tools(loaded, spec) -> list[ToolSpec]:
    """A candidate's tools: its inline definitions, or those of the file it names (relative to the current
    directory, else to the eval file). Raises ConfigError at the candidate's ``tools`` line for a file that is
    not there, and at the tools file's own line and field for a bad definition in it."""
    from harness.config.prompt_files import resolve_path

    if spec.tools is None or isinstance(spec.tools, list):
        return list(spec.tools or [])
    path = resolve_path(spec.tools, loaded.path)
    if path is None or not path.is_file():
        raise loaded.error(f"tools file not found: {spec.tools}", *loaded.candidate_loc(spec.name), "tools")
    return load_tools_file(path)


def load_tools_file(path: Path) -> list[ToolSpec]:
    """The tools of a JSON/YAML file: a list of definitions, or a mapping with ``tools:``."""
    from harness.config.yamlfile import load_yaml, validate_yaml

    data, node = load_yaml(path, ConfigError)  # YAML reads JSON too
    listed = isinstance(data, list)
    spec = validate_yaml(_ToolsFile, {"tools": data} if listed else data, node, path, ConfigError,
                         remap=(lambda loc: loc[1:]) if listed else None)
    try:
        return distinct_names(spec.tools)
    except ValueError as exc:
        raise ConfigError(str(exc), file=str(path), field="tools") from None


def tool_result_warnings(loaded, dataset, candidates=None) -> list[str]:
    """One line per ``tool_results`` key no model candidate's tool is called (a typo, ``lookup_ordr``), at the
    first case's file, line and field, with a did-you-mean among the tools and how many more cases have it: a
    call of the tool it meant gets no result from those cases (the thread's, the tool's own, "no record
    found"), so a run would grade a reply to data nobody wrote. Said by ``harness validate`` and before a run's
    first call (``candidates``: the run's, else the eval file's); none stops the run. Silent when no candidate
    has tools (a dataset may carry results for another eval's)."""
    from harness.config.validation_errors import did_you_mean
    from harness.errors import DatasetError

    offered = _offered_tools(loaded, candidates)
    if not offered:
        return []
    unknown: dict[str, list] = {}
    for case in dataset.cases:
        for key in case.tool_results:
            if key not in offered:
                unknown.setdefault(key, []).append(case)
    lines = []
    for key, cases in unknown.items():
        more = len(cases) - 1
        also = f" (and {more} more case{'s' if more != 1 else ''})" if more else ""
        tools = ", ".join(sorted(offered))
        problem = (f"{cases[0].id}{also}: no tool is called {key!r} (the candidates' tools are: {tools}), so "
                   f"this entry answers no call{did_you_mean(key, offered)}")
        lines.append(DatasetError(problem, file=dataset.source, line=dataset.lines.get(cases[0].id),
                                  field=f"tool_results.{key}").one_line())
    return lines


def _offered_tools(loaded, candidates) -> set[str]:
    """The names of the tools any of ``candidates`` (model candidates with ``tools``) is offered."""
    names: set[str] = set()
    for spec in loaded.spec.candidates if candidates is None else candidates:
        if spec.kind != "model" or spec.tools is None:
            continue
        try:
            names.update(tool.name for tool in candidate_tools(loaded, spec))
        except ConfigError:  # a tools file not there: refused on its own, at the candidate's line
            continue
    return names
