"""End to end in a real browser: describe, answer with quick replies, get a recommendation,
download the starter project, reload and find the session still there."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARTIFACTS, REPO_ROOT, Server

pytestmark = pytest.mark.browser

if str(REPO_ROOT) not in sys.path:  # the shared scaffold checks live in tests/scaffold
    sys.path.insert(0, str(REPO_ROOT))
from tests.scaffold.helpers import check_tree, run_generated_tests  # noqa: E402

DESCRIPTION = (
    "We want an assistant for our insurance claims team that answers adjusters' questions "
    "from about 2,000 internal policy documents. Policies change every quarter and every "
    "answer must cite the policy section."
)
WAIT_MS = 120_000

_NEXT_STEP_JS = """(previous) => {
  const box = document.querySelector('[class*="st-key-quick-replies-"]');
  const key = box ? [...box.classList].find(c => c.startsWith('st-key-quick-replies-')) : null;
  const rec = [...document.querySelectorAll('h2')].some(h => h.textContent.includes('Recommended:'));
  return rec || (key !== null && key !== previous);
}"""

_QUICK_KEY_JS = """() => {
  const box = document.querySelector('[class*="st-key-quick-replies-"]');
  return box ? [...box.classList].find(c => c.startsWith('st-key-quick-replies-')) : null;
}"""


def _shot(page: Any, name: str) -> None:
    # Widgets load their code lazily and show skeletons until then; wait for them.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid^=\"stSkeleton\"]')", timeout=WAIT_MS
    )
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def _recommendation_visible(page: Any) -> bool:
    return page.locator("h2", has_text="Recommended:").count() > 0


def _wait_idle(page: Any) -> None:
    # The status widget shows while a script run is in progress.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS
    )


def test_interview_download_and_resume(app_server: Server, page: Any, tmp_path: Path) -> None:
    page.goto(app_server.url, wait_until="domcontentloaded")
    chat_input = page.get_by_test_id("stChatInputTextArea")
    chat_input.wait_for(state="visible", timeout=WAIT_MS)
    page.get_by_text("Which way should you build your LLM feature?").wait_for(timeout=WAIT_MS)
    _wait_idle(page)
    _shot(page, "1-welcome")

    chat_input.fill(DESCRIPTION)
    chat_input.press("Enter")
    page.wait_for_function(_NEXT_STEP_JS, arg=None, timeout=WAIT_MS)
    _wait_idle(page)
    assert "session=" in page.url
    _shot(page, "2-first-question")

    for _ in range(15):
        if _recommendation_visible(page):
            break
        previous = page.evaluate(_QUICK_KEY_JS)
        box = page.locator(f".{previous}")
        starred = box.get_by_test_id("stBaseButton-primary")
        (starred.first if starred.count() else box.get_by_role("button").first).click()
        page.wait_for_function(_NEXT_STEP_JS, arg=previous, timeout=WAIT_MS)
        _wait_idle(page)
    assert _recommendation_visible(page), "no recommendation after answering with quick replies"
    heading = page.locator("h2", has_text="Recommended:").first.inner_text()
    messages_before = page.get_by_test_id("stChatMessage").count()
    _shot(page, "3-recommendation")

    download_button = page.get_by_test_id("stDownloadButton").filter(has_text="Starter project")
    download_button.scroll_into_view_if_needed()
    with page.expect_download(timeout=WAIT_MS) as download_info:
        download_button.get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename.startswith(
        "starter-"
    ) and download.suggested_filename.endswith(".zip")
    data = Path(download.path()).read_bytes()
    project = tmp_path / "starter"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(project)
    roots = [p for p in project.iterdir() if p.is_dir()]
    root = roots[0] if len(roots) == 1 and not (project / "README.md").exists() else project
    check_tree(root)
    if (root / "tests").is_dir():
        result = run_generated_tests(root)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    session_url = page.url
    page.reload(wait_until="domcontentloaded")
    page.locator("h2", has_text="Recommended:").first.wait_for(timeout=WAIT_MS)
    _wait_idle(page)
    assert page.url == session_url
    assert page.locator("h2", has_text="Recommended:").first.inner_text() == heading
    assert page.get_by_test_id("stChatMessage").count() == messages_before
    assert page.get_by_text(DESCRIPTION[:60]).count() >= 1
    _shot(page, "4-after-reload")
    assert "Traceback" not in app_server.log.read_text(errors="replace")
