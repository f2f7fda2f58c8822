"""Structured output: the model replies JSON that pydantic validates."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from pydantic import BaseModel, Field, ValidationError

from .llm import ChatModel, LLMError, Message


class StructuredAnswer(BaseModel):
    """The shape every structured reply must have."""

    answer: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)


class StructuredOutputError(LLMError):
    """The model did not produce valid JSON for the schema, even after a retry."""


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_structured(text: str) -> StructuredAnswer:
    """Validate a reply (code fences allowed) into :class:`StructuredAnswer`."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the reply")
    return StructuredAnswer.model_validate(json.loads(cleaned[start : end + 1]))


def complete_structured(llm: ChatModel, messages: Sequence[Message], *,
                        model: str | None = None) -> StructuredAnswer:
    """Ask for JSON; on a bad reply ask once more, quoting the error."""
    history = list(messages)
    error = ""
    for _attempt in range(2):
        reply = llm.complete(history, model=model)
        try:
            return parse_structured(reply)
        except (ValueError, ValidationError) as exc:
            error = str(exc).splitlines()[0]
            history = [*history, {"role": "assistant", "content": reply},
                       {"role": "user", "content": f"That was invalid ({error}). Reply with "
                                                   "the JSON object only."}]
    raise StructuredOutputError(f"invalid structured reply: {error}")


def schema_text() -> str:
    """The JSON schema, compact, for the system prompt."""
    return json.dumps(StructuredAnswer.model_json_schema(), separators=(",", ":"))
