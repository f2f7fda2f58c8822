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
