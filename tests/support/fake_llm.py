"""A scripted fake LLM for fast unit tests that need no HTTP (simonw/llm style).

:class:`FakeLLM` is a real :class:`agent.llm.LLM` whose transport is replaced by a
reply queue, so the production parsing, validation, retry and accounting logic all
run. It records every request (``prompts``: the message lists; ``calls``: the full
keyword arguments) and sleeps for nobody (``sleeps`` records requested waits).

    fake = FakeLLM(replies=[{"findings": []}, "Plain text", Fault("http_500")])
    understand("...", profile, llm=fake)
    assert fake.prompts[0][-1]["content"].startswith(...)
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from agent.llm import LLM, RetryPolicy
from tests.support.stub_openai import (
    MALFORMED_JSON_TEXT,
    REFUSAL_TEXT,
    SCHEMA_INVALID_OBJECT,
    Fault,
    Reply,
    ScriptItem,
    count_request_tokens,
    count_tokens,
    default_policy,
)

FAKE_KEY = "sk-fake-CANARY-0f9e8d7c6b5a"


def _request() -> Any:
    import httpx2

    return httpx2.Request("POST", "http://fake.invalid/v1/chat/completions")


def _status_error(status: int, retry_after: float | None) -> Exception:
    import httpx2
    import openai

    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
    response = httpx2.Response(status, request=_request(), headers=headers)
    if status == 429:
        return openai.RateLimitError("rate limited", response=response, body=None)
    if status >= 500:
        return openai.InternalServerError("server error", response=response, body=None)
    return openai.APIStatusError(f"HTTP {status}", response=response, body=None)


class FakeLLM(LLM):
    """An :class:`LLM` answering from a queue; empty queue -> the stub's default policy."""

    def __init__(
        self,
        replies: Iterable[ScriptItem] = (),
        *,
        api_key: str = FAKE_KEY,
        max_retries: int = 2,
    ) -> None:
        super().__init__(
            api_key=api_key,
            model="fake-model",
            base_url="http://fake.invalid/v1",
            timeout_s=1.0,
            retry=RetryPolicy(max_retries=max_retries, base_delay_s=0.01),
            sleep=self._record_sleep,
            seed=0,
            client=object(),  # never used: _create is overridden
        )
        self.replies: deque[ScriptItem] = deque(replies)
        self.calls: list[dict[str, Any]] = []
        self.sleeps: list[float] = []

    def _record_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def queue(self, *items: ScriptItem) -> None:
        """Add replies to the queue."""
        self.replies.extend(items)

    @property
    def prompts(self) -> list[list[dict[str, Any]]]:
        """The message list of every request, in order."""
        return [list(call["messages"]) for call in self.calls]

    def _create(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        item = self.replies.popleft() if self.replies else default_policy(kwargs)
        refusal: str | None = None
        finished = True
        if isinstance(item, Fault):
            if item.kind == "timeout":
                import openai

                raise openai.APITimeoutError(request=_request())
            if item.kind.startswith("http_"):
                raise _status_error(int(item.kind[-3:]), item.retry_after)
            if item.kind == "broken_body":
                raise ValueError("Expecting value: line 1 column 1 (char 0)")
            if item.kind == "malformed_json":
                item = Reply(MALFORMED_JSON_TEXT)
            elif item.kind == "schema_invalid":
                item = Reply(json.dumps(SCHEMA_INVALID_OBJECT))
            elif item.kind == "refusal":
                item, refusal = Reply(""), REFUSAL_TEXT
            elif item.kind == "stream_cut":
                item, finished = Reply("The recommendation is based on"), False
        if isinstance(item, str):
            item = Reply(item)
        elif isinstance(item, dict | list):
            item = Reply(json.dumps(item))
        content: str | None = item.content if refusal is None else None
        usage = SimpleNamespace(
            prompt_tokens=count_request_tokens(kwargs),
            completion_tokens=count_tokens(content or refusal or ""),
        )
        usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
        if kwargs.get("stream"):
            return self._chunks(content or "", refusal, item.finish_reason, usage, finished)
        message = SimpleNamespace(role="assistant", content=content, refusal=refusal)
        choice = SimpleNamespace(index=0, message=message, finish_reason=item.finish_reason)
        return SimpleNamespace(choices=[choice], usage=usage)

    @staticmethod
    def _chunks(
        content: str, refusal: str | None, finish_reason: str, usage: Any, finished: bool
    ) -> Iterator[Any]:
        def chunk(delta: dict[str, Any], finish: str | None) -> Any:
            choice = SimpleNamespace(
                index=0, delta=SimpleNamespace(**{"content": None, "refusal": None, **delta}),
                finish_reason=finish,
            )
            return SimpleNamespace(choices=[choice], usage=None)

        if refusal is not None:
            yield chunk({"refusal": refusal}, None)
        for start in range(0, len(content), 12):
            yield chunk({"content": content[start : start + 12]}, None)
        if finished:
            yield chunk({}, finish_reason)
            yield SimpleNamespace(choices=[], usage=usage)
