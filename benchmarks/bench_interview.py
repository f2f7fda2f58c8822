"""Interview agent: offline turn latency and LLM tokens per interview vs a naive agent.

1. **Turn latency** (offline, in-process, no LLM): every turn of the ten test
   personas through :class:`agent.service.Advisor`, including the graph run and
   the SQLite checkpoint write. Knowledge retrieval for citations is switched off
   for these rows; the recommend turn *with* retrieval is reported separately
   when a knowledge index exists, because the embedding of the queries dominates it.
2. **Tokens per complete interview** counted by our stub OpenAI server (real HTTP
   on 127.0.0.1), against a naive agent that re-sends the system prompt, the whole
   history and the top-5 passages on every turn, computed with the stub's own
   token counter over the *same* conversation (same user messages and replies).
   The naive agent's passages are the five knowledge chunks with the most word
   overlap with each user message (a stand-in for retrieval of the same size).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import BenchRow, percentile

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def _env(**values: str) -> Iterator[None]:
    from agent.config import get_settings

    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


def _personas() -> list:
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.agent.personas import PERSONAS

    return list(PERSONAS)


def _interview(advisor, persona) -> list[tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    """Drive one persona to its recommendation: (user message, reply, ms) per turn."""
    session = advisor.new_session(title=persona.id)
    turns = []
    message = persona.first
    for _ in range(12):
        start = time.perf_counter()
        result = advisor.send(session, message)
        turns.append((message, result.reply, (time.perf_counter() - start) * 1000))
        if result.done:
            break
        message = persona.answer(result.question)
    return turns


def _latency_rows() -> list[BenchRow]:
    from agent.service import Advisor

    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, _env(ADVISOR_DATA_DIR=tmp, OPENAI_API_KEY=""):
        advisor = Advisor(with_citations=False)
        personas = _personas()
        _interview(advisor, personas[0])  # warm-up: imports, graph compile, DB setup
        for _round in range(3):
            for persona in personas:
                samples.extend(ms for _, _, ms in _interview(advisor, persona))
        advisor.close()
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    note = f"{len(samples)} turns of 10 personas x3, SQLite checkpoint, retrieval off"
    return [
        BenchRow("offline turn latency p50", p50, "ms", "<= 20 ms", p50 <= 20, note=note),
        BenchRow("offline turn latency p99", p99, "ms", "<= 100 ms", p99 <= 100, note=note),
    ]


def _recommend_with_citations_row() -> list[BenchRow]:
    """The recommend turn including knowledge retrieval, when an index is available."""
    from agent.config import get_settings
    from agent.service import Advisor

    if not get_settings().chroma_path.exists():
        return []
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        index = str(get_settings().chroma_path.resolve())
        with _env(ADVISOR_DATA_DIR=tmp, ADVISOR_INDEX_DIR=index, OPENAI_API_KEY=""):
            advisor = Advisor(with_citations=True)
            for i, persona in enumerate(_personas() * 2):
                session = advisor.new_session()
                advisor.send(session, persona.first)
                start = time.perf_counter()
                advisor.recommend_now(session)
                if i:  # the first call loads the embedding model
                    samples.append((time.perf_counter() - start) * 1000)
            advisor.close()
    p50 = percentile(samples, 50)
    return [
        BenchRow(
            "recommend turn incl. retrieval p50",
            p50,
            "ms",
            "report only",
            True,
            note="citations for the deciding factors: local embeddings + Chroma",
        )
    ]


_WORD = re.compile(r"[a-z]{3,}")


def _knowledge_chunks() -> list[str]:
    from agent.config import get_settings
    from agent.ingest import chunk_markdown

    chunks = []
    for path in sorted(get_settings().knowledge_dir.glob("*.md")):
        chunks.extend(c.text for c in chunk_markdown(path.read_text(encoding="utf-8"), path.name))
    return chunks


def _top_k(message: str, chunks: list[str], k: int = 5) -> list[str]:
    words = set(_WORD.findall(message.lower()))
    return sorted(chunks, key=lambda c: -len(words & set(_WORD.findall(c.lower()))))[:k]


def _token_rows() -> list[BenchRow]:
    from agent.llm import reset_llm_factory
    from agent.prompts import EXPLANATION_SYSTEM, EXTRACTION_SYSTEM, QUESTION_SYSTEM
    from agent.service import Advisor
    from tests.support.stub_openai import FAKE_API_KEY, StubOpenAIServer, naive_baseline_tokens

    chunks = _knowledge_chunks()
    naive_system = "\n\n".join((EXTRACTION_SYSTEM, QUESTION_SYSTEM, EXPLANATION_SYSTEM))
    ours_total = 0
    naive_total = 0
    personas = _personas()
    with (
        StubOpenAIServer() as stub,
        tempfile.TemporaryDirectory() as tmp,
        _env(
            ADVISOR_DATA_DIR=tmp,
            OPENAI_API_KEY=FAKE_API_KEY,
            OPENAI_BASE_URL=stub.base_url,
            ADVISOR_MODEL=stub.model,
            ADVISOR_LLM_RETRIES="0",
        ),
    ):
        reset_llm_factory()
        advisor = Advisor(with_citations=False)
        for persona in personas:
            before = stub.total_tokens
            turns = _interview(advisor, persona)
            ours_total += stub.total_tokens - before
            pairs = [(user, reply) for user, reply, _ in turns]
            naive_total += naive_baseline_tokens(
                pairs,
                [_top_k(user, chunks) for user, _ in pairs],
                system_prompt=naive_system,
            )
        advisor.close()
        reset_llm_factory()
    ours = ours_total / len(personas)
    naive = naive_total / len(personas)
    ratio = ours / naive if naive else float("inf")
    return [
        BenchRow(
            "LLM tokens per interview",
            ours,
            "tokens",
            "<= 30% of naive",
            ratio <= 0.30,
            baseline=naive,
            ratio=ratio,
            note="stub-counted; naive re-sends history + top-5 passages every turn",
        )
    ]


def run() -> list[BenchRow]:
    """All interview benchmark rows."""
    return _latency_rows() + _recommend_with_citations_row() + _token_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
