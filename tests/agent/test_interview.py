"""Offline interviews driven turn by turn: question choice, quick replies, skips, "just tell me"."""

from __future__ import annotations

import pytest

from agent.interviewer import SKIP_LABEL
from agent.profile import DECISION_FIELDS
from agent.service import Advisor
from tests.agent.conftest import drive
from tests.agent.personas import PERSONAS, Persona


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.id for p in PERSONAS])
def test_persona_reaches_a_recommendation_within_eight_questions(
    advisor: Advisor, persona: Persona
) -> None:
    session, turns = drive(advisor, persona)
    assert turns[-1].done, f"{persona.id}: no recommendation after {len(turns)} turns"
    assert turns[-1].recommendation is not None
    asked = advisor.view(session).questions_asked
    assert len(asked) <= 8
    assert len(asked) == len(set(asked)), f"a field was asked twice: {asked}"
    assert all(f in DECISION_FIELDS for f in asked)
    # the reply explains the decision by naming the approach
    assert "Recommendation" in turns[-1].reply


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.id for p in PERSONAS])
def test_fact_in_first_message_is_never_asked(advisor: Advisor, persona: Persona) -> None:
    session = advisor.new_session(title=persona.id)
    first = advisor.send(session, persona.first)
    for field in persona.stated:
        assert getattr(first.profile, field) is not None, (
            f"{persona.id}: '{field}' was stated in the first message but not understood"
        )
    # Read from the user's words by a rule: known. Inferred values may be confirmed.
    statuses = {f.field: f.status for f in advisor.view(session).fields}
    known_after_first = {
        f for f in DECISION_FIELDS
        if getattr(first.profile, f) is not None and statuses.get(f) == "known"
    }
    result, turns = first, 1
    while not result.done and result.question is not None and turns < 12:
        result, turns = advisor.send(session, persona.answer(result.question)), turns + 1
    asked = set(advisor.view(session).questions_asked)
    assert not (asked & known_after_first), f"asked about already-known {asked & known_after_first}"


def test_every_question_has_two_to_five_options_one_recommended_and_skip(advisor: Advisor) -> None:
    session = advisor.new_session()
    result = advisor.send(session, "A chatbot for our internal wiki.")
    seen = 0
    while not result.done:
        question = result.question
        assert question is not None
        values = [o for o in question.options if o.label != SKIP_LABEL]
        assert 2 <= len(values) <= 5, question.field
        recommended = [o for o in question.options if o.recommended]
        assert len(recommended) == 1, question.field
        assert recommended[0].reason, "the default needs a one-line reason"
        assert question.options[-1].label == SKIP_LABEL and question.options[-1].value is None
        assert result.options == question.options
        seen += 1
        result = advisor.send(session, "1")
    assert seen >= 2
    # after the recommendation: the path choice, recommended approach first
    assert result.question is not None and result.question.field == "scaffold_path"
    assert (
        result.options[0].recommended and result.options[0].value == result.recommendation.approach
    )  # type: ignore[union-attr]


def test_quick_reply_by_label_number_and_value_sets_the_field(advisor: Advisor) -> None:
    session = advisor.new_session()
    first = advisor.send(session, "An assistant for our sales team.")
    question = first.question
    assert question is not None
    target = question.options[1]
    second = advisor.send(session, target.label.upper())
    assert getattr(second.profile, question.field) == target.value
    field2 = second.question
    assert field2 is not None
    third = advisor.send(session, "2")
    assert getattr(third.profile, field2.field) == field2.options[1].value


def test_skip_records_an_assumption(advisor: Advisor) -> None:
    session = advisor.new_session()
    first = advisor.send(session, "A tool that drafts replies to customer emails.")
    asked = first.question
    assert asked is not None
    advisor.skip(session)
    view = advisor.view(session)
    status = {f.field: f for f in view.fields}[asked.field]
    assert status.status == "assumed" and status.value is not None
    assert asked.field not in [q for q in view.questions_asked[1:]], "skipped question re-asked"
    final = advisor.recommend_now(session)
    assert final.recommendation is not None
    assert asked.field in {a.field for a in final.recommendation.assumptions}


def test_view_marks_values_the_recommendation_assumed(advisor: Advisor) -> None:
    session = advisor.new_session()
    advisor.send(session, "A tool that drafts replies to customer emails.")
    final = advisor.recommend_now(session)
    assert final.recommendation is not None
    assumptions = {a.field: a for a in final.recommendation.assumptions}
    assert assumptions, "recommending this early must assume something"
    statuses = {f.field: f for f in advisor.view(session).fields}
    for name, assumption in assumptions.items():
        status = statuses[name]
        assert status.status == "assumed", (name, status)
        assert status.value == assumption.assumed
        assert status.evidence == assumption.reason
    # Nothing the decision used is reported as unknown; unknown means truly unused.
    unknown = {n for n, s in statuses.items() if s.status == "unknown"}
    assert not unknown & set(assumptions)
    assert all(s.value is None for n, s in statuses.items() if n in unknown)


@pytest.mark.parametrize("phrase", ["just tell me", "Just tell me!", "/recommend", "recommend now"])
@pytest.mark.parametrize("after_turns", [0, 1, 3])
def test_just_tell_me_at_any_time(advisor: Advisor, phrase: str, after_turns: int) -> None:
    session = advisor.new_session()
    if after_turns:
        advisor.send(session, "An FAQ bot for our bank's savings products.")
        for _ in range(after_turns - 1):
            advisor.send(session, "1")
    result = advisor.send(session, phrase)
    assert result.done and result.recommendation is not None
    assert result.recommendation.approach in ("prompt_engineering", "rag", "fine_tuning", "hybrid")


def test_empty_huge_and_binary_messages_get_clear_replies(advisor: Advisor) -> None:
    session = advisor.new_session()
    empty = advisor.send(session, "   \n\t ")
    assert "empty" in empty.reply.lower()
    assert advisor.view(session).messages == [], "an empty message must not become a turn"
    huge = advisor.send(
        session, "A support bot. " + "x" * (advisor.settings.max_message_chars + 500)
    )
    assert any("read only the first" in n for n in huge.notices)
    stored = advisor.view(session).messages[0].content
    assert len(stored) <= advisor.settings.max_message_chars
    binary = advisor.send(session, "fine\x00\x01\x02 thanks\x7f")
    assert any("control or binary" in n for n in binary.notices)
    assert "\x00" not in advisor.view(session).messages[-2].content


def test_invalid_field_edit_is_explained_and_changes_nothing(advisor: Advisor) -> None:
    session = advisor.new_session()
    advisor.send(session, "A chatbot for our developer docs.")
    before = advisor.view(session).profile
    result = advisor.set_field(session, "budget", "enormous")
    assert "not a valid value" in result.reply and "low" in result.reply
    assert advisor.view(session).profile == before
    unknown = advisor.set_field(session, "colour", "blue")
    assert "Unknown field" in unknown.reply


def test_contradictory_answer_is_reported_not_lost(advisor: Advisor) -> None:
    session = advisor.new_session()
    advisor.send(session, "An internal assistant; our documents change daily.")
    result = advisor.set_field(session, "data_dynamics", "static")
    assert result.profile.data_dynamics == "static"
    evidence = {f.field: f for f in advisor.view(session).fields}["data_dynamics"]
    assert evidence.status == "known" and evidence.evidence
