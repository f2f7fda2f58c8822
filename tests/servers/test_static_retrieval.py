"""Static retrieval mode (static vectors + BM25) against a real Chroma server.

The BM25 index is built in this process from the server's documents; another
process writing to the same server must be seen by the next search here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from agent.config import get_settings

pytestmark = pytest.mark.servers

DOCS = {
    "gateway.md": "# Gateway\n\n## Errors\n\nError QX7734 means the upstream index is warming up.\n\n"
    "## Retries\n\nClients retry with exponential backoff.\n",
    "billing.md": "# Billing\n\n## Invoices\n\nInvoices are generated monthly and archived.\n",
}


@pytest.fixture
def static_server_env(
    chroma_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """This process points at the Chroma server in static mode, with a tiny knowledge folder."""
    chroma_server.wipe()
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    for name, text in DOCS.items():
        (knowledge / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHROMA_HOST", chroma_server.host)
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server.port))
    monkeypatch.setenv("ADVISOR_EMBEDDINGS", "static")
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    get_settings.cache_clear()
    yield dict(os.environ)
    from agent import retrieval

    retrieval.drop_client(get_settings())
    get_settings.cache_clear()


def test_static_search_over_a_chroma_server_sees_other_processes_writes(
    static_server_env: dict[str, str], advisor_cli, tmp_path: Path
) -> None:
    from agent import lexical
    from agent.retrieval import search

    passages = search("what does QX7734 mean", k=3)  # builds the index on the server
    assert passages and passages[0].source == "gateway.md" and passages[0].heading == "Errors"
    assert passages[0].lexical_score is not None
    assert all(p.collection.endswith("wordllama-l2-256") for p in passages)

    # Another process uploads a document to the same server.
    note = tmp_path / "runbook.md"
    note.write_text("# Runbook\n\nThe snorkelwick job rotates the archive keys.\n", encoding="utf-8")
    env = dict(static_server_env, ADVISOR_DATA_DIR=str(tmp_path / "other-process"))
    added = advisor_cli(["docs", "add", str(note)], env=env)
    assert added.returncode == 0, added.stdout + added.stderr
    time.sleep(lexical.STAMP_TTL_S)  # another process's change is seen within the stamp TTL

    found = search("snorkelwick", k=3)
    assert found and found[0].source == "runbook.md"
    assert found[0].lexical_score is not None

    removed = advisor_cli(["docs", "remove", "runbook.md"], env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    time.sleep(lexical.STAMP_TTL_S)
    assert all(p.source != "runbook.md" for p in search("snorkelwick", k=5))


def test_advisor_ask_in_static_mode_over_the_server(
    static_server_env: dict[str, str], advisor_cli, tmp_path: Path
) -> None:
    env = dict(static_server_env, ADVISOR_DATA_DIR=str(tmp_path / "cli"))
    indexed = advisor_cli(["index"], env=env)
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    asked = advisor_cli(["ask", "How often are invoices generated?", "--json"], env=env)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    import json

    results = json.loads(asked.stdout)["results"]
    assert results and results[0]["source"] == "billing.md"
    assert 0 < results[0]["score"] <= 1  # normalised fusion score
