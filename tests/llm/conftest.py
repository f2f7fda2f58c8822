"""Fixtures for LLM-path tests: the stub OpenAI server wired in through settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.config import get_settings
from agent.llm import reset_llm_factory
from tests.support.stub_openai import StubOpenAIServer

#: A fake key with a distinctive canary: any test can grep outputs for it.
FAKE_API_KEY = "sk-test-CANARY-7d1e55b0c4a94f2e"

#: The client timeout in tests; the stub's "timeout" fault sleeps well past it.
CLIENT_TIMEOUT_S = 0.5


@pytest.fixture
def stub_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubOpenAIServer]:
    """Start the stub server and point OPENAI_* settings at it (fast timeouts and backoff)."""
    server = StubOpenAIServer(timeout_sleep_s=CLIENT_TIMEOUT_S * 4)
    server.start()
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("ADVISOR_MODEL", "stub-model")
    monkeypatch.setenv("ADVISOR_LLM_TIMEOUT", str(CLIENT_TIMEOUT_S))
    monkeypatch.setenv("ADVISOR_LLM_RETRIES", "2")
    monkeypatch.setenv("ADVISOR_LLM_BACKOFF", "0.01")
    get_settings.cache_clear()
    reset_llm_factory()
    try:
        yield server
    finally:
        server.stop()
        reset_llm_factory()
        get_settings.cache_clear()
