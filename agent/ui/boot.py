"""First paint: page config and the chat input, before any heavy import.

Only Streamlit is imported here, so the browser shows the page and the chat
input while the rest of the page (pydantic models, the Advisor) is loading.
"""

from __future__ import annotations

import streamlit as st

PAGE_TITLE = "LLM Approach Advisor"
PAGE_ICON = ":material/explore:"
CHAT_PLACEHOLDER = "Describe your feature, or answer the question…"


def first_paint() -> str | None:
    """Configure the page and draw the chat input; return a submitted message, if any."""
    st.set_page_config(
        page_title=PAGE_TITLE,
        page_icon=PAGE_ICON,
        layout="wide",
        initial_sidebar_state="expanded",
        menu_items={
            "About": "Helps product managers choose prompt engineering, RAG, fine-tuning or a "
            "hybrid, and hands them a runnable starter project."
        },
    )
    # Long messages are cut by the Advisor with a notice (ADVISOR_MAX_MESSAGE_CHARS).
    return st.chat_input(CHAT_PLACEHOLDER, key="chat")
