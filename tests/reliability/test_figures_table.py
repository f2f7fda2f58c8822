"""The figures file and the README table script agree: totals are sums of what was recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_table_sums_recorded_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     figures: Any) -> None:
    target = tmp_path / "reliability.json"
    monkeypatch.setenv("ADVISOR_RELIABILITY_JSON", str(target))
    figures.record("fuzz", "a", run=500, passed=500, unit="examples")
    figures.record("fuzz", "b", run=600, passed=599, unit="examples", detail="one | failed")
    figures.record("crash_resume", "kill", run=20, passed=20, unit="trials")
    figures.record("fuzz", "a", run=510, passed=510, unit="examples")  # newest wins
    result = subprocess.run([sys.executable, "scripts/reliability_table.py", str(target)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "**1109 / 1110** examples" in result.stdout
    assert "**20 / 20** trials" in result.stdout
    assert "one \\| failed" in result.stdout  # a pipe cannot break the table


def test_table_refuses_without_figures(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "scripts/reliability_table.py",
                             str(tmp_path / "missing.json")],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "run `make test`" in result.stderr
