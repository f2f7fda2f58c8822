"""Fixtures of the security suite: the reliability figures recorder, loaded by path."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture
def figures_recorder() -> ModuleType:
    """tests/reliability/figures.py (security checks are counted in the same table)."""
    spec = importlib.util.spec_from_file_location(
        "advisor_reliability_figures",
        Path(__file__).resolve().parents[1] / "reliability" / "figures.py",
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
