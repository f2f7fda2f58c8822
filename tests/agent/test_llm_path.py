"""The LLM path against our OpenAI-compatible stub on 127.0.0.1: faults end in completed turns.

Also the secret hygiene of the agent: the canary API key never lands in the
checkpoint database or an export.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import get_settings
from agent.llm import reset_llm_factory
from agent.service import Advisor
from tests.support.stub_openai import (
    CLIENT_TIMEOUT_S,
    FAKE_API_KEY,
    StubOpenAIServer,
    configure_env,
)

FAULTS = ["timeout", "http_429", "http_500", "malformed_json", "schema_invalid", "refusal"]


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubOpenAIServer]:
    """The stub server with OPENAI_* settings (canary key) pointing at it."""
    server = StubOpenAIServer(timeout_sleep_s=CLIENT_TIMEOUT_S * 4)
    server.start()
    configure_env(monkeypatch, server, retries=1)
    get_settings.cache_clear()
    reset_llm_factory()
    try:
        yield server
    finally:
        server.stop()
        reset_llm_factory()
        get_settings.cache_clear()


def _files_text(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("fault", FAULTS)
def test_each_llm_fault_ends_in_a_completed_turn_with_a_notice(
    stub: StubOpenAIServer, fault: str
) -> None:
    advisor = Advisor(with_citations=False)
    assert advisor.llm is not None, "the key is configured, so the LLM path is tried"
    session = advisor.new_session()
    stub.fail(fault, times=6)  # every attempt of this turn fails
    result = advisor.send(
        session, "We want a support assistant over our policy documents, which change monthly."
    )
    assert result.question is not None or result.done, "the turn completed"
    assert result.reply
    assert any("LLM unavailable" in n for n in result.notices), result.notices
    assert result.mode == "offline"
    assert result.profile.data_dynamics == "periodic", (
        "the offline extractor still read the message"
    )
    assert stub.chat_calls >= 1


def test_llm_turns_count_tokens_and_never_store_the_key(
    stub: StubOpenAIServer, isolated_settings: Path
) -> None:
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    first = advisor.send(
        session, "A chatbot answering questions about our internal HR handbook, updated yearly."
    )
    result = first
    for _ in range(10):
        if result.done:
            break
        result = advisor.send(session, "1")
    if not result.done:
        result = advisor.recommend_now(session)
    assert result.done
    assert stub.chat_calls >= 1
    usage = advisor.view(session).usage
    assert usage.get("total_tokens", 0) > 0, usage
    export = advisor.export(session)
    advisor.close()
    assert FAKE_API_KEY not in str(export)
    stored = _files_text(isolated_settings)
    assert stored, "the checkpoint database was written"
    assert FAKE_API_KEY.encode() not in stored


def test_a_pasted_key_is_redacted_before_it_is_stored(
    stub: StubOpenAIServer, isolated_settings: Path
) -> None:
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    advisor.send(session, f"our key is {FAKE_API_KEY}, please build a FAQ bot")
    advisor.close()
    assert FAKE_API_KEY.encode() not in _files_text(isolated_settings)
    assert "[redacted]" in str(Advisor(with_citations=False).export(session)["messages"])
