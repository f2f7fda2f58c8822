"""Incremental indexing into real Chroma on disk, model-versioned collections, recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import retrieval
from agent.config import get_settings
from agent.embeddings import LOCAL_MODEL_ID, embedding_model_id
from agent.ingest import chunk_markdown, index_knowledge
from agent.retrieval import (
    knowledge_collection_name,
    last_notices,
    search,
    user_collection_name,
)
from tests.knowledge.conftest import CountingEmbedder


def _stored(settings_name: str | None = None) -> dict[str, dict]:
    settings = get_settings()
    collection = retrieval.get_collection(settings, settings_name or knowledge_collection_name(settings))
    got = collection.get(include=["metadatas"])
    return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}


def test_first_index_embeds_everything_once(kb_dir: Path, counting_embedder: CountingEmbedder) -> None:
    report = index_knowledge(embedding_function=counting_embedder)
    expected = sum(len(chunk_markdown(p.read_text(), p.name)) for p in kb_dir.glob("*.md"))
    assert report.files == 3
    assert report.chunks == expected == report.added == report.embedded
    assert (report.updated, report.removed, report.unchanged) == (0, 0, 0)
    assert len(counting_embedder.texts) == expected
    stored = _stored()
    assert len(stored) == expected
    meta = next(m for m in stored.values() if m["heading"] == "Overlap")
    assert meta["source"] == "retrieval.md"
    assert meta["heading_path"] == "Retrieval guide > Chunking > Overlap"
    assert meta["approaches"] == "rag,hybrid"


def test_reindex_without_changes_embeds_nothing(
    kb_dir: Path, counting_embedder: CountingEmbedder
) -> None:
    first = index_knowledge()
    report = index_knowledge(embedding_function=counting_embedder)
    assert counting_embedder.texts == []
    assert report.unchanged == first.chunks
    assert (report.added, report.updated, report.removed) == (0, 0, 0)


def test_changing_one_section_reembeds_only_that_chunk(
    kb_dir: Path, counting_embedder: CountingEmbedder
) -> None:
    first = index_knowledge()
    path = kb_dir / "tuning.md"
    path.write_text(
        path.read_text().replace("several hundred at least", "a few thousand for style"),
        encoding="utf-8",
    )
    report = index_knowledge(embedding_function=counting_embedder)
    assert report.updated == 1
    assert (report.added, report.removed) == (0, 0)
    assert report.unchanged == first.chunks - 1
    assert len(counting_embedder.texts) == 1
    assert "a few thousand for style" in counting_embedder.texts[0]
    stored_texts = [m["heading"] for m in _stored().values()]
    assert stored_texts.count("Data needs") == 1


def test_changed_file_adds_and_removes_its_sections_only(
    kb_dir: Path, counting_embedder: CountingEmbedder
) -> None:
    index_knowledge()
    (kb_dir / "prompts.md").write_text(
        "# Prompting basics\n\n## Chain of thought\n\nAsk the model to reason step by step.\n",
        encoding="utf-8",
    )
    report = index_knowledge(embedding_function=counting_embedder)
    assert (report.added, report.removed, report.updated) == (1, 1, 0)
    assert all("Chain of thought" in t for t in counting_embedder.texts)
    assert len(counting_embedder.texts) == 1
    headings = {m["heading"] for m in _stored().values()}
    assert "Chain of thought" in headings and "Few-shot examples" not in headings


def test_deleted_file_chunks_are_removed(kb_dir: Path, counting_embedder: CountingEmbedder) -> None:
    first = index_knowledge()
    gone = len(chunk_markdown((kb_dir / "tuning.md").read_text(), "tuning.md"))
    (kb_dir / "tuning.md").unlink()
    report = index_knowledge(embedding_function=counting_embedder)
    assert report.removed == gone
    assert report.files == 2 and report.chunks == first.chunks - gone
    assert counting_embedder.texts == []
    assert not any(m["source"] == "tuning.md" for m in _stored().values())


def test_front_matter_change_updates_metadata_without_reembedding(
    kb_dir: Path, counting_embedder: CountingEmbedder
) -> None:
    index_knowledge()
    path = kb_dir / "tuning.md"
    path.write_text(path.read_text().replace("approaches: fine_tuning", "approaches: [fine_tuning, hybrid]"))
    report = index_knowledge(embedding_function=counting_embedder)
    assert report.updated == 2 and report.unchanged == report.chunks - 2
    assert counting_embedder.texts == []
    tags = {m["approaches"] for m in _stored().values() if m["source"] == "tuning.md"}
    assert tags == {"fine_tuning,hybrid"}


def test_rebuild_starts_from_empty(kb_dir: Path, counting_embedder: CountingEmbedder) -> None:
    first = index_knowledge()
    report = index_knowledge(rebuild=True, embedding_function=counting_embedder)
    assert report.added == first.chunks == len(counting_embedder.texts)
    assert report.removed == 0


def test_collections_are_named_by_embedding_model(monkeypatch: pytest.MonkeyPatch) -> None:
    local = get_settings()
    assert embedding_model_id(local) == LOCAL_MODEL_ID
    assert knowledge_collection_name(local) == f"knowledge__{LOCAL_MODEL_ID}"
    assert user_collection_name(local) == f"user_docs__{LOCAL_MODEL_ID}"
    monkeypatch.setenv("ADVISOR_EMBEDDINGS", "openai")
    monkeypatch.setenv("ADVISOR_OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
    get_settings.cache_clear()
    remote = get_settings()
    assert knowledge_collection_name(remote) == "knowledge__openai-text-embedding-3-small"
    assert knowledge_collection_name(remote) != knowledge_collection_name(local)


def test_switching_models_never_mixes_vectors(kb_dir: Path) -> None:
    index_knowledge()
    settings = get_settings()
    client = retrieval.get_chroma_client(settings)
    names = {c.name for c in client.list_collections()}
    assert knowledge_collection_name(settings) in names
    # A second model's collection is separate and starts empty.
    other = client.get_or_create_collection("knowledge__other-model")
    assert other.count() == 0
    assert retrieval.get_collection(settings, knowledge_collection_name(settings)).count() > 0


def test_search_builds_a_missing_index_and_says_so(kb_dir: Path) -> None:
    passages = search("What kind of labelled input and output pairs must I collect?", k=2)
    assert passages[0].source == "tuning.md"
    assert passages[0].heading == "Data needs"
    assert passages[0].approaches == ["fine_tuning"]
    assert passages[0].collection == knowledge_collection_name(get_settings())
    assert any("Built the knowledge index" in n for n in last_notices())


def test_search_picks_up_edited_knowledge_files(kb_dir: Path) -> None:
    search("anything", k=1)
    (kb_dir / "prompts.md").write_text(
        "# Prompting basics\n\n## Self-consistency\n\nSample several answers and take a vote.\n"
    )
    retrieval.mark_stale(get_settings())  # a new process would check again
    top = search("sample many answers and vote on them", k=1)[0]
    assert top.heading == "Self-consistency"
    assert any("Updated the knowledge index" in n for n in last_notices())


def test_corrupt_index_is_backed_up_and_rebuilt(kb_dir: Path) -> None:
    settings = get_settings()
    index_knowledge()
    retrieval.drop_client(settings)
    index_dir = settings.chroma_path
    (index_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    passages = search("vector store on disk", k=1)
    assert passages and passages[0].heading == "Vector stores"
    notices = last_notices()
    assert any("unreadable" in n and "rebuilt" in n for n in notices), notices
    backups = list(index_dir.parent.glob(f"{index_dir.name}.corrupt-*"))
    assert len(backups) == 1
    assert (backups[0] / "chroma.sqlite3").read_bytes().startswith(b"this is not a database")


def test_index_command_recovers_a_corrupt_index_too(kb_dir: Path) -> None:
    settings = get_settings()
    settings.chroma_path.mkdir(parents=True)
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"\x00garbage" * 64)
    report = index_knowledge()
    assert report.added == report.chunks > 0
    assert any("kept it as" in n for n in report.notices)


def test_empty_knowledge_folder_gives_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "blank.md").write_text("")
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(empty))
    get_settings.cache_clear()
    report = index_knowledge()
    assert report.chunks == 0 and report.files == 1
    assert any("empty" in n for n in report.notices)
    assert search("anything at all", k=3) == []


def test_non_utf8_knowledge_file_is_indexed_with_a_notice(kb_dir: Path) -> None:
    (kb_dir / "legacy.md").write_bytes("# Legacy\n\n## Prices\n\nIt costs 5 € per month.\n".encode("cp1252"))
    report = index_knowledge()
    assert any(n.startswith("legacy.md:") and "UTF-8" in n for n in report.notices)
    texts = [m for m in _stored().values() if m["source"] == "legacy.md"]
    assert texts and texts[0]["heading"] == "Prices"
