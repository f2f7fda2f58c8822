"""A small copy of the knowledge base for tests whose subject is not the corpus.

Indexing two or three documents keeps a build (and a rebuild) quick; fault
handling, scale-out and secret hygiene do not depend on the corpus size.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from agent.config import get_settings

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
SMALL_SET = ("overview.md", "glossary.md")


def use_small_knowledge(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    names: Iterable[str] = SMALL_SET,
) -> Path:
    """Copy ``names`` from knowledge/ into ``tmp_path/knowledge`` and point the settings at it.

    Sets ``ADVISOR_KNOWLEDGE_DIR`` (so child processes started with this process's
    environment see it too) and clears the cached settings. Returns the folder.
    """
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in names:
        shutil.copy(KNOWLEDGE_DIR / name, knowledge / name)
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(knowledge))
    get_settings.cache_clear()
    return knowledge
