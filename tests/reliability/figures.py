"""Reliability figures counted by the suite, written to ``tests/artifacts/reliability.json``.

Tests call :func:`record` with what they actually ran and observed (examples
executed by Hypothesis, kill trials whose session survived, sessions held in
parallel, faults recovered). Nothing is written by hand: a figure exists only
because a test counted it. ``scripts/reliability_table.py`` turns the file into
the Markdown table in the README.

The file is merged across pytest sessions (one entry per metric key, newest
wins), so running one test file refreshes only its own rows; each row carries
the time it was measured.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import os
import platform
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = REPO_ROOT / "tests" / "artifacts" / "reliability.json"


def artifact_path() -> Path:
    """Where figures go (``ADVISOR_RELIABILITY_JSON`` overrides, for tests of this module)."""
    override = os.environ.get("ADVISOR_RELIABILITY_JSON")
    return Path(override) if override else ARTIFACT


def record(
    category: str,
    key: str,
    *,
    run: int,
    passed: int,
    unit: str,
    detail: str = "",
    **extra: Any,
) -> None:
    """Store one measured figure: ``passed`` of ``run`` (e.g. 20 of 20 kill trials survived).

    ``category`` is one of ``fuzz``, ``crash_resume``, ``concurrency``, ``storage_faults``,
    ``security``; ``key`` names the target within it.
    """
    path = artifact_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data: dict[str, Any] = {}
        if path.exists():
            with contextlib.suppress(ValueError, OSError):
                data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
        figures = data.setdefault("figures", {})
        figures.setdefault(category, {})[key] = {
            "run": int(run),
            "passed": int(passed),
            "unit": unit,
            "detail": detail,
            "measured_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            **extra,
        }
        data["machine"] = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def load(path: Path | None = None) -> dict[str, Any]:
    """Read the figures file (empty structure when missing)."""
    target = path or artifact_path()
    if not target.exists():
        return {"figures": {}}
    return json.loads(target.read_text(encoding="utf-8"))
