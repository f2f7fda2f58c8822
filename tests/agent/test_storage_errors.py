"""Session-store faults reach the user as clear messages, never as driver tracebacks.

Damage found when the store opens is set aside (backup + notice); damage or a
full/read-only disk found mid-run becomes a :class:`StorageError` whose message
says what is wrong, and the CLI prints it without a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.persistence import StorageError, explain_sqlite_error, open_sqlite_store
from agent.service import Advisor


def _damage_pages_behind_header(database: Path) -> bytes:
    """Keep page 1 (header, schema) and overwrite the rest: a torn write or a bad disk."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = database.stat().st_size
    assert size > 8192, size
    with database.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 4))
    return database.read_bytes()


def _one_saved_turn(isolated_settings: Path) -> Path:
    with Advisor(with_citations=False) as advisor:
        session = advisor.new_session(session_id="before")
        advisor.send(session, "A claims assistant for an insurer.")
    return isolated_settings / "sessions.sqlite"


def test_damaged_pages_are_found_at_open_and_set_aside_with_a_notice(
    isolated_settings: Path,
) -> None:
    database = _one_saved_turn(isolated_settings)
    damaged = _damage_pages_behind_header(database)
    # The header is intact: only a page-level check can tell.
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    with Advisor(with_citations=False) as advisor:
        assert advisor.list_sessions() == []
        session = advisor.new_session()
        result = advisor.send(session, "A support bot for our FAQ.")
    assert any("unreadable" in n and "malformed" in n for n in result.notices), result.notices
    backups = sorted(isolated_settings.glob("sessions.sqlite.corrupt-*"))
    assert [b for b in backups if b.read_bytes() == damaged], "the damaged file was not kept"


def test_cli_recovers_from_damaged_pages_without_a_traceback(isolated_settings: Path) -> None:
    database = _one_saved_turn(isolated_settings)
    _damage_pages_behind_header(database)
    result = CliRunner().invoke(app, ["chat", "--session", "after", "--message", "A FAQ bot."])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert "unreadable" in result.output


def test_damage_found_mid_run_is_a_clear_storage_error(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    _one_saved_turn(isolated_settings)

    def malformed(*_args: Any, **_kwargs: Any) -> Any:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(SqliteSaver, "get_tuple", malformed)
    with Advisor(with_citations=False) as advisor, pytest.raises(StorageError) as caught:
        advisor.send("before", "Our documents change every week.")
    message = str(caught.value)
    assert "damaged" in message and "sessions.sqlite" in message

    runner = CliRunner()
    result = runner.invoke(app, ["chat", "--session", "before", "--message", "More facts."])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "is damaged" in result.output
    listed = runner.invoke(app, ["sessions", "export", "before"])
    assert listed.exit_code == 1 and "is damaged" in listed.output


def test_a_full_disk_mid_turn_keeps_the_saved_session(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    _one_saved_turn(isolated_settings)
    with monkeypatch.context() as patch:

        def disk_full(*_args: Any, **_kwargs: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        patch.setattr(SqliteSaver, "put", disk_full)
        with Advisor(with_citations=False) as advisor, pytest.raises(StorageError) as caught:
            advisor.send("before", "Our documents change every week.")
        assert "full" in str(caught.value)
    with Advisor(with_citations=False) as advisor:
        users = [m.content for m in advisor.view("before").messages if m.role == "user"]
    assert users == ["A claims assistant for an insurer."], "the failed turn half-saved"


def test_read_only_data_dir_is_named_as_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    database = data_dir / "sessions.sqlite"
    if os.geteuid() != 0:
        # A real unwritable directory (permissions bind for non-root users).
        data_dir.chmod(0o555)
        try:
            with pytest.raises(StorageError) as caught:
                open_sqlite_store(database)
        finally:
            data_dir.chmod(0o755)
        message = str(caught.value)
    else:
        # Root ignores permissions; report the directory as on a read-only mount instead
        # (tests/reliability remounts a real tmpfs read-only for the end-to-end case).
        real_statvfs = os.statvfs

        class ReadOnlyMount:
            def __init__(self, path: Any) -> None:
                self.f_flag = real_statvfs(path).f_flag | os.ST_RDONLY

        monkeypatch.setattr(os, "statvfs", ReadOnlyMount)
        message = str(
            explain_sqlite_error(database, sqlite3.OperationalError("unable to open database file"))
        )
    assert "read-only" in message and str(data_dir) in message
    assert "ADVISOR_DATA_DIR" in message


def test_other_errors_keep_their_own_cause(tmp_path: Path) -> None:
    database = tmp_path / "sessions.sqlite"
    locked = explain_sqlite_error(database, sqlite3.OperationalError("database is locked"))
    assert "locked" in str(locked) and "read-only" not in str(locked)
    # "unable to open" in a writable directory is not blamed on permissions it does not lack.
    other = explain_sqlite_error(database, sqlite3.OperationalError("unable to open database file"))
    assert "read-only" not in str(other) and "unable to open database file" in str(other)
