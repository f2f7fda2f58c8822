"""agent.llm against the stub server over real HTTP: retries, faults, validation, usage, secrets."""

from __future__ import annotations

import logging
import pickle
import random

import pytest
from pydantic import BaseModel

from agent.config import get_settings
from agent.llm import (
    LLM,
    LLMUnavailable,
    RetryPolicy,
    get_llm,
    llm_factory,
    set_llm_factory,
)
from tests.support.fake_llm import FakeLLM
from tests.support.stub_openai import (
    DEFAULT_TEXT,
    FAKE_API_KEY,
    Fault,
    StubOpenAIServer,
    count_request_tokens,
    count_tokens,
)

USER = [{"role": "user", "content": "Hello there"}]


class Pair(BaseModel):
    name: str
    count: int


def recording_llm(stub: StubOpenAIServer, **retry: float) -> tuple[LLM, list[float]]:
    """An LLM on the stub whose backoff sleeps are recorded instead of slept."""
    sleeps: list[float] = []
    llm = LLM(
        api_key=FAKE_API_KEY,
        model="stub-model",
        base_url=stub.base_url,
        timeout_s=0.5,
        retry=RetryPolicy(**{"base_delay_s": 0.01, **retry}),  # type: ignore[arg-type]
        sleep=sleeps.append,
        seed=1,
    )
    return llm, sleeps


def test_get_llm_is_none_without_a_key() -> None:
    assert get_settings().openai_api_key is None
    assert get_llm() is None


def test_get_llm_builds_from_settings(stub_llm: StubOpenAIServer) -> None:
    llm = get_llm()
    assert isinstance(llm, LLM)
    assert llm.model == "stub-model"
    assert llm.base_url == stub_llm.base_url
    assert llm.timeout_s == 0.5
    assert llm.retry.max_retries == 2


def test_factory_swaps_the_seam(stub_llm: StubOpenAIServer) -> None:
    fake = FakeLLM()
    with llm_factory(lambda settings: fake):
        assert get_llm() is fake
    assert isinstance(get_llm(), LLM) and get_llm() is not fake
    set_llm_factory(lambda settings: None)
    try:
        assert get_llm() is None
    finally:
        set_llm_factory(None)


def test_complete_counts_usage_like_the_stub(stub_llm: StubOpenAIServer) -> None:
    llm = get_llm()
    assert llm is not None
    assert llm.complete(USER) == DEFAULT_TEXT
    assert llm.complete(USER) == DEFAULT_TEXT
    assert stub_llm.chat_calls == 2
    assert llm.usage["calls"] == 2
    assert llm.usage["prompt_tokens"] == stub_llm.prompt_tokens > 0
    assert llm.usage["completion_tokens"] == stub_llm.completion_tokens == 2 * count_tokens(DEFAULT_TEXT)
    assert llm.usage["total_tokens"] == stub_llm.total_tokens
    record = stub_llm.chat_requests[0]
    assert record.prompt_tokens == count_request_tokens(record.body)


def test_429_then_success_is_retried(stub_llm: StubOpenAIServer) -> None:
    llm, sleeps = recording_llm(stub_llm)
    stub_llm.enqueue(Fault("http_429"), "after the wait")
    assert llm.complete(USER) == "after the wait"
    assert stub_llm.chat_calls == 2
    assert [r.outcome for r in stub_llm.chat_requests] == ["http_429", "ok"]
    assert llm.retries == 1 and len(sleeps) == 1
    assert llm.usage["calls"] == 1  # only the answered call is billed


def test_persistent_429_gives_up_after_the_retry_budget(stub_llm: StubOpenAIServer) -> None:
    llm, sleeps = recording_llm(stub_llm, max_retries=2)
    stub_llm.fail("http_429", times=5)
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(USER)
    assert info.value.reason == "HTTP 429"
    assert stub_llm.chat_calls == 3
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0] * 1.2  # exponential, even with jitter


def test_retry_after_is_honoured_and_a_long_one_gives_up(stub_llm: StubOpenAIServer) -> None:
    llm, sleeps = recording_llm(stub_llm)
    stub_llm.enqueue(Fault("http_429", retry_after=0.05), "ok")
    assert llm.complete(USER) == "ok"
    assert sleeps == [0.05]
    stub_llm.reset()
    stub_llm.enqueue(Fault("http_429", retry_after=3600), "never reached")
    with pytest.raises(LLMUnavailable, match="HTTP 429"):
        llm.complete(USER)
    assert stub_llm.chat_calls == 1  # no point waiting an hour in a chat turn


@pytest.mark.parametrize("fault, status", [("http_500", 500), ("http_503", 503)])
def test_server_errors_are_retried_then_reported(
    stub_llm: StubOpenAIServer, fault: str, status: int
) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.fail(fault, times=3)  # type: ignore[arg-type]
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(USER)
    assert info.value.reason == f"HTTP {status}"
    assert stub_llm.chat_calls == 3


def test_500_then_success_recovers(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.enqueue(Fault("http_500"), Fault("http_500"), "third time")
    assert llm.complete(USER) == "third time"
    assert stub_llm.chat_calls == 3


def test_timeout_is_reported_without_retrying(stub_llm: StubOpenAIServer) -> None:
    llm = get_llm()
    assert llm is not None
    stub_llm.fail("timeout")
    with pytest.raises(LLMUnavailable) as info:
        llm.complete(USER)
    assert info.value.reason == "timeout"
    assert stub_llm.chat_calls == 1


def test_broken_body_is_an_invalid_response(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.fail("broken_body")
    with pytest.raises(LLMUnavailable, match="invalid response"):
        llm.complete(USER)


def test_unreachable_server_is_a_connection_error() -> None:
    server = StubOpenAIServer().start()
    url = server.base_url
    server.stop()
    sleeps: list[float] = []
    llm = LLM(api_key=FAKE_API_KEY, model="m", base_url=url, timeout_s=0.5,
              retry=RetryPolicy(base_delay_s=0.01), sleep=sleeps.append)
    with pytest.raises(LLMUnavailable, match="connection error"):
        llm.complete(USER)
    assert len(sleeps) == 2  # connection errors are retried


def test_structured_validates_into_the_schema(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.enqueue({"name": "a", "count": 3})
    assert llm.structured(USER, Pair) == Pair(name="a", count=3)
    body = stub_llm.chat_requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) == {"name", "count"}
    assert "title" not in schema  # titles cost tokens and say nothing


def test_structured_accepts_a_fenced_json_reply(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.enqueue('```json\n{"name": "b", "count": 1}\n```')
    assert llm.structured(USER, Pair).name == "b"


@pytest.mark.parametrize(
    "fault, reason",
    [("malformed_json", "invalid JSON"), ("schema_invalid", "schema-invalid reply")],
)
def test_bad_json_gets_one_corrective_retry(
    stub_llm: StubOpenAIServer, fault: str, reason: str
) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.enqueue(Fault(fault), {"name": "fixed", "count": 2})  # type: ignore[arg-type]
    assert llm.structured(USER, Pair).name == "fixed"
    second = stub_llm.chat_requests[1].messages
    assert second[-2]["role"] == "assistant"
    assert "not usable" in second[-1]["content"]
    stub_llm.reset()
    stub_llm.fail(fault, times=3)  # type: ignore[arg-type]
    with pytest.raises(LLMUnavailable) as info:
        llm.structured(USER, Pair)
    assert info.value.reason == reason
    assert stub_llm.chat_calls == 2  # at most one corrective retry


def test_refusal_is_not_retried(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.fail("refusal")
    with pytest.raises(LLMUnavailable, match="refusal"):
        llm.structured(USER, Pair)
    assert stub_llm.chat_calls == 1
    stub_llm.enqueue("I'm sorry, but I cannot help with that.")
    with pytest.raises(LLMUnavailable, match="refusal"):
        llm.structured(USER, Pair)
    stub_llm.fail("refusal")
    with pytest.raises(LLMUnavailable, match="refusal"):
        llm.complete(USER)


def test_server_without_json_schema_support_gets_json_mode(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.enqueue(Fault("http_400"), {"name": "json mode", "count": 0})
    assert llm.structured(USER, Pair).name == "json mode"
    bodies = [r.body for r in stub_llm.chat_requests]
    assert bodies[0]["response_format"]["type"] == "json_schema"
    assert bodies[1]["response_format"] == {"type": "json_object"}
    assert '"count"' in bodies[1]["messages"][-1]["content"]


def test_stream_yields_text_and_counts_usage(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    text = "Streaming works piece by piece, across several chunks of text."
    stub_llm.enqueue(text)
    pieces = list(llm.stream(USER))
    assert len(pieces) > 1 and "".join(pieces) == text
    assert llm.usage["completion_tokens"] == count_tokens(text)
    assert llm.usage["prompt_tokens"] == stub_llm.prompt_tokens


def test_stream_cut_midway_raises(stub_llm: StubOpenAIServer) -> None:
    llm, _ = recording_llm(stub_llm)
    stub_llm.fail("stream_cut")
    with pytest.raises(LLMUnavailable, match="stream interrupted"):
        list(llm.stream(USER))


def test_key_never_leaks_into_errors_logs_reprs_or_requests(
    stub_llm: StubOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    llm = get_llm()
    assert llm is not None
    failures = []
    for fault in ("http_500", "http_429", "timeout", "broken_body", "malformed_json", "refusal"):
        stub_llm.fail(fault, times=3)  # type: ignore[arg-type]
        with pytest.raises(LLMUnavailable) as info:
            llm.structured(USER, Pair)
        failures.append(info.value)
        stub_llm.reset()
        stub_llm.enqueue("reset")  # consume nothing later: reset() cleared the queue
        stub_llm.reset()
    texts = [str(e) for e in failures] + [repr(e) for e in failures] + [repr(llm), str(llm)]
    texts.append(caplog.text)
    assert all(FAKE_API_KEY not in t for t in texts)
    assert all(e.__cause__ is None and (e.__context__ is None or e.__suppress_context__) for e in failures)
    assert "[redacted]" in repr(llm)
    assert FAKE_API_KEY not in stub_llm.bodies_text()
    llm.complete(USER)
    assert stub_llm.chat_requests[-1].auth_present  # the key was sent, but never recorded
    with pytest.raises(TypeError):
        pickle.dumps(llm)


def test_retry_policy_delays_are_capped_and_jittered() -> None:
    policy = RetryPolicy(max_retries=6, base_delay_s=0.5, max_delay_s=2.0, jitter=0.25)
    rng = random.Random(0)
    delays = [policy.delay(n, None, rng) for n in range(1, 7)]
    assert all(d is not None and 0 <= d <= 2.0 for d in delays)
    assert 0.375 <= delays[0] <= 0.625  # type: ignore[operator]
    assert policy.delay(7, None, rng) is None
    assert policy.delay(1, 1.5, rng) == 1.5
    assert policy.delay(1, 11.0, rng) is None


def test_fake_llm_runs_the_same_validation_without_http() -> None:
    fake = FakeLLM([Fault("http_500"), {"name": "x", "count": 1}])
    assert fake.structured(USER, Pair).count == 1
    assert fake.retries == 1 and len(fake.calls) == 2
    assert fake.prompts[0] == USER
    assert fake.usage["calls"] == 1 and fake.usage["total_tokens"] > 0


def test_request_schema_is_compact_but_keeps_every_property() -> None:
    from agent.llm import _schema_for_request

    class Inner(BaseModel):
        """Docstrings are not sent."""

        default: int = 3
        title: str

    class Outer(BaseModel):
        items: list[Inner]
        limit: int = 1

    schema = _schema_for_request(Outer)
    inner = schema["properties"]["items"]["items"]
    assert set(inner["properties"]) == {"default", "title"}  # property names survive
    assert inner["required"] == ["title"]
    assert "$defs" not in schema and "description" not in inner
    assert "default" not in schema["properties"]["limit"]
