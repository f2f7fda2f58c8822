"""Measure LLM tokens per complete interview against a naive baseline, in one run.

*Ours*: the real :class:`agent.service.Advisor` drives each persona's interview with
the LLM seam pointed at :class:`~tests.support.stub_openai.StubOpenAIServer`; the stub
counts every prompt and completion token it serves (retries included).

*Naive baseline*: the same conversation (same user messages, same visible replies)
as a naive chat agent would run it -- on every turn it re-sends the system prompt, the
whole history and the top-k passages retrieved for the new message
(:func:`~tests.support.stub_openai.naive_baseline_tokens`). Both sides use the stub's
token counter.

The stub's reply policy is realistic rather than empty: extraction replies carry the
findings the offline extractor sees in the fenced message, prose replies are a
paragraph that states the decided approach, question phrasings echo the question.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.stub_openai import (
    FAKE_API_KEY,
    Reply,
    StubOpenAIServer,
    count_tokens,
    naive_baseline_tokens,
)

FOLLOW_UP = "How do we keep the answers accurate when our documents change?"


def _fenced(content: str, tag: str) -> str:
    match = re.search(rf"<{tag}[^>]*>\n?(.*?)\n?</{tag}>", content, re.DOTALL)
    return match.group(1) if match else ""


def realistic_policy(body: dict[str, Any]) -> Reply:
    """Plausible replies of plausible length for each kind of request we make."""
    messages = body.get("messages") or []
    user = str(messages[-1].get("content", "")) if messages else ""
    if body.get("response_format"):
        from agent.extract import extract

        text = _fenced(user, "data")
        findings = [
            {"field": name, "value": f.value, "quote": f.span, "confidence": f.confidence}
            for name, f in extract(text).findings.items()
            if name not in ("product_summary",)
        ]
        return Reply(json.dumps({"findings": findings, "contradictions": []}))
    question = _fenced(user, "question")
    if question:
        return Reply(question.split("\nOptions:")[0].strip())
    facts = _fenced(user, "recommendation")
    approach = re.search(r"approach: ([^;\n]+)", facts)
    label = approach.group(1) if approach else "the approach the sources support"
    return Reply(
        f"We recommend {label}. Your answers point to it: the facts your feature needs, how "
        "often they change and the need to show sources all favour it, and it fits your "
        "budget and team [1]. Keep an eye on the assumptions listed; if your data stopped "
        "changing or you collected thousands of labelled examples, the balance could shift "
        "towards another option [2]."
    )


@dataclass
class InterviewTokens:
    """Token counts for one persona's interview."""

    persona: str
    turns: int
    ours: int
    baseline: int

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    from agent.config import get_settings

    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def run_interview(advisor: Any, persona: Any, *, max_turns: int = 14) -> list[tuple[str, str]]:
    """Drive one persona to a recommendation plus one follow-up; return (user, reply) pairs."""
    session = advisor.new_session(title=persona.id)
    turns: list[tuple[str, str]] = []
    message = persona.first
    for _ in range(max_turns):
        result = advisor.send(session, message)
        turns.append((message, result.reply))
        if result.done or result.question is None:
            break
        message = persona.answer(result.question)
    result = advisor.send(session, FOLLOW_UP)
    turns.append((FOLLOW_UP, result.reply))
    return turns


def measure_interview_tokens(personas: Sequence[Any], *, k: int = 5) -> list[InterviewTokens]:
    """Run each persona with the stub LLM and compare with the naive baseline."""
    from agent import prompts
    from agent.retrieval import search
    from agent.service import Advisor

    rows: list[InterviewTokens] = []
    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as data_dir, StubOpenAIServer() as stub:
        stub.set_default(realistic_policy)
        env = {
            "ADVISOR_DATA_DIR": data_dir,
            # reuse a prebuilt index when one is given (building one takes a while)
            "ADVISOR_INDEX_DIR": os.environ.get("ADVISOR_INDEX_DIR", ""),
            "OPENAI_API_KEY": FAKE_API_KEY,
            "OPENAI_BASE_URL": stub.base_url,
            "ADVISOR_LLM_TIMEOUT": "10",
            "ADVISOR_LLM_BACKOFF": "0.01",
        }
        with _environment(env):
            from agent.config import get_settings

            settings = get_settings()
            advisor = Advisor(settings)
            try:
                for persona in personas:
                    before = stub.total_tokens
                    turns = run_interview(advisor, persona)
                    ours = stub.total_tokens - before
                    passages = [
                        [f"{p.source} — {p.heading}\n{p.text}" for p in search(user, k=k, settings=settings)]
                        for user, _ in turns
                    ]
                    baseline = naive_baseline_tokens(
                        turns, passages, system_prompt=prompts.EXTRACTION_SYSTEM
                    )
                    rows.append(InterviewTokens(persona.id, len(turns), ours, baseline))
            finally:
                advisor.close()
    return rows


def summary_tokens(rows: Sequence[InterviewTokens]) -> tuple[int, int]:
    """Total (ours, baseline) over all interviews."""
    return sum(r.ours for r in rows), sum(r.baseline for r in rows)


__all__ = [
    "InterviewTokens",
    "measure_interview_tokens",
    "naive_baseline_tokens",
    "realistic_policy",
    "run_interview",
    "summary_tokens",
    "count_tokens",
]
