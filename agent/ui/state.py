"""Per-browser-tab state: the current session, this tab's own sessions, queued actions.

Privacy rule: a tab only lists sessions it created or opened by link (the id in
the URL). Session ids are unguessable, so the URL is the capability to resume;
nothing on the page enumerates other people's sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

QUERY_KEY = "session"

ActionKind = Literal["send", "skip", "recommend_now", "set_field", "choose_path"]


@dataclass(frozen=True)
class Action:
    """Something the user asked for that the Advisor must run on this rerun."""

    kind: ActionKind
    text: str = ""
    field: str = ""
    value: Any = None
    components: tuple[str, ...] = ()


def seed() -> None:
    """Create this tab's state keys once."""
    defaults: dict[str, Any] = {
        "current_session": None,
        "own_sessions": [],
        "pending_action": None,
        "upload_results": [],
        "uploader_generation": 0,
        "confirm_delete": False,
        "url_error": None,
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def queue(action: Action) -> None:
    """Queue an action (used from widget callbacks)."""
    st.session_state["pending_action"] = action


def pop_action() -> Action | None:
    """Take the queued action, if any."""
    action = st.session_state.get("pending_action")
    st.session_state["pending_action"] = None
    return action if isinstance(action, Action) else None


def current_session() -> str | None:
    """The id of the session this tab shows."""
    value = st.session_state.get("current_session")
    return value if isinstance(value, str) else None


def url_session() -> str | None:
    """The session id in the URL, if any."""
    value = st.query_params.get(QUERY_KEY)
    return (value.strip() or None) if isinstance(value, str) else None


def open_session(session_id: str) -> None:
    """Show `session_id` in this tab, remember it as ours and put it in the URL."""
    st.session_state["current_session"] = session_id
    own: list[str] = st.session_state["own_sessions"]
    if session_id not in own:
        own.append(session_id)
    if st.query_params.get(QUERY_KEY) != session_id:
        st.query_params[QUERY_KEY] = session_id
    st.session_state["confirm_delete"] = False


def close_session() -> None:
    """Back to the welcome screen (a new session starts with the next message)."""
    st.session_state["current_session"] = None
    st.session_state["confirm_delete"] = False
    if QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]


def forget_session(session_id: str) -> None:
    """Drop a (deleted) session from this tab."""
    own: list[str] = st.session_state["own_sessions"]
    if session_id in own:
        own.remove(session_id)
    if current_session() == session_id:
        close_session()


def own_sessions() -> list[str]:
    """Ids this tab created or opened, oldest first."""
    return list(st.session_state.get("own_sessions", []))
