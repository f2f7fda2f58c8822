"""Settings from env, `.env` and `st.secrets`; the key is never rendered."""

from __future__ import annotations

import pytest
from app_helpers import new_tab

from agent.config import Settings
from agent.ui.resources import secrets_to_env, settings_key
from agent.ui.settings_banner import endpoint_label


def test_secrets_fill_only_unset_settings_and_return_names() -> None:
    environ = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "  "}
    applied = secrets_to_env(
        {
            "OPENAI_API_KEY": "sk-from-secrets",
            "OPENAI_BASE_URL": "http://ignored",
            "openai": {"model": "my-model"},
            "UNRELATED": "x",
            "ADVISOR_EMBEDDINGS": True,  # not a plain string/number: ignored
        },
        environ,
    )
    assert sorted(applied) == ["ADVISOR_MODEL", "OPENAI_API_KEY"]
    assert environ["OPENAI_API_KEY"] == "sk-from-secrets"
    assert environ["OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1", "env wins over secrets"
    assert environ["ADVISOR_MODEL"] == "my-model"
    assert "UNRELATED" not in environ


def test_endpoint_label_and_cache_key_hold_no_credentials() -> None:
    settings = Settings(
        OPENAI_API_KEY="sk-secret-value-xyz",
        OPENAI_BASE_URL="https://user:pw@llm.internal:8443/v1",
    )
    assert endpoint_label(settings) == "llm.internal:8443"
    assert "sk-secret-value-xyz" not in settings_key(settings)


def test_llm_mode_from_secrets_never_renders_the_key(
    real_advisor: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-do-not-render-42"
    at = new_tab()
    at.secrets["OPENAI_API_KEY"] = secret
    at.secrets["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"
    at.run()
    assert not at.exception, at.exception
    rendered = str(at._tree)
    captions = " ".join(str(c.value) for c in at.caption)
    assert "LLM mode" in captions and "127.0.0.1:9" in captions
    assert "Offline mode" not in captions
    assert secret not in rendered


def test_building_the_advisor_starts_the_model_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's Advisor loads the reading models in a background thread, so the
    user's first message does not wait for them."""
    import threading

    import agent.service
    from agent.ui import resources

    called = threading.Event()
    monkeypatch.setattr(agent.service.Advisor, "warm_up", lambda self: called.set())
    advisor = resources.build_advisor()
    try:
        assert called.wait(timeout=10)
    finally:
        advisor.close()
