"""build_model routing, and keeping `import harness.models` light."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.errors import ConfigError
from harness.models import ModelSpec, build_provider
from harness.models.embedded import EmbeddedProvider
from harness.models.litellm_provider import LiteLLMProvider


def test_names_route_to_providers():
    assert isinstance(build_provider(ModelSpec(name="embedded/gemma-3-270m")), EmbeddedProvider)
    assert isinstance(build_provider(ModelSpec(name="openai/gpt-4o-mini")), LiteLLMProvider)
    assert isinstance(build_provider(ModelSpec(name="gpt-4o-mini")), LiteLLMProvider)


def test_unknown_embedded_model_is_a_config_error():
    with pytest.raises(ConfigError, match="embedded/gemma-3-270m"):
        build_provider(ModelSpec(name="embedded/llama-70b"))


def test_importing_the_package_loads_no_provider_library():
    code = ("import sys, harness.models; "
            "print(sorted(m for m in ('litellm', 'llama_cpp', 'openai', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
