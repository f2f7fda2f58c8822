"""Several instances starting at once on a fresh Postgres database all come up.

Regression: set-up took a *blocking* advisory lock while another instance's migration
ran ``CREATE INDEX CONCURRENTLY``, which waits for every open snapshot, including
that of the blocked lock call. Both waited for ever; CI hung here for 10 minutes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.servers

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Sleeps until a shared wall-clock instant so that every process races for set-up.
_OPEN_AT = """
import sys, time
start = float(sys.argv[2])
from agent.persistence import open_postgres_store
time.sleep(max(0.0, start - time.time()))
store = open_postgres_store(sys.argv[1])
store.close()
print("up")
"""


def test_instances_starting_together_on_a_fresh_database_all_come_up(postgres_server) -> None:
    for _round in range(3):
        url = postgres_server.create_database()
        start = time.time() + 4.0  # after every interpreter has imported the package
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AT, url, str(start)],
                cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(6)
        ]
        outcomes = []
        for process in processes:
            try:
                stdout, stderr = process.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                for other in processes:
                    other.kill()
                pytest.fail("an instance hung while setting up the session database")
            outcomes.append((process.returncode, stdout.strip(), stderr[-2000:]))
        assert all(code == 0 and out == "up" for code, out, _err in outcomes), outcomes
