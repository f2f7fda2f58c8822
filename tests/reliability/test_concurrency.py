"""Concurrency: 20 sessions driven at once against one data directory (SQLite + embedded Chroma).

Two shapes: 20 threads in one process (each with its own service object, so
20 SQLite connections contend for the same file), and 20 separate processes.
Every message carries a marker unique to its session and turn; afterwards each
session must hold exactly its own turns, in order, each answered, and no user
may have seen "database is locked" or any other error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SESSIONS = 20


def _worker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("advisor_session_worker",
                                                  HERE / "session_worker.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twenty_sessions_in_parallel_threads(tmp_path: Path, figures: Any) -> None:
    worker = _worker()
    turns = 3
    spec = tmp_path / "spec.json"
    result = tmp_path / "result.json"
    spec.write_text(json.dumps({
        "sessions": [f"thr-{n:02d}" for n in range(SESSIONS)],
        "turns": turns,
        "advisor_per_session": True,
    }))
    before = threading.active_count()
    assert worker.main(str(spec), str(result)) == 0
    assert threading.active_count() <= before + 1  # the worker joined its threads
    outcomes = worker.load_results([result])
    assert len(outcomes) == SESSIONS
    held = worker.verify(outcomes, turns)
    figures.record("concurrency", "one data dir: 20 threads, own connection each",
                   run=SESSIONS, passed=held, unit="sessions",
                   detail=f"{turns} turns each; no lost turn, no leak, no 'database is locked'")


def _run_processes(tmp_path: Path, processes: int, per_process: int, turns: int) -> dict:
    """Start ``processes`` workers at once, each driving ``per_process`` sessions in threads."""
    worker = _worker()
    running = []
    for n in range(processes):
        spec = tmp_path / f"spec-{n}.json"
        result = tmp_path / f"result-{n}.json"
        spec.write_text(json.dumps({
            "sessions": [f"proc-{n:02d}-{k}" for k in range(per_process)],
            "turns": turns,
            "advisor_per_session": True,
        }))
        running.append((
            subprocess.Popen(
                [sys.executable, str(HERE / "session_worker.py"), str(spec), str(result)],
                cwd=REPO_ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
            ),
            result,
        ))
    for process, _result in running:
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stdout + stderr[-3000:]
        assert "database is locked" not in stdout + stderr
    outcomes = worker.load_results([result for _process, result in running])
    assert len(outcomes) == processes * per_process
    return outcomes


def test_twenty_sessions_in_parallel_processes(tmp_path: Path, figures: Any) -> None:
    """5 processes x 4 sessions: 20 SQLite connections from 5 processes at once."""
    turns = 3
    outcomes = _run_processes(tmp_path, processes=5, per_process=4, turns=turns)
    held = _worker().verify(outcomes, turns)
    figures.record("concurrency", "one data dir: 5 processes x 4 sessions", run=len(outcomes),
                   passed=held, unit="sessions",
                   detail=f"{turns} turns each; no lost turn, no leak, no 'database is locked'")


@pytest.mark.slow
def test_twenty_separate_processes(tmp_path: Path, figures: Any) -> None:
    """The long variant: 20 processes, one session each."""
    turns = 2
    outcomes = _run_processes(tmp_path, processes=20, per_process=1, turns=turns)
    held = _worker().verify(outcomes, turns)
    figures.record("concurrency", "one data dir: 20 processes (slow marker)", run=len(outcomes),
                   passed=held, unit="sessions",
                   detail=f"{turns} turns each; no lost turn, no leak, no 'database is locked'")
