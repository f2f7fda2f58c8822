"""Sessions: change-and-diff, list/rename/delete/export, resume in a new process, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.service import Advisor, SessionNotFound
from tests.agent.conftest import drive
from tests.agent.personas import PERSONAS

ROOT = Path(__file__).resolve().parents[2]


def _chat(session: str, message: str) -> dict:
    """One `advisor chat --json` turn in its own process."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "chat",
            "--session",
            session,
            "--message",
            message,
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_changing_an_answer_produces_a_diff(advisor: Advisor) -> None:
    session, turns = drive(advisor, PERSONAS[0])
    old = turns[-1].recommendation
    assert old is not None
    changed = advisor.set_field(
        session,
        "data_dynamics",
        "dynamic" if turns[-1].profile.data_dynamics != "dynamic" else "static",
    )
    assert changed.diff is not None
    assert "data_dynamics" in changed.diff.changed_fields
    assert changed.diff.old_approach == old.approach
    assert changed.diff.score_changes, "the diff shows the scores"
    assert "data dynamics" in changed.reply and "→" in changed.reply
    view = advisor.view(session)
    assert view.previous_recommendation is not None and view.diff is not None
    assert len(advisor.export(session)["diff_history"]) == 1


def test_changing_an_answer_in_free_text_after_the_recommendation(advisor: Advisor) -> None:
    session = advisor.new_session()
    advisor.send(session, "An assistant answering questions about our product catalogue.")
    first = advisor.recommend_now(session)
    assert first.done
    before = first.profile.data_dynamics
    result = advisor.send(session, "Actually our catalogue changes daily.")
    assert result.profile.data_dynamics == "dynamic" != before
    assert result.diff is not None and result.diff.changed_fields["data_dynamics"][1] == "dynamic"


def test_choose_any_path_after_the_recommendation(advisor: Advisor) -> None:
    session = advisor.new_session()
    advisor.send(session, "Summaries of support tickets.")
    advisor.recommend_now(session)
    picked = advisor.choose_path(session, "fine_tuning")
    assert advisor.view(session).chosen_approach == "fine_tuning"
    assert "Fine-tuning" in picked.reply
    bad = advisor.choose_path(session, "magic")
    assert "not an approach" in bad.reply
    assert advisor.view(session).chosen_approach == "fine_tuning"


def test_list_rename_delete_export(advisor: Advisor) -> None:
    a = advisor.new_session("first")
    b = advisor.new_session()
    advisor.send(b, "A translation helper for legal contracts.")
    listed = {s.id: s for s in advisor.list_sessions()}
    assert set(listed) == {a, b}
    assert listed[b].title.startswith("A translation helper"), (
        "untitled sessions take the first message"
    )
    advisor.rename(a, "Renamed")
    assert {s.id: s.title for s in advisor.list_sessions()}[a] == "Renamed"
    data = advisor.export(b)
    json.dumps(data)  # JSON-safe
    assert data["messages"][0]["content"].startswith("A translation helper")
    assert data["profile"] and "questions_asked" in data
    advisor.delete(a)
    assert not advisor.has_session(a)
    with pytest.raises(SessionNotFound):
        advisor.view(a)
    with pytest.raises(SessionNotFound):
        advisor.send("no-such-session", "hello")


def test_resume_from_a_new_process() -> None:
    first = _chat("resume-1", "A chatbot that answers questions about our insurance policies.")
    assert first["question"] is not None and first["session"] == "resume-1"
    second = _chat("resume-1", "1")
    assert second["question"]["field"] != first["question"]["field"]
    # and an in-process advisor sees the same history
    view = Advisor(with_citations=False).view("resume-1")
    assert [m.role for m in view.messages] == ["user", "assistant", "user", "assistant"]
    assert set(first) >= {
        "session",
        "reply",
        "question",
        "options",
        "profile",
        "recommendation",
        "done",
        "mode",
        "notices",
    }


def test_sigkill_between_turns_loses_nothing(tmp_path: Path) -> None:
    _chat("killed", "An internal search assistant over our engineering wiki.")
    _chat("killed", "1")
    # start a turn and kill the process hard partway
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agent.cli",
            "chat",
            "--session",
            "killed",
            "--message",
            "2",
            "--json",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)  # mid-start-up or mid-turn, depending on the machine
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    view = Advisor(with_citations=False).view("killed")
    users = [m.content for m in view.messages if m.role == "user"]
    assert users[:2] == ["An internal search assistant over our engineering wiki.", "1"]
    assert len(view.messages) in (4, 6), "a turn is either fully there or not at all"
    after = _chat("killed", "2")
    assert after["question"] is not None, "the session continues after the kill"
    final = Advisor(with_citations=False).view("killed")
    assert len([m for m in final.messages if m.role == "user"]) == len(users) + 1


def test_corrupt_session_database_is_moved_aside_with_a_notice(isolated_settings: Path) -> None:
    isolated_settings.mkdir(parents=True, exist_ok=True)
    (isolated_settings / "sessions.sqlite").write_bytes(b"this is not a database" * 100)
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    result = advisor.send(session, "A bot for our FAQ.")
    assert any("unreadable" in n for n in result.notices)
    assert list(isolated_settings.glob("sessions.sqlite.corrupt-*"))


def test_new_session_ids_are_full_128_bit_random_hex(advisor: Advisor) -> None:
    ids = {advisor.new_session() for _ in range(20)}
    assert len(ids) == 20
    for sid in ids:
        assert len(sid) == 32 and int(sid, 16) >= 0, sid
        assert advisor.has_session(sid)


def test_warm_up_opens_the_store_in_another_thread_and_sessions_then_work(
    advisor: Advisor,
) -> None:
    """The page warms the Advisor in a background thread; the store it opens there must
    serve turns on the page's own thread."""
    import threading

    worker = threading.Thread(target=advisor.warm_up)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert advisor._store is not None  # opened by the warm-up, not by the first message
    session = advisor.new_session()
    result = advisor.send(session, "A chatbot that answers questions about our 40-page staff handbook.")
    assert result.question is not None or result.recommendation is not None


def test_warm_up_leaves_a_broken_store_to_the_first_real_call(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agent.persistence

    def broken(settings: object) -> None:
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(agent.persistence, "open_store", broken)
    advisor.warm_up()  # no exception here
    assert advisor._store is None
    with pytest.raises(RuntimeError, match="disk unplugged"):
        advisor.new_session()
