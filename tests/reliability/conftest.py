"""Fixtures of the reliability suite: the figures recorder and a CLI process runner."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _load_figures() -> ModuleType:
    # Loaded by path so it works whatever pytest's import mode and rootdir layout.
    spec = importlib.util.spec_from_file_location(
        "advisor_reliability_figures", Path(__file__).with_name("figures.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures_module = _load_figures()


@pytest.fixture
def figures() -> ModuleType:
    """The recorder: ``figures.record(category, key, run=..., passed=..., unit=...)``."""
    return figures_module


@dataclass
class CliResult:
    """Outcome of one `advisor` process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_advisor(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 300
) -> CliResult:
    """Run ``python -m agent.cli ARGS`` in a fresh process from the repo root."""
    result = subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        cwd=REPO_ROOT,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(list(args), result.returncode, result.stdout, result.stderr)


@pytest.fixture
def advisor_cli() -> Callable[..., CliResult]:
    """Run the `advisor` CLI in a separate process."""
    return run_advisor


def assert_no_traceback(text: str) -> None:
    """A user-facing output never shows a Python traceback."""
    assert "Traceback (most recent call last)" not in text, text[-3000:]
