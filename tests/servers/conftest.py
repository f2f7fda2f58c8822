"""Real servers for the scale-out tests: a Chroma server and a PostgreSQL server.

Both are started by the test session itself, on 127.0.0.1 and a free port, in a
temp directory, and torn down at the end. Nothing here is a substitute: Chroma
runs through the ``chroma run`` CLI of the installed chromadb package, and
PostgreSQL through Debian's ``initdb``/``pg_ctl`` (installed by
``scripts/ensure-system-deps.sh`` when missing).

A test that needs a server skips with the precise reason only when the server
truly cannot be had (binary missing, no way to run initdb). With
``ADVISOR_REQUIRE_SERVERS=1`` (or ``CI=true``) such a skip becomes a failure, so
CI cannot silently pass without them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from agent.config import get_settings
from tests.support.cli import CliResult, run_advisor
from tests.support.figures import load_figures

START_TIMEOUT_S = 90.0


def _unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when the environment demands real servers."""
    demanded = os.environ.get("ADVISOR_REQUIRE_SERVERS") == "1" or os.environ.get(
        "CI", ""
    ).lower() in ("1", "true")
    if demanded:
        pytest.fail(f"server required but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------- Chroma


@dataclass
class ChromaServer:
    """A running ``chroma run`` process."""

    host: str
    port: int
    path: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def heartbeat(self) -> bool:
        """True when the server answers its v2 heartbeat."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as reply:
                return reply.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def client(self):  # type: ignore[no-untyped-def]
        """A fresh HttpClient to this server (for test set-up and checks)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(
            host=self.host,
            port=self.port,
            settings=ChromaSettings(anonymized_telemetry=False),
        )

    def wipe(self) -> None:
        """Delete every collection, so each test starts from an empty server."""
        client = self.client()
        for collection in client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            client.delete_collection(name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def chroma_executable() -> str | None:
    """The ``chroma`` CLI of the venv that runs the tests."""
    candidate = Path(sys.executable).parent / "chroma"
    if candidate.exists():
        return str(candidate)
    return shutil.which("chroma")


def start_chroma(base_dir: Path) -> ChromaServer:
    """Start ``chroma run --path DIR --host 127.0.0.1 --port P`` and wait for its heartbeat."""
    exe = chroma_executable()
    if exe is None:
        raise RuntimeError("the `chroma` CLI of the chromadb package is not installed")
    last_error = ""
    for attempt in range(3):
        port = free_port()
        data = base_dir / f"chroma-data-{attempt}"
        data.mkdir(parents=True, exist_ok=True)
        log = base_dir / f"chroma-{attempt}.log"
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False", NO_COLOR="1")
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        server = ChromaServer("127.0.0.1", port, data, log, process)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if server.heartbeat():
                return server
            time.sleep(0.2)
        server.stop()
        last_error = f"exit code {process.returncode}; log tail:\n{_tail(log)}"
    raise RuntimeError(f"chroma run did not answer its heartbeat: {last_error}")


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path | None:
    """Newest ``/usr/lib/postgresql/<v>/bin`` that has initdb and pg_ctl (or PG_BIN_DIR)."""
    override = os.environ.get("PG_BIN_DIR")
    candidates = [override] if override else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if directory and (Path(directory) / "initdb").exists() and (
            Path(directory) / "pg_ctl"
        ).exists():
            return Path(directory)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _server_user() -> str | None:
    """The unprivileged user to run PostgreSQL as when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


@dataclass
class PostgresServer:
    """A running PostgreSQL cluster in a temp directory."""

    host: str
    port: int
    user: str
    bin_dir: Path
    base_dir: Path
    run_as: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, prefix: str = "advisor") -> str:
        """Create a fresh, empty database and return its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        _run_pg(
            self,
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.base_dir / "data"), "-m", "fast", "-w",
             "stop"],
            check=False,
        )


def _as_user(run_as: str | None, argv: list[str]) -> list[str]:
    if run_as is None:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", run_as, "--", *argv]
    return ["su", "-s", "/bin/sh", run_as, "-c", " ".join(argv)]


def _run_pg(
    server: PostgresServer | None, argv: list[str], *, run_as: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    who = server.run_as if server is not None else run_as
    result = subprocess.run(
        _as_user(who, argv), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr.strip()[-1500:]}"
        )
    return result


def start_postgres() -> PostgresServer:
    """initdb a cluster in a fresh temp dir and start it on 127.0.0.1:<free port>."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb/pg_ctl) not found; "
            "run `bash scripts/ensure-system-deps.sh` or `apt-get install postgresql`"
        )
    run_as = _server_user()
    # Not under pytest's tmp_path: its parents are mode 0700 and the server user
    # could not reach them. /tmp itself is world-traversable.
    base = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
    base.chmod(0o755)
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    user = "advisor"
    _run_pg(
        None,
        [str(bin_dir / "initdb"), "-D", str(base / "data"), "-U", user, "--auth=trust",
         "-E", "UTF8", "--no-locale", "--no-sync"],
        run_as=run_as,
    )
    last_error = ""
    for _attempt in range(3):
        port = free_port()
        server = PostgresServer("127.0.0.1", port, user, bin_dir, base, run_as)
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c max_connections=300 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        result = _run_pg(
            server,
            [str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "server.log"),
             "-w", "-t", "60", "-o", options, "start"],
            check=False,
        )
        if result.returncode == 0:
            return server
        last_error = result.stderr.strip() + "\n" + _tail(base / "server.log")
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"pg_ctl start failed: {last_error[-1500:]}")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server (``chroma run``) on 127.0.0.1 for the whole session."""
    try:
        server = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    except RuntimeError as exc:
        _unavailable(f"Chroma server unavailable: {exc}")
        raise  # unreachable: _unavailable always raises
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL cluster on 127.0.0.1 for the whole session."""
    try:
        server = start_postgres()
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"PostgreSQL server unavailable: {exc}")
        raise
    yield server
    server.stop()
    shutil.rmtree(server.base_dir, ignore_errors=True)


@pytest.fixture
def scaleout_env(
    chroma_server: ChromaServer,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """Point the product at both servers: an empty Chroma and a fresh Postgres database.

    Returns the environment to hand to child processes (it is also this process's
    environment for the duration of the test).
    """
    chroma_server.wipe()
    database_url = postgres_server.create_database()
    monkeypatch.setenv("CHROMA_HOST", chroma_server.host)
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server.port))
    monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    get_settings.cache_clear()
    yield dict(os.environ)
    get_settings.cache_clear()


@pytest.fixture
def advisor_cli() -> Callable[..., CliResult]:
    """Run the `advisor` CLI in a separate process: ``advisor_cli(["ask", "q"], env=...)``."""
    return run_advisor


@pytest.fixture
def figures_recorder() -> ModuleType:
    """The reliability figures recorder (tests/reliability/figures.py), loaded by path."""
    return load_figures()
