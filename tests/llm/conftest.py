"""Fixtures for LLM-path tests: the stub OpenAI server wired in through settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.config import get_settings
from agent.llm import reset_llm_factory
from tests.support.stub_openai import CLIENT_TIMEOUT_S, StubOpenAIServer, configure_env


@pytest.fixture
def stub_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubOpenAIServer]:
    """Start the stub server and point OPENAI_* settings at it (fast timeouts and backoff).

    The key is ``tests.support.stub_openai.FAKE_API_KEY``; grep outputs for it.
    """
    server = StubOpenAIServer(timeout_sleep_s=CLIENT_TIMEOUT_S * 4)
    server.start()
    configure_env(monkeypatch, server)
    get_settings.cache_clear()
    reset_llm_factory()
    try:
        yield server
    finally:
        server.stop()
        reset_llm_factory()
        get_settings.cache_clear()
