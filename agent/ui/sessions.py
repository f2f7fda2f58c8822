"""Sidebar session controls: new, switch, rename, delete, and the shareable link.

Only sessions this browser tab created or opened by link are listed (see
`agent.ui.state`): listing every stored session would show other people's work
in a shared deployment.
"""

from __future__ import annotations

import logging

import streamlit as st

from agent.service import SessionInfo
from agent.ui import state
from agent.ui.protocol import AdvisorAPI

log = logging.getLogger(__name__)


def visible_sessions(all_sessions: list[SessionInfo], own: list[str]) -> list[SessionInfo]:
    """The sessions this tab may list: its own ids, newest first."""
    mine = [s for s in all_sessions if s.id in set(own)]
    return sorted(mine, key=lambda s: s.updated_at, reverse=True)


def _new_session() -> None:
    state.close_session()


def _switch(session_id: str) -> None:
    state.open_session(session_id)


def _rename(advisor: AdvisorAPI, session_id: str, key: str) -> None:
    title = " ".join(str(st.session_state.get(key, "")).split())[:80]
    if not title:
        st.session_state["session_message"] = ("error", "A session title cannot be empty.")
        return
    try:
        advisor.rename(session_id, title)
        st.session_state["session_message"] = ("success", f"Renamed to “{title}”.")
    except Exception as exc:
        log.exception("rename failed")
        st.session_state["session_message"] = ("error", f"Could not rename: {exc}")


def _delete(advisor: AdvisorAPI, session_id: str) -> None:
    try:
        advisor.delete(session_id)
        state.forget_session(session_id)
        st.session_state["session_message"] = ("success", "Session deleted.")
    except Exception as exc:
        log.exception("delete failed")
        st.session_state["session_message"] = ("error", f"Could not delete: {exc}")
    st.session_state["confirm_delete"] = False


def _ask_delete(flag: bool) -> None:
    st.session_state["confirm_delete"] = flag


def render(advisor: AdvisorAPI | None) -> None:
    """Session controls (call inside `st.sidebar`). `advisor` is None before first use."""
    st.button(
        "New session",
        icon=":material/add:",
        key="new-session",
        on_click=_new_session,
        width="stretch",
        disabled=state.current_session() is None,
    )
    message = st.session_state.pop("session_message", None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(text)
    own = state.own_sessions()
    if advisor is None or not own:
        return
    try:
        sessions = visible_sessions(advisor.list_sessions(), own)
    except Exception as exc:
        log.exception("listing sessions failed")
        st.error(f"Could not list sessions: {exc}")
        return
    current = state.current_session()
    if sessions:
        st.caption("Your sessions in this browser tab")
    for info in sessions:
        st.button(
            (":material/task_alt: " if info.done else ":material/chat: ") + info.title,
            key=f"open-{info.id}",
            type="primary" if info.id == current else "secondary",
            on_click=_switch,
            args=(info.id,),
            width="stretch",
        )
    info_now = next((s for s in sessions if s.id == current), None)
    if info_now is None:
        return
    with st.expander("Manage this session"):
        key = f"rename-{info_now.id}"
        st.text_input("Title", value=info_now.title, key=key, max_chars=80)
        st.button(
            "Rename",
            key=f"do-rename-{info_now.id}",
            on_click=_rename,
            args=(advisor, info_now.id, key),
        )
        st.caption(
            "Resume link: this page's URL (it ends in `?session=…`). Anyone with the link can "
            "open this session; share it only with your team."
        )
        if not st.session_state.get("confirm_delete"):
            st.button(
                "Delete session…",
                key="ask-delete",
                icon=":material/delete:",
                on_click=_ask_delete,
                args=(True,),
            )
        else:
            st.warning("Delete this session for good? This cannot be undone.")
            cols = st.columns(2)
            cols[0].button(
                "Yes, delete",
                key="confirm-delete",
                type="primary",
                on_click=_delete,
                args=(advisor, info_now.id),
            )
            cols[1].button("Cancel", key="cancel-delete", on_click=_ask_delete, args=(False,))
