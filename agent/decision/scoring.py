"""Scoring and selection: sum the rules, then pick one approach or a hybrid.

Scores are plain sums of rule weights (so adding evidence for an approach can
only raise its score). Selection then applies two explicit gates:

* **Fine-tuning readiness.** Fine-tuning can be chosen (alone or in a hybrid) only
  with a measured prompting baseline (``prompting_tried``) and at least 10
  labelled examples. Otherwise it keeps its score but is marked not ready.
* **Hybrid (RAG + fine-tuning).** Recommended when both axes have strong
  *independent* evidence: the knowledge rules (proprietary, changing, large
  corpus, citations) give RAG at least ``HYBRID_STRENGTH`` points, and the
  behaviour rules (format/style/reasoning gap, new skill, distillation) give
  fine-tuning at least ``HYBRID_STRENGTH`` points; both net scores are at least
  ``HYBRID_FLOOR`` and one of them beats prompting.
* **Where a hybrid's facts come from.** When the reference material fits in the
  context window, does not change daily and need not be cited, the prompt carries it (long context,
  nothing to index) and the hybrid is prompt engineering + fine-tuning; otherwise
  retrieval supplies the facts and it is RAG + fine-tuning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agent.decision.rules import (
    DEFAULTS,
    FT,
    MIN_EXAMPLES_TO_TUNE,
    PE,
    RAG,
    RULES,
    Rule,
    fires,
)
from agent.profile import BASE_APPROACHES, DECISION_FIELDS, Approach, BaseApproach, Profile

HYBRID_STRENGTH = 4.0
HYBRID_FLOOR = 2.0
#: Tie-break order: the simpler option wins a tie.
ORDER: dict[str, int] = {a: i for i, a in enumerate(BASE_APPROACHES)}


@dataclass
class Outcome:
    """The result of scoring one set of answers."""

    approach: Approach
    components: list[BaseApproach]
    scores: dict[str, float]
    fired: list[Rule]
    ft_ready: bool
    strength: dict[str, float]
    margin: float
    lead: float
    defaults_used: dict[str, Any] = field(default_factory=dict)
    effective: dict[str, Any] = field(default_factory=dict)
    fired_ids: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What identifies the recommendation for "did it change?" comparisons."""
        return self.approach, tuple(self.components)


#: Rules indexed by the fields they read (for fast what-if trials).
RULES_BY_FIELD: dict[str, tuple[Rule, ...]] = {
    f: tuple(r for r in RULES if f in r.fields) for f in DECISION_FIELDS
}


def profile_values(profile: Profile) -> dict[str, Any]:
    """The decision fields of a profile as a plain dict (None = unknown)."""
    return {f: getattr(profile, f) for f in DECISION_FIELDS}


def effective_values(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fill the prompting-first defaults; return (effective values, defaults used)."""
    used = {f: d for f, d in DEFAULTS.items() if values.get(f) is None}
    eff = dict(values)
    eff.update(used)
    return eff, used


def _counts_as_strength(rule: Rule) -> bool:
    return rule.weight > 0 and (
        (rule.approach == RAG and rule.group == "knowledge")
        or (rule.approach == FT and rule.group == "behaviour")
    )


def hybrid_knowledge_component(values: dict[str, Any]) -> BaseApproach:
    """Which base approach brings the facts into a hybrid: the prompt, or retrieval.

    Reference material that fits in the context window and changes less than daily is
    cheaper and simpler to keep in the prompt than to index; anything larger, changing
    daily, of unknown size, or whose passages each answer must cite is retrieved.
    """
    in_prompt = (
        values.get("corpus_size") == "fits_in_prompt"
        and values.get("data_dynamics") != "dynamic"
        and values.get("needs_citations") is not True
    )
    return PE if in_prompt else RAG


def _select(
    scores: dict[str, float], strength: dict[str, float], eff: dict[str, Any]
) -> tuple[Approach, list[BaseApproach], bool, float, float]:
    """Apply the readiness gate and the hybrid test: (approach, components, ready, margin, lead)."""
    ft_ready = bool(eff.get("prompting_tried")) and (
        (eff.get("labeled_examples") or 0) >= MIN_EXAMPLES_TO_TUNE
    )
    eligible = [a for a in BASE_APPROACHES if a != FT or ft_ready]
    ranked = sorted(eligible, key=lambda a: (-scores[a], ORDER[a]))
    hybrid = (
        ft_ready
        and strength[RAG] >= HYBRID_STRENGTH
        and strength[FT] >= HYBRID_STRENGTH
        and scores[RAG] >= HYBRID_FLOOR
        and scores[FT] >= HYBRID_FLOOR
        and max(scores[RAG], scores[FT]) > scores[PE]
    )
    if hybrid:
        lead = min(scores[RAG], scores[FT]) - scores[PE]
        margin = max(0.0, lead) + min(
            strength[RAG] - HYBRID_STRENGTH, strength[FT] - HYBRID_STRENGTH, 2.0
        )
        return "hybrid", [hybrid_knowledge_component(eff), FT], ft_ready, margin, lead
    best = ranked[0]
    lead = scores[best] - scores[ranked[1]]
    return best, [best], ft_ready, lead, lead


def score(values: dict[str, Any]) -> Outcome:
    """Score the answers and choose an approach. Pure and fast (no pydantic)."""
    eff, used = effective_values(values)
    scores: dict[str, float] = {a: 0.0 for a in BASE_APPROACHES}
    strength: dict[str, float] = {a: 0.0 for a in BASE_APPROACHES}
    fired: list[Rule] = []
    for rule in RULES:
        if fires(rule, eff):
            fired.append(rule)
            scores[rule.approach] += rule.weight
            if _counts_as_strength(rule):
                strength[rule.approach] += rule.weight
    approach, components, ready, margin, lead = _select(scores, strength, eff)
    return Outcome(
        approach, components, {a: round(s, 2) for a, s in scores.items()}, fired, ready,
        strength, margin, lead, used, eff, frozenset(r.id for r in fired),
    )


@dataclass(frozen=True)
class Trial:
    """The outcome of changing one answer (cheap: only that field's rules are re-checked)."""

    approach: Approach
    components: tuple[BaseApproach, ...]
    scores: dict[str, float]
    lead: float

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Same identity as :attr:`Outcome.key`."""
        return self.approach, self.components


def trial(base: Outcome, field_name: str, value: Any) -> Trial:
    """What the recommendation would be if ``field_name`` were ``value``."""
    eff = dict(base.effective)
    eff[field_name] = DEFAULTS.get(field_name) if value is None else value
    scores = dict(base.scores)
    strength = dict(base.strength)
    for rule in RULES_BY_FIELD[field_name]:
        was = rule.id in base.fired_ids
        now = fires(rule, eff)
        if was == now:
            continue
        sign = 1.0 if now else -1.0
        scores[rule.approach] += sign * rule.weight
        if _counts_as_strength(rule):
            strength[rule.approach] += sign * rule.weight
    approach, components, _ready, _margin, lead = _select(scores, strength, eff)
    return Trial(approach, tuple(components), {a: round(s, 2) for a, s in scores.items()}, lead)


#: How much each decision field contributes to "how much we know" (sums to 1).
_FIELD_WEIGHT: dict[str, float] = {
    "knowledge_source": 0.12,
    "data_dynamics": 0.12,
    "behavior_gap": 0.11,
    "prompting_tried": 0.09,
    "corpus_size": 0.09,
    "labeled_examples": 0.08,
    "focus": 0.05,
    "interaction_complexity": 0.05,
    "needs_citations": 0.05,
    "budget": 0.05,
    "ml_skills": 0.05,
    "monthly_requests": 0.04,
    "latency_sensitive": 0.04,
    "timeline_weeks": 0.03,
    "privacy": 0.03,
}


def known_fraction(values: dict[str, Any]) -> float:
    """Weighted share of the decision fields that are known, in [0, 1]."""
    total = sum(_FIELD_WEIGHT.values())
    known = sum(w for f, w in _FIELD_WEIGHT.items() if values.get(f) is not None)
    return known / total


def confidence(outcome: Outcome, values: dict[str, Any]) -> float:
    """Confidence in [0, 1] from the winning margin and how much is known."""
    margin_part = 1.0 - math.exp(-max(outcome.margin, 0.0) / 4.0)
    raw = 0.1 + 0.45 * margin_part + 0.45 * known_fraction(values)
    return round(min(0.97, max(0.0, raw)), 2)
