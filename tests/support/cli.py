"""Run the `advisor` CLI in a separate process, the way a user (or a second instance) would.

Shared by the reliability and servers suites (their conftests expose ``run_advisor``
as the ``advisor_cli`` fixture), so both check the same thing the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    """Outcome of one `advisor` process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together (for messages and failure output)."""
        return self.stdout + self.stderr

    def json(self) -> Any:
        """stdout parsed as JSON (for the `--json` commands)."""
        return json.loads(self.stdout)


def run_advisor(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 300
) -> CliResult:
    """Run ``python -m agent.cli ARGS`` in a fresh process from the repo root.

    ``env`` defaults to this process's environment (which the root conftest has
    already pointed at a temp data directory).
    """
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


def assert_no_traceback(*texts: str) -> None:
    """A user-facing output never shows a Python traceback."""
    for text in texts:
        assert "Traceback (most recent call last)" not in text, text[-3000:]
