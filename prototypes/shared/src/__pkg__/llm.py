"""The one seam to a language model.

Everything that needs a model calls :func:`get_llm`. With ``OPENAI_API_KEY``
set it returns a client for OpenAI or any OpenAI-compatible server
(``OPENAI_BASE_URL``); without a key it returns :class:`OfflineChat`, a
deterministic stand-in, so the project runs end to end offline. Tests install
a :class:`ScriptedChat` with :func:`set_llm`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .settings import Settings, load_settings

Message = dict[str, str]
Reply = str | Callable[[Sequence[Message]], str]


class LLMError(RuntimeError):
    """A model call failed; the message says why (never contains the key)."""


class ChatModel(Protocol):
    """What the rest of the project needs from a model."""

    name: str
    offline: bool

    def complete(
        self, messages: Sequence[Message], *, model: str | None = None, temperature: float = 0.0
    ) -> str:
        """Return the assistant's reply text."""
        ...


class OpenAIChat:
    """OpenAI or any OpenAI-compatible chat-completions server."""

    offline = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = settings.model
        self._client: Any = None

    def client(self) -> Any:
        """The OpenAI client, built on first use."""
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                api_key=self.settings.api_key,
                base_url=self.settings.base_url,
                timeout=self.settings.timeout_s,
                max_retries=2,
            )
        return self._client

    def complete(
        self, messages: Sequence[Message], *, model: str | None = None, temperature: float = 0.0
    ) -> str:
        try:
            response = self.client().chat.completions.create(
                model=model or self.settings.model,
                messages=list(messages),
                temperature=temperature,
            )
        except Exception as exc:  # network, HTTP and SDK errors all become LLMError
            raise LLMError(f"model call failed: {type(exc).__name__}") from None
        text = response.choices[0].message.content if response.choices else None
        if not text or not text.strip():
            raise LLMError("the model returned an empty reply")
        return text


_WORD = re.compile(r"[a-z0-9]+")
_SOURCE_LINE = re.compile(r"^\[(\d+)\]\s*(?:\([^)]*\)\s*)?(.*)$")


def words(text: str) -> set[str]:
    """Lowercase word set (plural 's' dropped), ignoring very short words."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w
            for w in _WORD.findall(text.lower()) if len(w) > 2}


class OfflineChat:
    """Deterministic stand-in used when no API key is set.

    When the prompt carries numbered sources (``[1] ...`` lines) it answers with
    the source sentence sharing the most words with the question, cited;
    otherwise it says plainly that no model is configured.
    """

    name = "offline"
    offline = True

    def complete(
        self, messages: Sequence[Message], *, model: str | None = None, temperature: float = 0.0
    ) -> str:
        prompt = messages[-1]["content"] if messages else ""
        question = prompt
        for line in prompt.splitlines():
            if line.lower().startswith("question:"):
                question = line.split(":", 1)[1]
        wanted = words(question)
        best: tuple[int, str, str] = (0, "", "")
        for line in prompt.splitlines():
            match = _SOURCE_LINE.match(line.strip())
            if not match:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", match.group(2)):
                score = len(wanted & words(sentence))
                if score > best[0]:
                    best = (score, sentence.strip(), match.group(1))
        if best[0]:
            return f"{best[1]} [{best[2]}]"
        return "Offline mode: no model is configured. Set OPENAI_API_KEY to get real answers."


class ScriptedChat:
    """A fake model for tests: replies from a queue, records every prompt."""

    offline = False

    def __init__(self, replies: Sequence[Reply] = (), *, default: Reply | None = None,
                 name: str = "scripted") -> None:
        self.replies: list[Reply] = list(replies)
        self.default = default
        self.name = name
        self.prompts: list[list[Message]] = []
        self.models: list[str | None] = []

    def complete(
        self, messages: Sequence[Message], *, model: str | None = None, temperature: float = 0.0
    ) -> str:
        self.prompts.append([dict(m) for m in messages])
        self.models.append(model)
        if self.replies:
            reply = self.replies.pop(0)
        elif self.default is not None:
            reply = self.default
        else:
            raise LLMError("ScriptedChat ran out of replies")
        return reply(messages) if callable(reply) else reply


_override: ChatModel | None = None


def set_llm(model: ChatModel | None) -> None:
    """Use ``model`` for every call until :func:`reset_llm` (tests, notebooks)."""
    global _override
    _override = model


def reset_llm() -> None:
    """Go back to building the model from settings."""
    set_llm(None)


def get_llm(settings: Settings | None = None) -> ChatModel:
    """The model to use: the override, the configured server, or the offline stand-in."""
    if _override is not None:
        return _override
    settings = settings or load_settings()
    if settings.api_key:
        return OpenAIChat(settings)
    return OfflineChat()
