"""Which mode the advisor runs in, and what an API key would add. Never shows the key."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from agent.config import Settings

OFFLINE_TEXT = (
    "**Offline mode.** Everything works without an API key: a built-in extractor reads your "
    "answers, the questions come from templates and the recommendation comes from the "
    "transparent scoring model."
)
KEY_BENEFITS = (
    "With `OPENAI_API_KEY` set (environment, `.env` or `.streamlit/secrets.toml`; optionally "
    "`OPENAI_BASE_URL` and `ADVISOR_MODEL` for any OpenAI-compatible server), a language model "
    "also:\n"
    "- understands free-form descriptions better (fewer follow-up questions),\n"
    "- phrases questions and explanations naturally, streamed as they are written,\n"
    "- answers follow-up questions about the recommendation in prose.\n\n"
    "The decision itself stays the same deterministic scoring model either way, and the key is "
    "never shown, logged, or put into any download."
)


def endpoint_label(settings: Settings) -> str:
    """Where LLM calls go, without credentials or paths (`api.openai.com`)."""
    if not settings.openai_base_url:
        return "api.openai.com"
    parsed = urlparse(settings.openai_base_url)
    host = parsed.hostname or "custom endpoint"
    return f"{host}:{parsed.port}" if parsed.port else host


def render(settings: Settings) -> None:
    """Offline banner with the benefits of a key, or a one-line LLM mode caption."""
    if not settings.llm_enabled:
        with st.container(key="offline_banner"):
            st.info(OFFLINE_TEXT, icon=":material/cloud_off:")
            with st.expander("What would an API key add?"):
                st.markdown(KEY_BENEFITS)
        return
    st.caption(
        f":material/smart_toy: LLM mode: model `{settings.model}` via `{endpoint_label(settings)}`. "
        "The decision is still made by the transparent scoring model."
    )
