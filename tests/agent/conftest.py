"""Fixtures for the interview-agent tests: an offline Advisor on a temp data dir."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.service import Advisor
from agent.turn import TurnResult
from tests.agent.personas import Persona
from tests.support.stub_openai import StubOpenAIServer, running_stub


@pytest.fixture
def advisor() -> Iterator[Advisor]:
    """An offline advisor that skips knowledge retrieval (fast; citations tested separately)."""
    service = Advisor(with_citations=False)
    yield service
    service.close()


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubOpenAIServer]:
    """Our OpenAI-compatible stub on 127.0.0.1 with OPENAI_* settings (canary key) pointing at it."""
    with running_stub(monkeypatch, retries=1) as server:
        yield server


def drive(
    advisor: Advisor, persona: Persona, *, max_turns: int = 12
) -> tuple[str, list[TurnResult]]:
    """Run the persona's interview until a recommendation (or max_turns); return all turns."""
    session = advisor.new_session(title=persona.id)
    results = [advisor.send(session, persona.first)]
    while not results[-1].done and len(results) < max_turns:
        question = results[-1].question
        assert question is not None, (
            f"no recommendation and no question after: {results[-1].reply!r}"
        )
        results.append(advisor.send(session, persona.answer(question)))
    return session, results
