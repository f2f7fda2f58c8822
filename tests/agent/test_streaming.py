"""`Advisor.send_stream`: reply text as it is produced, then one TurnResult; one commit per turn.

The LLM path runs against our OpenAI-compatible stub on 127.0.0.1, which streams
its replies as server-sent events in small pieces.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agent.service import Advisor, SessionNotFound
from agent.turn import TurnResult
from tests.support.stub_openai import Fault, Reply, StubOpenAIServer, default_policy

#: A streamed explanation long enough to arrive in many pieces; it names every approach,
#: so it passes the check that the prose states the decided one, whichever it is.
EXPLANATION = (
    "Here is the reasoning in plain words. The scoring model weighed prompt engineering, "
    "RAG over your documents, fine-tuning on your examples and a hybrid of them against what "
    "you told me about your data, your team and your deadline. "
) * 4


def _policy(body: dict[str, Any]) -> Any:
    return Reply(EXPLANATION) if body.get("stream") else default_policy(body)


def _split(items: list[Any]) -> tuple[list[str], TurnResult]:
    """Check the protocol (str chunks, then exactly one TurnResult last) and split it."""
    assert items and isinstance(items[-1], TurnResult), items[-1:]
    chunks = items[:-1]
    assert all(isinstance(c, str) for c in chunks), [type(c).__name__ for c in chunks]
    return chunks, items[-1]


def _checkpoints(database: Path, session: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = ?", (session,)
        ).fetchone()
    return int(count)


def _assert_matches_view(advisor: Advisor, session: str, result: TurnResult, before: int) -> None:
    view = advisor.view(session)
    new = [m.content for m in view.messages[before:] if m.role == "assistant"]
    assert "\n\n".join(new) == result.reply
    assert view.recommendation == result.recommendation
    assert view.question == result.question
    assert view.profile == result.profile


def test_offline_stream_is_the_whole_reply_then_the_result(advisor: Advisor) -> None:
    session = advisor.new_session()
    chunks, result = _split(list(advisor.send_stream(session, "A chatbot for our HR handbook.")))
    assert chunks == [result.reply] and result.reply
    assert result.mode == "offline"
    _assert_matches_view(advisor, session, result, 0)
    # Empty input: a clear reply, nothing recorded.
    chunks, idle = _split(list(advisor.send_stream(session, "   ")))
    assert chunks == [idle.reply] and "empty" in idle.reply
    assert len(advisor.view(session).messages) == 2


def test_unknown_session_raises(advisor: Advisor) -> None:
    with pytest.raises(SessionNotFound):
        next(advisor.send_stream("no-such-session", "hello"))


def test_llm_reply_streams_in_pieces_and_is_committed_once(
    stub: StubOpenAIServer, isolated_settings: Path
) -> None:
    stub.set_default(_policy)
    advisor = Advisor(with_citations=False)
    observer = Advisor(with_citations=False)  # a second connection, as another process would
    assert advisor.llm is not None
    session = advisor.new_session()
    chunks, first = _split(
        list(advisor.send_stream(session, "An assistant answering staff questions from our wiki."))
    )
    assert "".join(chunks) == first.reply

    database = isolated_settings / "sessions.sqlite"
    before_messages = len(advisor.view(session).messages)
    before_checkpoints = _checkpoints(database, session)
    seen_at_first_chunk: int | None = None
    items: list[Any] = []
    for item in advisor.send_stream(session, "just tell me"):
        if isinstance(item, str) and seen_at_first_chunk is None:
            # Text arrives while the run is still going: nothing is committed yet.
            seen_at_first_chunk = len(observer.view(session).messages)
        items.append(item)
    chunks, result = _split(items)

    assert seen_at_first_chunk == before_messages
    assert result.done and result.recommendation is not None
    assert result.mode == "llm", result.notices
    assert len(chunks) >= 5, "the explanation should arrive in pieces"
    assert "".join(chunks) == result.reply, "chunks joined are the reply when nothing was replaced"
    assert "The scoring model weighed prompt engineering" in result.reply
    _assert_matches_view(advisor, session, result, before_messages)
    _assert_matches_view(observer, session, result, before_messages)
    # Streaming or not, a turn writes the same single checkpoint at its end.
    after_stream = _checkpoints(database, session)
    advisor.send(session, "just tell me")
    assert after_stream - before_checkpoints == _checkpoints(database, session) - after_stream
    assert stub.total_tokens > 0 and result.usage.get("total_tokens", 0) > 0
    advisor.close()
    observer.close()


def test_a_stream_cut_mid_reply_falls_back_and_the_result_says_so(
    stub: StubOpenAIServer,
) -> None:
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    list(advisor.send_stream(session, "A tool that drafts replies to customer emails."))
    stub.set_default(_policy)
    stub.enqueue(Fault("stream_cut"))
    chunks, result = _split(list(advisor.send_stream(session, "just tell me")))
    assert result.done and result.recommendation is not None
    assert any("stream interrupted" in n for n in result.notices), result.notices
    # What was shown differs from the final text only by the discarded partial prose.
    assert "".join(chunks).endswith(result.reply.split("\n\n", 1)[-1])
    _assert_matches_view(advisor, session, result, 2)
    advisor.close()


def test_a_caller_that_stops_reading_still_gets_a_whole_turn(stub: StubOpenAIServer) -> None:
    stub.set_default(_policy)
    advisor = Advisor(with_citations=False)
    session = advisor.new_session()
    list(advisor.send_stream(session, "An FAQ bot for our bank's savings products."))
    before = len(advisor.view(session).messages)
    stream = advisor.send_stream(session, "just tell me")
    first = next(stream)
    assert isinstance(first, str)
    stream.close()  # e.g. the browser tab went away mid-reply
    view = advisor.view(session)
    assert view.recommendation is not None, "the turn was finished and saved"
    roles = [m.role for m in view.messages[before:]]
    assert roles[0] == "user" and roles.count("user") == 1 and "assistant" in roles
    # The session goes on normally.
    chunks, result = _split(list(advisor.send_stream(session, "just tell me")))
    assert result.reply and len(advisor.view(session).messages) > len(view.messages)
    advisor.close()
