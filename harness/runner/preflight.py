"""Checks made before the first model call, each failing with the eval file's line and field.

A run that would fail on every case (a model name no provider serves, a key
that is not set, a template that does not render) is refused here, as a user
error, instead of spending calls and filling a run directory with case errors.
"""

from __future__ import annotations

from typing import Any

import jinja2

from harness.candidates.responders import TemplateRenderError, compile_template, prerender
from harness.config.evalfile import LoadedEval
from harness.datasets.schema import Case
from harness.errors import ConfigError, MissingCredentialError, TemplateError, UserError
from harness.models.base import ModelSpec
from harness.models.cache import ResponseCache
from harness.records.redaction import register_secret_env

# Prefixes the harness routes itself; every other name goes to litellm.
OWN_PREFIXES = ("embedded/", "fake/")


def located(exc: UserError, loaded: LoadedEval, *loc: Any) -> UserError:
    """``exc`` placed at ``loc`` in the eval file, unless it already names a file."""
    if exc.file:
        return exc
    return loaded.error(exc.problem, *loc, kind=type(exc))


def check_model_name(spec: ModelSpec) -> None:
    """Raise ConfigError if litellm cannot tell which provider serves ``spec.name`` (or, for a routed
    model, one of its deployments' names: the error's field is then ``deployments[<i>].model``)."""
    if spec.deployments:
        from harness.models.router_provider import check_deployment_models

        check_deployment_models(spec)  # a routed model's name is a label; its deployments' names are sent
        return
    if spec.name.startswith(OWN_PREFIXES):
        return
    if spec.name.endswith("/"):
        raise ConfigError(f"no model name after the provider prefix in {spec.name!r}")
    from harness.models.registry import uses_litellm

    if not uses_litellm(spec):
        return  # served by the thin OpenAI-compatible client: no 2-4 s litellm import just to check
    from harness.models.litellm_provider import import_litellm

    # "litellm/<name>" forces litellm for <name> (harness.models.registry); litellm itself sees <name>.
    name = spec.name.removeprefix("litellm/")
    try:
        import_litellm().get_llm_provider(model=name, api_base=spec.api_base)
    except Exception:  # litellm raises BadRequestError (and others) for names it cannot route
        # Examples from the README's provider table: Ollama's is ollama_chat/ (ollama/ flattens the roles).
        raise ConfigError(f"unknown model or provider {spec.name!r}: use the litellm form "
                          "provider/model, e.g. openai/gpt-4o-mini or ollama_chat/llama3.1") from None


def check_located_name(loaded: LoadedEval, spec: ModelSpec, loc: tuple) -> None:
    """:func:`check_model_name`, its error placed at ``loc`` in the eval file (used by run and validate)."""
    try:
        check_model_name(spec)
    except UserError as exc:
        raise located(exc, loaded, *loc, *field_loc(exc.field, "model")) from None


def build_checked_model(loaded: LoadedEval, spec: ModelSpec, loc: tuple, cache: ResponseCache | None):
    """A Model for ``spec`` whose name, provider and key were all checked; errors point at ``loc``."""
    from harness.models.registry import build_model

    check_located_name(loaded, spec, loc)
    try:
        model = build_model(spec, cache)
    except UserError as exc:
        raise located(exc, loaded, *loc, *field_loc(exc.field, "model")) from None
    if spec.api_key_env:
        register_secret_env(spec.api_key_env)
    try:
        model.check_credentials()
    except MissingCredentialError as exc:
        default = "api_key_env" if spec.api_key_env else "model"
        raise located(exc, loaded, *loc, *field_loc(exc.field, default)) from None
    except UserError as exc:
        raise located(exc, loaded, *loc, *field_loc(exc.field, "model")) from None
    return model


def field_loc(field: str | None, default: str) -> tuple[Any, ...]:
    """A provider's field inside the model spec (``deployments[1].model``) as a path, or ``default``."""
    if not field:
        return (default,)
    return tuple(int(part) if part.isdigit() else part
                 for part in field.replace("[", ".").replace("]", "").split("."))


def checked_template(loaded: LoadedEval, name: str, cases: list[Case],
                     dumps: dict[int, tuple[Case, dict]] | None = None,
                     ) -> tuple[jinja2.Template, dict[int, tuple[Case, str]]]:
    """Candidate ``name``'s prompt template, compiled and rendered once for every case.

    Returns the template and the renders (:func:`~harness.candidates.responders.prerender`),
    which the responder uses for each case's first call instead of rendering it again.
    ``dumps``: cases' ``model_dump()`` made by the loader, taken by the renders that use them.
    """
    loc = (*loaded.candidate_loc(name), "prompt")
    prompt_file = loaded.prompt_files.get(name)
    try:
        template = compile_template(loaded.prompts[name], prompt_file or str(loaded.path),
                                    loaded.prompt_partials.get(name))
    except TemplateError as exc:
        if prompt_file:
            raise
        raise loaded.error(f"template line {exc.line}: {exc.problem}", *loc, kind=TemplateError) from None
    try:
        return template, prerender(template, cases, dumps)
    except TemplateRenderError as exc:
        where = f"template {prompt_file}" if prompt_file else "template"
        problem = str(exc).removeprefix("prompt template failed on this case: ")
        raise loaded.error(f"{where} fails on case {exc.case_id!r}: {problem}", *loc, kind=TemplateError) from None
