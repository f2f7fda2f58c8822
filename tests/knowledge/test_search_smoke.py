"""Search over the session's real knowledge index (built once by `knowledge_index`)."""

from __future__ import annotations

from pathlib import Path

from agent.config import get_settings
from agent.retrieval import Passage, search


def test_search_uses_the_session_index(knowledge_index: Path) -> None:
    assert get_settings().chroma_path == knowledge_index
    passages = search("When is fine-tuning worth it compared with prompting?", k=3)
    assert passages, "the knowledge index returned nothing"
    assert len(passages) <= 3
    assert all(isinstance(p, Passage) for p in passages)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(p.source.endswith(".md") and p.heading and p.text for p in passages)
    assert all(-1.0 <= p.score <= 1.0 for p in passages)


def test_blank_query_returns_nothing(knowledge_index: Path) -> None:
    assert search("   ", k=3) == []
