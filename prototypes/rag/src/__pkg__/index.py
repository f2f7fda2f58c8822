"""Ingest docs/ into a local Chroma index; re-index only what changed.

Each file's chunks carry the file's content hash, so `index` re-embeds changed
files, drops deleted ones and leaves the rest alone; `index --rebuild` starts
over (use it after changing the chunking or the embedding model).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .embeddings import MODEL_ID, embed
from .settings import Settings, load_settings

SUFFIXES = (".md", ".txt")
#: Files in docs/ that are about the project, not knowledge to answer from.
IGNORED = {"decision-report.md"}
CHUNK_CHARS = 900
COLLECTION = "docs-" + MODEL_ID.lower().replace("_", "-")


@dataclass
class Chunk:
    """A passage of one document."""

    id: str
    text: str
    source: str
    heading: str


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    skipped: list[str] = field(default_factory=list)


def chunk_text(text: str, source: str, max_chars: int = CHUNK_CHARS) -> list[Chunk]:
    """Split by Markdown headings, then by paragraphs up to ``max_chars``."""
    chunks: list[Chunk] = []
    heading = ""
    buffer: list[str] = []

    def flush() -> None:
        body = "\n\n".join(buffer).strip()
        buffer.clear()
        if body:
            chunks.append(Chunk(f"{source}#{len(chunks)}", body, source, heading))

    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            flush()
            first, _, rest = block.partition("\n")
            heading = first.lstrip("#").strip()
            block = rest.strip() or first.lstrip("#").strip()
        while len(block) > max_chars:
            cut = block.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            flush()
            buffer.append(block[:cut])
            flush()
            block = block[cut:].strip()
        if sum(len(b) for b in buffer) + len(block) > max_chars:
            flush()
        buffer.append(block)
    flush()
    return chunks


def open_collection(settings: Settings) -> Any:
    """The Chroma collection in INDEX_DIR (created on first use; telemetry off)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(
        path=str(settings.index_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return client.get_or_create_collection(
        COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )


def document_files(docs_dir: Path) -> list[Path]:
    """Indexable files under docs_dir, sorted."""
    if not docs_dir.is_dir():
        return []
    return sorted(
        p for p in docs_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and p.name not in IGNORED
        and not any(part.startswith(".") for part in p.relative_to(docs_dir).parts)
    )


def reindex(settings: Settings | None = None, *, rebuild: bool = False) -> IndexReport:
    """Bring the index in line with docs/: add, update and remove by content hash."""
    settings = settings or load_settings()
    collection = open_collection(settings)
    report = IndexReport()
    if rebuild and collection.count():
        not_empty = {"$ne": ""}
        collection.delete(where={"source": not_empty})
    known: dict[str, str] = {}
    for meta in collection.get(include=["metadatas"])["metadatas"] or []:
        known[str(meta["source"])] = str(meta["hash"])
    seen = set()
    for path in document_files(settings.docs_dir):
        source = path.relative_to(settings.root).as_posix() if path.is_relative_to(
            settings.root) else path.name
        seen.add(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            report.skipped.append(source)
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        if known.get(source) == digest:
            report.unchanged.append(source)
            continue
        if source in known:
            collection.delete(where={"source": source})
            report.updated.append(source)
        else:
            report.added.append(source)
        chunks = chunk_text(text, source)
        if chunks:
            collection.add(
                ids=[c.id for c in chunks],
                documents=[c.text for c in chunks],
                embeddings=embed([f"{c.heading}\n{c.text}" for c in chunks]),
                metadatas=[{"source": c.source, "heading": c.heading, "hash": digest}
                           for c in chunks],
            )
    for source in sorted(set(known) - seen):
        collection.delete(where={"source": source})
        report.removed.append(source)
    report.chunks = collection.count()
    return report


def ensure_index(settings: Settings) -> Any:
    """The collection, built from docs/ first if it is empty."""
    collection = open_collection(settings)
    if collection.count() == 0:
        reindex(settings)
    return collection
