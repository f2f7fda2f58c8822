"""The Streamlit page driven through AppTest, over the real offline Advisor."""

from __future__ import annotations

import json
from typing import Any

from app_helpers import (
    EXAMPLE_KEY,
    answer_until_recommendation,
    chat_roles,
    has_recommendation,
    new_tab,
    quick_replies,
    texts,
)
from streamlit.testing.v1 import AppTest

from agent.profile import allowed_values
from agent.ui.chat import EXAMPLE_PROMPTS
from agent.ui.labels import STATUS_MARKERS, path_label, short_approach_label
from agent.ui.recommendation_view import score_rows


def _start_interview(at: AppTest) -> None:
    at.run()
    at.button(key=EXAMPLE_KEY).click().run()
    assert not at.exception, at.exception


def test_first_load_shows_welcome_examples_and_offline_banner(app: AppTest) -> None:
    app.run()
    assert not app.exception, app.exception
    page = texts(app)
    assert "Which way should you build your LLM feature?" in page
    assert "Offline mode" in page
    example_keys = [b.key for b in app.button if (b.key or "").startswith("example-")]
    assert len(example_keys) == len(EXAMPLE_PROMPTS)
    assert len(app.chat_input) == 1
    assert "session" not in app.query_params
    assert not app.chat_message, "no conversation before the first message"
    assert not app.error


def test_offline_interview_reaches_recommendation_with_quick_replies(
    app: AppTest, real_advisor: Any
) -> None:
    _start_interview(app)
    session_id = app.query_params["session"]
    session_id = session_id[0] if isinstance(session_id, list) else session_id
    assert real_advisor.has_session(session_id)
    assert chat_roles(app)[:2] == ["user", "assistant"]
    assert any((b.key or "").endswith("-recommended") for b in quick_replies(app)), "default marked"
    assert "Suggested default" in texts(app)

    clicks = answer_until_recommendation(app)
    assert clicks >= 1
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    view = real_advisor.view(session_id)
    assert view.recommendation is not None
    page = texts(app)
    # The page shows the Advisor's recommendation and its scores, not numbers of its own.
    rec = view.recommendation
    assert f"Recommended: {path_label(rec.approach, list(rec.components))}" in page
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1, "score chart"
    spec = json.loads(charts[0].proto.spec)
    assert spec["encoding"]["x"]["field"] == "score"
    assert spec["encoding"]["y"]["field"] == "approach"
    plotted = {row["approach"]: row["score"] for row in score_rows(rec)}
    assert plotted == {short_approach_label(a): round(s, 2) for a, s in rec.scores.items()}
    assert {t.label for t in app.tabs} >= {"Why", "Trade-offs", "Costs", "Team plan", "Sources"}
    labels = {d.label for d in app.get("download_button")}
    assert labels == {
        "Starter project (.zip)",
        "Decision report (.md)",
        "Decision report (.html)",
        "Session export (.json)",
    }
    # On the next run, history is replayed from the stored session: a bubble per message.
    app.run()
    assert not app.exception, app.exception
    assert len(app.chat_message) == len(view.messages)
    assert [m.name for m in app.chat_message] == [m.role for m in view.messages]
    # The sidebar profile marks known values.
    assert STATUS_MARKERS["known"] in " ".join(str(s.label) for s in app.sidebar.selectbox)


def test_editing_a_profile_field_reruns_decision_and_shows_diff(
    app: AppTest, real_advisor: Any
) -> None:
    _start_interview(app)
    answer_until_recommendation(app)
    session_id = str(app.session_state["current_session"])
    before = real_advisor.view(session_id).profile

    field = "data_dynamics"
    widget = next(
        s for s in app.sidebar.selectbox if (s.key or "").startswith(f"pf-{session_id}-{field}-")
    )
    options = [v for v in allowed_values(field) or () if v != getattr(before, field)]
    new_value = "dynamic" if "dynamic" in options else options[0]
    widget.set_value(new_value).run()

    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    after = real_advisor.view(session_id)
    assert getattr(after.profile, field) == new_value
    page = texts(app)
    assert "What changed" in page
    assert "Data dynamics" in page
    assert after.diff is not None and field in after.diff.changed_fields
    # The widget is redrawn with the new value.
    redrawn = next(
        s for s in app.sidebar.selectbox if (s.key or "").startswith(f"pf-{session_id}-{field}-")
    )
    assert redrawn.value == new_value


def test_session_resumes_from_query_parameter(app: AppTest, real_advisor: Any) -> None:
    session_id = real_advisor.new_session()
    real_advisor.send(session_id, EXAMPLE_PROMPTS[1][1])
    stored = real_advisor.view(session_id)

    app.query_params["session"] = session_id
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["current_session"] == session_id
    assert len(app.chat_message) == len(stored.messages) >= 2
    assert EXAMPLE_PROMPTS[1][1][:40] in texts(app)
    assert quick_replies(app), "the open question is offered again"


def test_unknown_session_link_warns_and_shows_welcome(app: AppTest) -> None:
    app.query_params["session"] = "does-not-exist-123"
    app.run()
    assert not app.exception, app.exception
    assert any("does not match a stored session" in str(w.value) for w in app.warning)
    assert "Which way should you build your LLM feature?" in texts(app)
    assert "session" not in app.query_params


def test_tabs_do_not_list_each_others_sessions(app: AppTest) -> None:
    _start_interview(app)
    mine = str(app.session_state["current_session"])
    assert app.button(key=f"open-{mine}") is not None

    other = new_tab()
    other.run()
    assert not other.exception, other.exception
    assert not [b for b in other.button if (b.key or "").startswith("open-")]
    other.button(key=EXAMPLE_KEY).click().run()
    theirs = str(other.session_state["current_session"])
    assert theirs != mine
    listed = {b.key for b in other.button if (b.key or "").startswith("open-")}
    assert listed == {f"open-{theirs}"}


def test_new_rename_and_delete_session(app: AppTest, real_advisor: Any) -> None:
    _start_interview(app)
    session_id = str(app.session_state["current_session"])

    app.text_input(key=f"rename-{session_id}").set_value("Claims assistant").run()
    app.button(key=f"do-rename-{session_id}").click().run()
    assert not app.exception, app.exception
    assert real_advisor.view(session_id).title == "Claims assistant"
    assert app.button(key=f"open-{session_id}").label.endswith("Claims assistant")

    app.button(key="new-session").click().run()
    assert app.session_state["current_session"] is None
    assert "session" not in app.query_params
    assert "Which way should you build your LLM feature?" in texts(app)

    app.button(key=f"open-{session_id}").click().run()
    assert app.session_state["current_session"] == session_id
    app.button(key="ask-delete").click().run()
    app.button(key="confirm-delete").click().run()
    assert not app.exception, app.exception
    assert not real_advisor.has_session(session_id)
    assert app.session_state["current_session"] is None
    assert not [b for b in app.button if (b.key or "").startswith("open-")]


def test_recommend_now_decides_with_assumptions(app: AppTest, real_advisor: Any) -> None:
    _start_interview(app)
    app.button(
        key=next(b.key for b in app.button if (b.key or "").startswith("recommend-"))
    ).click().run()
    assert not app.exception, app.exception
    assert has_recommendation(app)
    view = real_advisor.view(str(app.session_state["current_session"]))
    assert view.recommendation is not None and view.recommendation.assumptions
    assert STATUS_MARKERS["assumed"] in texts(app), "assumed values are marked"


def test_values_the_classifier_inferred_are_marked_in_the_panel(app: AppTest) -> None:
    """A field read by the classifier or the trained reader (not a rule) shows as inferred, with its words."""
    app.run()
    app.chat_input[0].set_value(
        "Support macros for our bank. In the pilot, compliance sent back a quarter of the "
        "drafts because the sections came out in the wrong order."
    ).run()
    assert not app.exception, app.exception
    sidebar = " ".join(str(getattr(el, "value", "")) for el in app.sidebar.caption)
    assert STATUS_MARKERS["inferred"] in sidebar, sidebar
    assert "Inferred from:" in sidebar and "compliance sent back" in sidebar
    # The summary line counts every decision field, the inferred ones included.
    marked = sidebar.count("Inferred from:")
    assert marked >= 1 and f"{marked} inferred" in sidebar, sidebar
