"""Small readers over AppTest's element tree."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP_PATH = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT_S = 90
EXAMPLE_KEY = "example-0"


def new_tab() -> AppTest:
    """A browser tab on the page (its own session state; the Advisor is shared)."""
    return AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT_S)


def texts(at: AppTest) -> str:
    """All markdown, caption, alert and chat text on the page, joined."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


def quick_replies(at: AppTest) -> list:
    """The quick-reply buttons currently offered."""
    return [b for b in at.button if (b.key or "").startswith("qr-")]


def answer_until_recommendation(at: AppTest, max_turns: int = 15) -> int:
    """Click the recommended quick reply until a recommendation shows; return clicks made."""
    for turn in range(max_turns):
        assert not at.exception, at.exception
        if has_recommendation(at):
            return turn
        offered = quick_replies(at)
        assert offered, "no quick replies offered before a recommendation:\n" + texts(at)
        preferred = [b for b in offered if (b.key or "").endswith("-recommended")] or offered
        preferred[0].click().run()
    raise AssertionError(f"no recommendation after {max_turns} quick replies")


def has_recommendation(at: AppTest) -> bool:
    """True once the recommendation view is drawn."""
    return any(
        str(m.value).startswith("## ") and "Recommended:" in str(m.value) for m in at.markdown
    )


def chat_roles(at: AppTest) -> list[str]:
    """Roles of the chat bubbles in order."""
    return [str(m.name) for m in at.chat_message]
