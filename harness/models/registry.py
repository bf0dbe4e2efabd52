"""Turn a :class:`ModelSpec` into a :class:`Model`, choosing the provider by the name's prefix.

    embedded/<name>        the in-process llama.cpp model (``harness.models.embedded``)
    fake/<name>            a scripted fake registered with ``register_fake``
    openai/<name> with an ``api_base``
                           the thin OpenAI-compatible client (``harness.models.openai_compat``):
                           a self-hosted or gateway endpoint, at a fraction of litellm's CPU per call
                           (litellm instead when HTTPS_PROXY/HTTP_PROXY applies to that endpoint)
    any name with ``deployments``
                           litellm's Router over them (``harness.models.router_provider``)
    litellm/<name>         litellm for ``<name>``, always (e.g. ``litellm/openai/x`` with an api_base)
    anything else          litellm (``openai/gpt-4o-mini``, ``anthropic/...``, ``ollama_chat/...``)

``register_provider`` adds a prefix, so a plugin can bring its own adapter the
same way the built-in ones are wired.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.models.base import ModelSpec, Provider
from harness.models.cache import ResponseCache
from harness.models.model import Model

ProviderFactory = Callable[[ModelSpec], Provider]
_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(prefix: str, factory: ProviderFactory) -> None:
    """Route model names ``<prefix>/...`` to ``factory(spec)``."""
    _FACTORIES[prefix.rstrip("/")] = factory


def _embedded(spec: ModelSpec) -> Provider:
    from harness.models.embedded import EmbeddedProvider  # keeps llama_cpp out of plain imports

    return EmbeddedProvider(spec)


def _fake(spec: ModelSpec) -> Provider:
    from harness.models.fake import get_fake

    return get_fake(spec.name)


def _litellm(spec: ModelSpec) -> Provider:
    from harness.models.litellm_provider import LiteLLMProvider

    return LiteLLMProvider(spec)


def _forced_litellm(spec: ModelSpec) -> Provider:
    # The Model keeps the full name (cache keys, records); litellm sees the name after "litellm/".
    return _litellm(spec.model_copy(update={"name": spec.name.split("/", 1)[1]}))


def behind_proxy(api_base: str) -> bool:
    """True when the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``) sends ``api_base`` through a proxy.

    The thin client speaks to the endpoint directly; litellm (through httpx) honours proxies, so a
    proxied endpoint goes there instead of failing to connect.
    """
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(api_base)
    proxies = urllib.request.getproxies_environment()
    if not parts.hostname or parts.scheme not in proxies:
        return False
    return not urllib.request.proxy_bypass_environment(parts.hostname, proxies)


def _openai(spec: ModelSpec) -> Provider:
    # OpenAI itself (no api_base) stays on litellm, which knows its prices; so does an endpoint
    # reached through a proxy, which the thin client does not speak to.
    if not spec.api_base or behind_proxy(spec.api_base):
        return _litellm(spec)
    from harness.models.openai_compat import OpenAICompatProvider

    return OpenAICompatProvider(spec)


register_provider("embedded", _embedded)
register_provider("fake", _fake)
register_provider("litellm", _forced_litellm)
register_provider("openai", _openai)


def uses_litellm(spec: ModelSpec) -> bool:
    """True when ``spec`` would be served through litellm (so only then is litellm worth importing).

    Importing litellm costs 2-4 s of CPU; checks made before a run (is the name routable?) should
    ask this first, so runs on the thin OpenAI-compatible path or the embedded model never pay it.
    """
    prefix = spec.name.split("/", 1)[0] if "/" in spec.name else ""
    if spec.deployments:
        return True  # litellm's Router spreads the calls
    if prefix == "openai":
        return not spec.api_base or behind_proxy(spec.api_base)
    return prefix == "litellm" or prefix not in _FACTORIES


def build_provider(spec: ModelSpec) -> Provider:
    """The provider adapter for ``spec.name``; ConfigError for an unknown fake or embedded model."""
    if spec.deployments:
        from harness.models.router_provider import RouterProvider

        return RouterProvider(spec)
    prefix = spec.name.split("/", 1)[0] if "/" in spec.name else ""
    return _FACTORIES.get(prefix, _litellm)(spec)


def build_model(spec: ModelSpec, cache: ResponseCache | None = None) -> Model:
    """A :class:`Model` for ``spec`` sharing ``cache`` (``None``: no caching)."""
    return Model(build_provider(spec), spec, cache)
