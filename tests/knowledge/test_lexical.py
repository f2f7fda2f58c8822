"""Static mode: BM25 over the stored chunks, its cache invalidation, and the fusion."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from agent import lexical
from agent.config import get_settings
from agent.ingest import add_user_document, index_knowledge, remove_user_document
from agent.retrieval import get_chroma_client, search, user_collection_name
from tests.knowledge.conftest import write_docs

CODES = """# Error codes

## Gateway errors

When the gateway answers with error QX7734 the upstream index is still warming up.

## Billing errors

Invoices that fail validation are retried every night.
"""


@pytest.fixture
def static_mode(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ADVISOR_EMBEDDINGS=static over the small test knowledge folder."""
    monkeypatch.setenv("ADVISOR_EMBEDDINGS", "static")
    get_settings.cache_clear()
    return kb_dir


def _lexical_sources(query: str) -> list[str]:
    return [p.source for p in search(query, k=5) if p.lexical_score is not None]


def _user_docs_after_warm_up() -> Any:
    """The user-documents collection, after a search has built this process's caches."""
    settings = get_settings()
    search("warm the caches", k=3)
    return get_chroma_client(settings).get_collection(user_collection_name(settings))


def _write_chunk(
    collection: Any, text: str, *, source: str = "other.md", heading: str = "",
    heading_path: str = "Other",
) -> None:
    """Upsert one chunk straight into Chroma, bypassing ingest (as another process's write)."""
    from agent.embeddings import get_embedding_function

    collection.upsert(
        ids=[f"{source}::0"],
        embeddings=get_embedding_function(get_settings()).encode([text]),
        documents=[text],
        metadatas=[{"source": source, "heading": heading, "heading_path": heading_path}],
    )


def test_lexical_text_is_heading_path_and_body() -> None:
    assert lexical.lexical_text("Body.", {"heading_path": "Doc > Part"}) == "Doc > Part\n\nBody."
    assert lexical.lexical_text("Body.", {}) == "Body."


def test_tokenizer_drops_stop_words_and_lowercases() -> None:
    assert lexical.tokenize(["The Gateway and the QX7734 error"]) == [
        ["gateway", "qx7734", "error"]
    ]


def test_rare_exact_term_in_one_chunk_ranks_top_3(static_mode: Path) -> None:
    write_docs(static_mode, {"codes.md": CODES})
    index_knowledge()
    passages = search("What does QX7734 mean?", k=3)
    assert passages, "no passages"
    top = [(p.source, p.heading) for p in passages]
    assert ("codes.md", "Gateway errors") in top, top
    hit = next(p for p in passages if p.heading == "Gateway errors")
    assert hit.lexical_score is not None and hit.lexical_score > 0
    # The score is the normalised RRF score: in (0, 1], best first.
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_reindexing_a_changed_file_updates_the_lexical_index(static_mode: Path) -> None:
    write_docs(static_mode, {"codes.md": CODES})
    index_knowledge()
    assert "codes.md" not in _lexical_sources("zorbulate")  # builds and caches the index
    changed = CODES.replace("retried every night", "retried by the zorbulate job every night")
    write_docs(static_mode, {"codes.md": changed})
    report = index_knowledge()
    assert report.updated == 1 and report.added == 0  # same number of chunks as before
    assert _lexical_sources("zorbulate") == ["codes.md"]
    write_docs(static_mode, {"codes.md": CODES})
    index_knowledge()
    assert _lexical_sources("zorbulate") == []


def test_uploaded_document_is_found_lexically_and_gone_after_removal(static_mode: Path) -> None:
    assert _lexical_sources("flibbertigibbet") == []
    result = add_user_document(
        "notes.md", b"# Notes\n\nThe flibbertigibbet service owns our refund queue.\n"
    )
    assert result.status == "added", result.message
    found = search("who owns flibbertigibbet", k=3)
    assert found and found[0].source == "notes.md"
    assert found[0].lexical_score is not None
    assert remove_user_document("notes.md") == 1
    assert _lexical_sources("flibbertigibbet") == []
    assert all(p.source != "notes.md" for p in search("who owns flibbertigibbet", k=5))


def test_change_by_another_writer_is_seen(static_mode: Path) -> None:
    """A write that bypasses this process's caches (as another instance's would)."""
    from agent.ingest import stamp_collection

    collection = _user_docs_after_warm_up()

    def write(text: str) -> None:
        _write_chunk(collection, text)
        stamp_collection(collection, get_settings())

    write("Quaggaline invoices are archived after ninety days.")
    assert _lexical_sources("quaggaline") == ["other.md"]
    # Same id, same count: only the content version tells the cache it changed.
    write("Zebrafinch invoices are archived after ninety days.")
    assert _lexical_sources("zebrafinch") == ["other.md"]
    assert _lexical_sources("quaggaline") == []


def test_one_build_for_concurrent_searches(
    static_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_knowledge()
    lexical.invalidate()
    builds: list[int] = []
    real_build = lexical.LexicalIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls, collections, stamp):  # type: ignore[no-untyped-def]
        builds.append(1)
        return real_build(cls, collections, stamp)

    monkeypatch.setattr(lexical.LexicalIndex, "build", classmethod(counting_build))
    errors: list[BaseException] = []
    results: list[list[str]] = []

    def worker() -> None:
        try:
            results.append([p.source for p in search("overlap between chunks", k=3)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(results) == 6 and all(r == results[0] for r in results)
    assert len(builds) == 1


def test_empty_collections_and_stop_word_queries_find_nothing(static_mode: Path) -> None:
    settings = get_settings()
    search("prime the index", k=3)
    client = get_chroma_client(settings)
    user = client.get_collection(user_collection_name(settings))
    index = lexical.get_index("test-location", [user])
    assert len(index) == 0 and index.search("anything at all", 5) == []
    assert search("the and of", k=3) is not None  # dense part still answers


def test_another_writer_is_seen_after_the_stamp_ttl_and_not_reread_before(
    static_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that bypasses this process (no invalidate) shows up once the TTL has passed."""
    import time

    monkeypatch.setattr(lexical, "STAMP_TTL_S", 0.5)
    collection = _user_docs_after_warm_up()
    # What another process does: upsert and renew the version, without touching our cache.
    _write_chunk(collection, "Wombatcrest tickets close after a week.")
    collection.modify(metadata={lexical.VERSION_KEY: "from-another-process"})

    reads: list[int] = []
    real_stamp = lexical.collection_stamp

    def counting_stamp(c):  # type: ignore[no-untyped-def]
        reads.append(1)
        return real_stamp(c)

    monkeypatch.setattr(lexical, "collection_stamp", counting_stamp)
    search("warm the caches again", k=3)
    assert reads == [], "the stamp was re-read inside the TTL"
    time.sleep(0.6)
    assert _lexical_sources("wombatcrest") == ["other.md"]
    assert reads, "the stamp was not re-read after the TTL"


def test_dense_hit_unknown_to_the_cached_index_is_read_from_chroma(
    static_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the stamp TTL another process's new chunk can be a dense hit: its text comes from Chroma."""
    monkeypatch.setattr(lexical, "STAMP_TTL_S", 3600.0)
    collection = _user_docs_after_warm_up()
    text = "Harbour cranes are inspected every spring by the port authority."
    _write_chunk(collection, text, source="late.md", heading="Cranes", heading_path="Late > Cranes")
    passages = search(text, k=3)
    late = [p for p in passages if p.source == "late.md"]
    assert late, [p.source for p in passages]
    assert late[0].text == text and late[0].heading == "Cranes"
    assert late[0].lexical_score is None  # the cached BM25 index has not seen it yet
