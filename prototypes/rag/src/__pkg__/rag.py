"""Retrieve passages, answer from them with numbered citations, or say "I don't know"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .answers import Answer
from .embeddings import embed
from .index import ensure_index
from .llm import ChatModel
from .settings import Settings

#: Passages less similar than this (cosine) are treated as not relevant.
MIN_SIMILARITY = 0.3
TOP_K = 4
IDK = "I don't know: nothing in the indexed documents answers this question."
RAG_SYSTEM = (
    "Answer only from the numbered sources. Cite each fact with its source number in "
    "brackets, like [1]. If the sources do not contain the answer, reply exactly: "
    "I don't know."
)


@dataclass
class Passage:
    """One retrieved chunk."""

    text: str
    source: str
    heading: str
    similarity: float


def retrieve(question: str, settings: Settings, *, k: int = TOP_K,
             min_similarity: float = MIN_SIMILARITY) -> list[Passage]:
    """The top-k passages at least ``min_similarity`` similar to the question."""
    collection = ensure_index(settings)
    if collection.count() == 0:
        return []
    found = collection.query(query_embeddings=embed([question]), n_results=min(k, collection.count()),
                             include=["documents", "metadatas", "distances"])
    passages = []
    for text, meta, distance in zip(found["documents"][0], found["metadatas"][0],
                                    found["distances"][0], strict=True):
        similarity = 1.0 - float(distance)
        if similarity >= min_similarity:
            passages.append(Passage(text, str(meta["source"]), str(meta.get("heading", "")),
                                    similarity))
    return passages


def format_context(passages: list[Passage]) -> str:
    """One numbered line per passage: ``[n] (source) text``."""
    return "\n".join(
        f"[{i}] ({p.source}) {' '.join(p.text.split())}" for i, p in enumerate(passages, 1)
    )


def answer_with_sources(
    question: str,
    *,
    llm: ChatModel,
    settings: Settings,
    model: str | None = None,
    generate: Callable[[str, str], str] | None = None,
) -> Answer:
    """Answer from retrieved passages, citing them; "I don't know" when none is relevant."""
    passages = retrieve(question, settings)
    if not passages:
        return Answer(text=IDK, technique="rag", model=model or "",
                      notes=["no passage above the relevance threshold"])
    context = format_context(passages)
    if generate is not None:
        text = generate(question, context)
    else:
        messages = [{"role": "system", "content": RAG_SYSTEM},
                    {"role": "user", "content": f"Sources:\n{context}\n\nQuestion: {question}"}]
        text = llm.complete(messages, model=model)
    text = text.strip()
    if text.lower().startswith("i don't know"):
        return Answer(text=text, technique="rag", model=model or "")
    numbers = []
    for match in re.findall(r"\[(\d+)\]", text):
        n = int(match)
        if 1 <= n <= len(passages) and n not in numbers:
            numbers.append(n)
    sources = list(dict.fromkeys(passages[n - 1].source for n in numbers))
    return Answer(text=text, sources=sources, technique="rag", model=model or "",
                  cited_passages=[passages[n - 1].text for n in numbers],
                  notes=[f"{len(passages)} passage(s) retrieved"])
