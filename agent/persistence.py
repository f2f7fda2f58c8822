"""Where sessions live: the LangGraph checkpointer plus a small sessions table.

* Default: one SQLite file at ``settings.sessions_db`` (WAL mode and a busy
  timeout, so parallel processes wait for each other instead of failing with
  "database is locked"). The ``advisor_sessions`` table (title, created, updated,
  done) sits in the same file.
* ``ADVISOR_DATABASE_URL=postgresql://...``: LangGraph's ``PostgresSaver`` and the
  same sessions table in Postgres; ``setup()`` runs on first use.
* A SQLite file that is not a database, or whose pages are damaged (``PRAGMA
  quick_check`` at open), is moved aside to ``sessions.sqlite.corrupt-<time>`` and
  a new one is created; the returned :class:`Store` carries a notice saying so.
  Nothing is dropped silently.
* Every later database error (damage found mid-run, a read-only or full disk, a
  lost Postgres connection) surfaces as :class:`StorageError` with a message that
  says what is wrong and what to do, never as a raw driver exception.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.config import Settings

#: Seconds a writer waits for another process's lock before giving up.
BUSY_TIMEOUT_S = 60.0


class StorageError(RuntimeError):
    """The session store cannot be used; the message says why and what to do."""


def _read_only_dir(directory: Path) -> bool:
    """True when ``directory`` is on a read-only mount or this process cannot write to it."""
    with contextlib.suppress(OSError):
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            return True
    try:
        return directory.exists() and not os.access(directory, os.W_OK)
    except OSError:
        return False


def explain_sqlite_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """A :class:`StorageError` naming the cause of ``exc`` on the database at ``path``."""
    text = str(exc)
    lowered = text.lower()
    if (
        "readonly" in lowered
        or "read-only" in lowered
        or "unable to open" in lowered
        or "permission" in lowered
    ) and (_read_only_dir(path.parent) or (path.exists() and not os.access(path, os.W_OK))):
        return StorageError(
            f"The data directory {path.parent} is read-only (or not writable by this user), so "
            f"the session database {path.name} cannot be written. Set ADVISOR_DATA_DIR to a "
            "writable directory or fix its permissions; saved sessions are unchanged."
        )
    if "disk is full" in lowered or "no space" in lowered:
        return StorageError(
            f"The disk holding the session database {path} is full ({text}). Free some space "
            "and try again; saved sessions are unchanged, only this turn was not saved."
        )
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return StorageError(
            f"The session database {path} is damaged ({text}). Move it aside (or restore a "
            "backup) and start the advisor again: it then creates a new, empty database, and a "
            "damaged file found at start-up is set aside automatically with a notice."
        )
    if "locked" in lowered or "busy" in lowered:
        return StorageError(
            f"The session database {path} stayed locked by another process for "
            f"{BUSY_TIMEOUT_S:.0f} s ({text}). Try again when the other advisor process is idle."
        )
    return StorageError(
        f"The session database {path} cannot be used: {text}. Check the data directory's "
        "permissions and free space (ADVISOR_DATA_DIR)."
    )


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class SessionRow:
    """One row of the sessions table."""

    id: str
    title: str
    created_at: str
    updated_at: str
    done: bool


@dataclass
class Store:
    """An open checkpointer and the sessions table next to it."""

    checkpointer: Any
    backend: str  # "sqlite" or "postgres"
    notices: list[str] = field(default_factory=list)
    _conn: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    path: Path | None = None  # the SQLite file (None for Postgres)
    _extra_conns: list[Any] = field(default_factory=list)  # closed with the store

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn database errors raised inside the block into a clear :class:`StorageError`.

        Wrap every use of the checkpointer (graph runs, state reads) and of the
        sessions table; a damaged page or a full disk found mid-run then reaches the
        user as a sentence, not a driver traceback.
        """
        try:
            yield
        except sqlite3.Error as exc:
            raise explain_sqlite_error(self.path or Path("sessions.sqlite"), exc) from exc
        except Exception as exc:
            if _is_postgres_connection_error(exc):
                raise StorageError(
                    "Lost the connection to the Postgres session database "
                    f"({exc.__class__.__name__}). Check ADVISOR_DATABASE_URL and that the "
                    "server is up; this turn was not saved."
                ) from exc
            raise

    # -- sessions table -------------------------------------------------

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self.guard(), self._lock:
            cur = self._conn.cursor()
            try:
                yield cur
                if self.backend == "sqlite":
                    self._conn.commit()
            except Exception:
                if self.backend == "sqlite":
                    self._conn.rollback()
                raise
            finally:
                cur.close()

    def _q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.backend == "postgres" else sql

    def create_session(self, session_id: str, title: str) -> None:
        """Insert a session row (no-op if it exists)."""
        stamp = now_iso()
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO advisor_sessions (id, title, created_at, updated_at, done) "
                    "VALUES (?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING"
                ),
                (session_id, title, stamp, stamp),
            )

    def get_session(self, session_id: str) -> SessionRow | None:
        """The session row, or None."""
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "SELECT id, title, created_at, updated_at, done FROM advisor_sessions WHERE id = ?"
                ),
                (session_id,),
            )
            row = cur.fetchone()
        return _row(row) if row else None

    def touch(self, session_id: str, *, done: bool | None = None, title: str | None = None) -> None:
        """Update the updated-at time (and optionally done/title)."""
        sets, args = ["updated_at = ?"], [now_iso()]
        if done is not None:
            sets.append("done = ?")
            args.append(1 if done else 0)  # type: ignore[arg-type]
        if title is not None:
            sets.append("title = ?")
            args.append(title)
        with self._cursor() as cur:
            cur.execute(
                self._q(f"UPDATE advisor_sessions SET {', '.join(sets)} WHERE id = ?"),
                (*args, session_id),
            )

    def list_sessions(self) -> list[SessionRow]:
        """All sessions, most recently updated first."""
        with self._cursor() as cur:
            cur.execute(
                "SELECT id, title, created_at, updated_at, done FROM advisor_sessions ORDER BY updated_at DESC, id"
            )
            rows = cur.fetchall()
        return [_row(r) for r in rows]

    def delete_session(self, session_id: str) -> None:
        """Remove the row and every checkpoint of the thread."""
        with self.guard():
            self.checkpointer.delete_thread(session_id)
        with self._cursor() as cur:
            cur.execute(self._q("DELETE FROM advisor_sessions WHERE id = ?"), (session_id,))

    def close(self) -> None:
        """Close the underlying connection(s)."""
        for conn in (self._conn, *self._extra_conns):
            with contextlib.suppress(Exception):
                conn.close()


def _is_postgres_connection_error(exc: Exception) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - dependency is declared
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _row(row: Any) -> SessionRow:
    if isinstance(row, dict):
        return SessionRow(
            row["id"],
            row["title"],
            str(row["created_at"]),
            str(row["updated_at"]),
            bool(row["done"]),
        )
    return SessionRow(row[0], row[1], str(row[2]), str(row[3]), bool(row[4]))


_SESSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS advisor_sessions ("
    " id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)"
)


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    """Open, configure and check the database; raises ``sqlite3.DatabaseError`` when damaged."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails fast on a non-database
        # A valid header can hide damaged pages (torn write, bad disk) that only the
        # first real query would hit; quick_check reads every page once (cheap at
        # session-store sizes) so the damage is found here, where it can be handled.
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(
                "database disk image is malformed: " + "; ".join(map(str, problems))[:300]
            )
    except BaseException:
        conn.close()
        raise
    return conn


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """Damage in the file itself (as opposed to permissions, locks or a full disk)."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return "not a database" in text
    return "malformed" in text or "not a database" in text or "corrupt" in text


def open_sqlite_store(path: Path) -> Store:
    """SqliteSaver + sessions table at ``path``; a corrupt file is moved aside with a notice."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    notices: list[str] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Cannot create the data directory {path.parent}: {exc.strerror or exc}."
        ) from None
    try:
        conn = _connect_sqlite(path)
    except sqlite3.DatabaseError as exc:
        if not _is_corruption(exc):
            raise explain_sqlite_error(path, exc) from None
        backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.rename(backup)
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.rename(backup.with_name(backup.name + suffix))
        except OSError as move_exc:
            raise StorageError(
                f"The session database {path} is corrupt ({exc}) and could not be moved aside: {move_exc}."
            ) from None
        notices.append(
            f"The session database was unreadable ({exc}); it was kept as {backup.name} and a "
            "new, empty one was created. Earlier sessions are in that file (`sqlite3 "
            f"{backup.name} .recover` can salvage what is readable)."
        )
        try:
            conn = _connect_sqlite(path)
        except sqlite3.Error as again:
            raise explain_sqlite_error(path, again) from None
    try:
        conn.execute(_SESSIONS_DDL)
        conn.commit()
        saver = SqliteSaver(conn)
        saver.setup()
    except sqlite3.Error as exc:
        conn.close()
        raise explain_sqlite_error(path, exc) from None
    return Store(checkpointer=saver, backend="sqlite", notices=notices, _conn=conn, path=path)


#: Advisory-lock key that serialises schema set-up between instances.
_SETUP_LOCK_ID = 0x4164_7669  # "Advi"


#: Seconds an instance waits for another instance's schema set-up.
SETUP_LOCK_TIMEOUT_S = 120.0


def _take_setup_lock(cur: Any) -> None:
    """Take the set-up advisory lock by polling, never by a blocking wait.

    The saver's migrations run ``CREATE INDEX CONCURRENTLY``, which waits for every
    transaction that holds a snapshot to end. A blocking ``pg_advisory_lock`` call is
    such a transaction while it waits, and it waits for the instance running the
    migration: both hang for ever (Postgres's deadlock detector does not see it).
    ``pg_try_advisory_lock`` returns at once, and between polls no transaction is open.
    """
    deadline = time.monotonic() + SETUP_LOCK_TIMEOUT_S
    delay = 0.05
    while True:
        row = cur.execute("SELECT pg_try_advisory_lock(%s) AS taken", (_SETUP_LOCK_ID,)).fetchone()
        if row and row["taken"]:
            return
        if time.monotonic() > deadline:
            raise StorageError(
                "Another instance has been setting up the Postgres session database in "
                f"ADVISOR_DATABASE_URL for over {SETUP_LOCK_TIMEOUT_S:.0f} s; "
                "check that instance, then start this one again."
            )
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def open_postgres_store(url: str) -> Store:
    """PostgresSaver + sessions table in the database at ``url``."""
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import dict_row
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise StorageError(f"Postgres support is not installed: {exc}.") from None
    try:
        conn = Connection.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row)
        # The saver gets its own connection: it uses pipeline mode under its own lock, and
        # sharing one connection with the sessions table (other lock) made concurrent
        # threads fail with "failed to enter pipeline mode" (OPS finding 7).
        saver_conn = Connection.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row)
    except Exception as exc:
        raise StorageError(
            f"Cannot connect to the Postgres database in ADVISOR_DATABASE_URL: {exc.__class__.__name__}."
        ) from None
    saver = PostgresSaver(saver_conn)  # type: ignore[arg-type]
    # Several instances may start at once on a fresh database: CREATE TABLE IF NOT EXISTS
    # races in Postgres (duplicate key in pg_type), so set-up runs under an advisory lock.
    try:
        with conn.cursor() as cur:
            _take_setup_lock(cur)
            try:
                saver.setup()
                cur.execute(_SESSIONS_DDL)
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_ID,))
    except BaseException:
        # A set-up that gave up (lock timeout, failed migration) must not leak both connections.
        for connection in (conn, saver_conn):
            with contextlib.suppress(Exception):
                connection.close()
        raise
    return Store(checkpointer=saver, backend="postgres", _conn=conn, _extra_conns=[saver_conn])


def open_store(settings: Settings) -> Store:
    """The store selected by settings: Postgres when ``database_url`` is set, else SQLite."""
    if settings.database_url:
        return open_postgres_store(settings.database_url)
    return open_sqlite_store(settings.sessions_db)
