"""Inferred values are confirmed when they would decide something; stated ones never are."""

from __future__ import annotations

from agent.interviewer import (
    INFERRED_REASON,
    build_question,
    choose_next_field,
    recommended_default,
)
from agent.profile import Profile


def _impact(profile: Profile) -> list[tuple[str, float]]:
    # A fixed ranking, so the test is about the choosing, not the engine's weights.
    ranking = [("behavior_gap", 0.9), ("corpus_size", 0.6), ("budget", 0.3), ("ml_skills", 0.0)]
    return [(f, s) for f, s in ranking if getattr(profile, f) is None]


def test_a_decisive_inferred_value_is_asked_before_an_unknown_one() -> None:
    profile = Profile(behavior_gap="format")
    assert choose_next_field(profile, [], max_questions=8, impact=_impact) == "corpus_size"
    assert choose_next_field(
        profile, [], max_questions=8, impact=_impact, unconfirmed=["behavior_gap"]
    ) == "behavior_gap"


def test_a_stated_value_is_never_asked_and_an_inference_only_once() -> None:
    profile = Profile(behavior_gap="format", corpus_size="large")
    # Stated (not in unconfirmed): skipped, as before.
    assert choose_next_field(profile, [], max_questions=8, impact=_impact) == "budget"
    # Already asked once: not asked again, even while it is still inferred.
    assert choose_next_field(
        profile, ["behavior_gap"], max_questions=8, impact=_impact, unconfirmed=["behavior_gap"]
    ) == "budget"


def test_an_inference_that_would_not_matter_is_not_asked() -> None:
    profile = Profile(ml_skills="some")  # impact 0 in the ranking
    assert choose_next_field(
        profile, [], max_questions=8, impact=_impact, unconfirmed=["ml_skills"]
    ) == "behavior_gap"


def test_the_inferred_value_is_the_recommended_reply_and_the_skip_default() -> None:
    profile = Profile(corpus_size="large", knowledge_source="proprietary")
    question = build_question("corpus_size", profile)
    recommended = [o for o in question.options if o.recommended]
    assert [o.value for o in recommended] == ["large"]
    assert recommended[0].reason == INFERRED_REASON
    assert recommended_default("corpus_size", profile) == ("large", INFERRED_REASON)
    # An unknown field still gets the reasoned default.
    assert recommended_default("corpus_size", Profile(knowledge_source="general"))[0] == "none"


def test_the_interview_confirms_a_decisive_inference_and_the_answer_stands() -> None:
    """End to end: an inferred value that decides the path is asked about, once."""
    from agent.service import Advisor

    advisor = Advisor(with_citations=False)
    try:
        session = advisor.new_session()
        # Nothing here says outright whether the answers need the company's own facts.
        first = advisor.send(
            session,
            "Our support team answers questions about our accounting software. We have about "
            "2,000 help articles that get edited every week, and agents want the answer to point "
            "at the article it came from. Volume is maybe 30,000 questions a month.",
        )
        statuses = {f.field: f.status for f in advisor.view(session).fields}
        question = first.question
        assert question is not None
        assert statuses[question.field] == "inferred", (question.field, statuses)
        inferred = getattr(first.profile, question.field)
        recommended = [o for o in question.options if o.recommended]
        assert [o.value for o in recommended] == [inferred]
        assert "From your description I read" in question.text
        other = next(o for o in question.options if o.value not in (inferred, None))
        second = advisor.send(session, other.label)
        assert getattr(second.profile, question.field) == other.value
        fields = {f.field: f for f in advisor.view(session).fields}
        assert fields[question.field].status == "known"
        assert second.question is None or second.question.field != question.field
    finally:
        advisor.close()
