"""Retrieval benchmark: index throughput, query latency and recall against exact search.

Synthetic corpora of 1k and 10k chunks (sentences built from word lists with a
fixed seed, sized like the chunks of our knowledge base) go into real Chroma
collections on disk, the same way `advisor index` stores them (cosine HNSW,
local MiniLM int8 embeddings). What each figure includes:

* index throughput: embedding every chunk (batched, length-sorted, as
  `agent.ingest.sync_chunks` does) plus Chroma upserts, 10k chunks, chunks/s.
* query latency (ours): embed the query + Chroma HNSW top-5 query returning
  documents, metadata and distances, as `agent.retrieval.search` does per
  collection. Every query text is distinct, so no cache helps.
* query latency (baseline): embed the query + exact numpy brute force (one
  matrix-vector product over the same stored vectors + top-5 selection).
* search-only latency: the same two without the query embedding (Chroma asked
  for distances only, to compare like with like).
* recall@5: share of the exact top 5 that Chroma's HNSW returns.
* knowledge/ rows: the real `advisor index` run and `search()` end to end on
  our own documents (both collections, one passage per section).
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import BenchRow, percentile

SEED = 20240601
SIZES = (1_000, 10_000)
QUERIES = 150
K = 5

_SUBJECTS = [
    "the support team",
    "our product manager",
    "a retrieval pipeline",
    "the legal reviewer",
    "the fine-tuned model",
    "a prompt template",
    "the evaluation set",
    "the vector index",
    "an on-call engineer",
    "the pricing page",
    "a customer success lead",
    "the data steward",
    "the billing service",
    "a hybrid system",
    "the design team",
    "the compliance officer",
    "a small startup",
    "the analytics dashboard",
    "an internal wiki",
    "the mobile app",
]
_VERBS = [
    "reviews",
    "summarises",
    "retrieves",
    "classifies",
    "translates",
    "updates",
    "audits",
    "ranks",
    "rewrites",
    "monitors",
    "labels",
    "estimates",
    "caches",
    "filters",
    "compares",
    "explains",
    "escalates",
    "validates",
    "deduplicates",
    "forecasts",
]
_OBJECTS = [
    "contract clauses",
    "support tickets",
    "product manuals",
    "release notes",
    "invoices",
    "chat transcripts",
    "policy documents",
    "error logs",
    "sales emails",
    "survey answers",
    "medical guidelines",
    "shipping updates",
    "onboarding guides",
    "API references",
    "meeting notes",
    "refund requests",
    "security advisories",
    "training examples",
    "price tables",
    "warranty terms",
]
_MODIFIERS = [
    "every morning",
    "before each release",
    "in several languages",
    "with strict latency limits",
    "for enterprise customers",
    "under a tight budget",
    "with a human in the loop",
    "using structured output",
    "after every deploy",
    "within thirty seconds",
    "for regulated markets",
    "with citations to the source",
    "at peak traffic",
    "for the quarterly report",
    "without any labelled data",
    "from scanned PDFs",
    "in a private cloud",
    "with weekly retraining",
    "for new hires",
    "across three regions",
]
_CONNECTORS = ["Meanwhile", "As a result", "In practice", "However", "Usually", "Since last year"]


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_MODIFIERS)}"
    if rng.random() < 0.3:
        text = f"{rng.choice(_CONNECTORS)}, {text}"
    return text[0].upper() + text[1:] + "."


def synthetic_chunks(n: int, seed: int = SEED) -> list[str]:
    """n varied chunks of 4-7 sentences (about the size of our knowledge chunks)."""
    rng = random.Random(seed)
    return [" ".join(_sentence(rng) for _ in range(rng.randint(4, 7))) for _ in range(n)]


def synthetic_queries(n: int, seed: int = SEED + 1) -> list[str]:
    """n distinct question-like queries."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        q = (
            f"How does {rng.choice(_SUBJECTS)} handle {rng.choice(_OBJECTS)} "
            f"{rng.choice(_MODIFIERS)}?"
        )
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1000


def _brute_force_top(matrix: np.ndarray, vector: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ vector
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def run() -> list[BenchRow]:
    """Run the retrieval benchmark and return its rows."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from agent.config import Settings
    from agent.embeddings import get_embedding_function
    from agent.ingest import EMBED_BATCH
    from agent.retrieval import query_collection

    workdir = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    rows: list[BenchRow] = []
    try:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg, arg-type]
            ADVISOR_DATA_DIR=workdir / "data",
            ADVISOR_EMBEDDINGS="local",
            CHROMA_HOST=None,
        )
        ef = get_embedding_function(settings)
        ef.encode(["warm up the session"])
        from tokenizers import Tokenizer

        from agent.embeddings import tokenizer_file

        tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        texts = synthetic_chunks(max(SIZES))
        mean_tokens = statistics.mean(len(e.ids) for e in tokenizer.encode_batch(texts[:500]))
        client = chromadb.PersistentClient(
            path=str(workdir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )

        # ---- index 10k: embed (batched, length-sorted) + upsert ----------------------
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), 384), dtype=np.float32)
        big = client.create_collection(
            "bench_10000", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        start = time.perf_counter()
        for s in range(0, len(order), EMBED_BATCH):
            idx = order[s : s + EMBED_BATCH]
            batch_vectors = ef.encode([texts[i] for i in idx])
            vectors[idx] = batch_vectors
            big.upsert(
                ids=[f"c{i}" for i in idx],
                embeddings=batch_vectors,  # type: ignore[arg-type]
                documents=[texts[i] for i in idx],
                metadatas=[{"source": f"doc{i // 20}.md", "heading": f"h{i}"} for i in idx],
            )
        index_seconds = time.perf_counter() - start
        throughput = len(texts) / index_seconds
        rows.append(
            BenchRow(
                metric=f"retrieval: index throughput, {len(texts) // 1000}k synthetic chunks",
                ours=round(throughput, 1),
                unit="chunks/s",
                target=">= 100",
                passed=throughput >= 100,
                note=f"embed + Chroma upsert; mean {mean_tokens:.0f} tokens/chunk; "
                f"{index_seconds:.0f}s total",
            )
        )

        # ---- 1k collection from the first 1000 vectors --------------------------------
        small = client.create_collection(
            "bench_1000", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        n_small = min(SIZES)
        small.upsert(
            ids=[f"c{i}" for i in range(n_small)],
            embeddings=vectors[:n_small],  # type: ignore[arg-type]
            documents=texts[:n_small],
            metadatas=[{"source": f"doc{i // 20}.md", "heading": f"h{i}"} for i in range(n_small)],
        )

        queries = synthetic_queries(QUERIES * len(SIZES))
        for size_no, (size, collection) in enumerate(((n_small, small), (len(texts), big))):
            matrix = vectors[:size]
            ours_ms: list[float] = []
            base_ms: list[float] = []
            ours_search_ms: list[float] = []
            base_search_ms: list[float] = []
            recalls: list[float] = []
            batch = queries[size_no * QUERIES : (size_no + 1) * QUERIES]
            for _ in range(3):  # warm-up
                query_collection(collection, ef.encode([batch[0]])[0], K)
            for q in batch:
                # ours: embed + Chroma query (documents, metadata, distances)
                t0 = time.perf_counter()
                query_collection(collection, ef.encode([q])[0], K)
                ours_ms.append((time.perf_counter() - t0) * 1000)
                # baseline: embed + exact numpy search over the same vectors
                t0 = time.perf_counter()
                _brute_force_top(matrix, ef.encode([q])[0], K)
                base_ms.append((time.perf_counter() - t0) * 1000)
                # search only, both sides, same query vector
                vector = ef.encode([q])[0]
                t0 = time.perf_counter()
                got = collection.query(
                    query_embeddings=[vector], n_results=K, include=["distances"]
                )
                ours_search_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                exact = _brute_force_top(matrix, vector, K)
                base_search_ms.append((time.perf_counter() - t0) * 1000)
                exact_ids = {f"c{i}" for i in exact}
                recalls.append(len(exact_ids & set(got["ids"][0])) / K)
            p50, b50 = percentile(ours_ms, 50), percentile(base_ms, 50)
            s50, sb50 = percentile(ours_search_ms, 50), percentile(base_search_ms, 50)
            recall = statistics.mean(recalls)
            label = f"{size // 1000}k" if size >= 1000 else str(size)
            rows.append(
                BenchRow(
                    metric=f"retrieval: query p50 incl. embedding, {label} chunks",
                    ours=round(p50, 2),
                    unit="ms",
                    target="<= 10 ms" if size >= 10_000 else "report",
                    passed=p50 <= 10 if size >= 10_000 else True,
                    baseline=round(b50, 2),
                    ratio=round(p50 / b50, 2),
                    note=f"baseline: embed + numpy exact search; p95 {percentile(ours_ms, 95):.1f} ms; "
                    f"{len(batch)} distinct queries",
                )
            )
            rows.append(
                BenchRow(
                    metric=f"retrieval: search-only p50 (no embedding), {label} chunks",
                    ours=round(s50, 3),
                    unit="ms",
                    target="ratio <= 1.5 vs exact",
                    passed=s50 / sb50 <= 1.5,
                    baseline=round(sb50, 3),
                    ratio=round(s50 / sb50, 2),
                    note="Chroma HNSW (distances only) vs numpy brute force, same vectors",
                )
            )
            rows.append(
                BenchRow(
                    metric=f"retrieval: recall@5 vs exact brute force, {label} chunks",
                    ours=round(recall, 4),
                    unit="",
                    target=">= 0.95",
                    passed=recall >= 0.95,
                    baseline=1.0,
                    ratio=round(recall, 4),
                    note="HNSW cosine, default ef_search",
                )
            )
        rows.extend(_knowledge_rows(workdir))
    finally:
        _release(workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def _knowledge_rows(workdir: Path) -> list[BenchRow]:
    """`advisor index` and `search()` end to end on our real knowledge/ folder."""
    from agent.config import Settings
    from agent.ingest import index_knowledge
    from agent.retrieval import search

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg, arg-type]
        ADVISOR_DATA_DIR=workdir / "kdata",
        ADVISOR_EMBEDDINGS="local",
        CHROMA_HOST=None,
    )
    report = index_knowledge(settings)
    if report.chunks == 0:
        return []
    throughput = report.chunks / report.seconds
    queries = synthetic_queries(QUERIES, seed=SEED + 2)
    search(queries[0], settings=settings)  # readiness check, warm-up
    times = [_timed(lambda q=q: search(q, k=K, settings=settings))[1] for q in queries[1:]]
    p50 = percentile(times, 50)
    return [
        BenchRow(
            metric="retrieval: advisor index on knowledge/ (real chunks)",
            ours=round(throughput, 1),
            unit="chunks/s",
            target=">= 100",
            passed=throughput >= 100,
            note=f"{report.files} files, {report.chunks} chunks in {report.seconds:.1f}s",
        ),
        BenchRow(
            metric="retrieval: search() p50 end to end on knowledge/",
            ours=round(p50, 2),
            unit="ms",
            target="<= 10 ms",
            passed=p50 <= 10,
            note="embed + knowledge and user-docs collections + one passage per section",
        ),
    ]


def _release(workdir: Path) -> None:
    """Close Chroma's cached systems for the temp directories before deleting them."""
    from agent import retrieval
    from agent.config import Settings

    settings = Settings(_env_file=None, ADVISOR_DATA_DIR=workdir / "kdata")  # type: ignore[call-arg, arg-type]
    retrieval.drop_client(settings)
    retrieval._forget_system(str(workdir / "chroma"))


if __name__ == "__main__":
    for row in run():
        print(row)
