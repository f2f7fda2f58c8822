"""The Streamlit server binds to the loopback interface unless the operator says otherwise.

Streamlit's own default (no ``server.address``) listens on every interface, so the
project's ``.streamlit/config.toml`` and ``make run`` must both pin 127.0.0.1.
The last test starts the real server with only the project config and reads the
kernel's socket table to see where it actually listens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.browser.browser_support import free_port, stop, wait_healthy

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.1", "localhost")


def test_streamlit_config_binds_loopback() -> None:
    config_path = REPO_ROOT / ".streamlit" / "config.toml"
    assert config_path.exists(), "missing .streamlit/config.toml: Streamlit would bind 0.0.0.0"
    config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    assert config.get("server", {}).get("address") in LOOPBACK, config.get("server")


def test_make_run_binds_loopback_by_default() -> None:
    result = subprocess.run(
        ["make", "-n", "run"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("HOST", "PORT")},
    )
    assert result.returncode == 0, result.stderr
    streamlit_lines = [line for line in result.stdout.splitlines() if "streamlit run" in line]
    assert streamlit_lines, result.stdout
    assert all("--server.address 127.0.0.1" in line for line in streamlit_lines), streamlit_lines


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of sockets listening on ``port``."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_streamlit_server_listens_only_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log, timeout_s=120)
        addresses = _listening_addresses(port)
        # 0100007F = 127.0.0.1 (little-endian hex); ::1 in tcp6 is also loopback.
        loopback = {"0100007F", "00000000000000000000000001000000"}
        assert addresses, "server answered but no listening socket found"
        assert addresses <= loopback, f"listening on non-loopback addresses: {addresses}"
    finally:
        stop(process)
