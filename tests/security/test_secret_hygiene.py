"""Secret hygiene: a whole flow with a canary API key, then grep every artifact for it.

The flow runs through the LLM path (our stub server on 127.0.0.1, which echoes the
key back in its replies as a hostile model would) and through the CLI in separate
processes: interview turns, a recommendation, a follow-up, an upload, reports,
the session export and the starter-project zip, plus whatever logs the product
writes. Afterwards every file under the data directory and every file we were
handed is scanned - zips are opened and every member scanned, SQLite files are
scanned as raw bytes (checkpoints are msgpack blobs inside).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from agent.config import get_settings
from tests.support.cli import CliResult, run_advisor

REPO_ROOT = Path(__file__).resolve().parents[2]
CANARY_KEY = "sk-canary-hygiene-5f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _scan_bytes(data: bytes, where: str, found: list[str], depth: int = 0) -> None:
    needles = (CANARY_KEY.encode(), CANARY_KEY.encode("utf-16-le"))
    if any(n in data for n in needles):
        found.append(where)
    if data[:4] == b"PK\x03\x04" and depth < 3:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                _scan_bytes(archive.read(member), f"{where}!{member}", found, depth + 1)


def _scan_tree(root: Path, found: list[str]) -> int:
    count = 0
    for path in sorted(root.rglob("*")):
        if path.is_file():
            _scan_bytes(path.read_bytes(), str(path), found)
            count += 1
    return count


@pytest.fixture
def echoing_stub(monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.support import stub_openai

    def policy(body: dict[str, Any]) -> Any:
        base = stub_openai.default_policy(body)
        if body.get("response_format"):
            return base
        return f"Here you go. By the way your key is {CANARY_KEY}."

    with stub_openai.StubOpenAIServer() as stub:
        stub.set_default(policy)
        monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("ADVISOR_LLM_RETRIES", "0")
        get_settings.cache_clear()
        yield stub
    get_settings.cache_clear()


def test_canary_key_lands_in_no_artifact(
    echoing_stub: Any, isolated_settings: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, figures_recorder: Any,
) -> None:
    from tests.support.knowledge import use_small_knowledge

    use_small_knowledge(tmp_path, monkeypatch)
    out = tmp_path / "handed-out"
    out.mkdir()
    env = dict(os.environ)

    def cli(*args: str) -> CliResult:
        result = run_advisor(list(args), env=env, timeout=600)
        (out / f"cli-{len(list(out.iterdir()))}.log").write_text(result.stdout + result.stderr)
        return result

    # The user even pastes the key into the chat and into a document.
    session = "hygiene"
    for message in (
        "We build a support bot for insurance policies that change monthly; cite sources.",
        f"Our key is {CANARY_KEY}, please use it.",
        "just tell me",
        "How much would retrieval cost us?",
    ):
        turn = cli("chat", "--session", session, "--message", message, "--json")
        assert turn.returncode == 0, turn.stdout + turn.stderr
    from typer.testing import CliRunner

    from agent.cli import app

    doc = tmp_path / "notes.md"
    doc.write_text(f"# Notes\n\nThe API key is {CANARY_KEY}.\n")
    runner = CliRunner()
    for args in (["docs", "add", str(doc)], ["sessions"],
                 ["recommend", "--text", f"A chatbot for policies. key {CANARY_KEY}",
                  "--report", str(out / "cli-report.md")]):
        result = runner.invoke(app, args)
        (out / f"inproc-{args[0]}.log").write_text(result.stdout + (result.stderr or ""))

    from agent.service import Advisor

    with Advisor() as advisor:
        (out / "export.json").write_text(json.dumps(advisor.export(session)))
        (out / "report.md").write_text(advisor.report_markdown(session))
        (out / "report.html").write_text(advisor.report_html(session))
        (out / "project.zip").write_bytes(advisor.scaffold_zip(session))
    assert echoing_stub.chat_calls > 0, "the LLM path was never used"

    found: list[str] = []
    scanned = _scan_tree(isolated_settings, found) + _scan_tree(out, found)
    assert scanned >= 8, scanned
    assert not found, f"the API key was written to: {found}"
    figures_recorder.record("security", "secret hygiene: artifacts scanned for the key",
                            run=scanned, passed=scanned - len(found), unit="files",
                            detail="checkpoints, logs, exports, reports, zips (members too)")
