"""`advisor index`, `advisor ask` and `advisor docs add` through the real typer app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.ingest import chunk_markdown


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_index_prints_a_summary_then_reports_unchanged(runner: CliRunner, kb_dir: Path) -> None:
    first = runner.invoke(app, ["index"])
    assert first.exit_code == 0, first.output
    for column in ("files", "chunks", "added", "updated", "removed", "seconds"):
        assert column in first.stdout
    assert "knowledge__minilm-l6-int8" in first.stdout
    second = runner.invoke(app, ["index"])
    assert second.exit_code == 0
    row = [line for line in second.stdout.splitlines() if line.count("│") >= 7][-1]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    chunks = str(sum(len(chunk_markdown(p.read_text(), p.name)) for p in kb_dir.glob("*.md")))
    # files, chunks, added, updated, removed, unchanged
    assert cells[:6] == ["3", chunks, "0", "0", "0", chunks]


def test_index_rebuild(runner: CliRunner, kb_dir: Path) -> None:
    runner.invoke(app, ["index"])
    result = runner.invoke(app, ["index", "--rebuild"])
    assert result.exit_code == 0
    row = [line for line in result.stdout.splitlines() if line.count("│") >= 7][-1]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[2] == cells[1] != "0"  # everything added again


def test_ask_json_shape(runner: CliRunner, kb_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "Where are vectors stored?", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # notices go to stderr, stdout is pure JSON
    assert set(payload) == {"query", "results"}
    assert payload["query"] == "Where are vectors stored?"
    assert len(payload["results"]) == 2
    for item in payload["results"]:
        assert set(item) == {"text", "source", "heading", "score", "approaches"}
        assert isinstance(item["score"], float) and isinstance(item["approaches"], list)
    assert payload["results"][0]["heading"] == "Vector stores"
    assert payload["results"][0]["approaches"] == ["rag", "hybrid"]
    assert "Built the knowledge index" in result.stderr


def test_ask_text_output(runner: CliRunner, kb_dir: Path) -> None:
    result = runner.invoke(app, ["ask", "few-shot worked examples in the prompt", "--k", "1"])
    assert result.exit_code == 0
    assert "Few-shot examples" in result.stdout
    assert "prompts.md" in result.stdout
    assert "score" in result.stdout


@pytest.mark.parametrize("args", [["ask", "   "], ["ask", "q", "--k", "0"], ["ask", "q", "--k", "x"]])
def test_ask_bad_input_fails_cleanly(runner: CliRunner, kb_dir: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_docs_add_reports_each_file(
    runner: CliRunner, kb_dir: Path, tmp_path: Path, pdf_bytes: Callable[[list[str]], bytes]
) -> None:
    good = tmp_path / "faq.md"
    good.write_text("# FAQ\n\n## Shipping\n\nParcels to Norway take nine days.\n")
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(pdf_bytes(["Budget memo: 300 dollars a month."]))
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\x00\x01\x02\x03" * 50)
    result = runner.invoke(app, ["docs", "add", str(good), str(pdf), str(binary), str(tmp_path / "missing.txt")])
    assert result.exit_code == 1  # not every file was added
    assert "Traceback" not in result.output
    lines = result.stdout
    assert "faq.md" in lines and "memo.pdf" in lines and "photo.md" in lines and "missing.txt" in lines
    assert lines.count("added") >= 2 and "skipped" in lines and "error" in lines
    listed = runner.invoke(app, ["docs", "list"])
    assert "faq.md\t1 passages" in listed.stdout and "memo.pdf" in listed.stdout
    asked = runner.invoke(app, ["ask", "How long does shipping to Norway take?", "--json"])
    assert json.loads(asked.stdout)["results"][0]["source"] == "faq.md"
