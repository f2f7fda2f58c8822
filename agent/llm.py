"""The LLM seam: the only module that builds an OpenAI-compatible client.

Everything that talks to a language model goes through :class:`LLM`, obtained from
:func:`get_llm` (``None`` when no ``OPENAI_API_KEY`` is configured, which is the
offline mode). Tests swap the seam with :func:`set_llm_factory` / :func:`llm_factory`
or pass ``llm=`` explicitly.

Behaviour is explicit and testable rather than left to the SDK:

* the SDK's own retries are off (``max_retries=0``); :class:`RetryPolicy` retries
  HTTP 429, 5xx and connection errors with small, jittered, capped exponential
  backoff and honours a reasonable ``Retry-After``. Timeouts are not retried: the
  user already waited the whole timeout once.
* every reply is validated; anything unusable raises :class:`LLMUnavailable` with a
  short reason ("HTTP 500", "HTTP 429", "timeout", "invalid JSON",
  "schema-invalid reply", "refusal", ...). Callers fall back to the offline path and
  show ``f"LLM unavailable ({reason}) ..."``.
* structured output asks for a JSON schema, parses and validates it with pydantic,
  and makes at most one corrective retry on malformed or schema-invalid JSON.
* :attr:`LLM.usage` accumulates prompt/completion/total tokens and calls.
* the API key never appears in an exception, a log line or a repr.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agent.config import Settings, get_settings

log = logging.getLogger(__name__)

Message = dict[str, str]
ModelT = TypeVar("ModelT", bound=BaseModel)

#: Keys of :attr:`LLM.usage`.
USAGE_KEYS: tuple[str, ...] = ("prompt_tokens", "completion_tokens", "total_tokens", "calls")

_REFUSAL_START = re.compile(
    r"^\s*(i'?m sorry|i am sorry|sorry,|i can(?:no|['’])t|i won['’]t|i'?m not able|"
    r"i am not able|i'?m unable|i am unable)",
    re.IGNORECASE,
)
_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)

CORRECTIVE_INSTRUCTION = (
    "Your previous reply was not usable: {problem}. Reply again with only one JSON "
    "object that matches the schema. No prose, no code fences."
)


class LLMUnavailable(RuntimeError):
    """The LLM could not give a usable answer; ``reason`` is short and secret-free."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"LLMUnavailable({self.reason!r})"


def unavailable_notice(reason: str, fallback: str) -> str:
    """The standard visible notice, e.g. 'LLM unavailable (HTTP 500), used offline extractor'."""
    return f"LLM unavailable ({reason}), used {fallback}"


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before retrying a failed call.

    ``max_retries`` extra attempts follow the first; the n-th retry waits
    ``min(max_delay_s, base_delay_s * 2**(n-1))`` +/- ``jitter`` (a fraction). A
    ``Retry-After`` up to ``max_retry_after_s`` is honoured instead; a longer one means
    give up now rather than leave the user waiting.
    """

    max_retries: int = 2
    base_delay_s: float = 0.5
    max_delay_s: float = 4.0
    jitter: float = 0.25
    max_retry_after_s: float = 10.0
    retry_timeouts: bool = False

    def delay(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry ``retry_number`` (1-based), or None to give up."""
        if retry_number > self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after_s:
                return None
            return max(0.0, retry_after)
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** (retry_number - 1))
        spread = backoff * self.jitter
        return max(0.0, min(self.max_delay_s, backoff + rng.uniform(-spread, spread)))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in text by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _retry_after_seconds(headers: Any) -> float | None:
    """Parse ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        with contextlib.suppress(ValueError):
            return float(raw_ms) / 1000.0
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _schema_for_request(schema: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema without titles and model docstrings (tokens that say nothing
    the prompt does not); field descriptions stay."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            is_model = "properties" in node
            return {
                k: strip(v)
                for k, v in node.items()
                if not (
                    isinstance(v, str) and (k == "title" or (k == "description" and is_model))
                )
            }
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    full = schema.model_json_schema()
    defs = full.pop("$defs", {})

    def inline(node: Any, names: bool = False) -> Any:
        # $ref/$defs indirection and defaults cost tokens; our schemas are not recursive.
        # ``names``: node maps property names to schemas, so no key is a keyword there.
        if isinstance(node, dict):
            ref = node.get("$ref")
            if not names and isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs.get(ref.rsplit("/", 1)[-1], {}))
            return {
                k: inline(v, names=not names and k == "properties")
                for k, v in node.items()
                if names or k != "default"
            }
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    # a property named "title" maps to a dict, so it survives the strip
    try:
        return dict(strip(inline(full)))
    except RecursionError:  # a recursive schema: send it as pydantic wrote it
        return dict(strip(schema.model_json_schema()))


def _problem_summary(error: ValidationError) -> str:
    """Locations and messages only: never echo input values back into a prompt."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def looks_like_refusal(text: str) -> bool:
    """A short reply that opens like a refusal ("I'm sorry, I can't ...")."""
    return len(text) < 400 and bool(_REFUSAL_START.match(text))


class _BadReply(Exception):
    def __init__(self, reason: str, problem: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem = problem


def parse_json_reply(content: str, schema: type[ModelT]) -> ModelT:
    """Parse a model reply into ``schema``; raise LLMUnavailable with a short reason."""
    try:
        return _parse_json_reply(content, schema)
    except _BadReply as bad:
        raise LLMUnavailable(bad.reason) from None


def _parse_json_reply(content: str, schema: type[ModelT]) -> ModelT:
    text = content.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    if not text:
        raise _BadReply("empty reply", "the reply was empty")
    try:
        data = json.loads(text)
    except ValueError:
        if looks_like_refusal(text):
            raise _BadReply("refusal", "refused") from None
        raise _BadReply("invalid JSON", "it was not valid JSON") from None
    if not isinstance(data, dict):
        raise _BadReply("schema-invalid reply", "the top level must be a JSON object")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise _BadReply("schema-invalid reply", _problem_summary(exc)) from None


class LLM:
    """An OpenAI-compatible chat model with explicit retries, validation and accounting."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
        client: Any = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self._secret = api_key
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._json_mode = "json_schema"  # falls back to "json_object" if the server rejects it
        self.usage: dict[str, int] = dict.fromkeys(USAGE_KEYS, 0)
        #: Retries made (after 429/5xx/connection errors), for tests and diagnostics.
        self.retries = 0
        self._client = client if client is not None else self._build_client()

    # -- construction ------------------------------------------------------------
    def _build_client(self) -> Any:
        import openai  # imported lazily: offline runs never load the SDK

        return openai.OpenAI(
            api_key=self._secret,
            base_url=self.base_url,
            timeout=self.timeout_s,
            max_retries=0,  # our RetryPolicy owns retries
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLM:
        """Build from ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``ADVISOR_MODEL`` and friends."""
        if settings.openai_api_key is None:
            raise LLMUnavailable("no API key")
        return cls(
            api_key=settings.openai_api_key.get_secret_value(),
            model=settings.model,
            base_url=settings.openai_base_url,
            timeout_s=settings.llm_timeout_s,
            retry=RetryPolicy(
                max_retries=max(0, settings.llm_max_retries),
                base_delay_s=max(0.0, settings.llm_backoff_s),
                max_delay_s=max(0.0, settings.llm_backoff_s) * 8,
            ),
        )

    def __repr__(self) -> str:
        return (
            f"LLM(model={self.model!r}, base_url={self.base_url!r}, "
            f"api_key='[redacted]', usage={self.usage!r})"
        )

    __str__ = __repr__

    def __getstate__(self) -> dict[str, Any]:
        # Never serialise the key (or the client holding it) into a checkpoint.
        raise TypeError("LLM objects are not serialisable; keep them out of saved state")

    def secret_values(self) -> list[str]:
        """Secret strings this client holds, for output filters (never for display)."""
        return [self._secret] if self._secret else []

    def usage_snapshot(self) -> dict[str, int]:
        """A copy of :attr:`usage`, to compute what one operation used."""
        with self._lock:
            return dict(self.usage)

    # -- transport -----------------------------------------------------------------
    def _create(self, **kwargs: Any) -> Any:
        """One raw chat-completions call. Test doubles override this."""
        return self._client.chat.completions.create(**kwargs)

    def _record_usage(self, usage: Any) -> None:
        if usage is None:
            return
        with self._lock:
            for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                value = getattr(usage, key, None)
                if value is None and isinstance(usage, dict):
                    value = usage.get(key)
                if isinstance(value, int):
                    self.usage[key] += value

    def _count_call(self) -> None:
        with self._lock:
            self.usage["calls"] += 1

    def _call(self, **kwargs: Any) -> Any:
        """Call the API with the retry policy; map every failure to LLMUnavailable."""
        import openai

        retry_number = 0
        while True:
            retry_after: float | None = None
            try:
                return self._create(model=self.model, **kwargs)
            except openai.APITimeoutError:
                reason, retryable = "timeout", self.retry.retry_timeouts
            except openai.APIConnectionError:
                reason, retryable = "connection error", True
            except openai.APIStatusError as exc:
                status = exc.status_code
                reason = f"HTTP {status}"
                retryable = status == 429 or status >= 500
                retry_after = _retry_after_seconds(getattr(exc.response, "headers", None))
            except openai.APIResponseValidationError:
                reason, retryable = "invalid response", False
            except (openai.OpenAIError, ValueError, TypeError) as exc:
                # e.g. a 200 reply whose body is not JSON at all
                log.debug("LLM transport failure: %s", type(exc).__name__)
                reason, retryable = "invalid response", False
            retry_number += 1
            wait = self.retry.delay(retry_number, retry_after, self._rng) if retryable else None
            if wait is None:
                log.warning("LLM call failed: %s (after %d retries)", reason, retry_number - 1)
                raise LLMUnavailable(reason) from None
            log.info("LLM call failed: %s; retry %d in %.2fs", reason, retry_number, wait)
            with self._lock:
                self.retries += 1
            self._sleep(wait)

    @staticmethod
    def _message(completion: Any) -> Any:
        choices = getattr(completion, "choices", None)
        if not choices:
            raise LLMUnavailable("empty reply")
        choice = choices[0]
        if getattr(choice, "finish_reason", None) == "content_filter":
            raise LLMUnavailable("refusal")
        message = getattr(choice, "message", None)
        if message is None:
            raise LLMUnavailable("empty reply")
        if getattr(message, "refusal", None):
            raise LLMUnavailable("refusal")
        return message

    # -- public API ------------------------------------------------------------------
    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = 0.2,
    ) -> str:
        """Plain text reply. Raises LLMUnavailable on any failure, refusal or empty reply."""
        kwargs: dict[str, Any] = {"messages": list(messages)}
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if temperature is not None:
            kwargs["temperature"] = temperature
        completion = self._call(**kwargs)
        self._count_call()
        self._record_usage(getattr(completion, "usage", None))
        message = self._message(completion)
        text = message.content if isinstance(message.content, str) else ""
        if not text.strip():
            raise LLMUnavailable("empty reply")
        if looks_like_refusal(text):
            raise LLMUnavailable("refusal")
        return text

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = 0.2,
    ) -> Iterator[str]:
        """Stream text pieces. The request (and its retries) happens now; reading later.

        Raises LLMUnavailable before streaming starts, or from the iterator if the
        stream breaks ("stream interrupted", "timeout") or carries a refusal.
        """
        kwargs: dict[str, Any] = {
            "messages": list(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        if temperature is not None:
            kwargs["temperature"] = temperature
        response = self._call(**kwargs)
        self._count_call()
        return self._iterate_stream(response)

    def _iterate_stream(self, response: Any) -> Iterator[str]:
        import openai

        finished = False
        try:
            for chunk in response:
                self._record_usage(getattr(chunk, "usage", None))
                for choice in getattr(chunk, "choices", None) or []:
                    finish_reason = getattr(choice, "finish_reason", None)
                    if finish_reason == "content_filter":
                        raise LLMUnavailable("refusal")
                    if finish_reason:
                        finished = True
                    delta = getattr(choice, "delta", None)
                    if delta is None:
                        continue
                    if getattr(delta, "refusal", None):
                        raise LLMUnavailable("refusal")
                    if delta.content:
                        yield delta.content
            if not finished:
                # The connection ended without a finish_reason: the reply is cut short.
                raise LLMUnavailable("stream interrupted")
        except LLMUnavailable:
            raise
        except openai.APITimeoutError:
            raise LLMUnavailable("timeout") from None
        except Exception as exc:  # noqa: BLE001 - any transport/parse error ends the stream
            name = type(exc).__name__
            reason = "timeout" if "Timeout" in name else "stream interrupted"
            log.warning("LLM stream failed: %s", reason)
            raise LLMUnavailable(reason) from None
        finally:
            close = getattr(response, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[ModelT],
        *,
        max_tokens: int | None = None,
    ) -> ModelT:
        """A reply parsed and validated into ``schema``.

        Uses a JSON-schema ``response_format`` (or JSON mode if the server rejects
        schemas). Malformed or schema-invalid JSON gets one corrective retry; a
        refusal does not. Raises LLMUnavailable("invalid JSON" | "schema-invalid reply"
        | "refusal" | "HTTP ..." | "timeout" | ...).
        """
        request_messages = list(messages)
        bad: _BadReply | None = None
        for attempt in range(2):
            completion = self._structured_call(request_messages, schema, max_tokens)
            self._count_call()
            self._record_usage(getattr(completion, "usage", None))
            message = self._message(completion)
            content = message.content if isinstance(message.content, str) else ""
            try:
                return _parse_json_reply(content, schema)
            except _BadReply as exc:
                bad = exc
                if exc.reason == "refusal" or attempt == 1:
                    break
                log.info("LLM structured reply unusable (%s); asking once more", exc.reason)
                request_messages = [
                    *messages,
                    {"role": "assistant", "content": content[:2000]},
                    {"role": "user", "content": CORRECTIVE_INSTRUCTION.format(problem=exc.problem)},
                ]
        assert bad is not None
        raise LLMUnavailable(bad.reason)

    def _structured_call(
        self, messages: list[Message], schema: type[BaseModel], max_tokens: int | None
    ) -> Any:
        kwargs: dict[str, Any] = {"messages": messages, "temperature": 0}
        if max_tokens is not None:
            kwargs["max_tokens"] = max_tokens
        json_schema = _schema_for_request(schema)
        if self._json_mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": json_schema, "strict": False},
            }
            try:
                return self._call(**kwargs)
            except LLMUnavailable as exc:
                if exc.reason != "HTTP 400":
                    raise
                # Some OpenAI-compatible servers reject json_schema: use JSON mode from now on.
                log.info("server rejected json_schema response_format; switching to JSON mode")
                self._json_mode = "json_object"
        kwargs["response_format"] = {"type": "json_object"}
        kwargs["messages"] = [
            *messages,
            {
                "role": "system",
                "content": "Reply with one JSON object matching this JSON schema: "
                + json.dumps(json_schema, separators=(",", ":")),
            },
        ]
        return self._call(**kwargs)


# -- the seam ---------------------------------------------------------------------------
LLMFactory = Callable[[Settings], "LLM | None"]
_factory: LLMFactory | None = None


def get_llm(settings: Settings | None = None) -> LLM | None:
    """The configured LLM, or None in offline mode (no ``OPENAI_API_KEY``)."""
    settings = settings or get_settings()
    if _factory is not None:
        return _factory(settings)
    if not settings.llm_enabled:
        return None
    return LLM.from_settings(settings)


def set_llm_factory(factory: LLMFactory | None) -> None:
    """Replace how :func:`get_llm` builds models (tests); None restores the default."""
    global _factory
    _factory = factory


def reset_llm_factory() -> None:
    """Restore the default :func:`get_llm` behaviour."""
    set_llm_factory(None)


@contextlib.contextmanager
def llm_factory(factory: LLMFactory | None) -> Iterator[None]:
    """Temporarily replace the factory: ``with llm_factory(lambda s: fake): ...``."""
    previous = _factory
    set_llm_factory(factory)
    try:
        yield
    finally:
        set_llm_factory(previous)


def usage_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """What was used between two :meth:`LLM.usage_snapshot` calls."""
    return {key: after.get(key, 0) - before.get(key, 0) for key in USAGE_KEYS}


def add_usage(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    """Sum two usage dicts (missing keys count as 0)."""
    return {key: total.get(key, 0) + more.get(key, 0) for key in USAGE_KEYS}
