"""Download builders: the data each button serves, built only on click, never with a secret."""

from __future__ import annotations

import ast
import io
import json
import zipfile
from typing import Any

import pytest

from agent.ui.downloads import (
    DownloadError,
    assert_no_secrets,
    build_export_json,
    build_report_html,
    build_report_markdown,
    build_scaffold_zip,
    selected_path,
)

FEATURE = (
    "A support assistant that answers customer questions from our 3,000 policy documents; "
    "they change every month and answers must cite the policy."
)


@pytest.fixture
def decided(real_advisor: Any) -> str:
    session_id: str = real_advisor.new_session()
    real_advisor.send(session_id, FEATURE)
    real_advisor.recommend_now(session_id)
    return session_id


def _zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def test_scaffold_zip_for_recommended_and_other_paths(real_advisor: Any, decided: str) -> None:
    view = real_advisor.view(decided)
    for choice in ("recommended", "prompt_engineering", "rag", "fine_tuning", "hybrid"):
        approach, components = selected_path(choice, view)
        data = build_scaffold_zip(real_advisor, decided, approach, components)
        names = _zip_names(data)
        assert any(n.endswith("README.md") for n in names), (choice, names)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in names:
                if name.endswith(".py"):
                    ast.parse(archive.read(name).decode("utf-8"), filename=name)


def test_reports_and_export(real_advisor: Any, decided: str) -> None:
    rec = real_advisor.view(decided).recommendation
    markdown = build_report_markdown(real_advisor, decided).decode()
    assert markdown.lstrip().startswith("#") and len(markdown) > 200
    html = build_report_html(real_advisor, decided).decode()
    assert "<html" in html.lower() and "</html>" in html.lower()
    exported = json.loads(build_export_json(real_advisor, decided))
    assert exported["id"] == decided
    assert exported["recommendation"]["approach"] == rec.approach
    assert exported["messages"][0]["content"].startswith("A support assistant")


class _LeakyAdvisor:
    """An Advisor whose outputs contain the key, to prove the builders refuse them."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def scaffold_zip(self, session_id: str, approach: Any = None, components: Any = None) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("app/.env", f"OPENAI_API_KEY={self.secret}\n")
        return buffer.getvalue()

    def report_markdown(self, session_id: str) -> str:
        return f"# Report\nkey {self.secret}"

    def report_html(self, session_id: str) -> str:
        return f"<html>{self.secret}</html>"

    def export(self, session_id: str) -> dict[str, Any]:
        return {"settings": {"key": self.secret}}


def test_builders_refuse_to_serve_a_secret() -> None:
    secret = "sk-test-NEVER-SERVE-1234567890"
    leaky: Any = _LeakyAdvisor(secret)
    for build in (build_scaffold_zip,):
        with pytest.raises(DownloadError, match="secret"):
            build(leaky, "s1", None, None, [secret])
    for build_text in (build_report_markdown, build_report_html, build_export_json):
        with pytest.raises(DownloadError, match="secret"):
            build_text(leaky, "s1", [secret])
    # Compressed members are checked too, not just the raw zip bytes.
    assert secret.encode() not in leaky.scaffold_zip("s1")
    assert_no_secrets(b"nothing here", [secret], "x")
    assert_no_secrets(b"anything", [], "x")


def test_download_buttons_do_not_build_data_on_rerun(
    real_advisor: Any, decided: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app_helpers import new_tab

    calls: list[str] = []
    original = real_advisor.scaffold_zip
    monkeypatch.setattr(
        real_advisor, "scaffold_zip", lambda *a, **k: calls.append("zip") or original(*a, **k)
    )
    at = new_tab()
    at.query_params["session"] = decided
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 4
    at.run()
    assert calls == [], "page runs must not build the zip; it is built on click"
