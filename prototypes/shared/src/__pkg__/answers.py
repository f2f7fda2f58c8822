"""The answer type every path returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Answer:
    """An answer with the sources it cites and how it was produced."""

    text: str
    sources: list[str] = field(default_factory=list)
    technique: str = "plain"
    model: str = ""
    notes: list[str] = field(default_factory=list)
    #: Text of the passages the answer cites, in citation order (RAG grounding checks).
    cited_passages: list[str] = field(default_factory=list)
