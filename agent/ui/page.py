"""The whole page: wires the sections to the Advisor. Only control flow lives here."""

from __future__ import annotations

import logging

import streamlit as st

from agent.config import Settings
from agent.service import SessionView
from agent.ui import (
    chat,
    profile_panel,
    recommendation_view,
    resources,
    sessions,
    settings_banner,
    state,
    uploads,
)
from agent.ui.boot import PAGE_ICON, PAGE_TITLE
from agent.ui.protocol import AdvisorAPI

log = logging.getLogger(__name__)

CHAT_ACTIONS = ("send", "skip", "recommend_now")
#: The conversation scrolls in its own box so the recommendation stays in view beside it.
CHAT_HEIGHT_PX = 680


def _advisor_or_error() -> AdvisorAPI | None:
    try:
        return resources.get_advisor()
    except Exception as exc:
        log.exception("the advisor could not start")
        st.error(f"The advisor could not start: {exc}")
        return None


def resolve_session(advisor_needed: bool) -> tuple[str | None, AdvisorAPI | None]:
    """The session this tab shows (URL wins over tab state) and the Advisor if it was needed."""
    url_id = state.url_session()
    current = state.current_session()
    advisor: AdvisorAPI | None = None
    if url_id and url_id != current:
        advisor = _advisor_or_error()
        if advisor is None:
            return None, None
        if advisor.has_session(url_id):
            state.open_session(url_id)
            current = url_id
        else:
            st.warning(
                "That session link does not match a stored session (it may have been deleted). "
                "You can start a new one below.",
                icon=":material/link_off:",
            )
            state.close_session()
            current = None
    elif current and not url_id:
        state.open_session(current)  # puts the id back into the URL
    if current or advisor_needed:
        advisor = advisor or _advisor_or_error()
        if advisor is not None and current and not advisor.has_session(current):
            st.warning(
                "This session no longer exists (deleted in another tab?).", icon=":material/delete:"
            )
            state.forget_session(current)
            current = None
    return current, advisor


def _run_side_action(advisor: AdvisorAPI, session_id: str, action: state.Action) -> None:
    """Profile edits and path choices: run with a spinner, report as a toast."""
    from agent.ui.labels import field_label, path_label, value_label

    try:
        with st.spinner("Re-running the decision…"):
            if action.kind == "set_field":
                advisor.set_field(session_id, action.field, action.value)
                st.toast(
                    f"{field_label(action.field)} set to {value_label(action.value)}",
                    icon=":material/edit:",
                )
            else:
                advisor.choose_path(session_id, action.text, list(action.components) or None)
                st.toast(
                    f"Path chosen: {path_label(action.text, list(action.components))}",
                    icon=":material/explore:",
                )
    except Exception as exc:
        log.exception("%s failed", action.kind)
        st.error(f"That change did not go through: {exc}")


def _render_main(
    advisor: AdvisorAPI, session_id: str | None, action: state.Action | None, settings: Settings
) -> SessionView | None:
    view = advisor.view(session_id) if session_id else None
    if action is not None and action.kind not in CHAT_ACTIONS and session_id:
        _run_side_action(advisor, session_id, action)
        view = advisor.view(session_id)
        action = None
    chat_col, rec_col = st.columns([1, 1.15], gap="large")
    with chat_col, st.container(height=CHAT_HEIGHT_PX, key="conversation", autoscroll=True):
        if view is not None:
            for notice in view.notices:
                st.caption(f":material/info: {notice}")
            chat.render_history(view.messages)
        if action is not None:
            result = chat.run_turn(advisor, session_id, action, stream=settings.llm_enabled)
            if result is not None:
                # Redraw everything from the stored session, so what the user sees now
                # is exactly what a reload or a shared link shows.
                st.rerun()
        if view is not None and view.question is not None:
            chat.render_quick_replies(
                view.question,
                f"{view.id}-{len(view.messages)}",
                recommended_already=view.recommendation is not None,
            )
    with rec_col:
        if view is not None and view.recommendation is not None:
            recommendation_view.render(view.recommendation, view.diff)
            from agent.ui import downloads

            downloads.render(advisor, view, settings.secret_values())
        else:
            st.info(
                "Your recommendation appears here as soon as I know enough — or click "
                "**Recommend now** to decide with what is known.",
                icon=":material/explore:",
            )
    return view


def render(prompt: str | None) -> None:
    """Draw the page for this run (after `boot.first_paint`, which returned `prompt`)."""
    state.seed()
    settings = resources.page_settings()
    if prompt and prompt.strip():
        state.queue(state.Action("send", text=prompt.strip()))
    action = state.pop_action()

    st.markdown(f"# {PAGE_ICON} {PAGE_TITLE}")
    st.caption(
        "Prompt engineering, RAG, fine-tuning or a hybrid? Decide with evidence, then start building."
    )
    settings_banner.render(settings)

    # The Advisor is built only when needed: a message, a session to show or to list.
    session_id, advisor = resolve_session(
        advisor_needed=action is not None or bool(state.own_sessions())
    )
    view: SessionView | None = None
    if session_id is None and action is None:
        chat.render_welcome()
    elif advisor is not None:
        view = _render_main(advisor, session_id, action, settings)

    with st.sidebar:
        st.markdown("### :material/forum: Sessions")
        sessions.render(advisor)
        if view is not None:
            st.divider()
            profile_panel.render(view)
        st.divider()
        uploads.render(settings)

    if advisor is None and session_id is None:
        # Warm the cache after the page is drawn, so the first message is quick.
        _advisor_or_error()
