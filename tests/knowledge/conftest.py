"""Fixtures for the retrieval tests: sample Markdown, PDFs, a counting embedder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from agent.config import get_settings
from agent.embeddings import get_embedding_function


class CountingEmbedder:
    """Wraps the real embedding function and records every text it embeds."""

    def __init__(self) -> None:
        self._inner = get_embedding_function(get_settings())
        self.calls = 0
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return self._inner.encode(texts)


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    """Write Markdown files into folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF showing the given lines in Helvetica."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({escape(s)}) '" for s in lines) + " ET"
    stream = body.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


GUIDE = """---
title: Retrieval guide
approaches: [rag, hybrid]
topics: [retrieval, chunking]
sources:
  - Example source, 2024
last_reviewed: 2025-01-01
---

# Retrieval guide

Retrieval-augmented generation grounds answers in documents that change often.

## Chunking

Split documents by their headings so each piece keeps its context.

### Overlap

A little overlap between chunks helps when sentences cross a boundary.

## Vector stores

Chroma stores the vectors on disk and answers nearest-neighbour queries.
"""

TUNING = """---
title: Fine-tuning notes
approaches: fine_tuning
---

# Fine-tuning notes

## When it pays off

Fine-tuning teaches a model a consistent style or format from thousands of examples.

## Data needs

You need clean, labelled input and output pairs, usually several hundred at least.
"""

PROMPTS = """# Prompting basics

## Few-shot examples

Show the model two or three worked examples before the real question.
"""


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    """The real local embedding function, wrapped to count what it embeds."""
    return CountingEmbedder()


@pytest.fixture
def pdf_bytes() -> Callable[[list[str]], bytes]:
    """Builder of small real PDFs."""
    return make_pdf


@pytest.fixture
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small knowledge folder of three documents, set as ADVISOR_KNOWLEDGE_DIR."""
    folder = write_docs(
        tmp_path / "kb", {"retrieval.md": GUIDE, "tuning.md": TUNING, "prompts.md": PROMPTS}
    )
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(folder))
    get_settings.cache_clear()
    return folder


@pytest.fixture(autouse=True)
def _close_test_index() -> Iterator[None]:
    """Release the Chroma client of the test's own index afterwards (threads, file handles)."""
    yield
    from agent import retrieval

    settings = get_settings()
    if settings.index_dir is None:  # never the shared session index
        retrieval.drop_client(settings)


@pytest.fixture
def guide_md() -> str:
    """A Markdown document with front matter and three heading levels."""
    return GUIDE


class LocalModeIndexes:
    """Real knowledge indexes per local model, built at most once per session."""

    def __init__(self, request: pytest.FixtureRequest, root: Path) -> None:
        self._request = request
        self._root = root
        self._dirs: dict[str, Path] = {}

    def index_dir(self, mode: str) -> Path:
        """Index directory holding the knowledge collection of ``mode``."""
        from agent.embeddings import DEFAULT_LOCAL_MODEL

        if mode == DEFAULT_LOCAL_MODEL:
            # The root conftest's session index is built with ADVISOR_EMBEDDINGS=local.
            return Path(self._request.getfixturevalue("knowledge_index_dir"))
        if mode not in self._dirs:
            from agent.config import Settings
            from agent.ingest import index_knowledge

            index_dir = self._root / f"{mode}-chroma"
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                ADVISOR_DATA_DIR=str(self._root / f"{mode}-data"),
                ADVISOR_INDEX_DIR=str(index_dir),
                ADVISOR_EMBEDDINGS=mode,  # type: ignore[arg-type]
                CHROMA_HOST=None,
                OPENAI_API_KEY=None,
            )
            index_knowledge(settings)
            self._dirs[mode] = index_dir
        return self._dirs[mode]


@pytest.fixture(scope="session")
def local_mode_indexes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> LocalModeIndexes:
    """Builder of the real knowledge index of each local model (read-only for tests)."""
    return LocalModeIndexes(request, tmp_path_factory.mktemp("mode-indexes"))
