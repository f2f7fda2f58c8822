"""Search the knowledge base (and the user's own documents) in Chroma.

:func:`search` embeds the query once, queries the knowledge collection and the
user-documents collection of the configured embedding model, and merges the hits
by score (``1 - cosine distance``). In the ``static`` mode (static word
embeddings, ``ADVISOR_EMBEDDINGS=static``) the dense hits are fused with BM25
keyword hits over the same chunks (``agent.lexical``) by reciprocal rank fusion
(k=60); static word vectors alone miss exact terms and word order, BM25 alone
misses paraphrases, the two together make up for each other. Either way a long
section contributes only its best chunk. The first search of a process makes sure the
index exists and matches ``knowledge/``: a missing index is built, a corrupt one
is moved aside (kept as a backup) and rebuilt, and changed files are re-indexed
incrementally. What happened is reported by :func:`last_notices`.

chromadb is slow to import, so it is imported inside functions only; importing
this module is cheap.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from agent.config import Settings, get_settings

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

KNOWLEDGE_PREFIX = "knowledge"
USER_DOCS_PREFIX = "user_docs"
#: Candidates fetched per wanted passage, so that one passage per section remains.
SECTION_OVERFETCH = 3
#: Reciprocal rank fusion constant (Cormack, Clarke & Buettcher 2009; the usual default).
RRF_K = 60
#: Fewest candidates taken from each ranking (dense, BM25) before fusion.
FUSION_FETCH_MIN = 20


class RetrievalError(RuntimeError):
    """Search or indexing cannot be done; the message says why, for the user."""


class Passage(BaseModel):
    """One retrieved chunk with where it came from and how well it matched."""

    text: str
    source: str
    heading: str
    score: float = Field(
        description=(
            "Higher is better. Dense modes (minilm, openai): 1 - cosine distance. "
            "static mode: reciprocal rank fusion of the dense and BM25 rankings, "
            "sum of 1/(60 + rank) divided by its maximum 2/61, so 1.0 = ranked first by both, "
            "about 0.5 = first in one and absent from the other."
        )
    )
    approaches: list[str] = Field(default_factory=list)
    collection: str = ""
    heading_path: str = ""
    title: str = ""
    dense_score: float | None = Field(
        default=None, description="1 - cosine distance, when the dense search found it."
    )
    lexical_score: float | None = Field(
        default=None, description="BM25 score, when the keyword search (static mode) found it."
    )


# --------------------------------------------------------------------------- names


def knowledge_collection_name(settings: Settings) -> str:
    """The knowledge collection of the configured embedding model."""
    from agent.embeddings import embedding_model_id

    return f"{KNOWLEDGE_PREFIX}__{embedding_model_id(settings)}"


def user_collection_name(settings: Settings) -> str:
    """The user-documents collection of the configured embedding model."""
    from agent.embeddings import embedding_model_id

    return f"{USER_DOCS_PREFIX}__{embedding_model_id(settings)}"


# --------------------------------------------------------------------------- clients

_CLIENTS: dict[str, ClientAPI] = {}
_CLIENTS_LOCK = threading.RLock()


def _location(settings: Settings) -> str:
    if settings.chroma_host:
        return f"http://{settings.chroma_host}:{settings.chroma_port}"
    return str(Path(settings.chroma_path).expanduser().resolve())


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    # No telemetry: the product runs offline and must not phone home.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def get_chroma_client(settings: Settings | None = None) -> ClientAPI:
    """The Chroma client for the settings, cached per index path or server.

    ``CHROMA_HOST`` set: an ``HttpClient`` to that server (the scale-out path).
    Otherwise a ``PersistentClient`` at ``settings.chroma_path``.
    """
    settings = settings or get_settings()
    key = _location(settings)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is not None:
            return client
        import chromadb

        try:
            if settings.chroma_host:
                client = chromadb.HttpClient(
                    host=settings.chroma_host,
                    port=settings.chroma_port,
                    settings=_chroma_settings(),
                )
            else:
                Path(key).mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=key, settings=_chroma_settings())
        except Exception:
            _forget_system(key)
            raise
        _CLIENTS[key] = client
        return client


def _forget_system(key: str) -> None:
    """Drop chromadb's own per-path system cache for one embedded index."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        system = SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)
        if system is not None:
            # Best effort: the index behind it is being discarded anyway.
            with contextlib.suppress(Exception):
                system.stop()
    except ImportError:  # pragma: no cover
        pass


def drop_client(settings: Settings) -> None:
    """Forget the cached client (and cached collections/readiness) of these settings."""
    key = _location(settings)
    with _CLIENTS_LOCK:
        _CLIENTS.pop(key, None)
        if not settings.chroma_host:
            _forget_system(key)
        for cache_key in [k for k in _COLLECTIONS if k[0] == key]:
            _COLLECTIONS.pop(cache_key, None)
        for ready_key in [k for k in _READY if k[0] == key]:
            _READY.discard(ready_key)
    from agent import lexical

    lexical.invalidate(key)


def _backup_path(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    return candidate


def open_client(settings: Settings, notices: list[str]) -> ClientAPI:
    """A working client; a corrupt embedded index is moved aside and recreated.

    The unreadable directory is kept next to the new one as
    ``<dir>.corrupt-<timestamp>`` and a notice says so. A Chroma server that
    cannot be reached raises :class:`RetrievalError`.
    """
    try:
        client = get_chroma_client(settings)
        client.list_collections()  # forces a read of the catalogue
        return client
    except Exception as exc:
        if settings.chroma_host:
            drop_client(settings)
            raise RetrievalError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({_reason(exc)}). Start it with `chroma run --path DIR --host HOST --port PORT` "
                "or unset CHROMA_HOST to use the embedded index."
            ) from exc
        return _recover_corrupt(settings, exc, notices)


def _recover_corrupt(settings: Settings, exc: BaseException, notices: list[str]) -> ClientAPI:
    path = Path(_location(settings))
    drop_client(settings)
    backup: Path | None = None
    if path.exists() and any(path.iterdir()):
        backup = _backup_path(path)
        try:
            path.rename(backup)
        except OSError as move_error:
            raise RetrievalError(
                f"The knowledge index at {path} is unreadable ({_reason(exc)}) and could not be "
                f"moved aside ({move_error.strerror or move_error}). Check the folder's "
                "permissions or delete it, then run `advisor index`."
            ) from exc
    try:
        client = get_chroma_client(settings)
        client.list_collections()
    except Exception as again:
        drop_client(settings)
        raise RetrievalError(
            f"The knowledge index at {path} cannot be opened ({_reason(again)})."
        ) from again
    if backup is not None:
        notices.append(
            f"The knowledge index at {path} was unreadable ({_reason(exc)}); "
            f"kept it as {backup} and rebuilt the index."
        )
    return client


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------- collections

_COLLECTIONS: dict[tuple[str, str], Collection] = {}


def get_collection(settings: Settings, name: str, client: ClientAPI | None = None) -> Collection:
    """Get or create a cosine-space collection with the configured embedding function."""
    from agent.embeddings import embedding_model_id, get_embedding_function

    key = (_location(settings), name)
    with _CLIENTS_LOCK:
        cached = _COLLECTIONS.get(key)
        if cached is not None:
            return cached
        client = client or get_chroma_client(settings)
        collection = client.get_or_create_collection(
            name=name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": embedding_model_id(settings)},
            embedding_function=get_embedding_function(settings),  # type: ignore[arg-type]
        )
        _COLLECTIONS[key] = collection
        return collection


def forget_collections(settings: Settings) -> None:
    """Drop cached collection handles (after a collection was deleted or rebuilt)."""
    key = _location(settings)
    with _CLIENTS_LOCK:
        for cache_key in [k for k in _COLLECTIONS if k[0] == key]:
            _COLLECTIONS.pop(cache_key, None)


# --------------------------------------------------------------------------- readiness

_READY: set[tuple[str, str]] = set()
_READY_LOCK = threading.RLock()
_LAST_NOTICES: list[str] = []


def last_notices() -> list[str]:
    """Notices from the latest index check (rebuilds, recoveries); empty when none."""
    return list(_LAST_NOTICES)


def ensure_index(settings: Settings | None = None) -> list[str]:
    """Make sure the knowledge index exists and is current; return notices.

    Done once per process and index location: a missing index is built, a
    corrupt one is kept as a backup and rebuilt, and files of ``knowledge/``
    that changed since the last build are re-indexed incrementally.
    """
    settings = settings or get_settings()
    key = (_location(settings), knowledge_collection_name(settings))
    if key in _READY:
        return []
    with _READY_LOCK:
        if key in _READY:
            return []
        from agent.ingest import refresh_knowledge

        notices: list[str] = []
        refresh_knowledge(settings, notices)
        _READY.add(key)
        _LAST_NOTICES[:] = notices
        return notices


def mark_stale(settings: Settings) -> None:
    """Forget that the index was checked, so the next search checks it again."""
    key = (_location(settings), knowledge_collection_name(settings))
    with _READY_LOCK:
        _READY.discard(key)


# --------------------------------------------------------------------------- search

_QUERY_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERY_CACHE_SIZE = 256
_QUERY_CACHE_LOCK = threading.Lock()


def embed_query(query: str, settings: Settings) -> np.ndarray:
    """The query's unit vector; the last few hundred queries are remembered."""
    from agent.embeddings import EmbeddingUnavailable, embedding_model_id, get_embedding_function

    key = (embedding_model_id(settings), query)
    with _QUERY_CACHE_LOCK:
        hit = _QUERY_CACHE.get(key)
        if hit is not None:
            _QUERY_CACHE.move_to_end(key)
            return hit
    try:
        vector = get_embedding_function(settings).encode([query])[0]
    except EmbeddingUnavailable as exc:
        raise RetrievalError(str(exc)) from exc
    with _QUERY_CACHE_LOCK:
        _QUERY_CACHE[key] = vector
        while len(_QUERY_CACHE) > _QUERY_CACHE_SIZE:
            _QUERY_CACHE.popitem(last=False)
    return vector


def _split_tags(value: object) -> list[str]:
    if not isinstance(value, str) or not value:
        return []
    return [t for t in (part.strip() for part in value.split(",")) if t]


def _passage(collection: str, document: object, metadata: Any, score: float) -> Passage:
    meta = dict(metadata or {})
    return Passage(
        text=str(document or ""),
        source=str(meta.get("source", "")),
        heading=str(meta.get("heading", "")),
        heading_path=str(meta.get("heading_path", "")),
        title=str(meta.get("title", "")),
        score=score,
        approaches=_split_tags(meta.get("approaches")),
        collection=collection,
    )


def query_collection(collection: Collection, vector: np.ndarray, k: int) -> list[Passage]:
    """Nearest chunks of one collection as passages."""
    result = collection.query(
        query_embeddings=[vector],
        n_results=k,
        include=["documents", "metadatas", "distances"],
    )
    ids = result["ids"][0] if result["ids"] else []
    documents = (result.get("documents") or [[]])[0] or []
    metadatas = (result.get("metadatas") or [[]])[0] or []
    distances = (result.get("distances") or [[]])[0] or []
    passages = []
    for i in range(len(ids)):
        similarity = round(1.0 - float(distances[i]), 6)
        passage = _passage(collection.name, documents[i], metadatas[i], similarity)
        passage.dense_score = similarity
        passages.append(passage)
    return passages


def fused_search(
    collections: list[Collection],
    query: str,
    vector: np.ndarray,
    fetch: int,
    location: str,
    refresh: Callable[[], list[Collection]] | None = None,
) -> list[Passage]:
    """Dense and BM25 candidates of the collections, fused by reciprocal rank fusion.

    The lexical index is checked against handles read from Chroma just now:
    ``refresh`` returns them when the check is due (without it, ``collections``
    must be such handles; see :mod:`agent.lexical`). Each ranking contributes
    ``1 / (RRF_K + rank)`` (rank from 1) for its top ``fetch`` chunks; the sum is
    divided by its maximum, so scores lie in (0, 1]. Best first.

    The dense query asks Chroma for ids and distances only: the lexical index
    already holds every chunk's text and metadata in memory (a chunk written by
    another process since the index was built is read from Chroma).
    """
    from agent import lexical

    index = lexical.get_index(location, collections, refresh)
    dense: list[tuple[tuple[str, str], float]] = []
    for collection in collections:
        result = collection.query(query_embeddings=[vector], n_results=fetch, include=["distances"])
        ids = result["ids"][0] if result["ids"] else []
        distances = (result.get("distances") or [[]])[0] or []
        for chunk_id, distance in zip(ids, distances, strict=False):
            dense.append(((collection.name, str(chunk_id)), round(1.0 - float(distance), 6)))
    dense.sort(key=lambda item: item[1], reverse=True)
    dense = dense[:fetch]
    lexical_hits = index.search(query, fetch)

    fused: dict[tuple[str, str], float] = {}
    for rank, (key, _similarity) in enumerate(dense, start=1):
        fused[key] = fused.get(key, 0.0) + 1.0 / (RRF_K + rank)
    for rank, hit in enumerate(lexical_hits, start=1):
        key = (hit.collection, hit.id)
        fused[key] = fused.get(key, 0.0) + 1.0 / (RRF_K + rank)

    chunks: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for key in fused:
        held = index.chunk(*key)
        if held is not None:
            chunks[key] = held
    _read_missing(collections, [key for key in fused if key not in chunks], chunks)

    similarity = dict(dense)
    lexical_score = {(hit.collection, hit.id): hit.score for hit in lexical_hits}
    best_possible = 2.0 / (RRF_K + 1)
    out = []
    for key in sorted(fused, key=lambda key: fused[key], reverse=True):
        if key not in chunks:
            continue  # deleted between the query and the read
        document, metadata = chunks[key]
        passage = _passage(key[0], document, metadata, round(fused[key] / best_possible, 6))
        passage.dense_score = similarity.get(key)
        if key in lexical_score:
            passage.lexical_score = round(lexical_score[key], 6)
        out.append(passage)
    return out


def _read_missing(
    collections: list[Collection],
    keys: list[tuple[str, str]],
    into: dict[tuple[str, str], tuple[str, dict[str, Any]]],
) -> None:
    """Fetch from Chroma the text and metadata of chunks the lexical index does not hold."""
    from agent import lexical

    for collection in collections:
        wanted = [chunk_id for name, chunk_id in keys if name == collection.name]
        if not wanted:
            continue
        got = collection.get(ids=wanted, include=["documents", "metadatas"])
        for chunk_id, document, metadata in lexical.got_chunks(got):
            into[(collection.name, chunk_id)] = (document, metadata)


def search(query: str, k: int = 5, *, settings: Settings | None = None) -> list[Passage]:
    """Top-k passages for the query from the knowledge base and the user's documents.

    Raises :class:`RetrievalError` with a clear message when the index or the
    embedding model cannot be used.
    """
    settings = settings or get_settings()
    query = (query or "").strip()
    if not query:
        return []
    k = max(1, min(int(k), 50))
    ensure_index(settings)
    vector = embed_query(query, settings)
    try:
        return _search_collections(settings, vector, k, query)
    except RetrievalError:
        raise
    except Exception:
        # Most likely a stale handle (the collection was rebuilt by another
        # process): reopen, re-check the index and retry once.
        drop_client(settings)
        notices = ensure_index(settings)
    try:
        return _search_collections(settings, vector, k, query)
    except RetrievalError:
        raise
    except Exception as second:
        if settings.chroma_host:
            raise RetrievalError(f"Search failed: {_reason(second)}") from second
        # Still failing on a readable catalogue: the vector files are damaged.
        _recover_corrupt(settings, second, notices)
        mark_stale(settings)
        notices += ensure_index(settings)
        _LAST_NOTICES[:] = notices
        try:
            return _search_collections(settings, vector, k, query)
        except Exception as exc:
            raise RetrievalError(f"Search failed: {_reason(exc)}") from exc


def _search_collections(
    settings: Settings, vector: np.ndarray, k: int, query: str = ""
) -> list[Passage]:
    from agent.embeddings import retrieval_mode

    # A long section is stored as several chunks; without care its parts fill
    # the top k. Over-fetch, then keep the best chunk of each section.
    fetch = k * SECTION_OVERFETCH
    names = (knowledge_collection_name(settings), user_collection_name(settings))
    if retrieval_mode(settings) == "static":
        # Cached handles serve the dense query; fresh ones (a round trip each) are read
        # only when the lexical index's stamp check is due.
        hits = fused_search(
            [get_collection(settings, name) for name in names],
            query,
            vector,
            max(fetch, FUSION_FETCH_MIN),
            _location(settings),
            refresh=lambda: [_fresh_collection(settings, name) for name in names],
        )
        return best_per_section(hits, k)
    hits = []
    for name in names:
        collection = get_collection(settings, name)
        hits.extend(query_collection(collection, vector, fetch))
    hits.sort(key=lambda p: p.score, reverse=True)
    return best_per_section(hits, k)


def _fresh_collection(settings: Settings, name: str) -> Collection:
    """A handle read from Chroma now (its metadata carries the current content version)."""
    from agent.embeddings import get_embedding_function

    get_collection(settings, name)  # creates it when missing (cached after the first call)
    return get_chroma_client(settings).get_collection(
        name, embedding_function=get_embedding_function(settings)  # type: ignore[arg-type]
    )


def best_per_section(hits: list[Passage], k: int) -> list[Passage]:
    """The first k passages of ``hits`` (best first) keeping one per section."""
    best: list[Passage] = []
    seen: set[tuple[str, str, str]] = set()
    for passage in hits:
        section = (passage.collection, passage.source, passage.heading_path)
        if section in seen:
            continue
        seen.add(section)
        best.append(passage)
        if len(best) == k:
            break
    return best
