"""Concurrency: 20 sessions driven at once against one data directory (SQLite + embedded Chroma).

Two shapes: 20 threads in one process (each with its own service object, so
20 SQLite connections contend for the same file), and 20 separate processes.
Every message carries a marker unique to its session and turn; afterwards each
session must hold exactly its own turns, in order, each answered, and no user
may have seen "database is locked" or any other error.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support import session_worker as worker

SESSIONS = 20


def test_twenty_sessions_in_parallel_threads(tmp_path: Path, figures: Any) -> None:
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
    specs = [
        {
            "sessions": [f"proc-{n:02d}-{k}" for k in range(per_process)],
            "turns": turns,
            "advisor_per_session": True,
        }
        for n in range(processes)
    ]
    outcomes, outputs = worker.run_workers(
        tmp_path, specs, [dict(os.environ)] * processes, timeout=900
    )
    assert not any("database is locked" in output for output in outputs)
    assert len(outcomes) == processes * per_process
    return outcomes


def test_twenty_sessions_in_parallel_processes(tmp_path: Path, figures: Any) -> None:
    """5 processes x 4 sessions: 20 SQLite connections from 5 processes at once."""
    turns = 3
    outcomes = _run_processes(tmp_path, processes=5, per_process=4, turns=turns)
    held = worker.verify(outcomes, turns)
    figures.record("concurrency", "one data dir: 5 processes x 4 sessions", run=len(outcomes),
                   passed=held, unit="sessions",
                   detail=f"{turns} turns each; no lost turn, no leak, no 'database is locked'")


@pytest.mark.slow
def test_twenty_separate_processes(tmp_path: Path, figures: Any) -> None:
    """The long variant: 20 processes, one session each."""
    turns = 2
    outcomes = _run_processes(tmp_path, processes=20, per_process=1, turns=turns)
    held = worker.verify(outcomes, turns)
    figures.record("concurrency", "one data dir: 20 processes (slow marker)", run=len(outcomes),
                   passed=held, unit="sessions",
                   detail=f"{turns} turns each; no lost turn, no leak, no 'database is locked'")
