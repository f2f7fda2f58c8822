"""Fixtures of the reliability suite: the figures recorder and a CLI process runner."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from tests.support.cli import CliResult, run_advisor
from tests.support.figures import load_figures

figures_module = load_figures()


@pytest.fixture
def figures() -> ModuleType:
    """The recorder: ``figures.record(category, key, run=..., passed=..., unit=...)``."""
    return figures_module


@pytest.fixture
def advisor_cli() -> Callable[..., CliResult]:
    """Run the `advisor` CLI in a separate process."""
    return run_advisor
