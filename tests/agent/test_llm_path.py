"""The LLM path against our OpenAI-compatible stub on 127.0.0.1: faults end in completed turns.

Also the secret hygiene of the agent: the canary API key never lands in the
checkpoint database or an export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.service import Advisor
from tests.support.stub_openai import FAKE_API_KEY, StubOpenAIServer

FAULTS = ["timeout", "http_429", "http_500", "malformed_json", "schema_invalid", "refusal"]


def _files_text(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("fault", FAULTS)
def test_each_llm_fault_ends_in_a_completed_turn_with_a_notice(
    stub: StubOpenAIServer, fault: str
) -> None:
    advisor = Advisor(with_citations=False)
    assert advisor.llm is not None, "the key is configured, so the LLM path is tried"
    session = advisor.new_session()
    stub.fail(fault, times=6)  # every attempt of this turn fails
    result = advisor.send(
        session, "We want a support assistant over our policy documents, which change monthly."
    )
    assert result.question is not None or result.done, "the turn completed"
    assert result.reply
    assert any("LLM unavailable" in n for n in result.notices), result.notices
    assert result.mode == "offline"
    assert result.profile.data_dynamics == "periodic", (
        "the offline extractor still read the message"
    )
    assert stub.chat_calls >= 1


def test_llm_turns_count_tokens_and_never_store_the_key(
    stub: StubOpenAIServer, isolated_settings: Path
) -> None:
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    first = advisor.send(
        session, "A chatbot answering questions about our internal HR handbook, updated yearly."
    )
    result = first
    for _ in range(10):
        if result.done:
            break
        result = advisor.send(session, "1")
    if not result.done:
        result = advisor.recommend_now(session)
    assert result.done
    assert stub.chat_calls >= 1
    usage = advisor.view(session).usage
    assert usage.get("total_tokens", 0) > 0, usage
    export = advisor.export(session)
    advisor.close()
    assert FAKE_API_KEY not in str(export)
    stored = _files_text(isolated_settings)
    assert stored, "the checkpoint database was written"
    assert FAKE_API_KEY.encode() not in stored


def test_a_pasted_key_is_redacted_before_it_is_stored(
    stub: StubOpenAIServer, isolated_settings: Path
) -> None:
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    advisor.send(session, f"our key is {FAKE_API_KEY}, please build a FAQ bot")
    advisor.close()
    assert FAKE_API_KEY.encode() not in _files_text(isolated_settings)
    assert "[redacted]" in str(Advisor(with_citations=False).export(session)["messages"])


def _extraction_calls(fake: Any) -> int:
    from agent import prompts

    return sum(1 for c in fake.calls if c["messages"][0]["content"] == prompts.EXTRACTION_SYSTEM)


def test_short_answers_to_the_open_question_skip_the_llm_reading() -> None:
    from tests.support.fake_llm import FakeLLM

    fake = FakeLLM()
    with Advisor(llm=fake, with_citations=False) as advisor:
        session = advisor.new_session()
        first = advisor.send(
            session, "An assistant that answers employee questions from our internal HR handbook."
        )
        assert _extraction_calls(fake) == 1, "a description is read by the LLM"
        assert first.question is not None
        # Free text, not a quick-reply label; the offline reader is sure in the question's context.
        short_answers = {
            "data_dynamics": ("it changes weekly", "periodic"),
            "corpus_size": ("about 60 pages", "fits_in_prompt"),
            "focus": ("just HR, nothing else", "niche"),
        }
        assert first.question.field in short_answers, first.question.field
        answer, expected = short_answers[first.question.field]
        second = advisor.send(session, answer)
        assert _extraction_calls(fake) == 1, "a short, clear answer needs no LLM reading"
        assert getattr(second.profile, first.question.field) == expected
        assert second.question is not None
        # A longer message still goes to the LLM, with the asked field named in the request.
        asked = second.question.field
        advisor.send(session, "Hard to say, it depends on the team and the season, honestly.")
        assert _extraction_calls(fake) == 2
        from agent import prompts

        reading = [c for c in fake.calls if c["messages"][0]["content"] == prompts.EXTRACTION_SYSTEM]
        assert asked in reading[-1]["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("labeled_examples", "300", 300),
        ("labeled_examples", "2k", 2000),
        ("needs_citations", "yes", True),
        ("corpus_size", "large", "large"),
        ("labeled_examples", "quite a lot really", None),  # not a value: read it instead
        ("needs_citations", "yes, for every answer we give out", None),  # too long to be typed
        (None, "300", None),  # no open question
    ],
)
def test_typed_answers_are_taken_as_the_asked_fields_value(
    field: str | None, text: str, value: object
) -> None:
    from agent.nodes import _typed_answer

    found = _typed_answer(field, text)
    assert (found["value"] if found else None) == value
