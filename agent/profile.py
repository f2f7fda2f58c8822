"""The requirements profile: everything the decision depends on.

`Profile` is a public contract: it is read from JSON files, written into
checkpoints and exports, and its field names are documented in the README.
Every field may be ``None`` (unknown) until it is learned.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Focus = Literal["niche", "broad"]
DataDynamics = Literal["static", "periodic", "dynamic"]
InteractionComplexity = Literal["simple", "complex"]
KnowledgeSource = Literal["general", "proprietary"]
CorpusSize = Literal["none", "fits_in_prompt", "large"]
BehaviorGap = Literal["none", "format", "style", "reasoning", "new_skill"]
Privacy = Literal["cloud_ok", "self_hosted"]
Budget = Literal["low", "medium", "high"]
MlSkills = Literal["none", "some", "strong"]

Approach = Literal["prompt_engineering", "rag", "fine_tuning", "hybrid"]
BaseApproach = Literal["prompt_engineering", "rag", "fine_tuning"]
BASE_APPROACHES: tuple[BaseApproach, ...] = ("prompt_engineering", "rag", "fine_tuning")
APPROACH_LABELS: dict[str, str] = {
    "prompt_engineering": "Prompt engineering",
    "rag": "Retrieval-augmented generation (RAG)",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Hybrid",
}


class Profile(BaseModel):
    """What we know about the product manager's feature. ``None`` means unknown."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    product_summary: str | None = Field(None, description="One or two sentences on the feature.")
    domain: str | None = Field(None, description="Industry or subject area, e.g. insurance.")
    focus: Focus | None = Field(None, description="Niche, deep-domain work or a broad product.")
    data_dynamics: DataDynamics | None = Field(
        None,
        description="static; periodic (changes monthly to yearly); dynamic (daily or faster).",
    )
    interaction_complexity: InteractionComplexity | None = Field(
        None, description="Simple one-shot requests or complex multi-step interactions."
    )
    knowledge_source: KnowledgeSource | None = Field(
        None,
        description="general: the model already knows it; proprietary: facts the model lacks.",
    )
    corpus_size: CorpusSize | None = Field(
        None, description="none; fits_in_prompt (under ~200K tokens); large."
    )
    needs_citations: bool | None = Field(None, description="Answers must cite their sources.")
    behavior_gap: BehaviorGap | None = Field(
        None, description="What good prompting still fails at: format, style, reasoning, new_skill."
    )
    prompting_tried: bool | None = Field(
        None, description="Is there a prompting baseline measured with evals?"
    )
    labeled_examples: int | None = Field(None, ge=0, description="High-quality input/output pairs.")
    monthly_requests: int | None = Field(None, ge=0, description="Expected requests per month.")
    latency_sensitive: bool | None = Field(None, description="Users wait on the answer in real time.")
    privacy: Privacy | None = Field(None, description="cloud_ok, or data must stay self_hosted.")
    budget: Budget | None = Field(None, description="low, medium or high.")
    ml_skills: MlSkills | None = Field(None, description="The team's ML engineering skills.")
    timeline_weeks: int | None = Field(None, ge=0, description="Weeks until a first version is due.")
    success_criteria: list[str] | None = Field(None, description="How the team will judge success.")
    sample_questions: list[str] | None = Field(None, description="Typical user requests.")


#: The fields the decision depends on, in the order a consultant would think of them.
DECISION_FIELDS: tuple[str, ...] = (
    "focus",
    "data_dynamics",
    "interaction_complexity",
    "knowledge_source",
    "corpus_size",
    "needs_citations",
    "behavior_gap",
    "prompting_tried",
    "labeled_examples",
    "monthly_requests",
    "latency_sensitive",
    "privacy",
    "budget",
    "ml_skills",
    "timeline_weeks",
)

#: Free-text fields that personalise outputs but do not change the decision.
DESCRIPTIVE_FIELDS: tuple[str, ...] = (
    "product_summary",
    "domain",
    "success_criteria",
    "sample_questions",
)


def allowed_values(field: str) -> tuple[Any, ...] | None:
    """Return the allowed values of an enumerated field, or None for free-form fields."""
    info = Profile.model_fields[field]
    for arg in get_args(info.annotation):
        options = get_args(arg)
        if options and all(isinstance(o, str) for o in options):
            return options
    if info.annotation in (bool, bool | None):
        return (True, False)
    return None


def field_type(field: str) -> str:
    """Return ``enum``, ``bool``, ``int``, ``list`` or ``str`` for a profile field."""
    annotation = Profile.model_fields[field].annotation
    if annotation == (bool | None):
        return "bool"
    if annotation == (int | None):
        return "int"
    if annotation == (list[str] | None):
        return "list"
    if allowed_values(field):
        return "enum"
    return "str"


class ProfileError(ValueError):
    """A profile could not be read; the message names the field and allowed values."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn a pydantic error into one readable message per bad field."""
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(profile)"
        root = str(item["loc"][0]) if item["loc"] else ""
        hint = ""
        if root in Profile.model_fields:
            options = allowed_values(root)
            if options:
                hint = " Allowed values: " + ", ".join(
                    repr(o) if isinstance(o, str) else str(o).lower() for o in options
                ) + "."
            else:
                hint = f" Expected {field_type(root)}."
        given = item.get("input")
        lines.append(f"Field '{field}': {item['msg']} (got {given!r}).{hint}")
    return "\n".join(lines)


def parse_profile(data: Any) -> Profile:
    """Validate a mapping into a Profile, raising ProfileError with a readable message."""
    if not isinstance(data, dict):
        raise ProfileError(f"A profile must be a JSON object, got {type(data).__name__}.")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(describe_validation_error(exc)) from None


def known_fields(profile: Profile) -> dict[str, Any]:
    """The decision fields whose value is known."""
    return {f: getattr(profile, f) for f in DECISION_FIELDS if getattr(profile, f) is not None}
