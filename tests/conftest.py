"""Shared test fixtures.

Every test gets its own data directory and a clean, offline configuration, so a
developer's `.env` (or real API key) never leaks into a test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import get_settings

#: Variables the product reads; blanked for every test (env beats `.env`).
_ISOLATED_ENV = {
    "OPENAI_API_KEY": "",
    "OPENAI_BASE_URL": "",
    "CHROMA_HOST": "",
    "ADVISOR_DATABASE_URL": "",
    "ADVISOR_EMBEDDINGS": "local",
    "ADVISOR_INDEX_DIR": "",
}


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ADVISOR_DATA_DIR at a temp dir and blank every external setting."""
    data_dir = tmp_path / "advisor-data"
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(data_dir))
    for name, value in _ISOLATED_ENV.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


# --------------------------------------------------------------------------- knowledge index
# Owner: RET. Building the real index embeds every chunk of knowledge/, so it is
# done once per test session; tests that search request `knowledge_index`.


@pytest.fixture(scope="session")
def knowledge_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the real Chroma index of `knowledge/` once per session; its directory."""
    from agent.config import Settings
    from agent.ingest import index_knowledge

    root = tmp_path_factory.mktemp("knowledge-index")
    index_dir = root / "chroma"
    # Explicit values beat the environment and `.env`: always local and offline.
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ADVISOR_DATA_DIR=str(root / "data"),
        ADVISOR_INDEX_DIR=str(index_dir),
        ADVISOR_EMBEDDINGS="local",
        CHROMA_HOST=None,
        OPENAI_API_KEY=None,
    )
    index_knowledge(settings)
    return index_dir


@pytest.fixture
def knowledge_index(
    isolated_settings: Path, knowledge_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point ADVISOR_INDEX_DIR at the session's real knowledge index (treat it as read-only).

    Requests `isolated_settings` so it runs after the autouse fixture that
    blanks ADVISOR_INDEX_DIR. Add user documents only in tests that build their
    own index (they would leak into every later test otherwise).
    """
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(knowledge_index_dir))
    get_settings.cache_clear()
    return knowledge_index_dir
