"""Interview agent: offline turn latency and LLM tokens per interview vs a naive agent.

1. **Turn latency** (offline, in-process, no LLM): every turn of the ten test
   personas through :class:`agent.service.Advisor`, including the graph run and
   the SQLite checkpoint write. Knowledge retrieval for citations is switched off
   for these rows; the recommend turn *with* retrieval is reported separately
   when a knowledge index exists, because the embedding of the queries dominates it.
2. **Tokens per complete interview** counted by our stub OpenAI server (real HTTP
   on 127.0.0.1, realistic scripted replies), against a naive agent that re-sends
   the system prompt, the whole history and the top-5 retrieved passages on every
   turn, counted with the stub's own tokenizer over the *same* conversation.
"""

from __future__ import annotations

import os
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


def _token_rows() -> list[BenchRow]:
    """Tokens per interview with realistic stub replies, against the naive agent.

    The conversation, the stub's reply policy and the naive baseline's top-5
    passages (real retrieval over the same index) come from
    ``tests.support.token_bench``, which the LLM tests also use.
    """
    from agent.config import get_settings
    from tests.support.token_bench import measure_interview_tokens, summary_tokens

    index = get_settings().chroma_path
    index_env = str(index.resolve()) if index.exists() else ""
    with _env(ADVISOR_INDEX_DIR=index_env):
        rows = measure_interview_tokens(_personas())
    ours_total, naive_total = summary_tokens(rows)
    ours = ours_total / len(rows)
    naive = naive_total / len(rows)
    ratio = ours / naive if naive else float("inf")
    worst = max(rows, key=lambda r: r.ratio)
    return [
        BenchRow(
            "LLM tokens per interview",
            ours,
            "tokens",
            "<= 30% of naive",
            ratio <= 0.30,
            baseline=naive,
            ratio=ratio,
            note=(
                "stub-counted, realistic replies; naive re-sends history + top-5 passages "
                f"every turn; worst persona {worst.persona} at {worst.ratio:.0%}"
            ),
        )
    ]


def run() -> list[BenchRow]:
    """All interview benchmark rows."""
    return _latency_rows() + _recommend_with_citations_row() + _token_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
