"""One logical model served by several deployments, spread over with litellm's Router.

An eval file gives a model ``deployments`` (other keys, regions or replicas of
the same model), each with its own ``rpm`` / ``tpm`` limit, and optionally a
``routing`` strategy. This provider builds one ``litellm.Router`` over them and
asks it for each call.

Retries stay in :class:`~harness.models.model.Model`, so nothing is retried
twice: the Router is built with ``num_retries=0`` and no fallbacks. What the
Router adds is the choice of deployment and cool-downs: a deployment that
answers 429 (or fails more than ``allowed_fails`` times in a minute) is left out
for ``cooldown_s``, so the ``Model``'s next attempt goes to another one. When
every deployment is cooling down, the call fails as a rate limit with the
cool-down as its ``retry_after``.

The ``Model`` keeps the logical name, so a call's cache key does not depend on
which deployment served it; the deployment's name is kept on the response
(``ModelResponse.deployment``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from harness.errors import ConfigError
from harness.models.base import DeploymentSpec, GenerateConfig, Message, ModelResponse, ModelSpec
from harness.models.litellm_provider import (PLACEHOLDER_KEY, LiteLLMProvider, check_environment, import_call_modules,
                                             import_litellm)
from harness.records.redaction import register_secret_env


def check_deployment_models(spec: ModelSpec) -> None:
    """Raise ConfigError (field ``deployments[<i>].model``) for the first deployment whose model litellm cannot route.

    The one check of a routed model's names: the preflight's
    :func:`~harness.runner.preflight.check_model_name` (a run's and ``harness validate``'s) asks it,
    and so does :meth:`RouterProvider.check_credentials`.
    """
    for index, deployment in enumerate(spec.deployments):
        try:
            import_litellm().get_llm_provider(model=deployment.model, api_base=deployment.api_base)
        except Exception:  # litellm raises BadRequestError (and others) for names it cannot route
            raise ConfigError(f"unknown model or provider {deployment.model!r}: use the litellm "
                              "form provider/model, e.g. azure/gpt-4o-mini",
                              field=f"deployments[{index}].model") from None


def deployment_name(deployment: DeploymentSpec, index: int) -> str:
    """The name a deployment goes by in records: its ``name``, else ``d<index>``."""
    return deployment.name or f"d{index}"


class RouterProvider(LiteLLMProvider):
    """``generate`` through a ``litellm.Router`` over ``spec.deployments`` (built on first use)."""

    def __init__(self, spec: ModelSpec) -> None:
        if not spec.deployments:
            raise ConfigError(f"{spec.name}: a routed model needs at least one deployment", field="deployments")
        if spec.api_base or spec.api_key_env:
            raise ConfigError(f"{spec.name}: with `deployments`, give `api_base` and `api_key_env` inside each "
                              "deployment", field="deployments")
        names = [deployment_name(d, i) for i, d in enumerate(spec.deployments)]
        if len(set(names)) != len(names):
            raise ConfigError(f"{spec.name}: two deployments share a name; give each a distinct `name`",
                              field="deployments")
        super().__init__(spec)
        self.deployment_names = names
        self._router: Any = None
        self._router_lock = threading.Lock()

    def prepare(self) -> None:
        """Import litellm, build the Router (once), and import what its deployments' first calls would."""
        self.router()
        for deployment in self.spec.deployments:
            import_call_modules(deployment.model)

    def check_credentials(self) -> None:
        """Raise ConfigError for a deployment litellm cannot route, MissingCredentialError for a missing key."""
        check_deployment_models(self.spec)
        for index, deployment in enumerate(self.spec.deployments):
            if deployment.api_key_env:
                register_secret_env(deployment.api_key_env)  # redacted from any error text we record
            check_environment(deployment.model, deployment.api_key_env, deployment.api_base, self.name,
                              f"deployments[{index}]")

    def router(self) -> Any:
        """The ``litellm.Router`` over this model's deployments."""
        with self._router_lock:
            if self._router is None:
                litellm = import_litellm()
                routing = self.spec.routing
                self._router = litellm.Router(
                    model_list=self.model_list(), routing_strategy=routing.strategy,
                    num_retries=0, max_fallbacks=0, retry_after=0, timeout=self.spec.timeout_s,
                    allowed_fails=routing.allowed_fails, cooldown_time=routing.cooldown_s)
        return self._router

    def model_list(self) -> list[dict[str, Any]]:
        """The Router's ``model_list``: every deployment under the logical name (keys included: do not log)."""
        return [self._entry(d, name) for d, name in zip(self.spec.deployments, self.deployment_names)]

    def _entry(self, deployment: DeploymentSpec, name: str) -> dict[str, Any]:
        params: dict[str, Any] = {"model": deployment.model, "max_retries": 0}
        if deployment.api_base:
            params["api_base"] = deployment.api_base
        key = os.environ.get(deployment.api_key_env) if deployment.api_key_env else None
        if key or deployment.api_base:
            params["api_key"] = key or PLACEHOLDER_KEY
        for field in ("rpm", "tpm", "weight"):
            value = getattr(deployment, field)
            if value is not None:
                params[field] = value
        return {"model_name": self.name, "litellm_params": params, "model_info": {"id": name}}

    def request_kwargs(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        """The ``Router.acompletion`` arguments: the logical name, messages and parameters (no key)."""
        kwargs: dict[str, Any] = {"model": self.name, "messages": [m.model_dump() for m in messages],
                                  "num_retries": 0, "timeout": self.spec.timeout_s}
        kwargs.update(self._params(config))
        return kwargs

    async def complete(self, kwargs: dict[str, Any]) -> Any:
        return await self.router().acompletion(**kwargs)

    def to_response(self, raw: Any, tools_offered: bool = False) -> ModelResponse:
        response = super().to_response(raw, tools_offered)
        return response.model_copy(update={"deployment": served_by(raw)})

    def _cost(self, raw: Any) -> float | None:
        deployment = self._deployment_of(served_by(raw))
        if deployment is None or (deployment.api_base and deployment.model.startswith("openai/")):
            return None  # a self-hosted OpenAI-compatible endpoint's price is unknown
        try:
            return float(import_litellm().completion_cost(completion_response=raw, model=deployment.model))
        except Exception:  # litellm raises for models missing from its price list
            return None

    def _deployment_of(self, name: str | None) -> DeploymentSpec | None:
        if name not in self.deployment_names:
            return None
        return self.spec.deployments[self.deployment_names.index(name)]


def served_by(raw: Any) -> str | None:
    """The deployment id litellm's Router reports on a response (``_hidden_params['model_id']``)."""
    hidden = getattr(raw, "_hidden_params", None) or {}
    model_id = hidden.get("model_id") if isinstance(hidden, dict) else None
    return str(model_id) if model_id else None
