"""Fixtures for LLM-path tests: the stub OpenAI server wired in through settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stub_openai import StubOpenAIServer, running_stub


@pytest.fixture
def stub_llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubOpenAIServer]:
    """Start the stub server and point OPENAI_* settings at it (fast timeouts and backoff).

    The key is ``tests.support.stub_openai.FAKE_API_KEY``; grep outputs for it.
    """
    with running_stub(monkeypatch) as server:
        yield server
