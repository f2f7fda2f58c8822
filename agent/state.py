"""The interview agent's state: what the graph checkpoints after every turn.

Everything here is plain JSON (dicts, lists, strings, numbers) so checkpoints
stay readable by any LangGraph checkpointer and exports are a straight copy.
Secrets never enter the state: the LLM client and settings travel in the run
*context* (:class:`AdvisorContext`), which LangGraph does not persist.

Reducers: ``messages`` and ``diff_history`` append; ``evidence`` merges per
field; ``usage`` adds token counts. Every other key is replaced by the node that
returns it (nodes return only the keys they change).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

#: Intents the understanding step can classify a user turn as.
Intent = Literal[
    "describe",  # free text before the first recommendation
    "answer",  # a quick-reply answer to the pending question
    "skip",  # "skip / don't know": record an assumption
    "recommend_now",  # "just tell me" / the Recommend-now button
    "set_field",  # an explicit edit of one profile field
    "change",  # free text after the recommendation that changes facts
    "followup",  # a question after the recommendation
    "choose_path",  # pick the approach to scaffold
    "invalid",  # a turn that cannot be applied (the reply says why)
]


class Message(TypedDict):
    """One line of the conversation."""

    role: Literal["user", "assistant"]
    content: str


class FieldEvidence(TypedDict):
    """How one profile field got its value."""

    value: Any
    span: str | None  # the user's words it came from
    confidence: float | None
    # known: stated or answered; assumed: a skipped question's default; inferred: read by
    # the sentence classifier from a resembling phrasing or by the trained reader from the
    # whole description, so the interviewer confirms it when it matters.
    status: Literal["known", "assumed", "inferred"]


class QuickReplyDict(TypedDict, total=False):
    """JSON form of :class:`agent.turn.QuickReply`."""

    label: str
    value: Any
    recommended: bool
    reason: str | None


class QuestionDict(TypedDict, total=False):
    """JSON form of :class:`agent.turn.Question`; ``field`` may be ``scaffold_path``."""

    field: str
    text: str
    why: str
    options: list[QuickReplyDict]


class TurnInput(TypedDict, total=False):
    """What the service sends into the graph for one turn (the interrupt's resume value)."""

    text: str  # what the user typed or clicked (shown in history)
    action: Literal["message", "skip", "recommend_now", "set_field", "choose_path"]
    field: str
    value: Any
    approach: str
    components: list[str]


def _add_usage(old: dict[str, int] | None, new: dict[str, int] | None) -> dict[str, int]:
    """Reducer: sum token counts key by key."""
    total = dict(old or {})
    for key, value in (new or {}).items():
        total[key] = total.get(key, 0) + int(value)
    return total


class AdvisorState(TypedDict, total=False):
    """The checkpointed state of one advisory session."""

    # conversation
    messages: Annotated[list[Message], operator.add]
    incoming: TurnInput  # the current turn's input
    intent: Intent
    findings: dict[str, FieldEvidence]  # what this turn's message said, before applying
    turn: int  # number of user turns so far

    # what we know
    profile: dict[str, Any]  # Profile.model_dump(mode="json")
    previous_profile: dict[str, Any]  # the profile before this turn's update
    evidence: Annotated[dict[str, FieldEvidence], operator.or_]
    questions_asked: list[str]  # fields asked about, in order
    pending_question: QuestionDict | None

    # the decision
    recommendation: dict[str, Any] | None  # Recommendation as JSON
    previous_recommendation: dict[str, Any] | None
    diff: dict[str, Any] | None  # latest RecommendationDiff as JSON
    diff_history: Annotated[list[dict[str, Any]], operator.add]
    done: bool  # a recommendation has been given
    guidance: list[dict[str, Any]]  # passages retrieved for the current follow-up

    # the chosen path
    chosen_approach: str | None
    chosen_components: list[str]
    scaffold: dict[str, Any] | None  # {"approach", "components", "turn"}

    # bookkeeping shown to the user
    usage: Annotated[dict[str, int], _add_usage]
    mode: Literal["offline", "llm"]
    notices: list[str]  # this turn's notices (reset at the start of every turn)
    title: str


@dataclass
class AdvisorContext:
    """Per-run, never-persisted inputs of the graph: settings and the LLM seam.

    ``llm`` is whatever :func:`agent.llm.get_llm` returns (``None`` offline).
    ``with_citations`` lets benchmarks and fast tests skip knowledge retrieval.
    ``stream``: prose nodes (explain, answer_followup) stream the LLM's text as it
    arrives, as custom stream events ``{"reply_delta": str}`` (see
    :meth:`agent.service.Advisor.send_stream`); the state they return is the same.
    """

    settings: Any = None
    llm: Any = None
    with_citations: bool = True
    stream: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
