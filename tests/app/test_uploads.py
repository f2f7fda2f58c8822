"""Own documents: per-file results for good and bad uploads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from app_helpers import new_tab
from streamlit.testing.v1 import AppTest

from agent.ui.uploads import UploadOutcome, process_uploads

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@dataclass
class Upload:
    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


@dataclass
class Result:
    status: str
    message: str


def test_handler_refuses_empty_and_oversize_before_ingesting() -> None:
    seen: list[str] = []

    def add(name: str, data: bytes) -> Result:
        seen.append(name)
        return Result("added", f"{name}: 3 chunks")

    progress: list[tuple[int, int]] = []
    outcomes = process_uploads(
        [
            Upload("empty.md", b""),
            Upload("blank.txt", b"  \n"),
            Upload("big.md", b"x" * 101),
            Upload("ok.md", b"# Notes\nhello"),
        ],
        add,
        max_bytes=100,
        on_progress=lambda done, total, name: progress.append((done, total)),
    )
    assert [o.status for o in outcomes] == ["skipped", "skipped", "skipped", "added"]
    assert "empty" in outcomes[0].message and "empty" in outcomes[1].message
    assert "too large" in outcomes[2].message and "limit" in outcomes[2].message
    assert seen == ["ok.md"], "only the acceptable file reaches the ingester"
    assert progress[-1] == (4, 4)


def test_handler_reports_ingester_failures_per_file() -> None:
    def add(name: str, data: bytes) -> Result:
        if name == "boom.md":
            raise RuntimeError("index is locked")
        return Result("weird-status", "")

    outcomes = process_uploads(
        [Upload("boom.md", b"# a"), Upload("fine.md", b"# b")], add, max_bytes=1000
    )
    assert outcomes[0] == UploadOutcome(
        "boom.md", "error", "Could not add the file: index is locked"
    )
    assert outcomes[1].status == "error", "an unknown status is not shown as success"


@pytest.fixture
def page(real_advisor: object, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ADVISOR_MAX_UPLOAD_BYTES", "2000")
    from agent.config import get_settings

    get_settings.cache_clear()
    at = new_tab()
    at.run()
    return at


def test_bad_uploads_get_a_clear_message_each(page: AppTest) -> None:
    uploader = page.sidebar.file_uploader[0]
    uploader.set_value(
        [
            ("empty.md", b"", "text/markdown"),
            ("huge.md", b"# big\n" + b"word " * 1000, "text/markdown"),
            ("photo.png", PNG, "image/png"),
            ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream"),
        ]
    ).run()
    page.button(key="add-docs").click().run()
    assert not page.exception, page.exception
    shown = [str(e.value) for e in (*page.warning, *page.error, *page.success)]
    by_file = {
        name: next((s for s in shown if f"**{name}**" in s), "")
        for name in ("empty.md", "huge.md", "photo.png", "tool.exe")
    }
    assert "empty" in by_file["empty.md"]
    assert "too large" in by_file["huge.md"]
    assert by_file["photo.png"] and not by_file["photo.png"].startswith("✅")
    assert by_file["tool.exe"] and not by_file["tool.exe"].startswith("✅")
    assert not page.success, "nothing bad was reported as added"
    # The uploader is emptied so the same files are not added twice.
    assert not page.sidebar.file_uploader[0].value


def test_good_upload_is_added_to_the_user_collection(page: AppTest) -> None:
    text = b"---\ntitle: Our support policy\n---\n# Refunds\nRefunds are paid within 14 days.\n"
    page.sidebar.file_uploader[0].set_value(("policy.md", text, "text/markdown")).run()
    page.button(key="add-docs").click().run()
    assert not page.exception, page.exception
    assert not page.error, [e.value for e in page.error]
    assert any("**policy.md**" in str(s.value) for s in page.success)
