"""Helpers shared by the browser test and benchmarks/bench_app.py: a real `streamlit run`
on loopback and Debian's Chromium.

Playwright's own browser download cannot work offline, so the tests launch
`/usr/bin/chromium` (installed by `scripts/ensure-system-deps.sh`, run by
`make test`). Without it the tests skip with that reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 180
) -> None:
    """Poll Streamlit's health endpoint until it answers 200."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("streamlit exited:\n" + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        "streamlit did not become healthy:\n" + log.read_text(errors="replace")[-3000:]
    )


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path


def start_streamlit(
    script: Path, port: int, env: dict[str, str], log: Path, cwd: Path = REPO_ROOT
) -> subprocess.Popen[bytes]:
    """`streamlit run` bound to 127.0.0.1, headless, no usage stats."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server we started (only that process)."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def offline_env(data_dir: Path, index_dir: Path | None) -> dict[str, str]:
    """The server's environment: offline, data in tmp, optional prebuilt index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STREAMLIT_"))}
    env.update(
        ADVISOR_DATA_DIR=str(data_dir),
        OPENAI_API_KEY="",
        OPENAI_BASE_URL="",
        CHROMA_HOST="",
        ADVISOR_DATABASE_URL="",
        ADVISOR_EMBEDDINGS="local",
        ADVISOR_INDEX_DIR=str(index_dir) if index_dir else "",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env
