"""Fixtures of the security suite: the reliability figures recorder, loaded by path."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.figures import load_figures


@pytest.fixture
def figures_recorder() -> ModuleType:
    """tests/reliability/figures.py (security checks are counted in the same table)."""
    return load_figures()
