"""What one conversational turn returns to a caller (CLI, app, tests).

`TurnResult` is the shape of `advisor chat --json` and what the Streamlit page
renders after each message. It is a public contract.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.profile import Profile
from agent.recommendation import Recommendation, RecommendationDiff


class QuickReply(BaseModel):
    """One suggested answer to the current question."""

    label: str = Field(description="What the button shows and what is sent when clicked.")
    value: Any = Field(None, description="The profile value this reply sets (None for skip).")
    recommended: bool = False
    reason: str | None = Field(None, description="One line on why this is the default.")


class Question(BaseModel):
    """The next question the interviewer asks."""

    field: str = Field(description="Profile field this question resolves.")
    text: str
    options: list[QuickReply] = Field(default_factory=list)
    why: str = Field("", description="Why this matters for the decision.")


class TurnResult(BaseModel):
    """The agent's answer to one user message."""

    session: str
    reply: str
    question: Question | None = None
    options: list[QuickReply] = Field(default_factory=list)
    profile: Profile = Field(default_factory=lambda: Profile.model_validate({}))
    recommendation: Recommendation | None = None
    diff: RecommendationDiff | None = None
    done: bool = Field(False, description="True once a recommendation has been given.")
    mode: Literal["offline", "llm"] = "offline"
    notices: list[str] = Field(default_factory=list)
    usage: dict[str, int] = Field(
        default_factory=dict, description="LLM tokens used so far in this session."
    )
