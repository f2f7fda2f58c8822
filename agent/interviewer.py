"""The interviewer's craft: which question to ask next, how to ask it, how to read the answer.

* The next question targets the unknown factor whose answer would most change the
  recommendation (:func:`agent.engine.question_impact`), never a field already
  known or already asked, and at most ``settings.max_questions`` before the first
  recommendation. A value that was inferred rather than stated (read from a resembling
  phrasing or by the trained reader) counts as unknown here: when confirming it could
  change the recommendation, it is asked, with the inferred value as the recommended reply.
* Every question carries 2-5 quick replies with exactly one recommended default
  (with a one-line reason derived from what we already know) plus "Skip / don't
  know", which records that default as an assumption.
* Answers: a quick-reply label or its number maps straight to its value; free text
  goes through understanding (see :mod:`agent.nodes`).

Pure functions, no I/O: easy to test and fast on every turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from agent.profile import (
    APPROACH_LABELS,
    DECISION_FIELDS,
    Profile,
    ProfileError,
    allowed_values,
    field_type,
)
from agent.turn import Question, QuickReply

SKIP_LABEL = "Skip / don't know"

#: Phrases that mean "stop asking and recommend" (matched on whole, normalised text).
_RECOMMEND_NOW = re.compile(
    r"^\s*(?:/recommend|recommend(?: now)?|just tell me\b.*|tell me now|"
    r"skip (?:the |your )?questions\b.*|(?:just )?give me (?:the |a |your )?recommendation\b.*|"
    r"what do you recommend|enough questions\b.*|stop asking\b.*|no more questions\b.*)"
    r"\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_SKIP = re.compile(
    r"^\s*(?:skip|/skip|pass|next|no idea|not sure|unsure|don'?t know|dont know|"
    r"i don'?t know|no clue|n/?a|skip / don'?t know)\s*[.!]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FieldTemplate:
    """The offline wording of one question and its answer options."""

    text: str
    why: str
    options: tuple[tuple[str, Any], ...]


#: Offline question templates. Labels are what the user clicks or types.
TEMPLATES: dict[str, FieldTemplate] = {
    "focus": FieldTemplate(
        "Is this a niche, deep-domain task or a broad, general-purpose product?",
        "Deep-domain work leans on specialised knowledge or behaviour; broad products rarely do.",
        (("Niche / deep domain", "niche"), ("Broad / general", "broad")),
    ),
    "data_dynamics": FieldTemplate(
        "How often does the information the feature relies on change?",
        "Facts that change often are cheaper to keep fresh by retrieval than by retraining.",
        (
            ("Rarely / static", "static"),
            ("Monthly to yearly", "periodic"),
            ("Daily or faster", "dynamic"),
        ),
    ),
    "interaction_complexity": FieldTemplate(
        "Are requests simple one-shot tasks or complex, multi-step interactions?",
        "Multi-step work needs more orchestration and often more context per request.",
        (("Simple one-shot", "simple"), ("Complex multi-step", "complex")),
    ),
    "knowledge_source": FieldTemplate(
        "Does the model need facts it cannot know, like your own documents or data?",
        "Proprietary facts must be supplied to the model; general knowledge is already in it.",
        (
            ("General knowledge is enough", "general"),
            ("Yes, our own / proprietary facts", "proprietary"),
        ),
    ),
    "corpus_size": FieldTemplate(
        "Roughly how much reference material would the model need to see?",
        "Material that fits in one prompt can simply be included; a large corpus needs retrieval.",
        (
            ("None", "none"),
            ("Fits in a prompt (under ~200K tokens)", "fits_in_prompt"),
            ("Large (more than that)", "large"),
        ),
    ),
    "needs_citations": FieldTemplate(
        "Must answers cite their sources so users can check them?",
        "Citations come naturally with retrieval and are hard to get from a fine-tuned model.",
        (("Yes, cite sources", True), ("No", False)),
    ),
    "behavior_gap": FieldTemplate(
        "What does a well-prompted model still get wrong for this task?",
        "Gaps in format or style can be trained in; missing facts cannot.",
        (
            ("Nothing yet / not measured", "none"),
            ("Output format", "format"),
            ("Tone or style", "style"),
            ("Domain reasoning", "reasoning"),
            ("A new skill", "new_skill"),
        ),
    ),
    "prompting_tried": FieldTemplate(
        "Have you tried prompting a strong model and measured it with evals?",
        "A measured prompting baseline is the cheapest proof of what else is needed.",
        (("Yes, with evals", True), ("Not yet", False)),
    ),
    "labeled_examples": FieldTemplate(
        "How many high-quality example input/output pairs do you have?",
        "Fine-tuning needs hundreds to thousands of good examples.",
        (("None yet", 0), ("About 100", 100), ("About 1,000", 1000), ("10,000 or more", 10000)),
    ),
    "monthly_requests": FieldTemplate(
        "How many requests a month do you expect?",
        "Volume drives running costs and can make a smaller tuned model pay off.",
        (
            ("About 1,000", 1000),
            ("About 10,000", 10000),
            ("About 100,000", 100000),
            ("A million or more", 1000000),
        ),
    ),
    "latency_sensitive": FieldTemplate(
        "Do users wait on the answer in real time?",
        "Retrieval and long prompts add latency; tight budgets favour lean prompts.",
        (("Yes, real time", True), ("No, batch / async is fine", False)),
    ),
    "privacy": FieldTemplate(
        "May the data go to a cloud model API, or must it stay on your own infrastructure?",
        "Self-hosting limits the models you can use and adds operations work.",
        (("Cloud API is fine", "cloud_ok"), ("Must stay self-hosted", "self_hosted")),
    ),
    "budget": FieldTemplate(
        "What budget do you have for building and running it?",
        "Fine-tuning and retrieval infrastructure cost more up front than prompting.",
        (("Low", "low"), ("Medium", "medium"), ("High", "high")),
    ),
    "ml_skills": FieldTemplate(
        "How strong is the team's ML engineering?",
        "Training and evaluating models needs ML skills; prompting needs far fewer.",
        (("None", "none"), ("Some", "some"), ("Strong", "strong")),
    ),
    "timeline_weeks": FieldTemplate(
        "When is a first version due?",
        "Short timelines favour approaches that ship without data collection or training.",
        (
            ("In 2 weeks", 2),
            ("In about 6 weeks", 6),
            ("In about 3 months", 12),
            ("In 6 months or more", 26),
        ),
    ),
}

_REGULATED = re.compile(
    r"\b(legal|law|health|medical|clinical|patient|pharma|bank|finance|financial|insurance|"
    r"compliance|regulat\w*|government|tax|audit)\b",
    re.IGNORECASE,
)
_CHAT = re.compile(
    r"\b(chat|assistant|agent|support|conversation|copilot|helpdesk)\b", re.IGNORECASE
)


def _context_text(profile: Profile) -> str:
    parts = [profile.product_summary or "", profile.domain or ""]
    parts.extend(profile.sample_questions or [])
    return " ".join(parts)


#: The reason shown with an inferred value that a question asks the user to confirm.
INFERRED_REASON = "That is how I read your description; pick another reply if it is wrong."


def recommended_default(field: str, profile: Profile) -> tuple[Any, str]:
    """The default answer for ``field`` given what we know, with a one-line reason.

    A field that already holds a value is being confirmed (it was inferred): that value.
    """
    held = getattr(profile, field, None)
    if held is not None and field in DECISION_FIELDS:
        return held, INFERRED_REASON
    text = _context_text(profile)
    regulated = bool(_REGULATED.search(text))
    if field == "focus":
        if profile.knowledge_source == "proprietary" or regulated:
            return "niche", "Your domain sounds specialised."
        return "broad", "Most product features are general-purpose."
    if field == "data_dynamics":
        if profile.knowledge_source == "general":
            return "static", "General knowledge changes slowly."
        return "periodic", "Business documents usually change every few months."
    if field == "interaction_complexity":
        if _CHAT.search(text):
            return "complex", "Chat and assistant features tend to be multi-turn."
        return "simple", "Most features start as one-shot requests."
    if field == "knowledge_source":
        if profile.corpus_size in ("fits_in_prompt", "large") or profile.needs_citations:
            return "proprietary", "You mention your own material, so the model needs it supplied."
        return "general", "Start by assuming a strong model already knows the subject."
    if field == "corpus_size":
        if profile.knowledge_source == "general":
            return "none", "General knowledge needs no reference material."
        if profile.data_dynamics == "dynamic":
            return "large", "Fast-changing sources usually grow large."
        return "fits_in_prompt", "Many teams start with a handful of key documents."
    if field == "needs_citations":
        if regulated:
            return True, "Regulated domains usually need traceable answers."
        if profile.knowledge_source == "proprietary":
            return (
                True,
                "Users trust answers from internal documents more when they can check them.",
            )
        return False, "Nothing you said suggests users must verify sources."
    if field == "behavior_gap":
        if profile.prompting_tried is False or profile.prompting_tried is None:
            return "none", "Until prompting is measured, assume it is good enough."
        return "format", "Output format is the most common remaining gap."
    if field == "prompting_tried":
        return False, "Most teams have not yet measured a prompting baseline."
    if field == "labeled_examples":
        if profile.ml_skills in (None, "none"):
            return 0, "Without ML skills, teams rarely have a curated dataset."
        return 100, "A team with ML skills usually has a small curated set."
    if field == "monthly_requests":
        return 10000, "A typical first release serves thousands of requests a month."
    if field == "latency_sensitive":
        if profile.interaction_complexity == "complex" or _CHAT.search(text):
            return True, "Chat users wait on each answer."
        return False, "Nothing you said suggests users wait on the answer."
    if field == "privacy":
        if regulated:
            return "self_hosted", "Regulated data often has to stay in-house."
        return "cloud_ok", "Most teams may use a cloud model API."
    if field == "budget":
        if profile.ml_skills == "none":
            return "low", "Teams without ML staff usually start with a small budget."
        return "medium", "A medium budget is the most common starting point."
    if field == "ml_skills":
        if profile.budget == "low":
            return "none", "A low budget rarely includes ML engineers."
        return "some", "Most product teams have some ML experience."
    if field == "timeline_weeks":
        if profile.budget == "low":
            return 4, "Small budgets usually come with short timelines."
        return 6, "A first version typically ships in about six weeks."
    raise KeyError(field)


def _closest_option(field: str, value: Any) -> Any:
    """Map a default onto one of the field's options (int fields snap to the nearest)."""
    options = [v for _, v in TEMPLATES[field].options]
    if value in options or field_type(field) != "int":
        return value
    return min(options, key=lambda v: abs(int(v) - int(value)))


def build_question(field: str, profile: Profile) -> Question:
    """The offline question for ``field``: text, why, quick replies, default and skip."""
    template = TEMPLATES[field]
    default, reason = recommended_default(field, profile)
    default = _closest_option(field, default)
    options = [
        QuickReply(
            label=label,
            value=value,
            recommended=value == default,
            reason=reason if value == default else None,
        )
        for label, value in template.options
    ]
    if not any(o.recommended for o in options):  # the default is not among the labels
        options[0] = options[0].model_copy(update={"recommended": True, "reason": reason})
    options.append(QuickReply(label=SKIP_LABEL, value=None, recommended=False, reason=None))
    text = template.text
    held = getattr(profile, field, None)
    if held is not None:  # an inferred value being confirmed
        text = f"{text} From your description I read “{describe_value(field, held)}”; is that right?"
    return Question(field=field, text=text, options=options, why=template.why)


ImpactFn = Callable[[Profile], list[tuple[str, float]]]


def choose_next_field(
    profile: Profile,
    asked: list[str],
    *,
    max_questions: int,
    impact: ImpactFn | None = None,
    unconfirmed: Collection[str] = (),
) -> str | None:
    """The unknown field whose answer would most change the recommendation, or None.

    ``unconfirmed``: fields whose values were inferred, not stated. They are weighed as
    if unknown, so a decisive inference is confirmed before it decides anything.
    None means: recommend now (cap reached, or no remaining answer would matter).
    """
    if len(asked) >= max_questions:
        return None
    if impact is None:
        from agent.engine import question_impact

        impact = question_impact
    open_inferences = {f for f in unconfirmed if f not in asked and getattr(profile, f, None) is not None}
    probe = profile.model_copy(update=dict.fromkeys(open_inferences)) if open_inferences else profile
    for field, score in impact(probe):
        if score <= 0:
            break
        if field in asked or field not in TEMPLATES:
            continue
        if getattr(profile, field, None) is not None and field not in open_inferences:
            continue
        return field
    return None


def _normalise(text: str) -> str:
    return re.sub(r"[\s.!]+$", "", re.sub(r"\s+", " ", text.strip().lower()))


def match_quick_reply(text: str, options: list[QuickReply]) -> QuickReply | None:
    """The quick reply ``text`` selects: its exact label (any case) or its number."""
    wanted = _normalise(text)
    if not wanted:
        return None
    # ASCII digits only and short: "²".isdigit() is True but int("²") fails, and int() of
    # a 20,000-digit message raises ValueError (Python's int-string limit).
    if re.fullmatch(r"[0-9]{1,3}", wanted) and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1]
    for option in options:
        if _normalise(option.label) == wanted:
            return option
    for option in options:  # "broad" for "Broad / general", "true" for a bool value
        if option.value is not None and _normalise(str(option.value)) == wanted:
            return option
    return None


def is_skip(text: str) -> bool:
    """True when the message means "skip / don't know"."""
    return bool(_SKIP.match(text))


def wants_recommendation(text: str) -> bool:
    """True when the message asks to stop the questions and recommend."""
    return bool(_RECOMMEND_NOW.match(text))


_TRUE = {"yes", "y", "true", "1", "on", "required", "needed"}
_FALSE = {"no", "n", "false", "0", "off", "not needed"}


def coerce_field_value(field: str, raw: Any) -> Any:
    """Turn a typed or clicked value into a valid value of profile ``field``.

    Raises :class:`ProfileError` with the allowed values when it cannot.
    """
    if field not in Profile.model_fields:
        known = ", ".join(DECISION_FIELDS)
        raise ProfileError(f"Unknown field '{field}'. Decision fields: {known}.")
    kind = field_type(field)
    value = raw
    if isinstance(raw, str):
        text = raw.strip()
        lowered = text.lower()
        if kind == "bool":
            if lowered in _TRUE:
                value = True
            elif lowered in _FALSE:
                value = False
        elif kind == "int":
            digits = lowered.replace(",", "").replace("_", "").replace(" ", "")
            multiplier = 1
            if digits.endswith("k"):
                multiplier, digits = 1000, digits[:-1]
            elif digits.endswith("m"):
                multiplier, digits = 1_000_000, digits[:-1]
            try:
                value = int(float(digits) * multiplier)
            except ValueError:
                value = text
        elif kind == "enum":
            options = allowed_values(field) or ()
            normal = lowered.replace("-", "_").replace(" ", "_")
            value = next((o for o in options if o == normal), text)
            if value == text and field in TEMPLATES:
                for label, option_value in TEMPLATES[field].options:
                    if _normalise(label) == _normalise(text):
                        value = option_value
        elif kind == "list":
            value = [part.strip() for part in text.split(";") if part.strip()] or [text]
    try:
        Profile.model_validate({field: value})
    except Exception:
        allowed = allowed_values(field)
        hint = (
            "Allowed values: "
            + ", ".join(str(o).lower() if isinstance(o, bool) else str(o) for o in allowed)
            if allowed
            else f"Expected {kind}."
        )
        raise ProfileError(f"'{raw}' is not a valid value for {field}. {hint}") from None
    return value


def describe_value(field: str, value: Any) -> str:
    """A human label for a field value (the quick-reply label when there is one)."""
    template = TEMPLATES.get(field)
    if template:
        for label, option_value in template.options:
            if option_value == value and type(option_value) is type(value):
                return label
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def path_question(recommendation: dict[str, Any]) -> Question:
    """After the recommendation: which path to scaffold (the recommended one first)."""
    recommended = str(recommendation.get("approach", "prompt_engineering"))
    order = [recommended] + [
        a for a in ("prompt_engineering", "rag", "fine_tuning", "hybrid") if a != recommended
    ]
    options = [
        QuickReply(
            label=f"Scaffold {APPROACH_LABELS.get(a, a)}",
            value=a,
            recommended=a == recommended,
            reason="This is the recommended approach." if a == recommended else None,
        )
        for a in order
    ]
    return Question(
        field="scaffold_path",
        text="Which path should I scaffold a starter project for? "
        "You can also ask me a follow-up question or change an answer.",
        options=options,
        why="The starter project is built for the approach you pick.",
    )
