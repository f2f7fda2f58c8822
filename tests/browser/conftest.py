"""Browser fixtures: a real `streamlit run app.py` on loopback and a real Chromium.

Playwright's own browser download cannot work offline, so the tests launch
`/usr/bin/chromium` (installed by `scripts/ensure-system-deps.sh`, run by
`make test`). Without it the tests skip with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO_ROOT,
    Server,
    free_port,
    offline_env,
    start_streamlit,
    stop,
    wait_healthy,
)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium; "
            "`make test` runs scripts/ensure-system-deps.sh)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def app_server(
    tmp_path_factory: pytest.TempPathFactory, knowledge_index_dir: Path
) -> Iterator[Server]:
    """The real app over a prebuilt knowledge index and an empty session store."""
    root = tmp_path_factory.mktemp("browser-app")
    data_dir = root / "data"
    log = root / "streamlit.log"
    port = free_port()
    process = start_streamlit(
        REPO_ROOT / "app.py", port, offline_env(data_dir, knowledge_index_dir), log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield Server(url=url, data_dir=data_dir, log=log)
    finally:
        stop(process)


@pytest.fixture
def page(chromium_path: Path) -> Iterator[object]:
    """A fresh Chromium page that accepts downloads."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1440, "height": 1700}
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
