"""Process-wide resources of the page: settings (with `st.secrets`) and the Advisor.

Heavy modules (langgraph, chromadb, onnxruntime) are imported only when the
Advisor is first needed, so the first paint of the page stays fast.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import streamlit as st

from agent.config import Settings, get_settings

if TYPE_CHECKING:
    from agent.ui.protocol import AdvisorAPI

log = logging.getLogger(__name__)

#: Settings that may come from `.streamlit/secrets.toml` (top level, or the
#: `[openai]` table with short names). Only these are copied into the environment.
SECRET_SETTING_NAMES: tuple[str, ...] = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ADVISOR_MODEL",
    "ADVISOR_EMBEDDINGS",
    "ADVISOR_DATABASE_URL",
    "CHROMA_HOST",
    "CHROMA_PORT",
)
_OPENAI_TABLE_NAMES = {
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "model": "ADVISOR_MODEL",
}


def secrets_to_env(secrets: Mapping[str, Any], environ: MutableMapping[str, str]) -> list[str]:
    """Copy known settings from a secrets mapping into `environ`; return the names copied.

    A value already set (non-blank) in the environment wins, so an operator's
    env overrides a committed default. Only names are returned, never values.
    """
    found: dict[str, Any] = {}
    table = secrets.get("openai")
    if isinstance(table, Mapping):
        for short, name in _OPENAI_TABLE_NAMES.items():
            if short in table:
                found[name] = table[short]
    for name in SECRET_SETTING_NAMES:
        if name in secrets:
            found[name] = secrets[name]
    applied = []
    for name, value in found.items():
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            continue
        if environ.get(name, "").strip():
            continue
        environ[name] = str(value)
        applied.append(name)
    return applied


def load_streamlit_secrets() -> list[str]:
    """Map `st.secrets` (if a secrets.toml exists) into the environment, then re-read settings.

    Returns the names of settings taken from secrets (for the settings caption).
    """
    try:
        if not st.secrets.load_if_toml_exists():
            return []
        applied = secrets_to_env(st.secrets.to_dict(), os.environ)
    except Exception as exc:  # a broken secrets.toml must not take the page down
        log.warning("could not read .streamlit/secrets.toml: %s", type(exc).__name__)
        return []
    if applied:
        get_settings.cache_clear()
    return applied


def page_settings() -> Settings:
    """The settings the page runs with (env, `.env`, then `st.secrets`)."""
    if "secrets_applied" not in st.session_state:
        st.session_state["secrets_applied"] = load_streamlit_secrets()
    return get_settings()


def build_advisor() -> AdvisorAPI:
    """Construct the real Advisor (imports the agent stack lazily). Tests replace this."""
    from agent.service import Advisor  # type: ignore[attr-defined]

    advisor = Advisor(settings=get_settings())
    # Open the store and load the reading models while the user types, so the first
    # reply does not wait for them (about 3-4 s on a laptop, more in a cold container).
    threading.Thread(target=advisor.warm_up, name="advisor-warm-up", daemon=True).start()
    built: AdvisorAPI = advisor
    return built


@st.cache_resource(show_spinner="Loading the advisor…")
def _cached_advisor(settings_key: str) -> AdvisorAPI:
    return build_advisor()


def settings_key(settings: Settings) -> str:
    """What the cached Advisor depends on (no secret values: only whether a key is set)."""
    return "|".join(
        [
            str(settings.data_dir),
            str(settings.chroma_path),
            str(settings.database_url is not None),
            str(settings.llm_enabled),
            settings.openai_base_url or "",
            settings.model,
        ]
    )


def get_advisor() -> AdvisorAPI:
    """The process-wide Advisor for the current settings (cached with `st.cache_resource`)."""
    return _cached_advisor(settings_key(get_settings()))


def clear_advisor_cache() -> None:
    """Forget the cached Advisor (tests, settings changes)."""
    _cached_advisor.clear()
