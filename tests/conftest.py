"""Shared test configuration: markers, and the loopback OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.openai_server import OpenAIServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "embedded: runs the real embedded model (slow; needs llama-cpp-python)")


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fresh loopback server (echo replies, no faults); tests queue faults with ``server.queue``."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's chromium, driven by Playwright, for one test module (tests/support/browser.py; the modules
    that use it are marked ``needs_chromium``)."""
    from tests.support.browser import chromium

    with chromium() as launched:
        yield launched
