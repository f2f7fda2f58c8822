"""RAG-specific evals: retrieval recall and grounding of answers in cited passages.

Grounding here is lexical: a sentence counts as supported when most of its
content words appear in the passages it cites. It is cheap and offline; for
paraphrasing models, add a judge-model criterion in eval/cases.yaml too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table

from .answers import Answer
from .evaluate import EvalSet
from .llm import words
from .rag import IDK, retrieve
from .settings import Settings

SUPPORT_THRESHOLD = 0.6


@dataclass
class RecallResult:
    """Retrieval recall@k over the cases that name expected sources."""

    k: int
    hits: int
    total: int
    misses: list[str]

    @property
    def recall(self) -> float | None:
        """hits / total, or None when no case names an expected source."""
        return self.hits / self.total if self.total else None


def retrieval_recall(eval_set: EvalSet, settings: Settings, k: int = 4) -> RecallResult:
    """Share of cases whose expected source is among the top-k passages."""
    hits, total, misses = 0, 0, []
    for case in eval_set.cases:
        if not case.expected_sources:
            continue
        total += 1
        found = {p.source for p in retrieve(case.question, settings, k=k, min_similarity=0.0)}
        if found & set(case.expected_sources):
            hits += 1
        else:
            misses.append(case.id)
    return RecallResult(k, hits, total, misses)


def grounding(answer: Answer) -> float | None:
    """Share of the answer's sentences supported by its cited passages (None for IDK)."""
    if answer.text.startswith(IDK[:12]):
        return None
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.text) if words(s)]
    if not sentences:
        return None
    evidence = words(" ".join(answer.cited_passages))
    supported = 0
    for sentence in sentences:
        content = words(re.sub(r"\[\d+\]", "", sentence))
        if content and len(content & evidence) / len(content) >= SUPPORT_THRESHOLD:
            supported += 1
    return supported / len(sentences)


def grounding_report(eval_set: EvalSet, answer_fn: Callable[[str], Answer]) -> Table:
    """Answer every case and show its grounding and cited sources."""
    table = Table(title="Grounding")
    for name in ("case", "grounded", "sources", "answer"):
        table.add_column(name)
    for case in eval_set.cases:
        result = answer_fn(case.question)
        score = grounding(result)
        table.add_row(case.id, "-" if score is None else f"{score:.0%}",
                      ", ".join(result.sources), result.text[:60])
    return table
