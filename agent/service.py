"""The advisor as a service: the one API the CLI and the Streamlit page call.

Callers never touch the graph, the checkpointer or the LLM directly; they hold
an :class:`Advisor` and a session id. Every method is safe to call from a fresh
process: state lives in the checkpointer, not in the object.

CONTRACT NOTE: the method signatures and the SessionView/SessionInfo models are
agreed between the agent, the CLI and the app. Implementation: agent/graph.py.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from agent.config import Settings, get_settings
from agent.profile import DECISION_FIELDS, DESCRIPTIVE_FIELDS, BaseApproach, Profile
from agent.recommendation import Recommendation, RecommendationDiff
from agent.turn import Question, TurnResult


class ChatMessage(BaseModel):
    """One line of the conversation as the user saw it."""

    role: str = Field(description="'user' or 'assistant'")
    content: str


class FieldStatus(BaseModel):
    """How a profile field's value was learned."""

    field: str
    value: Any = None
    status: str = Field(
        description="'known', 'inferred' (read from a resembling phrasing or the whole description), 'assumed' or 'unknown'"
    )
    evidence: str | None = Field(None, description="The user's words it came from.")
    confidence: float | None = None


class SessionInfo(BaseModel):
    """A line in the session list."""

    id: str
    title: str
    updated_at: str
    done: bool = False


class SessionView(BaseModel):
    """Everything the page needs to draw one session."""

    id: str
    title: str
    messages: list[ChatMessage] = Field(default_factory=list)
    profile: Profile = Field(default_factory=lambda: Profile.model_validate({}))
    fields: list[FieldStatus] = Field(default_factory=list)
    question: Question | None = None
    recommendation: Recommendation | None = None
    previous_recommendation: Recommendation | None = None
    diff: RecommendationDiff | None = None
    chosen_approach: str | None = None
    chosen_components: list[BaseApproach] = Field(default_factory=list)
    questions_asked: list[str] = Field(default_factory=list)
    usage: dict[str, int] = Field(default_factory=dict)
    mode: str = "offline"
    notices: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- the service

DEFAULT_TITLE = "New session"
EXPORT_FORMAT = "advisor-session/1"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


class SessionNotFound(KeyError):
    """No session with that id exists."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self.session_id = session_id

    def __str__(self) -> str:
        return f"No session with id '{self.session_id}'. List sessions with `advisor sessions`."


def clean_text(raw: object) -> str:
    """Text safe to store: bytes decoded, control and binary characters removed."""
    if isinstance(raw, bytes | bytearray):
        raw = bytes(raw).decode("utf-8", errors="replace")
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text).replace("\ufffd", "").strip()


def valid_session_id(session_id: str) -> bool:
    """Session ids are short, printable and safe in URLs and file names."""
    return bool(_SESSION_ID.match(session_id or ""))


def field_statuses(
    profile: Profile, evidence: dict[str, Any], recommendation: Recommendation | None
) -> list[FieldStatus]:
    """How each profile field is known: from the user's words, assumed, or unknown.

    A field is "assumed" when the user skipped its question (the default went into
    the profile) or when it is still empty but the recommendation assumed a value
    for it; then ``value`` is that assumed value and ``evidence`` the reason.
    """
    assumed = {a.field: a for a in recommendation.assumptions} if recommendation else {}
    out = []
    for name in (*DECISION_FIELDS, *DESCRIPTIVE_FIELDS):
        value = getattr(profile, name)
        found = evidence.get(name) or {}
        if value is not None:
            status = FieldStatus(
                field=name,
                value=value,
                status=str(found.get("status") or "known"),
                evidence=found.get("span"),
                confidence=found.get("confidence"),
            )
        elif name in assumed:
            status = FieldStatus(
                field=name,
                value=assumed[name].assumed,
                status="assumed",
                evidence=assumed[name].reason or None,
                confidence=None,
            )
        else:
            status = FieldStatus(field=name, status="unknown", evidence=None, confidence=None)
        out.append(status)
    return out


class Advisor:
    """The advisor service over the checkpointed interview graph.

    ``settings`` defaults to :func:`get_settings`; ``llm`` defaults to
    :func:`agent.llm.get_llm` (``None`` offline). ``with_citations=False`` skips
    knowledge retrieval on the recommend turn (benchmarks, fast tests).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        llm: Any = None,
        *,
        with_citations: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        self._llm = llm
        self._llm_resolved = llm is not None
        self.with_citations = with_citations
        self._store: Any = None
        self._graph: Any = None
        self._open_lock = threading.Lock()
        self._session_locks: dict[str, threading.Lock] = {}
        self._pending_notices: list[str] = []

    # -- plumbing -------------------------------------------------------

    @property
    def llm(self) -> Any:
        """The LLM seam for this advisor (None when offline)."""
        if not self._llm_resolved:
            self._llm_resolved = True
            if self.settings.llm_enabled:
                from agent.llm import get_llm

                self._llm = get_llm(self.settings)
        return self._llm

    def _ensure_open(self) -> Any:
        with self._open_lock:
            if self._store is None:
                from agent.graph import build_graph
                from agent.persistence import open_store

                self._store = open_store(self.settings)
                self._pending_notices.extend(self._store.notices)
                self._graph = build_graph(self._store.checkpointer)
        return self._store

    def warm_up(self) -> None:
        """Open the session store and graph, and load the reading models, ahead of use.

        The page calls this in a background thread while the user types their first
        message, which would otherwise wait a few seconds for these imports and models.
        Failures are left to the first real call, which reports them as usual.
        """
        from agent.extract import warm_up as load_reading_models

        try:
            self._ensure_open()
        except Exception:  # noqa: BLE001  (reported by the first real call instead)
            logging.getLogger(__name__).debug("warm-up could not open the store", exc_info=True)
        load_reading_models()

    def close(self) -> None:
        """Close the session store's connection."""
        if self._store is not None:
            self._store.close()
            self._store = None
            self._graph = None

    def __enter__(self) -> Advisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _config(session_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": session_id}}

    def _state(self, session_id: str) -> dict[str, Any]:
        store = self._ensure_open()
        with store.guard():
            snapshot = self._graph.get_state(self._config(session_id))
        return dict(snapshot.values or {})

    def _require(self, session_id: str) -> Any:
        store = self._ensure_open()
        if not valid_session_id(session_id) or store.get_session(session_id) is None:
            raise SessionNotFound(session_id)
        return store

    def _lock_for(self, session_id: str) -> threading.Lock:
        with self._open_lock:
            return self._session_locks.setdefault(session_id, threading.Lock())

    def _redact(self, text: str) -> str:
        for secret in self.settings.secret_values():
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def _mode(self, notices: list[str]) -> str:
        if self.llm is None:
            return "offline"
        return "offline" if any("LLM unavailable" in n for n in notices) else "llm"

    def _run(
        self, session_id: str, turn: dict[str, Any], notices: list[str] | None = None
    ) -> TurnResult:
        """One turn = one graph run resuming the ``ask`` interrupt; checkpointed at its end."""
        result: TurnResult | None = None
        for item in self._run_turn(session_id, turn, notices, stream=False):
            if isinstance(item, TurnResult):
                result = item
        assert result is not None
        return result

    def _run_turn(
        self,
        session_id: str,
        turn: dict[str, Any],
        notices: list[str] | None,
        *,
        stream: bool,
    ) -> Iterator[str | TurnResult]:
        """Run one turn; with ``stream`` yield reply text as produced. Ends with the TurnResult.

        The graph run is checkpointed once, at its end (``durability="exit"``). If the
        caller stops listening mid-stream, the run is still finished (without yielding),
        so the turn is committed whole rather than half-way.
        """
        from langgraph.types import Command

        from agent.state import AdvisorContext

        store = self._require(session_id)
        turn = {**turn, "text": self._redact(str(turn.get("text", "")))}
        with self._lock_for(session_id), store.guard():
            config = self._config(session_id)
            snapshot = self._graph.get_state(config)
            before = len((snapshot.values or {}).get("messages", []))
            graph_input: Any = Command(resume=turn) if snapshot.next else {"incoming": turn}
            context = AdvisorContext(
                settings=self.settings,
                llm=self.llm,
                with_citations=self.with_citations,
                stream=stream,
            )
            if not stream:
                values = self._graph.invoke(
                    graph_input, config, context=context, durability="exit"
                )
            else:
                values = None
                events = self._graph.stream(
                    graph_input,
                    config,
                    context=context,
                    durability="exit",
                    stream_mode=["custom", "updates", "values"],
                )
                pieces = _ReplyPieces()
                caller_left = False  # True while suspended at a yield
                try:
                    for mode, data in events:
                        if mode == "values":
                            values = data
                            continue
                        for piece in pieces.feed(mode, data):
                            caller_left = True
                            yield self._redact(piece)
                            caller_left = False
                finally:
                    if caller_left:
                        # The caller stopped reading (or raised): finish the run so the
                        # turn is checkpointed whole, once; a half turn is never saved.
                        for mode, data in events:
                            if mode == "values":
                                values = data
                        if values is not None:
                            self._finish_turn(store, session_id, values, before, notices)
                if values is None:
                    values = self._graph.get_state(config).values
        yield self._finish_turn(store, session_id, values, before, notices)

    def _finish_turn(
        self,
        store: Any,
        session_id: str,
        values: Any,
        before: int,
        notices: list[str] | None,
    ) -> TurnResult:
        """Update the session row and build the TurnResult from the run's final state."""
        values = {k: v for k, v in dict(values or {}).items() if not k.startswith("__")}
        new_messages = values.get("messages", [])[before:]
        reply = "\n\n".join(m["content"] for m in new_messages if m["role"] == "assistant")
        all_notices = (
            self._pending_notices + list(notices or []) + list(values.get("notices") or [])
        )
        self._pending_notices = []
        row = store.get_session(session_id)
        title = None
        if row is not None and row.title == DEFAULT_TITLE and values.get("title"):
            title = str(values["title"])
        store.touch(session_id, done=bool(values.get("done")), title=title)
        return self._turn_result(session_id, values, reply, all_notices)

    def _turn_result(
        self, session_id: str, values: dict[str, Any], reply: str, notices: list[str]
    ) -> TurnResult:
        question = (
            Question.model_validate(values["pending_question"])
            if values.get("pending_question")
            else None
        )
        diff = (
            values.get("diff")
            if values.get("intent") in ("change", "set_field") and values.get("done")
            else None
        )
        return TurnResult(
            session=session_id,
            reply=reply,
            question=question,
            options=list(question.options) if question else [],
            profile=Profile.model_validate(values.get("profile") or {}),
            recommendation=Recommendation.model_validate(values["recommendation"])
            if values.get("recommendation")
            else None,
            diff=RecommendationDiff.model_validate(diff) if diff else None,
            done=bool(values.get("done")),
            mode=self._mode(notices),  # type: ignore[arg-type]
            notices=notices,
            usage=dict(values.get("usage") or {}),
        )

    # -- sessions -------------------------------------------------------

    def new_session(self, title: str | None = None, session_id: str | None = None) -> str:
        """Create a session and return its id (``session_id`` lets scripts choose one).

        A generated id is a full random ``uuid4().hex`` (128 bits): in the app the
        id in the URL is the only thing that protects a session, so it must not be
        guessable.
        """
        store = self._ensure_open()
        sid = session_id or uuid.uuid4().hex
        if not valid_session_id(sid):
            raise ValueError(
                "A session id must be 1-128 letters, digits, '.', '_', ':' or '-' and start with a letter or digit."
            )
        store.create_session(sid, clean_text(title)[:120] or DEFAULT_TITLE)
        return sid

    def has_session(self, session_id: str) -> bool:
        """True when the session exists."""
        store = self._ensure_open()
        return valid_session_id(session_id) and store.get_session(session_id) is not None

    def list_sessions(self) -> list[SessionInfo]:
        """All sessions, most recent first."""
        store = self._ensure_open()
        return [
            SessionInfo(id=r.id, title=r.title, updated_at=r.updated_at, done=r.done)
            for r in store.list_sessions()
        ]

    def rename(self, session_id: str, title: str) -> None:
        """Give a session a new title."""
        store = self._require(session_id)
        new_title = clean_text(title)[:120]
        if not new_title:
            raise ValueError("A session title cannot be empty.")
        store.touch(session_id, title=new_title)

    def delete(self, session_id: str) -> None:
        """Delete a session and all its checkpoints."""
        store = self._require(session_id)
        store.delete_session(session_id)

    # -- turns ----------------------------------------------------------

    def send(self, session_id: str, message: str) -> TurnResult:
        """One user message: an answer, a quick-reply label, free text, "skip" or "just tell me"."""
        self._require(session_id)
        text, notices, idle = self._read_message(message)
        if idle is not None:
            return self._idle_reply(session_id, idle, notices)
        return self._run(session_id, {"text": text, "action": "message"}, notices)

    def send_stream(self, session_id: str, message: str) -> Iterator[str | TurnResult]:
        """Like :meth:`send`, but yields the reply's text as it is produced.

        Protocol: the generator yields zero or more ``str`` chunks, then exactly one
        :class:`TurnResult` as its last item. Offline (no LLM) the whole reply comes
        as one chunk. With an LLM, prose (the explanation of a recommendation, the
        answer to a follow-up) arrives piece by piece; other messages of the turn
        arrive whole, separated by a blank line. The chunks joined equal
        ``result.reply``, except when the LLM failed mid-stream and its text was
        replaced by the offline text: so when the joined chunks differ from
        ``result.reply``, show ``result.reply`` (the stored conversation, as
        :meth:`view` returns it, always has the final text).

        The turn is checkpointed once, when the run ends; a caller that stops
        reading early does not leave half a turn behind (the run is finished first).
        Unknown sessions raise :class:`SessionNotFound` on the first ``next()``.
        """
        self._require(session_id)
        text, notices, idle = self._read_message(message)
        if idle is not None:
            result = self._idle_reply(session_id, idle, notices)
        elif self.llm is None:
            result = self._run(session_id, {"text": text, "action": "message"}, notices)
        else:
            yield from self._run_turn(
                session_id, {"text": text, "action": "message"}, notices, stream=True
            )
            return
        if result.reply:
            yield result.reply
        yield result

    def _read_message(self, message: object) -> tuple[str, list[str], str | None]:
        """(cleaned text, notices, idle reply) for a user message; idle reply when empty."""
        notices: list[str] = []
        raw = message if isinstance(message, str | bytes | bytearray) else str(message)
        text = clean_text(raw)
        if isinstance(raw, str) and len(text) < len(raw.strip()):
            notices.append("Removed control or binary characters from your message.")
        if not text:
            return (
                "",
                notices,
                "Your message was empty. Describe your feature, pick one of the suggested "
                'answers, or say "just tell me" for a recommendation now.',
            )
        limit = int(self.settings.max_message_chars)
        if len(text) > limit:
            notices.append(
                f"Your message had {len(text):,} characters; I read only the first {limit:,}."
            )
            text = text[:limit]
        return text, notices, None

    def _idle_reply(self, session_id: str, reply: str, notices: list[str]) -> TurnResult:
        values = self._state(session_id)
        return self._turn_result(session_id, values, reply, notices)

    def recommend_now(self, session_id: str) -> TurnResult:
        """Stop asking and recommend with what is known (unknowns become assumptions)."""
        return self._run(session_id, {"text": "Recommend now", "action": "recommend_now"})

    def skip(self, session_id: str) -> TurnResult:
        """Skip the open question; its recommended default is recorded as an assumption."""
        return self._run(session_id, {"text": "Skip / don't know", "action": "skip"})

    def set_field(self, session_id: str, field: str, value: Any) -> TurnResult:
        """Edit one profile field; after a recommendation this re-decides and reports the diff."""
        if not isinstance(value, str | int | float | bool | list | type(None)):
            value = str(value)
        shown = value if not isinstance(value, str) else clean_text(value)
        return self._run(
            session_id,
            {
                "text": f"Change {field} to {shown}",
                "action": "set_field",
                "field": field,
                "value": shown,
            },
        )

    def choose_path(
        self, session_id: str, approach: str, components: list[str] | None = None
    ) -> TurnResult:
        """Pick the approach (and hybrid components) to scaffold."""
        from agent.profile import APPROACH_LABELS

        label = APPROACH_LABELS.get(approach, approach)
        return self._run(
            session_id,
            {
                "text": f"Scaffold {label}",
                "action": "choose_path",
                "approach": approach,
                "components": list(components or []),
            },
        )

    # -- reading --------------------------------------------------------

    def view(self, session_id: str) -> SessionView:
        """Everything needed to draw one session."""
        store = self._require(session_id)
        row = store.get_session(session_id)
        values = self._state(session_id)
        profile = Profile.model_validate(values.get("profile") or {})
        rec = values.get("recommendation")
        fields = field_statuses(
            profile,
            values.get("evidence") or {},
            Recommendation.model_validate(rec) if rec else None,
        )
        prev = values.get("previous_recommendation")
        diff = values.get("diff")
        question = values.get("pending_question")
        notices = self._pending_notices + list(values.get("notices") or [])
        return SessionView(
            id=session_id,
            title=row.title if row else DEFAULT_TITLE,
            messages=[
                ChatMessage(role=m["role"], content=m["content"])
                for m in values.get("messages", [])
            ],
            profile=profile,
            fields=fields,
            question=Question.model_validate(question) if question else None,
            recommendation=Recommendation.model_validate(rec) if rec else None,
            previous_recommendation=Recommendation.model_validate(prev) if prev else None,
            diff=RecommendationDiff.model_validate(diff) if diff else None,
            chosen_approach=values.get("chosen_approach"),
            chosen_components=list(values.get("chosen_components") or []),
            questions_asked=list(values.get("questions_asked") or []),
            usage=dict(values.get("usage") or {}),
            mode=self._mode(notices),
            notices=notices,
        )

    def _recommendation_for(
        self, session_id: str
    ) -> tuple[Profile, Recommendation, dict[str, Any]]:
        self._require(session_id)
        values = self._state(session_id)
        profile = Profile.model_validate(values.get("profile") or {})
        if values.get("recommendation"):
            return profile, Recommendation.model_validate(values["recommendation"]), values
        from agent.engine import decide

        return profile, decide(profile), values

    def export(self, session_id: str) -> dict[str, Any]:
        """The whole session as a JSON-safe dict, with no secrets."""
        store = self._require(session_id)
        row = store.get_session(session_id)
        values = self._state(session_id)
        from agent.persistence import now_iso

        data = {
            "format": EXPORT_FORMAT,
            "id": session_id,
            "title": row.title if row else DEFAULT_TITLE,
            "created_at": row.created_at if row else None,
            "updated_at": row.updated_at if row else None,
            "exported_at": now_iso(),
            "messages": values.get("messages", []),
            "profile": values.get("profile") or Profile.model_validate({}).model_dump(mode="json"),
            "evidence": values.get("evidence") or {},
            "questions_asked": values.get("questions_asked") or [],
            "recommendation": values.get("recommendation"),
            "previous_recommendation": values.get("previous_recommendation"),
            "diff_history": values.get("diff_history") or [],
            "chosen_approach": values.get("chosen_approach"),
            "chosen_components": values.get("chosen_components") or [],
            "usage": values.get("usage") or {},
            "done": bool(values.get("done")),
        }
        # JSON round trip: proves it is JSON-safe and lets us redact any secret text.
        return json.loads(self._redact(json.dumps(data, default=str)))

    def report_markdown(self, session_id: str) -> str:
        """The decision report as Markdown."""
        from agent.report import render_markdown

        profile, rec, values = self._recommendation_for(session_id)
        return self._redact(
            render_markdown(profile, rec, questions_asked=values.get("questions_asked") or [])
        )

    def report_html(self, session_id: str) -> str:
        """The decision report as a standalone HTML page."""
        from agent.report import render_html

        profile, rec, values = self._recommendation_for(session_id)
        return self._redact(
            render_html(profile, rec, questions_asked=values.get("questions_asked") or [])
        )

    def scaffold_zip(
        self, session_id: str, approach: str | None = None, components: list[str] | None = None
    ) -> bytes:
        """The starter project for ``approach`` (default: chosen, else recommended) as zip bytes."""
        from agent.report import render_markdown
        from agent.scaffold import scaffold_zip_bytes

        profile, rec, values = self._recommendation_for(session_id)
        chosen = approach or values.get("chosen_approach") or rec.approach
        if components is None:
            if chosen == values.get("chosen_approach") and values.get("chosen_components"):
                components = list(values["chosen_components"])
            elif chosen == rec.approach:
                components = list(rec.components)
        report = render_markdown(profile, rec, questions_asked=values.get("questions_asked") or [])
        return scaffold_zip_bytes(
            chosen,
            profile,
            components=components,
            recommendation=rec,
            report_markdown=self._redact(report),
            settings=self.settings,
        )

    def iter_messages(self, session_id: str) -> Iterator[ChatMessage]:
        """The conversation so far (convenience for terminals)."""
        yield from self.view(session_id).messages


class _ReplyPieces:
    """Turns LangGraph stream events of one turn into the reply's text pieces.

    ``custom`` events ``{"reply_delta": str}`` are prose being streamed by a node;
    ``updates`` events carry each node's new messages: an assistant message is sent
    whole unless it is the one that was just streamed. Messages are separated by a
    blank line, as in ``TurnResult.reply``.
    """

    def __init__(self) -> None:
        self.shown = False  # any text sent yet
        self.live = False  # a message is being streamed right now

    def _start(self) -> Iterator[str]:
        if self.shown:
            yield "\n\n"
        self.shown = True

    def feed(self, mode: str, data: Any) -> Iterator[str]:
        from agent.nodes import REPLY_DELTA

        if mode == "custom" and isinstance(data, dict) and REPLY_DELTA in data:
            if not self.live:
                self.live = True
                yield from self._start()
            yield str(data[REPLY_DELTA])
            return
        if mode != "updates" or not isinstance(data, dict):
            return
        for node_update in data.values():
            if not isinstance(node_update, dict):
                continue  # e.g. the interrupt marker
            for message in node_update.get("messages") or []:
                if message.get("role") != "assistant":
                    continue
                if self.live:  # its text was streamed already
                    self.live = False
                    continue
                yield from self._start()
                yield str(message.get("content") or "")
