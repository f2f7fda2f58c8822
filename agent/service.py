"""The advisor as a service: the one API the CLI and the Streamlit page call.

Callers never touch the graph, the checkpointer or the LLM directly; they hold
an :class:`Advisor` and a session id. Every method is safe to call from a fresh
process: state lives in the checkpointer, not in the object.

CONTRACT NOTE: the method signatures and the SessionView/SessionInfo models are
agreed between the agent, the CLI and the app. Implementation: agent/graph.py.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agent.profile import BaseApproach, Profile
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
    status: str = Field(description="'known', 'assumed' or 'unknown'")
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
    profile: Profile = Field(default_factory=Profile)
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
