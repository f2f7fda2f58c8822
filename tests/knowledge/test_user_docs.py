"""User documents: good files are searchable alongside the knowledge base, bad ones skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import get_settings
from agent.ingest import add_user_document, list_user_documents, remove_user_document
from agent.retrieval import search, user_collection_name

POLICY_MD = b"# Refund policy\n\n## Refund window\n\nCustomers of Zorblax may return gadgets within 45 days.\n"
NOTES_TXT = b"# not a heading\nOur support desk answers about 5000 tickets a month in Portuguese.\n"


def test_markdown_document_is_added_and_searched_with_the_knowledge(kb_dir: Path) -> None:
    result = add_user_document("policy.md", POLICY_MD)
    assert result.status == "added", result.message
    assert result.chunks == 1
    top = search("How long do Zorblax customers have to return a gadget?", k=3)
    assert top[0].source == "policy.md"
    assert top[0].heading == "Refund window"
    assert top[0].collection == user_collection_name(get_settings())
    # Knowledge passages are still in the merged list.
    assert any(p.collection.startswith("knowledge__") for p in search("chunking by headings", k=5))


def test_text_and_pdf_documents(kb_dir: Path, pdf_bytes: Callable[[list[str]], bytes]) -> None:
    assert add_user_document("notes.txt", NOTES_TXT).status == "added"
    pdf = pdf_bytes(["Quarterly budget memo.", "The team may spend 1200 dollars per month on APIs."])
    result = add_user_document("memo.pdf", pdf)
    assert result.status == "added", result.message
    assert list_user_documents() == {"memo.pdf": 1, "notes.txt": 1}
    top = search("monthly API spending limit", k=1)[0]
    assert top.source == "memo.pdf"
    assert "1200 dollars" in top.text


def test_adding_the_same_name_replaces_it(kb_dir: Path) -> None:
    add_user_document("policy.md", POLICY_MD)
    again = add_user_document("policy.md", POLICY_MD.replace(b"45 days", b"60 days"))
    assert again.status == "added" and again.message.startswith("Replaced")
    assert list_user_documents() == {"policy.md": 1}
    assert "60 days" in search("Zorblax return window", k=1)[0].text
    assert remove_user_document("policy.md") == 1
    assert list_user_documents() == {}


def test_path_parts_of_the_name_are_dropped(kb_dir: Path) -> None:
    result = add_user_document("../../etc/evil.md", POLICY_MD)
    assert result.name == "evil.md"
    assert list_user_documents() == {"evil.md": 1}


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        pytest.param("empty.md", b"", "empty", id="empty"),
        pytest.param("blank.txt", b"  \n\t\n", "empty", id="whitespace-only"),
        pytest.param("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary", id="binary-nul"),
        pytest.param("sheet.xlsx", b"PK\x03\x04 spreadsheet", "Unsupported", id="unsupported-ext"),
        pytest.param("noext", b"hello", "Unsupported", id="no-extension"),
        pytest.param("fake.pdf", b"just text pretending", "not a PDF", id="pdf-without-header"),
        pytest.param("broken.pdf", b"%PDF-1.4\n garbage \x00\x01", "PDF", id="damaged-pdf"),
    ],
)
def test_bad_files_are_skipped_with_a_clear_message(
    kb_dir: Path, name: str, data: bytes, expected: str
) -> None:
    result = add_user_document(name, data)
    assert result.status == "skipped"
    assert expected.lower() in result.message.lower()
    assert result.chunks == 0
    assert list_user_documents() == {}


def test_too_large_file_is_skipped(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_MAX_UPLOAD_BYTES", "1000")
    get_settings.cache_clear()
    result = add_user_document("big.md", b"# Big\n\n" + b"word " * 400)
    assert result.status == "skipped"
    assert "too large" in result.message and "1,000" in result.message
    assert add_user_document("small.md", POLICY_MD).status == "added"


def test_pdf_without_text_is_skipped(kb_dir: Path, pdf_bytes: Callable[[list[str]], bytes]) -> None:
    result = add_user_document("scan.pdf", pdf_bytes([]))
    assert result.status == "skipped"
    assert "no extractable text" in result.message


def test_non_utf8_text_is_added_with_a_note(kb_dir: Path) -> None:
    result = add_user_document("old.txt", "Prix: 5 € par mois, café compris.".encode("cp1252"))
    assert result.status == "added"
    assert "UTF-8" in result.message
    assert "5 €" in search("prix par mois", k=1)[0].text
