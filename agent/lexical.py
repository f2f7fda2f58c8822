"""BM25 keyword search over the chunks stored in Chroma collections.

The lexical index is built in this process from the collections' own documents
(``collection.get(include=["documents", "metadatas"])``), so it works the same
with the embedded index and with a Chroma server. Each chunk is indexed as its
heading path plus its text, the same text that is embedded.

Tokenisation is bm25s' standard one: lower case, words of two or more letters
or digits, English stop words removed, no stemming. Scoring is BM25 (Lucene
variant, k1=1.5, b=0.75, the library defaults).

Built indexes are cached per (index location, collection names) and checked
against a stamp of every collection: its id (a rebuilt collection has a new
one), its ``content_version`` metadata (written by ``agent.ingest`` on every
change) and its chunk count. Any difference rebuilds the index. A change made
in this process invalidates the cache at once (``agent.ingest`` calls
:func:`invalidate`); a change made by another process sharing the index or
server is noticed within ``STAMP_TTL_S``: reading the stamp costs a Chroma
round trip (about 1.5 ms embedded, an HTTP call against a server), so it is
not repeated on every query.

bm25s imports scipy (slow to import): it is imported inside functions only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api.models.Collection import Collection

#: Collection metadata key that every change of a collection's chunks renews.
VERSION_KEY = "content_version"
#: Stop-word list of bm25s (its standard English list).
STOPWORDS = "en"
#: Chunks read per ``collection.get`` page while building.
PAGE = 5000
#: Seconds a checked stamp is trusted before Chroma is asked again.
STAMP_TTL_S = 1.0

Stamp = tuple[tuple[str, str, str, int], ...]


@dataclass(frozen=True)
class LexicalHit:
    """One chunk found by keyword search."""

    collection: str
    id: str
    score: float


def got_chunks(got: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, document, metadata) of each chunk in a ``collection.get`` result; gaps read as empty."""
    documents = got.get("documents") or []
    metadatas = got.get("metadatas") or []
    for i, chunk_id in enumerate(got["ids"]):
        document = str(documents[i] or "") if i < len(documents) else ""
        metadata = dict(metadatas[i] or {}) if i < len(metadatas) else {}
        yield str(chunk_id), document, metadata


def lexical_text(document: str, metadata: dict[str, Any] | None) -> str:
    """The text indexed for a chunk: heading path, blank line, body (as embedded)."""
    heading_path = str((metadata or {}).get("heading_path") or "")
    return f"{heading_path}\n\n{document}" if heading_path else document


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased word tokens without English stop words."""
    import bm25s

    return bm25s.tokenize(  # type: ignore[no-any-return]
        texts, stopwords=STOPWORDS, return_ids=False, show_progress=False
    )


def collection_stamp(collection: Collection) -> tuple[str, str, str, int]:
    """(name, id, content version, count) of a collection.

    The version comes from the handle's metadata, so pass a handle fetched
    just now (``client.get_collection``); the count is always asked of Chroma.
    """
    meta = collection.metadata or {}
    return (collection.name, str(collection.id), str(meta.get(VERSION_KEY, "")), collection.count())


@dataclass
class LexicalIndex:
    """A BM25 index over the chunks of some collections (immutable once built)."""

    stamp: Stamp
    collections: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    _retriever: Any = None
    #: (collection name, chunk id) -> position in the lists above.
    positions: dict[tuple[str, str], int] = field(default_factory=dict)
    #: ``time.monotonic()`` when the stamp was last confirmed against Chroma.
    checked_at: float = 0.0

    @classmethod
    def build(cls, collections: Sequence[Collection], stamp: Stamp) -> LexicalIndex:
        """Read every chunk of the collections and index it."""
        index = cls(stamp=stamp)
        for collection in collections:
            total = collection.count()
            for offset in range(0, total, PAGE):
                got = collection.get(
                    include=["documents", "metadatas"], limit=PAGE, offset=offset
                )
                for chunk_id, document, metadata in got_chunks(got):
                    index.collections.append(collection.name)
                    index.ids.append(chunk_id)
                    index.documents.append(document)
                    index.metadatas.append(metadata)
        index.positions = {
            (name, chunk_id): i
            for i, (name, chunk_id) in enumerate(zip(index.collections, index.ids, strict=True))
        }
        if index.ids:
            import bm25s

            retriever = bm25s.BM25()
            corpus = [lexical_text(d, m) for d, m in zip(index.documents, index.metadatas, strict=True)]
            retriever.index(
                bm25s.tokenize(corpus, stopwords=STOPWORDS, show_progress=False),
                show_progress=False,
            )
            index._retriever = retriever
        return index

    def chunk(self, collection: str, chunk_id: str) -> tuple[str, dict[str, Any]] | None:
        """(document, metadata) of a chunk held by this index, or None."""
        position = self.positions.get((collection, chunk_id))
        if position is None:
            return None
        return self.documents[position], self.metadatas[position]

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no query word is known)."""
        import numpy as np

        tokens = tokenize([query])[0]
        if self._retriever is None or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def search(self, query: str, k: int) -> list[LexicalHit]:
        """The k best-scoring chunks with a positive score, best first."""
        import numpy as np

        if k <= 0 or not self.ids:
            return []
        scores = self.scores(query)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        # Stable order: score, then insertion order, so equal scores are deterministic.
        ordered = sorted(top.tolist(), key=lambda i: (-float(scores[i]), i))
        return [
            LexicalHit(
                collection=self.collections[i],
                id=self.ids[i],
                score=float(scores[i]),
            )
            for i in ordered
            if scores[i] > 0
        ]


_CACHE: dict[tuple[str, tuple[str, ...]], LexicalIndex] = {}
_CACHE_LOCK = threading.Lock()
_BUILD_LOCKS: dict[tuple[str, tuple[str, ...]], threading.Lock] = {}


def get_index(
    location: str,
    collections: Sequence[Collection],
    refresh: Callable[[], Sequence[Collection]] | None = None,
) -> LexicalIndex:
    """The current lexical index of these collections, rebuilt when any of them changed.

    ``location`` names the index or server (part of the cache key). The stamps
    are re-read when the last check is older than ``STAMP_TTL_S``; a stamp needs
    handles read from Chroma just then, which ``refresh`` returns (without it,
    ``collections`` must be such handles). Thread-safe: one build per key at a
    time; readers never see a half-built index.
    """
    key = (location, tuple(c.name for c in collections))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None and time.monotonic() - cached.checked_at < STAMP_TTL_S:
        return cached
    if refresh is not None:
        collections = refresh()
    stamp: Stamp = tuple(collection_stamp(c) for c in collections)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.stamp == stamp:
            cached.checked_at = time.monotonic()
            return cached
        build_lock = _BUILD_LOCKS.setdefault(key, threading.Lock())
    with build_lock:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        index = LexicalIndex.build(collections, stamp)
        index.checked_at = time.monotonic()
        with _CACHE_LOCK:
            _CACHE[key] = index
        return index


def invalidate(location: str | None = None) -> None:
    """Forget cached indexes (of one location, or all)."""
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if location is None or k[0] == location]:
            _CACHE.pop(key, None)
