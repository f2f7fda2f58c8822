"""Turn Markdown (and the user's own files) into chunks in Chroma, incrementally.

* :func:`chunk_markdown` splits a document by its headings. Every chunk keeps
  its heading path ("Doc title > Section > Subsection"), the source file and
  the approach tags from the YAML front matter. Very long sections are split on
  paragraph boundaries under a size cap.
* :func:`index_knowledge` indexes ``knowledge/``. Chunk ids are stable per
  (source, heading path, part) and each chunk carries a content hash, so a
  re-index embeds only new or changed chunks and deletes removed ones. The
  collection name carries the embedding model id, so models never mix.
* :func:`add_user_document` adds a user's Markdown, text or PDF file to a
  separate collection that :func:`agent.retrieval.search` searches alongside.
  Bad files (binary, empty, too large, unsupported) are skipped with a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Literal

from agent.config import Settings, get_settings

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api.models.Collection import Collection

#: Bumped when chunking changes, so every chunk is re-embedded once.
CHUNKER_VERSION = "1"
#: Upper bound for a chunk's body. The model reads at most 256 tokens; with the
#: heading path in front, 800 characters of Markdown (tables and lists cost more
#: tokens than prose) keeps every chunk of our knowledge base inside that window.
MAX_CHUNK_CHARS = 800
#: Texts per embedding call while indexing (also the progress step).
EMBED_BATCH = 64
#: File types accepted as user documents.
USER_DOC_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf"}

ProgressCallback = Callable[[int, int], None]
Embedder = Callable[[list[str]], Any]


# --------------------------------------------------------------------------- decoding


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes to text; the second value is a notice when not clean UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        position = exc.start
    try:
        return (
            data.decode("cp1252"),
            f"not valid UTF-8 (first bad byte at offset {position}); read as Windows-1252",
        )
    except UnicodeDecodeError:
        return (
            data.decode("utf-8", errors="replace"),
            f"not valid UTF-8 (first bad byte at offset {position}); "
            "undecodable bytes were replaced",
        )


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control characters."""
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NUL bytes by design
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample) > 0.05


# --------------------------------------------------------------------------- front matter

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def parse_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """Split YAML front matter off a Markdown text: (metadata, body, problem)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, None
    body = text[match.end() :]
    import yaml

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        return {}, body, f"front matter is not valid YAML{where}; ignored it"
    if data is None:
        return {}, body, None
    if not isinstance(data, dict):
        return {}, body, "front matter is not a mapping; ignored it"
    return {str(k): v for k, v in data.items()}, body, None


def _tags(value: object) -> list[str]:
    if value is None:
        return []
    items: Sequence[object]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple, set)):
        items = list(value)
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        tag = str(item).strip().lower()
        if tag and tag not in out:
            out.append(tag)
    return out


# --------------------------------------------------------------------------- chunking


@dataclass(frozen=True)
class Chunk:
    """One searchable piece of a document."""

    id: str
    text: str
    source: str
    heading: str
    heading_path: str
    title: str
    index: int
    approaches: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def embed_text(self) -> str:
        """What is embedded: the heading path gives a section's body its context."""
        return f"{self.heading_path}\n\n{self.text}" if self.heading_path else self.text

    @property
    def content_hash(self) -> str:
        """Hash of what is embedded; a change means the vector must be recomputed."""
        return _sha(f"{CHUNKER_VERSION}\n{self.embed_text}")

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata (scalars only; tag lists are comma-joined)."""
        meta: dict[str, str | int] = {
            "source": self.source,
            "heading": self.heading,
            "heading_path": self.heading_path,
            "title": self.title,
            "chunk_index": self.index,
            "approaches": ",".join(self.approaches),
            "topics": ",".join(self.topics),
            "doc_sources": "; ".join(self.sources)[:2000],
            "content_hash": self.content_hash,
        }
        meta["meta_hash"] = _sha(json.dumps(meta, sort_keys=True))
        return meta


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()[:32]


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _clean_heading(raw: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # [label](url) -> label
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"\s+", " ", text).strip().rstrip("#").strip()


def _sections(body: str) -> Iterator[tuple[list[tuple[int, str]], str]]:
    """Yield (heading stack, section text) pairs; '#' lines in code fences are not headings."""
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    fence: str | None = None
    for line in body.splitlines():
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            lines.append(line)
            continue
        heading = None if fence else _HEADING.match(line)
        if heading:
            yield list(stack), "\n".join(lines)
            lines = []
            level = len(heading.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, _clean_heading(heading.group(2))))
            continue
        lines.append(line)
    yield list(stack), "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block stays one block."""
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if current:
                blocks.append("\n".join(current).strip("\n"))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current).strip("\n"))
    return [b for b in blocks if b.strip()]


def _sentences(block: str, cap: int) -> list[str]:
    """Split one block longer than cap into sentences (words, if a sentence is too long)."""
    flat = re.sub(r"\s*\n\s*", " ", block) if not _FENCE.match(block) else block
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", flat):
        sentence = sentence.strip()
        while len(sentence) > cap:
            cut = sentence.rfind(" ", 0, cap)
            cut = cut if cut > cap // 2 else cap
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


_LINE_ITEM = re.compile(r"^\s*(\||[-*+]\s|\d+[.)]\s)")


def _is_line_structured(block: str) -> bool:
    """A table or a list: most lines start with '|', a bullet or a number."""
    lines = [ln for ln in block.splitlines() if ln.strip()]
    return len(lines) > 1 and sum(bool(_LINE_ITEM.match(ln)) for ln in lines) >= 0.6 * len(lines)


def split_text(text: str, cap: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split text into pieces of at most cap characters on paragraph boundaries.

    Paragraphs longer than cap are split between sentences. Pieces are packed to
    a balanced target size, so a long section does not end in a tiny fragment.
    """
    text = text.strip()
    if not text:
        return []
    if len(text) <= cap:
        return [text]
    units: list[tuple[str, str]] = []  # (text, separator before it)
    for block in _paragraphs(text):
        if len(block) <= cap:
            units.append((block, "\n\n"))
        elif _is_line_structured(block):
            # Tables and lists split between their lines, keeping rows whole.
            lines = [ln for ln in block.splitlines() if ln.strip()]
            for i, line in enumerate(lines):
                for j, part in enumerate(_sentences(line, cap) if len(line) > cap else [line]):
                    units.append((part, "\n\n" if i == 0 and j == 0 else ("\n" if j == 0 else " ")))
        else:
            units.extend(
                (sentence, "\n\n" if i == 0 else " ")
                for i, sentence in enumerate(_sentences(block, cap))
            )
    total = sum(len(u) + len(sep) for u, sep in units)
    pieces_needed = max(1, -(-total // cap))
    target = min(cap, -(-total // pieces_needed))
    pieces: list[str] = []
    current = ""
    for unit, sep in units:
        if not current:
            current = unit
        elif len(current) + len(sep) + len(unit) <= target or (
            len(current) < target // 2 and len(current) + len(sep) + len(unit) <= cap
        ):
            current += sep + unit
        else:
            pieces.append(current)
            current = unit
    if current:
        if pieces and len(current) < cap // 4 and len(pieces[-1]) + 2 + len(current) <= cap:
            pieces[-1] += "\n\n" + current
        else:
            pieces.append(current)
    return pieces


def chunk_markdown(
    text: str, source: str, *, max_chars: int = MAX_CHUNK_CHARS, markdown: bool = True
) -> list[Chunk]:
    """Split a Markdown document into heading-aware chunks.

    The YAML front matter (title, approaches, topics, sources) is stripped and
    becomes metadata of every chunk. The title is the front matter's title, else
    the first H1, else the file name. With ``markdown=False`` (plain text) lines
    starting with '#' are not headings.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    meta, body, _problem = parse_front_matter(text) if markdown else ({}, text, None)
    stem = PurePath(source).stem.replace("_", " ").replace("-", " ").strip() or source
    sections = list(_sections(body)) if markdown else [([], body)]
    h1 = next((s[0][1] for s, _ in sections if s and s[0][0] == 1), None)
    title = str(meta.get("title") or h1 or stem).strip()
    approaches = tuple(_tags(meta.get("approaches")))
    topics = tuple(_tags(meta.get("topics")))
    raw_sources = meta.get("sources")
    if isinstance(raw_sources, list):
        doc_sources = tuple(str(s).strip() for s in raw_sources if str(s).strip())
    else:
        doc_sources = (str(raw_sources).strip(),) if raw_sources else ()

    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for stack, section_text in sections:
        names = [name for _, name in stack]
        if stack and stack[0][0] == 1 and stack[0][1] in (h1, title):
            names = names[1:]  # the document's H1 stands for the title
        heading = names[-1] if names else title
        path = " > ".join([title, *names])
        for part_no, piece in enumerate(split_text(section_text, max_chars)):
            base = f"{source}::{path}::{part_no}"
            seen[base] = seen.get(base, 0) + 1
            chunk_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
            chunks.append(
                Chunk(
                    id=chunk_id,
                    text=piece,
                    source=source,
                    heading=heading,
                    heading_path=path,
                    title=title,
                    index=len(chunks),
                    approaches=approaches,
                    topics=topics,
                    sources=doc_sources,
                )
            )
    if not chunks and body.strip():
        # Only headings (or headings with empty sections): index the text as is.
        flat = re.sub(r"\s+", " ", body).strip()
        for part_no, piece in enumerate(split_text(flat, max_chars)):
            chunks.append(
                Chunk(
                    id=f"{source}::{title}::{part_no}",
                    text=piece,
                    source=source,
                    heading=title,
                    heading_path=title,
                    title=title,
                    index=part_no,
                    approaches=approaches,
                    topics=topics,
                    sources=doc_sources,
                )
            )
    return chunks


# --------------------------------------------------------------------------- reports


@dataclass
class IndexReport:
    """What an indexing run did."""

    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    embedded: int = 0
    collection: str = ""
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and notices."""
        return (
            f"{self.files} files, {self.chunks} chunks: {self.added} added, "
            f"{self.updated} updated, {self.removed} removed, {self.unchanged} unchanged "
            f"in {self.seconds:.1f}s"
        )


@dataclass
class FileResult:
    """Outcome of adding one user document."""

    name: str
    status: Literal["added", "skipped", "error"]
    message: str
    chunks: int = 0


# --------------------------------------------------------------------------- knowledge files


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    """Markdown files of the knowledge folder, sorted (README files excluded)."""
    if not knowledge_dir.is_dir():
        return []
    files = [
        p
        for p in knowledge_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in (".md", ".markdown")
        and p.name.lower() != "readme.md"
        and not any(part.startswith(".") for part in p.relative_to(knowledge_dir).parts)
    ]
    return sorted(files)


def _read_knowledge(knowledge_dir: Path, notices: list[str]) -> tuple[list[Chunk], int, str]:
    """All chunks of the knowledge folder, the file count and a fingerprint of the files."""
    chunks: list[Chunk] = []
    files = knowledge_files(knowledge_dir)
    for path in files:
        source = path.relative_to(knowledge_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            notices.append(f"{source}: cannot read ({exc.strerror or exc}); skipped")
            continue
        if not data.strip():
            notices.append(f"{source}: empty file; nothing to index")
            continue
        text, problem = decode_text(data)
        if problem:
            notices.append(f"{source}: {problem}")
        _, _, fm_problem = parse_front_matter(text)
        if fm_problem:
            notices.append(f"{source}: {fm_problem}")
        chunks.extend(chunk_markdown(text, source))
    return chunks, len(files), knowledge_fingerprint(knowledge_dir)


def _existing(collection: Collection) -> dict[str, tuple[str, str]]:
    """id -> (content_hash, meta_hash) of everything in a collection."""
    out: dict[str, tuple[str, str]] = {}
    total = collection.count()
    page = 5000
    for offset in range(0, total, page):
        got = collection.get(include=["metadatas"], limit=page, offset=offset)
        for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            meta = meta or {}
            out[chunk_id] = (str(meta.get("content_hash", "")), str(meta.get("meta_hash", "")))
    return out


def _batch_size(collection: Collection) -> int:
    try:
        return max(1, min(5000, int(collection._client.get_max_batch_size())))
    except Exception:
        return 1000


def _as_rows(vectors: Any) -> list[np.ndarray]:
    import numpy as np

    return [np.asarray(v, dtype=np.float32) for v in vectors]


def sync_chunks(
    collection: Collection,
    chunks: list[Chunk],
    embed: Embedder,
    *,
    progress: ProgressCallback | None = None,
    only_sources: set[str] | None = None,
) -> IndexReport:
    """Make the collection hold exactly these chunks, embedding only what changed.

    ``only_sources``: limit deletions to chunks of these sources (user documents
    are synced one file at a time).
    """
    report = IndexReport(chunks=len(chunks), collection=collection.name)
    existing = _existing(collection)
    if only_sources is not None:
        existing = {
            k: v for k, v in existing.items() if k.split("::", 1)[0] in only_sources
        }
    to_embed: list[Chunk] = []
    meta_only: list[Chunk] = []
    for chunk in chunks:
        old = existing.get(chunk.id)
        meta = chunk.metadata()
        if old is None:
            report.added += 1
            to_embed.append(chunk)
        elif old[0] != chunk.content_hash:
            report.updated += 1
            to_embed.append(chunk)
        elif old[1] != meta["meta_hash"]:
            report.updated += 1
            meta_only.append(chunk)
        else:
            report.unchanged += 1
    current = {c.id for c in chunks}
    removed = [chunk_id for chunk_id in existing if chunk_id not in current]
    limit = _batch_size(collection)

    # Similar lengths in one batch keep padding (and time) small.
    to_embed.sort(key=lambda c: len(c.embed_text))
    total = len(to_embed)
    if progress:
        progress(0, total)
    for start in range(0, total, EMBED_BATCH):
        batch = to_embed[start : start + EMBED_BATCH]
        vectors = _as_rows(embed([c.embed_text for c in batch]))
        if len(vectors) != len(batch):
            raise RuntimeError("the embedding function returned a wrong number of vectors")
        for s in range(0, len(batch), limit):
            part = batch[s : s + limit]
            collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[s : s + limit],  # type: ignore[arg-type]
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],  # type: ignore[misc]
            )
        report.embedded += len(batch)
        if progress:
            progress(min(start + len(batch), total), total)
    for s in range(0, len(meta_only), limit):
        part = meta_only[s : s + limit]
        collection.update(ids=[c.id for c in part], metadatas=[c.metadata() for c in part])  # type: ignore[misc]
    for s in range(0, len(removed), limit):
        collection.delete(ids=removed[s : s + limit])
    report.removed = len(removed)
    return report


@contextlib.contextmanager
def _index_lock(settings: Settings) -> Iterator[None]:
    """Serialise index builds of several processes on one embedded index."""
    if settings.chroma_host:
        yield
        return
    import fcntl

    lock_path = Path(settings.chroma_path).expanduser().resolve().parent / (
        Path(settings.chroma_path).name + ".lock"
    )
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the block
    except OSError:
        yield  # read-only location: nothing to serialise against
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _embedder(settings: Settings, embedding_function: Embedder | None) -> Embedder:
    if embedding_function is not None:
        return embedding_function
    from agent.embeddings import get_embedding_function

    ef = get_embedding_function(settings)
    return ef.encode


def index_knowledge(
    settings: Settings | None = None,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    *,
    embedding_function: Embedder | None = None,
) -> IndexReport:
    """Index ``settings.knowledge_dir`` into the model's knowledge collection.

    Only new or changed chunks are embedded and removed ones are deleted;
    ``rebuild=True`` starts from an empty collection. A corrupt embedded index
    is kept as a backup and rebuilt (see ``report.notices``).
    ``embedding_function`` replaces the configured one (tests count its calls).
    """
    from agent import retrieval

    settings = settings or get_settings()
    started = time.perf_counter()
    notices: list[str] = []
    with _index_lock(settings):
        client = retrieval.open_client(settings, notices)
        name = retrieval.knowledge_collection_name(settings)
        if rebuild:
            with contextlib.suppress(Exception):
                client.delete_collection(name)
            retrieval.forget_collections(settings)
        chunks, files, fingerprint = _read_knowledge(settings.knowledge_dir, notices)
        if files == 0:
            notices.append(f"No Markdown files found in {settings.knowledge_dir}.")
        collection = retrieval.get_collection(settings, name, client)
        report = sync_chunks(collection, chunks, _embedder(settings, embedding_function), progress=progress)
        stamp_collection(collection, settings, fingerprint)
    report.files = files
    report.notices = notices
    report.seconds = time.perf_counter() - started
    retrieval.mark_stale(settings)
    return report


def stamp_collection(
    collection: Collection, settings: Settings, fingerprint: str | None = None
) -> None:
    """Write the collection's metadata with a new content version.

    Called after every sync or deletion, so caches built from the collection's
    documents (the BM25 index of ``agent.lexical``) notice the change, also in
    other processes. ``modify`` replaces the whole metadata, so every key we
    keep is written here.
    """
    import uuid

    from agent.embeddings import embedding_model_id
    from agent.lexical import VERSION_KEY, invalidate

    metadata: dict[str, str] = {
        "embedding_model": embedding_model_id(settings),
        VERSION_KEY: uuid.uuid4().hex,
    }
    if fingerprint is not None:
        metadata["source_fingerprint"] = fingerprint
    with contextlib.suppress(Exception):
        collection.modify(metadata=metadata)  # type: ignore[arg-type]
    invalidate()  # this process sees its own change at once, not after the stamp TTL


def refresh_knowledge(settings: Settings, notices: list[str]) -> IndexReport | None:
    """Bring the knowledge index up to date if it is missing or stale (used by search).

    Cheap when nothing changed: the files are hashed and compared with the
    fingerprint stored on the collection; nothing is embedded.
    """
    from agent import retrieval

    client = retrieval.open_client(settings, notices)
    name = retrieval.knowledge_collection_name(settings)
    existed = any(_collection_name(c) == name for c in client.list_collections())
    collection = retrieval.get_collection(settings, name, client)
    scratch: list[str] = []
    files = len(knowledge_files(settings.knowledge_dir))
    fingerprint = knowledge_fingerprint(settings.knowledge_dir)
    stored = (collection.metadata or {}).get("source_fingerprint")
    if existed and stored == fingerprint and collection.count() > 0:
        return None
    if files == 0 and not existed:
        notices.append(f"No Markdown files found in {settings.knowledge_dir}; the index is empty.")
        return None
    report = index_knowledge(settings)
    scratch.extend(report.notices)
    if not existed or report.added == report.chunks:
        notices.append(f"Built the knowledge index ({report.summary()}).")
    else:
        notices.append(f"Updated the knowledge index ({report.summary()}).")
    notices.extend(n for n in scratch if n not in notices)
    return report


def _collection_name(item: Any) -> str:
    return item if isinstance(item, str) else str(getattr(item, "name", item))


def knowledge_fingerprint(knowledge_dir: Path) -> str:
    """Hash of the knowledge files' names and bytes (and the chunker version)."""
    digest = hashlib.sha256(f"chunker {CHUNKER_VERSION}".encode())
    files = knowledge_files(knowledge_dir)
    for path in files:
        source = path.relative_to(knowledge_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest.update(source.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------------------- user documents


def _safe_name(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f]", "", base).replace("::", "_")
    return base[:200]


def _pdf_text(data: bytes) -> tuple[str, str | None]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                return "", "the PDF is password-protected"
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            page_text = (page.extract_text() or "").strip()
            if page_text:
                pages.append(f"## Page {number}\n\n{page_text}")
        return "\n\n".join(pages), None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        return "", f"not a readable PDF ({type(exc).__name__})"
    except Exception as exc:  # pypdf raises many kinds on damaged files
        return "", f"not a readable PDF ({type(exc).__name__})"


def user_document_chunks(
    name: str, data: bytes, settings: Settings
) -> tuple[list[Chunk], FileResult]:
    """Validate and chunk one upload.

    The result has status "skipped" (and no chunks) when the file cannot be
    used; otherwise status "added" with a note about its encoding if needed.
    """
    safe = _safe_name(name)
    if not safe:
        return [], FileResult(str(name), "skipped", "The file has no usable name.")
    kind = USER_DOC_EXTENSIONS.get(PurePath(safe).suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted(USER_DOC_EXTENSIONS))
        return [], FileResult(safe, "skipped", f"Unsupported file type; use one of {allowed}.")
    if not data or not data.strip():
        return [], FileResult(safe, "skipped", "The file is empty.")
    if len(data) > settings.max_upload_bytes:
        return [], FileResult(
            safe,
            "skipped",
            f"The file is too large ({len(data):,} bytes; the limit is "
            f"{settings.max_upload_bytes:,} bytes, ADVISOR_MAX_UPLOAD_BYTES).",
        )
    note: str | None = None
    if kind == "pdf":
        if not data.startswith(b"%PDF"):
            return [], FileResult(safe, "skipped", "The file is not a PDF (no %PDF header).")
        text, problem = _pdf_text(data)
        if problem:
            return [], FileResult(safe, "skipped", f"Could not read it: {problem}.")
        if not text.strip():
            return [], FileResult(
                safe, "skipped", "The PDF has no extractable text (is it a scanned image?)."
            )
    else:
        if looks_binary(data):
            return [], FileResult(
                safe, "skipped", "The file looks binary, not text (it contains NUL/control bytes)."
            )
        text, note = decode_text(data)
        if not text.strip():
            return [], FileResult(safe, "skipped", "The file has no text.")
    # A pasted API key must never be stored in the index (it would sit in chroma.sqlite3).
    redacted = 0
    for secret in settings.secret_values():
        redacted += text.count(secret)
        text = text.replace(secret, "[redacted]")
    chunks = chunk_markdown(text, safe, markdown=kind != "text")
    if not chunks:
        return [], FileResult(safe, "skipped", "The file has no text to index.")
    result = FileResult(safe, "added", f"Added {len(chunks)} passages.", len(chunks))
    if note:
        result.message += f" Note: {note}."
    if redacted:
        result.message += " The configured API key appeared in the file and was redacted."
    return chunks, result


def add_user_document(
    name: str,
    data: bytes,
    settings: Settings | None = None,
    *,
    embedding_function: Embedder | None = None,
) -> FileResult:
    """Add (or replace) a user's document in the user-documents collection.

    Never raises for bad input: empty, binary, too large or unsupported files
    come back as ``status="skipped"`` with a message; index failures as "error".
    """
    from agent import retrieval

    settings = settings or get_settings()
    try:
        chunks, checked = user_document_chunks(name, data, settings)
    except Exception as exc:  # defensive: a parser bug must not crash an upload
        label = _safe_name(name) or str(name)
        return FileResult(label, "error", f"Could not read the file ({type(exc).__name__}).")
    if checked.status != "added":
        return checked
    safe = checked.name
    notices: list[str] = []
    try:
        with _index_lock(settings):
            client = retrieval.open_client(settings, notices)
            collection = retrieval.get_collection(
                settings, retrieval.user_collection_name(settings), client
            )
            report = sync_chunks(
                collection,
                chunks,
                _embedder(settings, embedding_function),
                only_sources={safe},
            )
            stamp_collection(collection, settings)
    except retrieval.RetrievalError as exc:
        return FileResult(safe, "error", str(exc))
    except Exception as exc:
        return FileResult(safe, "error", f"Could not index the file ({_short(exc)}).")
    replaced = report.updated + report.unchanged + report.removed > 0
    message = f"{'Replaced' if replaced else 'Added'} {len(chunks)} passages."
    if "Note:" in checked.message:
        message += " Note:" + checked.message.split("Note:", 1)[1]
    if notices:
        message += " " + " ".join(notices)
    return FileResult(safe, "added", message, len(chunks))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def list_user_documents(settings: Settings | None = None) -> dict[str, int]:
    """Names of the user's documents and how many passages each has."""
    from agent import retrieval

    settings = settings or get_settings()
    collection = retrieval.get_collection(settings, retrieval.user_collection_name(settings))
    counts: dict[str, int] = {}
    for chunk_id in _existing(collection):
        source = chunk_id.split("::", 1)[0]
        counts[source] = counts.get(source, 0) + 1
    return dict(sorted(counts.items()))


def remove_user_document(name: str, settings: Settings | None = None) -> int:
    """Delete a user's document; returns how many passages were removed."""
    from agent import retrieval

    settings = settings or get_settings()
    safe = _safe_name(name)
    collection = retrieval.get_collection(settings, retrieval.user_collection_name(settings))
    ids = [k for k in _existing(collection) if k.split("::", 1)[0] == safe]
    if ids:
        collection.delete(ids=ids)
        stamp_collection(collection, settings)
    return len(ids)
