"""Ten product-manager personas for driving the interview turn by turn.

Each persona has a first message, the decision fields that message states
(``stated``: they must never be asked about), and how the persona answers each
question, as a function of the field asked (``answers``). An answer is either a
quick-reply label, free text, a number (the n-th quick reply) or "skip".
Fields the persona has no opinion on are answered by clicking the recommended
default, like a PM who trusts the suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.turn import Question


@dataclass(frozen=True)
class Persona:
    """A scripted user."""

    id: str
    first: str
    stated: tuple[str, ...]
    answers: dict[str, str] = field(default_factory=dict)

    def answer(self, question: Question) -> str:
        """What this persona says to ``question``."""
        if question.field in self.answers:
            return self.answers[question.field]
        recommended = next(o for o in question.options if o.recommended)
        return recommended.label


PERSONAS: tuple[Persona, ...] = (
    Persona(
        id="insurance-support-bot",
        first=(
            "We want a customer support assistant that answers questions about our insurance "
            "policies. The policy documents change every month and answers must cite the clause."
        ),
        stated=("data_dynamics", "needs_citations"),
        answers={"corpus_size": "Large (more than that)", "budget": "Medium", "privacy": "1"},
    ),
    Persona(
        id="marketing-copy",
        first=(
            "I need marketing copy generation for our e-commerce team. The tone is always our "
            "brand voice. We have no ML engineers and need it in 2 weeks."
        ),
        stated=("ml_skills", "timeline_weeks"),
        answers={"labeled_examples": "None yet", "budget": "Low", "behavior_gap": "Tone or style"},
    ),
    Persona(
        id="clinical-notes",
        first=(
            "Our hospital wants to summarise clinical notes into a fixed structured format. "
            "Patient data must stay self-hosted on our own servers."
        ),
        stated=("privacy",),
        answers={
            "labeled_examples": "About 1,000",
            "ml_skills": "Strong",
            "prompting_tried": "Yes, with evals",
            "behavior_gap": "Output format",
        },
    ),
    Persona(
        id="news-digest",
        first=(
            "A news digest that answers questions about today's headlines; the news changes "
            "every hour and we serve about a million requests per month."
        ),
        stated=("data_dynamics", "monthly_requests"),
        answers={"corpus_size": "3", "latency_sensitive": "skip"},
    ),
    Persona(
        id="code-review-bot",
        first=(
            "We're building an internal code review assistant for our engineering org. "
            "We have tried prompting GPT-4 with evals and it still misses our house style."
        ),
        stated=("prompting_tried",),
        answers={"labeled_examples": "10,000 or more", "ml_skills": "strong", "budget": "High"},
    ),
    Persona(
        id="legal-research",
        first=(
            "Legal research tool over 80,000 contracts and court decisions, which are proprietary "
            "to our firm. Every answer must cite its sources."
        ),
        stated=("needs_citations", "knowledge_source"),
        answers={"data_dynamics": "Monthly to yearly", "privacy": "Must stay self-hosted"},
    ),
    Persona(
        id="skipper",
        first="An AI feature for our travel booking app.",
        stated=(),
        answers={
            "focus": "skip",
            "data_dynamics": "don't know",
            "knowledge_source": "skip",
            "corpus_size": "skip",
        },
    ),
    Persona(
        id="free-text-answers",
        first="A chatbot that helps employees find HR policies.",
        stated=(),
        answers={
            "data_dynamics": "honestly they change maybe twice a year",
            "corpus_size": "about 40 PDF documents, a few hundred pages in total",
            "knowledge_source": "it's our own internal HR handbook",
            "needs_citations": "yes, employees must see which policy the answer came from",
        },
    ),
    Persona(
        id="product-classifier",
        first=(
            "Classify incoming support tickets into 12 categories. We have 5,000 labelled "
            "tickets and a strong ML team. About 100k tickets per month."
        ),
        stated=("labeled_examples", "ml_skills", "monthly_requests"),
        answers={"behavior_gap": "Output format", "latency_sensitive": "No, batch / async is fine"},
    ),
    Persona(
        id="impatient",
        first="Recipe suggestion feature for our cooking app, low budget.",
        stated=("budget",),
        answers={"data_dynamics": "just tell me"},
    ),
)
