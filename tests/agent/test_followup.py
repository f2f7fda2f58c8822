"""After the recommendation: follow-up questions answered from the knowledge base with citations."""

from __future__ import annotations

from typing import Any

import pytest

from agent.service import Advisor


@pytest.fixture
def kb(request: pytest.FixtureRequest) -> Any:
    """The real Chroma index built once per test session (RET's ``knowledge_index``)."""
    try:
        return request.getfixturevalue("knowledge_index")
    except pytest.FixtureLookupError:
        pytest.skip("the knowledge_index fixture is not in tests/conftest.py yet")


def test_followup_is_answered_with_citations(kb: Any) -> None:
    advisor = Advisor()
    session = advisor.new_session()
    advisor.send(session, "A support assistant over our product manuals, which change monthly.")
    rec = advisor.recommend_now(session)
    assert rec.done and rec.recommendation is not None
    assert rec.recommendation.citations, "the recommendation cites the knowledge base"
    answer = advisor.send(session, "How do I keep a RAG index fresh when documents change?")
    assert "[1]" in answer.reply and "Sources" in answer.reply
    assert ".md" in answer.reply.split("Sources", 1)[1], "each source names its document"
    assert answer.question is not None and answer.question.field == "scaffold_path"
    # a follow-up never changes the profile
    assert answer.profile == rec.profile
