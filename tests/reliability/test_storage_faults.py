"""Storage faults: read-only and full data directories, a corrupt index, a corrupt checkpoint DB.

Each fault must end in a clear error (non-zero exit, a message that names the
problem, no traceback) or in an automatic recovery that says so and keeps a
backup of the bad file. Nothing silent, and nothing already saved is lost.

Read-only and full directories are real: a small tmpfs is mounted for the data
directory (we run as root in CI) and remounted read-only or filled up. Where
mounting is not permitted, the read-only case uses file permissions (non-root)
and the full-disk case injects SQLite's own "database or disk is full" error at
the checkpoint write; the figures file records which method ran.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import get_settings
from tests.support.cli import CliResult, run_advisor
from tests.support.knowledge import use_small_knowledge

REPO_ROOT = Path(__file__).resolve().parents[2]
SESSION = "faulty"


def _advisor(*args: str, timeout: float = 300) -> CliResult:
    return run_advisor(list(args), timeout=timeout)


def _turn(message: str, session: str = SESSION) -> CliResult:
    return _advisor("chat", "--session", session, "--message", message, "--json")


def _assert_clear_failure(result: CliResult, *words: str) -> str:
    """Non-zero exit, no traceback, and a message containing one of ``words``."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    lowered = output.lower()
    assert any(w in lowered for w in words), f"unclear message: {output[-1500:]}"
    return output


def _user_messages(data_dir: Path) -> list[str]:
    from agent.service import Advisor

    get_settings.cache_clear()
    with Advisor() as advisor:
        return [m.content for m in advisor.view(SESSION).messages if m.role == "user"]


# --------------------------------------------------------------------------- tmpfs


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[bool]:
    """Mount a tmpfs of ``size`` at ``path``; yields False when mounting is not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = False
    if _can_mount():
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs",
                                 str(path)], capture_output=True, text=True)
        mounted = result.returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True,
                   capture_output=True)


# --------------------------------------------------------------------------- faults


def test_read_only_data_dir_gives_clear_error_and_keeps_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Any
) -> None:
    mount = tmp_path / "ro-data"
    with _tmpfs(mount, "64m") as mounted:
        if not mounted and os.geteuid() == 0:
            pytest.skip("read-only data dir: running as root (permissions do not bind) and "
                        "mounting a tmpfs is not permitted here")
        monkeypatch.setenv("ADVISOR_DATA_DIR", str(mount))
        get_settings.cache_clear()
        first = _turn("We are building a claims assistant for an insurer.")
        assert first.returncode == 0, first.stdout + first.stderr
        if mounted:
            _remount(mount, "ro")
            method = "tmpfs remounted read-only"
        else:
            for path in [mount, *mount.rglob("*")]:
                path.chmod(0o555 if path.is_dir() else 0o444)
            method = "chmod a-w (non-root)"
        try:
            second = _turn("Our documents change every week.")
            output = _assert_clear_failure(
                second, "read-only", "read only", "permission", "cannot write", "not writable"
            )
        finally:
            if mounted:
                _remount(mount, "rw")
            else:
                for path in [mount, *mount.rglob("*")]:
                    path.chmod(0o755 if path.is_dir() else 0o644)
        # Writable again: the saved turn is intact and the session continues.
        third = _turn("Our documents change every week.")
        assert third.returncode == 0, third.stdout + third.stderr
        users = _user_messages(mount)
        assert users[0].startswith("We are building a claims assistant")
        assert users[-1] == "Our documents change every week."
    figures.record("storage_faults", "read-only data dir", run=1, passed=1, unit="faults",
                   detail=f"{method}; clear error: {_short(output, mount)}", method=method)


def _short(output: str, data_dir: Path) -> str:
    """The last line of the message, with the temp path shortened, for the figures table."""
    line = output.strip().splitlines()[-1].replace(str(data_dir), "$ADVISOR_DATA_DIR")
    return line[:140]


def test_full_data_dir_gives_clear_error_and_keeps_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Any
) -> None:
    mount = tmp_path / "full-data"
    with _tmpfs(mount, "16m") as mounted:
        monkeypatch.setenv("ADVISOR_DATA_DIR", str(mount))
        get_settings.cache_clear()
        if mounted:
            first = _turn("We are building a claims assistant for an insurer.")
            assert first.returncode == 0, first.stdout + first.stderr
            filler = mount / "filler.bin"
            with filler.open("wb") as handle, contextlib.suppress(OSError):
                while True:  # fill every last block
                    handle.write(b"\0" * 65536)
                    handle.flush()
            with contextlib.suppress(OSError), (mount / "filler2.bin").open("wb") as handle:
                while True:
                    handle.write(b"\0" * 512)
                    handle.flush()
            second = _turn("Our documents change every week, and we need citations. " * 200)
            output = _assert_clear_failure(second, "disk is full", "no space", "full", "space")
            filler.unlink()
            (mount / "filler2.bin").unlink(missing_ok=True)
            third = _turn("Our documents change every week.")
            assert third.returncode == 0, third.stdout + third.stderr
            users = _user_messages(mount)
            assert users[0].startswith("We are building a claims assistant")
            assert users[-1] == "Our documents change every week."
            method = "16 MB tmpfs filled to the last block"
        else:
            output = _full_disk_injected(monkeypatch)
            method = "injected sqlite 'database or disk is full' at the checkpoint write"
    figures.record("storage_faults", "full data dir", run=1, passed=1, unit="faults",
                   detail=f"{method}; clear error: {_short(output, mount)}", method=method)


def _full_disk_injected(monkeypatch: pytest.MonkeyPatch) -> str:
    """Fallback without mount rights: SQLite's disk-full error raised at the checkpoint write."""
    from langgraph.checkpoint.sqlite import SqliteSaver
    from typer.testing import CliRunner

    from agent.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["chat", "--session", SESSION, "--message", "We build a bot."])
    assert first.exit_code == 0, first.stdout

    def disk_full(*_args: Any, **_kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SqliteSaver, "put", disk_full)
    monkeypatch.setattr(SqliteSaver, "put_writes", disk_full)
    second = runner.invoke(app, ["chat", "--session", SESSION, "--message", "Budget is low."])
    output = second.stdout + (second.stderr or "")
    assert second.exception is None or isinstance(second.exception, SystemExit), output
    assert second.exit_code != 0, output
    assert "full" in output.lower() or "space" in output.lower(), output
    return output


def test_corrupt_index_is_rebuilt_with_backup_and_notice(
    isolated_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Any
) -> None:
    # A two-document knowledge base keeps the build and the rebuild quick; the
    # fault handling does not depend on the corpus size.
    use_small_knowledge(tmp_path, monkeypatch)
    built = _advisor("index")
    assert built.returncode == 0, built.stdout + built.stderr
    settings = get_settings()
    index_dir = settings.chroma_path
    database = index_dir / "chroma.sqlite3"
    assert database.exists(), list(index_dir.iterdir())
    database.write_bytes(b"this is not a database" * 100)

    asked = _advisor("ask", "How much does fine-tuning cost?", "--json")
    output = asked.stdout + asked.stderr
    assert asked.returncode == 0, output
    assert "Traceback (most recent call last)" not in output
    payload = json.loads(asked.stdout)
    assert payload["results"], "no results after the rebuild"
    assert any(w in output.lower() for w in ("rebuilt", "corrupt", "unreadable")), output[-1500:]
    backups = [p for p in index_dir.parent.iterdir() if p.name.startswith(index_dir.name + ".")
               and "corrupt" in p.name]
    assert backups, f"no backup of the corrupt index next to {index_dir}"
    kept = backups[0] / "chroma.sqlite3"
    assert kept.read_bytes().startswith(b"this is not a database"), "backup is not the bad file"
    figures.record("storage_faults", "corrupt index (chroma.sqlite3 overwritten)", run=1,
                   passed=1, unit="faults",
                   detail=f"rebuilt automatically with a notice; backup kept as {backups[0].name}")


def test_corrupt_checkpoint_db_is_replaced_with_backup_and_notice(
    isolated_settings: Path, figures: Any
) -> None:
    first = _turn("We are building a claims assistant for an insurer.")
    assert first.returncode == 0, first.stdout + first.stderr
    database = get_settings().sessions_db
    for side in ("-wal", "-shm"):
        database.with_name(database.name + side).unlink(missing_ok=True)
    database.write_bytes(b"garbage, not sqlite " * 500)

    listed = _advisor("sessions")
    output = listed.stdout + listed.stderr
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    second = _turn("Starting over: a support bot.", session="after-corruption")
    output += second.stdout + second.stderr
    assert second.returncode == 0, output
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    backups = sorted(database.parent.glob(database.name + ".corrupt-*"))
    assert backups, "the corrupt checkpoint DB was not kept as a backup"
    assert backups[0].read_bytes().startswith(b"garbage, not sqlite"), "backup is not the bad file"
    assert any(w in output.lower() for w in ("corrupt", "unreadable", "backup", "kept as")), (
        f"recovery was silent: {output[-1500:]}"
    )
    figures.record("storage_faults", "corrupt checkpoint DB (overwritten)", run=1, passed=1,
                   unit="faults", detail=f"new DB with a notice; backup kept as {backups[0].name}")


def test_checkpoint_db_damaged_inside_gives_clear_error_or_recovery(
    isolated_settings: Path, figures: Any
) -> None:
    """A valid SQLite header with damaged pages behind it (a torn write, a bad disk)."""
    first = _turn("We are building a claims assistant for an insurer.")
    assert first.returncode == 0, first.stdout + first.stderr
    database = get_settings().sessions_db
    # Fold the WAL into the main file so the damage hits the real pages.
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = database.stat().st_size
    assert size > 8192, size
    with database.open("r+b") as handle:
        handle.seek(4096)  # keep page 1 (header and schema) intact
        handle.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 4))

    second = _turn("Our documents change every week.")
    output = second.stdout + second.stderr
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    backups = sorted(database.parent.glob(database.name + ".corrupt-*"))
    if second.returncode == 0:
        outcome = "recovered"
        assert backups, "recovered from a damaged DB without keeping a backup"
        assert any(w in output.lower() for w in ("corrupt", "unreadable", "malformed", "backup")), (
            f"recovery was silent: {output[-1500:]}"
        )
    else:
        outcome = "clear error"
        _assert_clear_failure(second, "corrupt", "malformed", "damaged", "unreadable",
                              "database disk image")
    figures.record("storage_faults", "checkpoint DB damaged inside (pages overwritten)", run=1,
                   passed=1, unit="faults", detail=outcome)
