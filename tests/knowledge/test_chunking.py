"""Heading-aware chunking, front matter, long sections and awkward bytes."""

from __future__ import annotations

import pytest

from agent.ingest import (
    MAX_CHUNK_CHARS,
    chunk_markdown,
    decode_text,
    looks_binary,
    parse_front_matter,
    split_text,
)


def test_heading_paths_and_front_matter_metadata(guide_md: str) -> None:
    chunks = chunk_markdown(guide_md, "retrieval.md")
    paths = [c.heading_path for c in chunks]
    assert paths == [
        "Retrieval guide",
        "Retrieval guide > Chunking",
        "Retrieval guide > Chunking > Overlap",
        "Retrieval guide > Vector stores",
    ]
    assert [c.heading for c in chunks] == ["Retrieval guide", "Chunking", "Overlap", "Vector stores"]
    overlap = chunks[2]
    assert overlap.text.startswith("A little overlap")
    assert overlap.source == "retrieval.md"
    assert overlap.approaches == ("rag", "hybrid")
    assert overlap.topics == ("retrieval", "chunking")
    assert overlap.sources == ("Example source, 2024",)
    # Front matter never leaks into the text.
    assert not any("last_reviewed" in c.text or c.text.startswith("---") for c in chunks)
    meta = overlap.metadata()
    assert meta["approaches"] == "rag,hybrid"
    assert all(isinstance(v, (str, int)) for v in meta.values())
    assert meta["heading_path"] == "Retrieval guide > Chunking > Overlap"
    assert overlap.embed_text.startswith("Retrieval guide > Chunking > Overlap\n\n")


def test_ids_are_stable_and_unique() -> None:
    text = "# Doc\n\n## Same\n\none\n\n## Same\n\ntwo\n"
    first = chunk_markdown(text, "a.md")
    again = chunk_markdown(text, "a.md")
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first) == 2
    # Editing one section leaves the other ids and hashes alone.
    edited = chunk_markdown(text.replace("two", "three"), "a.md")
    assert [c.id for c in edited] == [c.id for c in first]
    assert edited[0].content_hash == first[0].content_hash
    assert edited[1].content_hash != first[1].content_hash


def test_hashes_in_code_fences_are_not_headings() -> None:
    text = "# Doc\n\n## Setup\n\n```bash\n# install it\npip install x\n```\n\nDone.\n"
    chunks = chunk_markdown(text, "a.md")
    assert [c.heading for c in chunks] == ["Setup"]
    assert "# install it" in chunks[0].text


def test_title_falls_back_to_h1_then_file_name() -> None:
    assert chunk_markdown("# Real title\n\nbody", "x.md")[0].title == "Real title"
    only_text = chunk_markdown("plain body text", "cost_model.md")
    assert only_text[0].title == "cost model"
    assert only_text[0].heading_path == "cost model"


def test_very_long_section_is_split_on_paragraphs_under_the_cap() -> None:
    paragraphs = [f"Paragraph {i} " + ("word " * 60).strip() + "." for i in range(20)]
    text = "# Doc\n\n## Long\n\n" + "\n\n".join(paragraphs) + "\n"
    chunks = chunk_markdown(text, "long.md")
    assert len(chunks) > 3
    assert all(c.heading == "Long" for c in chunks)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    # Splits fall between paragraphs: every paragraph survives whole in one chunk.
    for paragraph in paragraphs:
        assert sum(paragraph in c.text for c in chunks) == 1
    # Nothing is lost and no tiny tail is left over.
    assert sum(len(c.text) for c in chunks) >= sum(len(p) for p in paragraphs)
    assert min(len(c.text) for c in chunks) > MAX_CHUNK_CHARS // 4
    assert len({c.id for c in chunks}) == len(chunks)


def test_one_huge_paragraph_is_split_between_sentences() -> None:
    sentences = [f"Sentence number {i} talks about retrieval quality." for i in range(80)]
    pieces = split_text(" ".join(sentences), cap=300)
    assert all(len(p) <= 300 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces).split() == " ".join(sentences).split()


def test_a_word_longer_than_the_cap_is_cut() -> None:
    pieces = split_text("x" * 1000, cap=300)
    assert all(len(p) <= 300 for p in pieces)
    assert "".join(pieces) == "x" * 1000


@pytest.mark.parametrize("text", ["", "   \n\n  ", "---\ntitle: Only front matter\n---\n"])
def test_empty_documents_give_no_chunks(text: str) -> None:
    assert chunk_markdown(text, "empty.md") == []


def test_headings_without_body_still_index_their_text() -> None:
    chunks = chunk_markdown("# Notes\n## Support tickets 5000 a month\n", "n.md")
    assert len(chunks) == 1
    assert "Support tickets 5000 a month" in chunks[0].text


def test_plain_text_mode_has_no_headings() -> None:
    chunks = chunk_markdown("# not a heading in a .txt\nreal text", "notes.txt", markdown=False)
    assert len(chunks) == 1
    assert chunks[0].text.startswith("# not a heading")


def test_invalid_front_matter_is_reported_and_stripped() -> None:
    meta, body, problem = parse_front_matter("---\ntitle: [unclosed\n---\n# Doc\n\nbody\n")
    assert meta == {}
    assert body.startswith("# Doc")
    assert problem is not None and "YAML" in problem
    assert chunk_markdown("---\ntitle: [unclosed\n---\n# Doc\n\nbody\n", "a.md")[0].text == "body"


def test_utf8_decodes_cleanly_and_bom_is_dropped() -> None:
    text, problem = decode_text("\ufeff# Café\n".encode())
    assert text == "# Café\n"
    assert problem is None


def test_non_utf8_bytes_are_decoded_with_a_message() -> None:
    text, problem = decode_text("# Café costs 5 €\n".encode("cp1252"))
    assert text == "# Café costs 5 €\n"
    assert problem is not None and "UTF-8" in problem
    # Bytes that no single-byte table knows are replaced, not fatal.
    text, problem = decode_text(b"ok \x81\x8d\x8f\x90\x9d end")
    assert text.startswith("ok ") and text.endswith(" end")
    assert problem is not None


def test_utf16_with_bom_is_text_not_binary() -> None:
    data = "# Notes\n\nhello".encode("utf-16")
    assert not looks_binary(data)
    assert decode_text(data)[0] == "# Notes\n\nhello"


def test_binary_detection() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(32)) * 10)
    assert not looks_binary(b"Ordinary text\twith tabs\nand lines.")


def test_long_tables_split_between_rows() -> None:
    rows = [f"| option {i} with a longer description | {i * 10} dollars |" for i in range(60)]
    table = "| option | price |\n|---|---|\n" + "\n".join(rows)
    pieces = split_text(table, cap=300)
    assert len(pieces) > 1
    assert all(len(p) <= 300 for p in pieces)
    for row in rows:  # every row survives whole, on its own line
        assert sum(row in p.splitlines() for p in pieces) == 1
