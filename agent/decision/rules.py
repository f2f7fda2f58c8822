"""The rules table: every weight the decision engine uses, in one readable list.

Each :class:`Rule` says: when these profile answers hold, add ``weight`` points to
one base approach, because of ``effect`` (a sentence a product manager can
repeat), as stated by ``source``. Rules fire only on *known* values (or on the
two prompting-first defaults in :data:`DEFAULTS`), and scores are plain sums, so
every point of every score traces back to one row of this table.

The weights encode the facts sheet (``knowledge/`` carries the sources):
prompting first; facts point to RAG, behaviour to fine-tuning; changing data is
RAG's strongest signal; a corpus that fits in the context window is prompting
with caching; labelled-example counts gate fine-tuning; cost, skills and time
push toward the cheaper options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from agent.profile import BaseApproach

Op = Literal["==", "in", ">=", "<", "between", "always"]
#: (field, operator, operand). ``between`` is ``lo <= value < hi``.
Cond = tuple[str, Op, Any]

PE: BaseApproach = "prompt_engineering"
RAG: BaseApproach = "rag"
FT: BaseApproach = "fine_tuning"

BEHAVIOUR_GAPS = ("format", "style", "reasoning", "new_skill")

#: Thresholds shared by rules, costs and the extractor.
MIN_EXAMPLES_TO_TUNE = 10
EXAMPLES_GAINS = 50
EXAMPLES_STRONG = 300
HIGH_VOLUME = 1_000_000
LOW_VOLUME = 10_000
SHORT_TIMELINE_WEEKS = 4
LONG_TIMELINE_WEEKS = 12

#: Prompting-first defaults used for unknown answers (reported as assumptions).
DEFAULTS: dict[str, Any] = {"prompting_tried": False, "labeled_examples": 0}


@dataclass(frozen=True)
class Rule:
    """One weighted, sourced push for or against one base approach."""

    id: str
    factor: str
    when: tuple[Cond, ...]
    approach: BaseApproach
    weight: float
    effect: str
    source: str
    #: The evidence group the rule belongs to: "knowledge" (facts axis),
    #: "behaviour" (model-behaviour axis) or "constraint" (cost, skills, time...).
    group: str = "constraint"

    @property
    def fields(self) -> tuple[str, ...]:
        """The profile fields this rule reads."""
        return tuple(c[0] for c in self.when if c[1] != "always")


def holds(cond: Cond, values: dict[str, Any]) -> bool:
    """Whether one condition holds for the (effective) profile values."""
    field, op, operand = cond
    if op == "always":
        return True
    value = values.get(field)
    if value is None:
        return False
    if op == "==":
        return bool(value == operand)
    if op == "in":
        return value in operand
    if op == ">=":
        return bool(value >= operand)
    if op == "<":
        return bool(value < operand)
    lo, hi = operand
    return bool(lo <= value < hi)


def fires(rule: Rule, values: dict[str, Any]) -> bool:
    """Whether every condition of a rule holds."""
    return all(holds(c, values) for c in rule.when)


_OPENAI_ACC = "OpenAI accuracy guide"
_AZURE = "Azure OpenAI fine-tuning guidance"
_AWS = "AWS prescriptive guidance (RAG vs fine-tuning)"
_ANTHROPIC = "Anthropic long-context and prompt-caching docs"
_OPENAI_SFT = "OpenAI supervised fine-tuning guide"
_MSLEARN = "Microsoft Learn: augment LLMs with RAG or fine-tuning"
_BRIEF = "Original brief (LLM showdown talk)"
_OVADIA = "Ovadia et al. 2024, Fine-tuning or retrieval?"
_LEWIS = "Lewis et al. 2020 (RAG)"

RULES: tuple[Rule, ...] = (
    # --- prompting first -------------------------------------------------
    Rule("prompting_first", "prompting_first", (("*", "always", None),), PE, 2.0,
         "Every major guide starts with prompting and a measured baseline; it is the default.",
         _OPENAI_ACC),
    Rule("no_baseline_pe", "prompting_tried", (("prompting_tried", "==", False),), PE, 1.5,
         "No prompting baseline with evals yet: build one first, it is the cheapest path.",
         _OPENAI_ACC),
    Rule("no_baseline_ft", "prompting_tried", (("prompting_tried", "==", False),), FT, -4.0,
         "No prompting baseline with evals: not ready to fine-tune (nothing to measure a tuned model against).",
         _AZURE),
    Rule("baseline_ft", "prompting_tried", (("prompting_tried", "==", True),), FT, 1.0,
         "A measured prompting baseline exists, so a tuned model can be compared against it.",
         _OPENAI_SFT),
    # --- the brief's three questions ---------------------------------------
    Rule("broad_pe", "focus", (("focus", "==", "broad"),), PE, 1.0,
         "Broad product: a general model already covers it; prompting usually suffices.", _BRIEF),
    Rule("niche_ft", "focus", (("focus", "==", "niche"),), FT, 0.5,
         "Niche, deep-domain work leans toward fine-tuning, but only weakly on its own.", _BRIEF,
         "behaviour"),
    Rule("niche_gap_ft", "focus+behavior_gap",
         (("focus", "==", "niche"), ("behavior_gap", "in", BEHAVIOUR_GAPS)), FT, 1.5,
         "Niche domain plus behaviour that prompting cannot fix: the fine-tuning lean is real.",
         _BRIEF, "behaviour"),
    Rule("dynamic_rag", "data_dynamics", (("data_dynamics", "==", "dynamic"),), RAG, 4.0,
         "Data changes daily or faster: retrieve it at answer time; the index updates in minutes.",
         _AWS, "knowledge"),
    Rule("dynamic_ft", "data_dynamics", (("data_dynamics", "==", "dynamic"),), FT, -3.0,
         "Data changes daily or faster: a tuned model would need retraining on every change.",
         _AWS),
    Rule("periodic_rag", "data_dynamics", (("data_dynamics", "==", "periodic"),), RAG, 1.5,
         "Data changes monthly to yearly: re-indexing is cheaper than retraining.", _AZURE,
         "knowledge"),
    Rule("periodic_ft", "data_dynamics", (("data_dynamics", "==", "periodic"),), FT, -1.0,
         "Data changes monthly to yearly: every change means another tuning run.", _AWS),
    Rule("static_pe", "data_dynamics", (("data_dynamics", "==", "static"),), PE, 0.5,
         "Static content can be written into a prompt once and cached.", _ANTHROPIC),
    Rule("static_ft", "data_dynamics", (("data_dynamics", "==", "static"),), FT, 0.5,
         "Static content: a tuned model does not go stale.", _MSLEARN),
    Rule("simple_pe", "interaction_complexity", (("interaction_complexity", "==", "simple"),),
         PE, 1.0, "Simple one-shot requests: a well-structured prompt handles them.", _BRIEF),
    Rule("complex_pe", "interaction_complexity", (("interaction_complexity", "==", "complex"),),
         PE, 1.0,
         "Complex multi-step interactions: try chain-of-thought and tree-of-thought prompting first.",
         _BRIEF),
    Rule("complex_gap_ft", "interaction_complexity+behavior_gap",
         (("interaction_complexity", "==", "complex"),
          ("behavior_gap", "in", ("reasoning", "new_skill")),
          ("prompting_tried", "==", True)), FT, 1.5,
         "Complex interactions still failing after prompting (prompt too long, many edge cases): fine-tuning.",
         _AZURE, "behaviour"),
    # --- facts versus behaviour ------------------------------------------
    Rule("proprietary_rag", "knowledge_source", (("knowledge_source", "==", "proprietary"),),
         RAG, 3.0, "The answers need facts the model lacks: retrieve them (context optimisation).",
         _OPENAI_ACC, "knowledge"),
    Rule("proprietary_ft", "knowledge_source", (("knowledge_source", "==", "proprietary"),),
         FT, -0.5, "Fine-tuning is a poor way to teach a model new facts.", _OVADIA),
    Rule("general_pe", "knowledge_source", (("knowledge_source", "==", "general"),), PE, 2.0,
         "The model already knows the subject: no retrieval needed.", _OPENAI_ACC),
    Rule("general_rag", "knowledge_source", (("knowledge_source", "==", "general"),), RAG, -1.5,
         "Nothing the model lacks, so nothing to retrieve.", _OPENAI_ACC),
    Rule("corpus_none_pe", "corpus_size", (("corpus_size", "==", "none"),), PE, 0.5,
         "No document collection to bring in.", _MSLEARN),
    Rule("corpus_none_rag", "corpus_size", (("corpus_size", "==", "none"),), RAG, -3.0,
         "No documents, so there is nothing to retrieve from.", _MSLEARN),
    Rule("corpus_fits_pe", "corpus_size", (("corpus_size", "==", "fits_in_prompt"),), PE, 3.0,
         "The whole corpus fits in the context window (under ~200K tokens, ~500 pages): "
         "long-context prompting with prompt caching, not RAG.", _ANTHROPIC),
    Rule("corpus_fits_rag", "corpus_size", (("corpus_size", "==", "fits_in_prompt"),), RAG, -2.0,
         "A retrieval step adds failure modes a corpus this small does not need.", _ANTHROPIC),
    Rule("corpus_large_rag", "corpus_size", (("corpus_size", "==", "large"),), RAG, 3.0,
         "The corpus is larger than the context window: retrieve the relevant passages.",
         _ANTHROPIC, "knowledge"),
    Rule("corpus_large_pe", "corpus_size", (("corpus_size", "==", "large"),), PE, -1.0,
         "The corpus does not fit in a prompt.", _ANTHROPIC),
    Rule("citations_rag", "needs_citations", (("needs_citations", "==", True),), RAG, 2.5,
         "Answers must cite their sources: RAG returns the passages it used (audit trail).",
         _LEWIS, "knowledge"),
    Rule("gap_none_pe", "behavior_gap", (("behavior_gap", "==", "none"),), PE, 1.5,
         "Prompting already gets the format, tone and reasoning right.", _OPENAI_ACC),
    Rule("gap_none_ft", "behavior_gap", (("behavior_gap", "==", "none"),), FT, -1.0,
         "No behaviour gap, so there is nothing for tuning to fix.", _OPENAI_ACC),
    Rule("gap_format_ft", "behavior_gap", (("behavior_gap", "==", "format"),), FT, 4.0,
         "Output format stays inconsistent after good prompting: fine-tuning (LLM optimisation).",
         _OPENAI_ACC, "behaviour"),
    Rule("gap_style_ft", "behavior_gap", (("behavior_gap", "==", "style"),), FT, 4.0,
         "Tone or house style stays inconsistent after good prompting: fine-tuning.",
         _MSLEARN, "behaviour"),
    Rule("gap_reasoning_ft", "behavior_gap", (("behavior_gap", "==", "reasoning"),), FT, 3.0,
         "Reasoning stays wrong after good prompting: fine-tuning on worked examples.",
         _OPENAI_ACC, "behaviour"),
    Rule("gap_reasoning_pe", "behavior_gap", (("behavior_gap", "==", "reasoning"),), PE, 1.0,
         "Reasoning gaps: chain-of-thought and tree-of-thought prompts are the first lever.",
         _BRIEF),
    Rule("gap_new_skill_ft", "behavior_gap", (("behavior_gap", "==", "new_skill"),), FT, 4.0,
         "A new skill (a classification scheme, a DSL, a special extraction) is a tuning use case.",
         "Google Vertex AI tuning guidance", "behaviour"),
    # --- labelled examples -----------------------------------------------
    Rule("examples_none_ft", "labeled_examples",
         (("labeled_examples", "<", MIN_EXAMPLES_TO_TUNE),), FT, -5.0,
         "Fewer than 10 labelled examples: fine-tuning is not possible (minimum 10).",
         _OPENAI_SFT),
    Rule("examples_none_pe", "labeled_examples",
         (("labeled_examples", "<", MIN_EXAMPLES_TO_TUNE),), PE, 0.5,
         "Few examples: use them as few-shot examples in the prompt.", _OPENAI_SFT),
    Rule("examples_few_ft", "labeled_examples",
         (("labeled_examples", "between", (MIN_EXAMPLES_TO_TUNE, EXAMPLES_GAINS)),), FT, 0.5,
         "10-49 examples: enough to try tuning, though gains usually start at 50-100.",
         _OPENAI_SFT),
    Rule("examples_gains_ft", "labeled_examples",
         (("labeled_examples", "between", (EXAMPLES_GAINS, EXAMPLES_STRONG)),), FT, 2.0,
         "50-300 examples: the range where tuning gains usually appear.", _OPENAI_SFT),
    Rule("examples_strong_ft", "labeled_examples",
         (("labeled_examples", ">=", EXAMPLES_STRONG),), FT, 3.0,
         "Hundreds to thousands of examples: strong data for fine-tuning.", _AZURE),
    # --- volume and latency ----------------------------------------------
    Rule("volume_high_ft", "monthly_requests", (("monthly_requests", ">=", HIGH_VOLUME),), FT,
         1.0, "High volume: a smaller tuned model with a short prompt cuts token cost.",
         _OPENAI_ACC, "behaviour"),
    Rule("volume_low_pe", "monthly_requests", (("monthly_requests", "<", LOW_VOLUME),), PE, 0.5,
         "Low volume: per-token cost is small, so there is little to optimise.", _AZURE),
    Rule("volume_low_ft", "monthly_requests", (("monthly_requests", "<", LOW_VOLUME),), FT, -0.5,
         "Low volume: hosting a tuned model (~$1,224/month on Azure) is hard to justify.", _AZURE),
    Rule("latency_ft", "latency_sensitive", (("latency_sensitive", "==", True),), FT, 1.0,
         "Latency-sensitive: a smaller tuned model with a short prompt answers faster.",
         _OPENAI_ACC, "behaviour"),
    Rule("latency_rag", "latency_sensitive", (("latency_sensitive", "==", True),), RAG, -0.5,
         "Latency-sensitive: retrieval adds a round trip before generation.", _AWS),
    Rule("distill_ft", "latency_sensitive+monthly_requests+labeled_examples",
         (("latency_sensitive", "==", True), ("monthly_requests", ">=", HIGH_VOLUME),
          ("labeled_examples", ">=", EXAMPLES_GAINS)), FT, 2.5,
         "High volume, latency-sensitive and enough examples: distil into a smaller tuned model.",
         _OPENAI_ACC, "behaviour"),
    # --- constraints: privacy, budget, skills, time ----------------------
    Rule("self_hosted_ft", "privacy", (("privacy", "==", "self_hosted"),), FT, 0.5,
         "Self-hosted: an open-weight model, which LoRA tuning can bring closer to hosted quality.",
         _AWS),
    Rule("budget_low_pe", "budget", (("budget", "==", "low"),), PE, 1.5,
         "Low budget: prompting is the cheapest option.", _MSLEARN),
    Rule("budget_low_rag", "budget", (("budget", "==", "low"),), RAG, 0.5,
         "Low budget: managed or self-hosted RAG stays affordable.", _MSLEARN),
    Rule("budget_low_ft", "budget", (("budget", "==", "low"),), FT, -2.0,
         "Low budget: fine-tuning needs training runs, hosting and retraining.", _AZURE),
    Rule("budget_high_ft", "budget", (("budget", "==", "high"),), FT, 1.0,
         "High budget: training and hosting a tuned model is affordable.", _BRIEF),
    Rule("skills_none_pe", "ml_skills", (("ml_skills", "==", "none"),), PE, 1.5,
         "No ML engineering skills: prompting needs none.", _AWS),
    Rule("skills_none_rag", "ml_skills", (("ml_skills", "==", "none"),), RAG, 0.5,
         "No ML engineering skills: managed RAG needs none.", _AWS),
    Rule("skills_none_ft", "ml_skills", (("ml_skills", "==", "none"),), FT, -2.5,
         "No ML engineering skills: fine-tuning needs LoRA/PEFT know-how and a data scientist.",
         _AWS),
    Rule("skills_strong_ft", "ml_skills", (("ml_skills", "==", "strong"),), FT, 1.0,
         "Strong ML skills: the team can prepare data, tune and evaluate models.", _AWS),
    Rule("timeline_short_pe", "timeline_weeks",
         (("timeline_weeks", "<", SHORT_TIMELINE_WEEKS + 1),), PE, 2.0,
         "First version due within 4 weeks: prompting ships in days.", _MSLEARN),
    Rule("timeline_short_rag", "timeline_weeks",
         (("timeline_weeks", "<", SHORT_TIMELINE_WEEKS + 1),), RAG, -0.5,
         "First version due within 4 weeks: a RAG pipeline is tight.", _MSLEARN),
    Rule("timeline_short_ft", "timeline_weeks",
         (("timeline_weeks", "<", SHORT_TIMELINE_WEEKS + 1),), FT, -2.0,
         "First version due within 4 weeks: data preparation, tuning and evals do not fit.",
         _MSLEARN),
    Rule("timeline_long_ft", "timeline_weeks",
         (("timeline_weeks", ">=", LONG_TIMELINE_WEEKS + 1),), FT, 0.5,
         "More than 12 weeks: time for data collection and tuning cycles.", _MSLEARN),
)

#: Where to fine-tune now that hosted tuning is shrinking (facts sheet, 2026-11).
FINE_TUNING_HOSTS_NOTE = (
    "OpenAI is winding down its fine-tuning platform (deprecation notice 7 May 2026; new users "
    "no longer get access), Cohere and Mistral deprecated theirs. Fine-tune on Azure AI Foundry, "
    "Google Vertex AI, or an open-weight model with LoRA/PEFT, and keep the training data "
    "portable to avoid lock-in."
)


def int_probe_values(field: str) -> tuple[int, ...]:
    """One representative value per band that the rules distinguish for an int field."""
    cuts: set[int] = set()
    for rule in RULES:
        for f, op, operand in rule.when:
            if f != field:
                continue
            if op in (">=", "<"):
                cuts.add(int(operand))
            elif op == "between":
                cuts.update(int(x) for x in operand)
    if not cuts:
        return ()
    edges = sorted(cuts)
    values = [max(0, edges[0] // 2)]
    for lo, hi in zip(edges, edges[1:], strict=False):
        values.append((lo + hi) // 2 if hi - lo > 1 else lo)
    values.append(edges[-1] * 3)
    return tuple(dict.fromkeys(values))
