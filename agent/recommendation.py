"""The decision engine's output: a recommendation a product manager can defend.

These models are a public contract: the CLI prints them as JSON, the agent keeps
them in its state, the app renders them and the report and scaffolds read them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agent.profile import Approach, BaseApproach


class Evidence(BaseModel):
    """One factor's weighted push for or against one base approach."""

    factor: str = Field(description="Profile field (or derived factor) that produced this.")
    approach: BaseApproach
    weight: float = Field(description="Signed points added to the approach's score.")
    effect: str = Field(description="The rule in words, e.g. 'Facts change daily: favours RAG'.")
    source: str | None = Field(None, description="Knowledge document that states the rule.")


class TradeOff(BaseModel):
    """How one option compares on the dimensions a PM weighs."""

    approach: Approach
    cost: str
    time_to_first_version: str
    skills: str
    scalability: str
    maintenance: str
    data_freshness: str
    risks: str


class Assumption(BaseModel):
    """A default used in place of an unknown factor."""

    field: str
    assumed: Any
    reason: str


class Sensitivity(BaseModel):
    """An answer that would change the recommendation."""

    field: str
    current: Any = Field(None, description="The known value, or None when unknown.")
    value: Any = Field(description="The answer that would flip the result.")
    new_approach: Approach
    new_components: list[BaseApproach]
    explanation: str


class CostLine(BaseModel):
    """One item of a cost estimate, with the arithmetic shown."""

    item: str
    amount_usd: float
    formula: str


class CostEstimate(BaseModel):
    """Estimated costs of one option, from the PM's own numbers."""

    approach: Approach
    monthly_usd: float
    one_off_usd: float
    monthly_lines: list[CostLine] = Field(default_factory=list)
    one_off_lines: list[CostLine] = Field(default_factory=list)
    time_to_first_version_weeks: str = ""
    skills_needed: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class StakeholderTask(BaseModel):
    """What one role does for the chosen path."""

    role: str
    responsibilities: list[str]


class Citation(BaseModel):
    """A knowledge-base passage retrieved for a deciding factor."""

    text: str
    source: str
    heading: str
    score: float
    factor: str | None = None


class Recommendation(BaseModel):
    """The recommended approach with everything needed to explain and defend it."""

    approach: Approach
    components: list[BaseApproach]
    scores: dict[str, float] = Field(description="Score per base approach.")
    confidence: float = Field(ge=0.0, le=1.0)
    summary: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    trade_offs: list[TradeOff] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    what_would_change_it: list[Sensitivity] = Field(default_factory=list)
    costs: list[CostEstimate] = Field(default_factory=list)
    stakeholder_plan: list[StakeholderTask] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)


class RecommendationDiff(BaseModel):
    """What changed between two recommendations after an answer changed."""

    changed_fields: dict[str, tuple[Any, Any]] = Field(
        default_factory=dict, description="field -> (old, new) profile values"
    )
    old_approach: Approach | None = None
    new_approach: Approach
    old_components: list[BaseApproach] = Field(default_factory=list)
    new_components: list[BaseApproach]
    score_changes: dict[str, tuple[float, float]] = Field(default_factory=dict)
    cost_changes: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="approach -> (old monthly, new monthly) USD"
    )
    approach_changed: bool = False
    summary: str = ""
