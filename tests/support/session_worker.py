"""Drive several advisor sessions in threads inside one process (a stand-in for one app instance).

Run as a script by the concurrency tests (``tests/reliability`` against one data
directory, ``tests/servers`` against Chroma + Postgres), usually through
:func:`run_workers`::

    python tests/support/session_worker.py SPEC.json RESULT.json

SPEC: ``{"sessions": ["id", ...], "turns": 3, "create": true, "advisor_per_session": false}``.
With ``advisor_per_session`` every thread opens its own store connection (the
hardest case for SQLite locking); otherwise threads share one service object,
as the app does. Each session
gets its own thread; every turn's message carries a marker unique to the
session and turn (``<session>-t<n>``), so the caller can check afterwards that
each session holds exactly its own turns. RESULT records, per session and turn,
whether the turn completed and the error text the user would have seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

#: What a product manager might type; the marker makes each turn traceable.
MESSAGES = (
    "We are building a support assistant for our insurance policies. Reference {marker}.",
    "Our policy documents change every month and answers must cite sources. Reference {marker}.",
    "We have about 200 labelled examples and a small team. Reference {marker}.",
    "Budget is medium and data can go to the cloud. Reference {marker}.",
    "Users wait for answers in real time. Reference {marker}.",
)


def marker(session_id: str, turn: int) -> str:
    """The unique token written into one turn's message."""
    return f"{session_id}-t{turn}"


def drive(advisor: Any, session_id: str, turns: int, out: dict[str, Any], start: threading.Barrier) -> None:
    """Run ``turns`` turns of one session, recording each outcome."""
    results: list[dict[str, Any]] = []
    out[session_id] = results
    start.wait()
    for turn in range(turns):
        text = MESSAGES[turn % len(MESSAGES)].format(marker=marker(session_id, turn))
        try:
            result = advisor.send(session_id, text)
            results.append({"turn": turn, "ok": True, "reply": str(getattr(result, "reply", ""))[:500]})
        except Exception as exc:  # recorded, the caller decides; a stack trace is evidence
            results.append(
                {
                    "turn": turn,
                    "ok": False,
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc()[-3000:],
                }
            )


def main(spec_path: str, result_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    from agent.service import Advisor

    shared = Advisor()
    sessions: list[str] = spec["sessions"]
    if spec.get("create", True):
        sessions = [_create(shared, session_id) for session_id in sessions]
    per_session = bool(spec.get("advisor_per_session"))
    out: dict[str, Any] = {}
    start = threading.Barrier(len(sessions))
    threads = [
        threading.Thread(
            target=drive,
            args=(Advisor() if per_session else shared, sid, int(spec["turns"]), out, start),
        )
        for sid in sessions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    Path(result_path).write_text(json.dumps({"sessions": sessions, "results": out}))
    return 0


def verify(results: dict[str, list[dict[str, Any]]], turns: int) -> int:
    """Check every session against the store; return how many sessions held.

    Held: every turn completed with no error shown (in particular no "database
    is locked"), each session's user messages are exactly its own markers in
    order, each has a reply per turn, and no other session's marker appears
    anywhere in its view. Raises AssertionError with the evidence otherwise.
    """
    from agent.service import Advisor

    errors = [(sid, r) for sid, rs in results.items() for r in rs if not r["ok"]]
    assert not errors, f"{len(errors)} turns failed, first: {errors[:2]}"
    assert all(len(rs) == turns for rs in results.values()), "a turn was never attempted"
    markers = {sid: [marker(sid, n) for n in range(turns)] for sid in results}
    held = 0
    with Advisor() as advisor:
        for sid, own in markers.items():
            view = advisor.view(sid)
            users = [m.content for m in view.messages if m.role == "user"]
            replies = [m for m in view.messages if m.role == "assistant"]
            found = [next((m for m in own if m in line), None) for line in users]
            assert found == own, f"{sid}: lost or foreign turns: {users}"
            assert len(replies) >= turns, f"{sid}: {len(replies)} replies for {turns} turns"
            text = json.dumps(view.model_dump(mode="json"))
            leaked = [m for other, ms in markers.items() if other != sid for m in ms if m in text]
            assert not leaked, f"{sid} shows another session's turns: {leaked[:3]}"
            held += 1
    return held


def load_results(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Merge the RESULT files of several workers."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        merged.update(json.loads(path.read_text())["results"])
    return merged


def run_workers(
    tmp_path: Path, specs: list[dict[str, Any]], envs: list[dict[str, str]], timeout: float
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Start one worker process per spec at once, wait for all; (merged results, outputs).

    Each worker runs from the repository root with its own environment. A worker that
    exits non-zero fails the caller with its output.
    """
    running = []
    for n, (spec, env) in enumerate(zip(specs, envs, strict=True)):
        spec_path = tmp_path / f"spec-{n}.json"
        result = tmp_path / f"result-{n}.json"
        spec_path.write_text(json.dumps(spec))
        process = subprocess.Popen(
            [sys.executable, __file__, str(spec_path), str(result)],
            cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        )
        running.append((process, result))
    outputs = []
    for process, _result in running:
        stdout, stderr = process.communicate(timeout=timeout)
        assert process.returncode == 0, stdout + stderr[-3000:]
        outputs.append(stdout + stderr)
    return load_results([result for _process, result in running]), outputs


def _create(advisor: Any, wanted_id: str) -> str:
    """Create the session with the id the caller chose."""
    return str(advisor.new_session(title=wanted_id, session_id=wanted_id))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
