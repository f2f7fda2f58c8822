"""AppTest fixtures: the real page over the real Advisor (offline, SQLite in tmp).

Citations are turned off here (`with_citations=False`) so page tests do not
build the knowledge index; retrieval has its own tests, and the browser test
runs the full app with citations.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app_helpers import new_tab
from streamlit.testing.v1 import AppTest

from agent.config import get_settings
from agent.ui import resources


@pytest.fixture
def real_advisor(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Make the page build an offline Advisor without citations; yield it for direct use."""
    from agent.service import Advisor  # type: ignore[attr-defined]

    advisor = Advisor(settings=get_settings(), with_citations=False)
    monkeypatch.setattr(resources, "build_advisor", lambda: advisor)
    resources.clear_advisor_cache()
    yield advisor
    resources.clear_advisor_cache()
    advisor.close()


@pytest.fixture
def app(real_advisor: object) -> AppTest:
    """A fresh page (one browser tab) over the offline Advisor."""
    return new_tab()
