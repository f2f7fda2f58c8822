"""Crash-resume: SIGKILL an `advisor chat` process at random moments; nothing completed is lost.

20 trials with a seeded RNG. Each trial starts one `advisor chat --session S
--message M --json` process and kills it with SIGKILL after a random delay drawn
from the whole life of a turn (start-up, graph run, checkpoint write), or lets
it finish when the delay is longer than the turn. After every trial a fresh
reader checks that every turn that completed before is still there, in order,
each user message followed by its reply, and the next trial continues the same
session. A final turn must complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TRIALS = 20
SEED = 20240607
SESSION = "crash-resume"

MESSAGES = (
    "We are building an assistant for {marker}; the product manuals change every quarter.",
    "skip",
    "Answers must cite the manual page. Reference {marker}.",
    "We have a few hundred labelled examples. Reference {marker}.",
    "What does retrieval cost to run? Reference {marker}.",
)


def _start_turn(message: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "chat", "--session", SESSION, "--message", message,
         "--json"],
        cwd=REPO_ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, stdin=subprocess.DEVNULL,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def _read_messages() -> list[tuple[str, str]]:
    """The session's messages, read by a fresh service object (as a restarted app would)."""
    from agent.config import get_settings
    from agent.service import Advisor

    get_settings.cache_clear()
    with Advisor() as advisor:
        return [(m.role, m.content) for m in advisor.view(SESSION).messages]


def _check_session(completed: list[str], killed: list[str]) -> None:
    """Every completed turn is there, in order, with its reply; a killed turn is all or nothing."""
    messages = _read_messages()
    users = [i for i, (role, _) in enumerate(messages) if role == "user"]
    for index in users:
        following = messages[index + 1] if index + 1 < len(messages) else None
        assert following is not None and following[0] == "assistant", (
            f"user message without a reply: {messages[index][1][:80]!r}"
        )
    user_texts = [messages[i][1] for i in users]
    seen = [m for text in user_texts for m in (*completed, *killed) if m in text]
    completed_seen = [m for m in seen if m in completed]
    assert completed_seen == completed, f"completed turns missing or out of order: {completed_seen}"


@pytest.fixture
def prebuilt_index(request: pytest.FixtureRequest) -> None:
    """Use the shared session index when the suite provides one (keeps turns short)."""
    with contextlib.suppress(pytest.FixtureLookupError):
        request.getfixturevalue("knowledge_index")


def test_sigkill_at_random_points_loses_no_completed_turn(prebuilt_index: None, figures: Any) -> None:
    from agent.service import Advisor

    with Advisor() as advisor:
        advisor.new_session(title="crash test", session_id=SESSION)

    rng = random.Random(SEED)
    completed: list[str] = []
    killed: list[str] = []
    survived = 0
    kill_delays: list[float] = []

    # A first turn measures how long a whole turn (process start to exit) takes here.
    start = time.monotonic()
    code, stdout, stderr = _finish(_start_turn(MESSAGES[0].format(marker="warmup-0")))
    assert code == 0, stdout + stderr
    turn_seconds = time.monotonic() - start
    completed.append("warmup-0")

    for trial in range(TRIALS):
        marker = f"trial-{trial:02d}"
        template = MESSAGES[trial % len(MESSAGES)]
        message = template.format(marker=marker) if "{marker}" in template else f"skip {marker}"
        delay = rng.uniform(0.0, turn_seconds * 1.15)
        process = _start_turn(message)
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < delay:
            time.sleep(0.01)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
            killed.append(marker)
            kill_delays.append(round(delay, 2))
        else:
            code, stdout, stderr = _finish(process)
            assert code == 0, stdout + stderr
            assert json.loads(stdout)["session"] == SESSION
            completed.append(marker)
            turn_seconds = max(turn_seconds, time.monotonic() - started)
        _check_session(completed, killed)
        survived += 1

    # The session goes on after all of that.
    code, stdout, stderr = _finish(_start_turn("Final answer: the budget is medium. final-turn"))
    assert code == 0, stdout + stderr
    assert "Traceback" not in stderr
    completed.append("final-turn")
    _check_session(completed, killed)

    assert killed, "no trial actually killed a process: the delays never hit a running turn"
    figures.record(
        "crash_resume", "advisor chat SIGKILL", run=TRIALS, passed=survived, unit="trials",
        detail=f"{len(killed)} killed mid-turn, {TRIALS - len(killed)} finished first; "
        f"seed {SEED}; every completed turn kept, session continued",
        killed=len(killed), kill_delays_s=kill_delays,
    )
