"""An OpenAI-compatible stub server for tests and benchmarks: real HTTP on 127.0.0.1.

It implements the three endpoints the product uses:

* ``POST /v1/chat/completions`` -- non-streaming and streaming (SSE) replies;
* ``POST /v1/embeddings`` -- deterministic bag-of-words hash vectors;
* ``GET /v1/models``.

Replies come from a scripted queue (:meth:`StubOpenAIServer.enqueue`): plain text, a
JSON object (sent as the message content), or a :class:`Fault` directive. When the
queue is empty a default policy answers: a minimal valid instance of the requested
JSON schema for structured requests, ``{}`` for JSON mode, a fixed sentence
otherwise. A custom policy can be installed with :meth:`StubOpenAIServer.set_default`.

Every request is recorded (:class:`RecordedRequest`) with its JSON body and headers;
the ``Authorization`` header is never stored -- only whether it was present.

Token counting (:func:`count_tokens`) is deliberately simple and deterministic:
``ceil(len(text) / 4)`` characters-per-token over each message's text, plus
:data:`MESSAGE_OVERHEAD_TOKENS` per message, plus the JSON text of any
``response_format`` (a real API also bills the schema). The same counter is used
for our requests and for the naive baseline, so the ratio is fair.

Usage::

    with StubOpenAIServer() as stub:
        stub.enqueue(Fault("http_429"), {"findings": []})
        ...  # point OPENAI_BASE_URL at stub.base_url
        assert stub.chat_calls == 2
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

#: A fake API key with a distinctive canary: tests grep every output for it.
FAKE_API_KEY = "sk-test-CANARY-7d1e55b0c4a94f2e"

#: Client timeout used with the stub in tests; the "timeout" fault sleeps well past it.
CLIENT_TIMEOUT_S = 0.5

#: Tokens charged per chat message on top of its text (role and separators).
MESSAGE_OVERHEAD_TOKENS = 4

FaultKind = Literal[
    "timeout",  # sleep longer than the client's timeout, then answer normally
    "http_429",  # rate limited (optionally with a Retry-After header)
    "http_500",  # internal server error
    "http_503",  # service unavailable
    "http_400",  # bad request (e.g. a server that rejects json_schema response formats)
    "malformed_json",  # HTTP 200, but the message content is truncated JSON
    "schema_invalid",  # HTTP 200, valid JSON that does not match the schema
    "refusal",  # HTTP 200, the message carries a refusal instead of content
    "broken_body",  # HTTP 200 with a body that is not JSON at all
    "stream_cut",  # streaming only: a few chunks, then the connection drops
]

FAULT_KINDS: tuple[str, ...] = (
    "timeout",
    "http_429",
    "http_500",
    "http_503",
    "http_400",
    "malformed_json",
    "schema_invalid",
    "refusal",
    "broken_body",
    "stream_cut",
)

REFUSAL_TEXT = "I'm sorry, but I can't help with that request."
DEFAULT_TEXT = "This is the stub model's default reply."
MALFORMED_JSON_TEXT = '{"findings": [{"field": "focus", "value": "ni'
SCHEMA_INVALID_OBJECT: dict[str, Any] = {"unexpected": "shape", "findings": "not a list"}


def configure_env(monkeypatch: Any, server: StubOpenAIServer, *, retries: int = 2) -> None:
    """Point the product's settings at ``server`` with the fake key, short timeout and backoff.

    ``monkeypatch`` is pytest's fixture. Callers should ``get_settings.cache_clear()`` after.
    """
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("ADVISOR_MODEL", server.model)
    monkeypatch.setenv("ADVISOR_LLM_TIMEOUT", str(CLIENT_TIMEOUT_S))
    monkeypatch.setenv("ADVISOR_LLM_RETRIES", str(retries))
    monkeypatch.setenv("ADVISOR_LLM_BACKOFF", "0.01")


@contextlib.contextmanager
def running_stub(monkeypatch: Any, *, retries: int = 2) -> Iterator[StubOpenAIServer]:
    """A started stub with the product's settings pointed at it (see :func:`configure_env`).

    Clears the cached settings and the LLM factory on the way in and out, so the
    next test builds its client from a clean slate. Used by the fixtures that hand
    a stub to a test (``stub_llm`` in tests/llm, ``stub`` in tests/agent).
    """
    from agent.config import get_settings
    from agent.llm import reset_llm_factory

    server = StubOpenAIServer(timeout_sleep_s=CLIENT_TIMEOUT_S * 4)
    server.start()
    configure_env(monkeypatch, server, retries=retries)
    get_settings.cache_clear()
    reset_llm_factory()
    try:
        yield server
    finally:
        server.stop()
        reset_llm_factory()
        get_settings.cache_clear()


def count_tokens(text: str) -> int:
    """Deterministic token estimate: one token per 4 characters, rounded up."""
    return math.ceil(len(text) / 4) if text else 0


def message_text(message: dict[str, Any]) -> str:
    """The text of one chat message (string content or a list of text parts)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        )
    return ""


def count_message_tokens(messages: Iterable[dict[str, Any]]) -> int:
    """Tokens for a list of chat messages, per :func:`count_tokens` plus overhead."""
    return sum(count_tokens(message_text(m)) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def count_request_tokens(body: dict[str, Any]) -> int:
    """Prompt tokens of one chat-completions request body (messages + response_format)."""
    total = count_message_tokens(body.get("messages") or [])
    if body.get("response_format"):
        total += count_tokens(json.dumps(body["response_format"], separators=(",", ":")))
    return total


def naive_baseline_tokens(
    turns: list[tuple[str, str]],
    passages_per_turn: list[list[str]] | list[str],
    *,
    system_prompt: str,
    final_explanation_tokens: int = 0,
) -> int:
    """Prompt+completion tokens a naive chat agent would spend on one interview.

    The naive agent sends, on every turn, the system prompt, the whole history so
    far, the new user message and the top-k passages (retrieved for that turn,
    or the same list every turn), and gets the assistant reply back.

    ``turns`` are (user_message, assistant_reply) pairs in order. The result uses
    the same counter as the stub, so it is comparable with ``stub.total_tokens``.
    """
    history: list[dict[str, Any]] = []
    total = 0
    for index, (user, assistant) in enumerate(turns):
        if passages_per_turn and isinstance(passages_per_turn[0], list):
            passages = passages_per_turn[min(index, len(passages_per_turn) - 1)]
        else:
            passages = passages_per_turn  # type: ignore[assignment]
        context = "\n\n".join(str(p) for p in passages)
        messages = [
            {"role": "system", "content": system_prompt},
            *history,
            {"role": "user", "content": f"{user}\n\nContext:\n{context}"},
        ]
        total += count_message_tokens(messages) + count_tokens(assistant)
        history.append({"role": "user", "content": user})
        history.append({"role": "assistant", "content": assistant})
    return total + final_explanation_tokens


@dataclass(frozen=True)
class Fault:
    """A scripted failure for the next chat request.

    ``retry_after`` (seconds) adds a ``Retry-After`` header to ``http_429``/``http_503``.
    ``sleep_s`` overrides the server's ``timeout_sleep_s`` for ``timeout``.
    """

    kind: FaultKind
    retry_after: float | None = None
    sleep_s: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; choose from {FAULT_KINDS}")


@dataclass(frozen=True)
class Reply:
    """A scripted successful reply: message text (JSON objects are serialised)."""

    content: str
    finish_reason: str = "stop"


ScriptItem = Reply | Fault | str | dict | list
DefaultPolicy = Callable[[dict[str, Any]], ScriptItem]


@dataclass
class RecordedRequest:
    """One request the stub received. The API key is never stored."""

    method: str
    path: str
    headers: dict[str, str]
    auth_present: bool
    body: Any
    prompt_tokens: int = 0
    completion_tokens: int = 0
    outcome: str = ""  # "ok", or the fault kind served

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of a chat-completions request."""
        if isinstance(self.body, dict):
            return list(self.body.get("messages") or [])
        return []

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def minimal_instance(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A small value that validates against a JSON schema (objects, arrays, enums, refs)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return minimal_instance(defs.get(name, {}), defs)
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = schema[key]
            for option in options:  # prefer null: the smallest valid answer
                if option.get("type") == "null":
                    return None
            return minimal_instance(options[0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: minimal_instance(props[name], defs) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "string":
        return ""
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


def default_policy(body: dict[str, Any]) -> ScriptItem:
    """What the stub answers when nothing is scripted."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return Reply(json.dumps(minimal_instance(schema)))
    if response_format.get("type") == "json_object":
        return Reply("{}")
    return Reply(DEFAULT_TEXT)


def hash_embedding(text: str, dimensions: int = 64) -> list[float]:
    """A deterministic bag-of-words vector: each word hashed to a signed slot, normalised."""
    vector = [0.0] * dimensions
    for word in text.lower().split():
        digest = hashlib.sha256(word.encode("utf-8")).digest()
        slot = int.from_bytes(digest[:4], "big") % dimensions
        vector[slot] += 1.0 if digest[4] % 2 == 0 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class StubOpenAIServer:
    """A threaded OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies."""

    def __init__(self, *, model: str = "stub-model", timeout_sleep_s: float = 3.0) -> None:
        self.model = model
        self.timeout_sleep_s = timeout_sleep_s
        self._script: deque[ScriptItem] = deque()
        self._default: DefaultPolicy = default_policy
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> StubOpenAIServer:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # fast shutdown between tests
            name="stub-openai",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; sleeping ``timeout`` handlers wake up and exit."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StubOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stub server is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The value for ``OPENAI_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ---------------------------------------------------------------
    def enqueue(self, *items: ScriptItem) -> None:
        """Queue replies for the next chat requests, in order.

        ``str`` is message text, ``dict``/``list`` a JSON object sent as the content,
        :class:`Reply` exact content, :class:`Fault` a failure.
        """
        with self._lock:
            self._script.extend(items)

    def fail(self, kind: FaultKind, times: int = 1, **options: Any) -> None:
        """Queue the same fault ``times`` times."""
        self.enqueue(*[Fault(kind, **options) for _ in range(times)])

    def set_default(self, policy: DefaultPolicy | None) -> None:
        """Install a reply policy for when the queue is empty (None restores the default)."""
        self._default = policy or default_policy

    def reset(self) -> None:
        """Forget queued replies and recorded requests."""
        with self._lock:
            self._script.clear()
            self.requests.clear()

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        return len(self._script)

    def _next_item(self, body: dict[str, Any]) -> ScriptItem:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self._default(body)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # -- reading the record ------------------------------------------------------
    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def chat_calls(self) -> int:
        """Chat-completions requests received (retries included)."""
        return len(self.chat_requests)

    @property
    def prompt_tokens(self) -> int:
        return sum(r.prompt_tokens for r in self.chat_requests)

    @property
    def completion_tokens(self) -> int:
        return sum(r.completion_tokens for r in self.chat_requests)

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens over every chat request received."""
        return self.prompt_tokens + self.completion_tokens

    def bodies_text(self) -> str:
        """Every recorded body and header as one string (for secret greps)."""
        return "\n".join(
            json.dumps(r.body, default=str) + json.dumps(r.headers) for r in self.requests
        )


def _make_handler(stub: StubOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "StubOpenAI/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output quiet

        # -- plumbing ------------------------------------------------------------
        def _headers_record(self) -> tuple[dict[str, str], bool]:
            headers = {k.lower(): v for k, v in self.headers.items()}
            auth_present = headers.pop("authorization", None) is not None
            headers.pop("api-key", None)
            return headers, auth_present

        def _read_body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw or b"{}")
            except ValueError:
                return {"_unparsed": raw.decode("utf-8", "replace")}

        def _send_json(
            self, status: int, payload: Any, extra_headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode("utf-8")
            self._send_raw(status, data, "application/json", extra_headers)

        def _send_raw(
            self,
            status: int,
            data: bytes,
            content_type: str,
            extra_headers: dict[str, str] | None = None,
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (extra_headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. after its timeout)

        # -- routes ----------------------------------------------------------------
        def do_GET(self) -> None:  # noqa: N802
            headers, auth = self._headers_record()
            stub._record(RecordedRequest("GET", self.path, headers, auth, None, outcome="ok"))
            if self.path.rstrip("/").endswith("/models"):
                self._send_json(
                    200,
                    {
                        "object": "list",
                        "data": [
                            {"id": stub.model, "object": "model", "created": 0, "owned_by": "stub"}
                        ],
                    },
                )
            else:
                self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})

        def do_POST(self) -> None:  # noqa: N802
            headers, auth = self._headers_record()
            body = self._read_body()
            record = RecordedRequest("POST", self.path, headers, auth, body)
            stub._record(record)
            path = self.path.split("?", 1)[0].rstrip("/")
            if path.endswith("/chat/completions"):
                self._chat(body if isinstance(body, dict) else {}, record)
            elif path.endswith("/embeddings"):
                self._embeddings(body if isinstance(body, dict) else {}, record)
            else:
                record.outcome = "not_found"
                self._send_json(404, {"error": {"message": "not found", "type": "not_found"}})

        def _embeddings(self, body: dict[str, Any], record: RecordedRequest) -> None:
            inputs = body.get("input", [])
            texts = [inputs] if isinstance(inputs, str) else [str(t) for t in inputs]
            dims = int(body.get("dimensions") or 64)
            record.prompt_tokens = sum(count_tokens(t) for t in texts)
            record.outcome = "ok"
            self._send_json(
                200,
                {
                    "object": "list",
                    "model": body.get("model", "stub-embedding"),
                    "data": [
                        {"object": "embedding", "index": i, "embedding": hash_embedding(t, dims)}
                        for i, t in enumerate(texts)
                    ],
                    "usage": {
                        "prompt_tokens": record.prompt_tokens,
                        "total_tokens": record.prompt_tokens,
                    },
                },
            )

        def _chat(self, body: dict[str, Any], record: RecordedRequest) -> None:
            record.prompt_tokens = count_request_tokens(body)
            item = stub._next_item(body)
            if isinstance(item, Fault):
                record.outcome = item.kind
                if self._serve_fault(item, body, record):
                    return
                item = stub._default(body)  # a timeout answers late but normally
            else:
                record.outcome = "ok"
            reply = _as_reply(item)
            refusal = None
            content: str | None = reply.content
            if record.outcome == "refusal":
                refusal, content = REFUSAL_TEXT, None
            record.completion_tokens = count_tokens(content or refusal or "")
            if body.get("stream"):
                self._stream(body, content, refusal, reply.finish_reason, record)
                return
            self._send_json(200, self._completion(content, refusal, reply.finish_reason, record))

        def _serve_fault(
            self, fault: Fault, body: dict[str, Any], record: RecordedRequest
        ) -> bool:
            """Serve a fault; return False when a normal reply should still follow."""
            extra: dict[str, str] = {}
            if fault.retry_after is not None:
                extra["Retry-After"] = f"{fault.retry_after:g}"
            if fault.kind == "timeout":
                stub._stopping.wait(
                    fault.sleep_s if fault.sleep_s is not None else stub.timeout_sleep_s
                )
                return False
            if fault.kind == "http_429":
                self._send_json(
                    429,
                    {
                        "error": {
                            "message": "Rate limit reached for requests",
                            "type": "requests",
                            "code": "rate_limit_exceeded",
                        }
                    },
                    extra,
                )
                return True
            if fault.kind == "http_400":
                self._send_json(
                    400,
                    {
                        "error": {
                            "message": "Invalid parameter: response_format",
                            "type": "invalid_request_error",
                            "param": "response_format",
                        }
                    },
                )
                return True
            if fault.kind in ("http_500", "http_503"):
                status = 500 if fault.kind == "http_500" else 503
                self._send_json(
                    status,
                    {"error": {"message": "The server had an error", "type": "server_error"}},
                    extra,
                )
                return True
            if fault.kind == "broken_body":
                self._send_raw(200, b"<html>upstream proxy error</html>", "application/json")
                return True
            if fault.kind == "malformed_json":
                self._reply_now(body, Reply(MALFORMED_JSON_TEXT), record)
                return True
            if fault.kind == "schema_invalid":
                self._reply_now(body, Reply(json.dumps(SCHEMA_INVALID_OBJECT)), record)
                return True
            if fault.kind == "stream_cut":
                self._stream_cut(body, record)
                return True
            return False  # refusal: handled by the normal path

        def _reply_now(self, body: dict[str, Any], reply: Reply, record: RecordedRequest) -> None:
            record.completion_tokens = count_tokens(reply.content)
            if body.get("stream"):
                self._stream(body, reply.content, None, reply.finish_reason, record)
            else:
                self._send_json(200, self._completion(reply.content, None, "stop", record))

        def _usage(self, record: RecordedRequest) -> dict[str, int]:
            return {
                "prompt_tokens": record.prompt_tokens,
                "completion_tokens": record.completion_tokens,
                "total_tokens": record.prompt_tokens + record.completion_tokens,
            }

        def _completion(
            self,
            content: str | None,
            refusal: str | None,
            finish_reason: str,
            record: RecordedRequest,
        ) -> dict[str, Any]:
            return {
                "id": f"chatcmpl-stub-{len(stub.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": stub.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal},
                        "finish_reason": finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": self._usage(record),
            }

        def _chunk(self, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
            return {
                "id": f"chatcmpl-stub-{len(stub.requests)}",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": stub.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }

        def _start_sse(self) -> bool:
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                return True
            except (BrokenPipeError, ConnectionResetError):
                return False

        def _event(self, payload: Any) -> None:
            data = payload if isinstance(payload, str) else json.dumps(payload)
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

        def _stream(
            self,
            body: dict[str, Any],
            content: str | None,
            refusal: str | None,
            finish_reason: str,
            record: RecordedRequest,
        ) -> None:
            self.close_connection = True
            if not self._start_sse():
                return
            try:
                self._event(self._chunk({"role": "assistant", "content": ""}, None))
                if refusal is not None:
                    self._event(self._chunk({"refusal": refusal}, None))
                for piece in _pieces(content or ""):
                    self._event(self._chunk({"content": piece}, None))
                self._event(self._chunk({}, finish_reason))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage_chunk = self._chunk({}, None)
                    usage_chunk["choices"] = []
                    usage_chunk["usage"] = self._usage(record)
                    self._event(usage_chunk)
                self._event("[DONE]")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _stream_cut(self, body: dict[str, Any], record: RecordedRequest) -> None:
            self.close_connection = True
            if not self._start_sse():
                return
            text = "The recommendation is based on"
            record.completion_tokens = count_tokens(text)
            try:
                self._event(self._chunk({"role": "assistant", "content": ""}, None))
                for piece in _pieces(text):
                    self._event(self._chunk({"content": piece}, None))
                # no finish chunk and no [DONE]: drop the connection mid-stream
                self.wfile.write(b"data: {\"id\": \"chatcmpl-stub\", \"choi")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _as_reply(item: ScriptItem) -> Reply:
    if isinstance(item, Reply):
        return item
    if isinstance(item, str):
        return Reply(item)
    if isinstance(item, dict | list):
        return Reply(json.dumps(item))
    raise TypeError(f"cannot reply with {type(item).__name__}")


def _pieces(text: str, size: int = 12) -> list[str]:
    """Split text into stream chunks (by characters, so any text round-trips)."""
    return [text[i : i + size] for i in range(0, len(text), size)]


__all__ = [
    "CLIENT_TIMEOUT_S",
    "FAKE_API_KEY",
    "FAULT_KINDS",
    "Fault",
    "RecordedRequest",
    "Reply",
    "StubOpenAIServer",
    "configure_env",
    "count_message_tokens",
    "count_request_tokens",
    "count_tokens",
    "hash_embedding",
    "minimal_instance",
    "naive_baseline_tokens",
]

