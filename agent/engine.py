"""The decision engine: a transparent, deterministic scoring model.

``decide(profile)`` is pure (no network, no randomness): it sums the weighted
rules of :mod:`agent.decision.rules` over the known answers, applies the
fine-tuning readiness gate and the hybrid test of :mod:`agent.decision.scoring`,
and explains the result (evidence, trade-offs, assumptions, what would change
it, costs, stakeholder plan). ``recommend`` adds knowledge-base citations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.costs import estimate_costs
from agent.decision.rules import DEFAULTS, FINE_TUNING_HOSTS_NOTE, FT, RAG, RULES, Rule
from agent.decision.scoring import (
    Outcome,
    confidence,
    hybrid_knowledge_component,
    profile_values,
    score,
)
from agent.decision.sensitivity import impact, label, sensitivities
from agent.decision.tradeoffs import trade_offs
from agent.profile import APPROACH_LABELS, DECISION_FIELDS, DESCRIPTIVE_FIELDS, Profile
from agent.recommendation import (
    Assumption,
    Citation,
    Evidence,
    Recommendation,
    RecommendationDiff,
)
from agent.stakeholders import stakeholder_plan

if TYPE_CHECKING:
    from agent.config import Settings

__all__ = [
    "RULES",
    "Rule",
    "decide",
    "diff_recommendations",
    "question_impact",
    "recommend",
]

#: What an unknown answer is taken to mean (for costs and the report). Except for
#: the prompting-first defaults, these are neutral: no rule fires on them.
_NEUTRAL_ASSUMPTIONS: dict[str, tuple[Any, str]] = {
    "focus": (None, "Unknown: the niche/broad lean is left out."),
    "data_dynamics": (None, "Unknown: change frequency is left out; it is RAG's strongest signal."),
    "interaction_complexity": (None, "Unknown: interaction complexity is left out."),
    "knowledge_source": (None, "Unknown: whether the model lacks the facts is left out."),
    "corpus_size": (None, "Unknown: corpus size against the context window is left out."),
    "needs_citations": (False, "Unknown: citations treated as not required."),
    "behavior_gap": (None, "Unknown: no behaviour gap is assumed, and none is ruled out."),
    "monthly_requests": (10_000, "Unknown: 10,000 requests/month used for cost estimates only."),
    "latency_sensitive": (False, "Unknown: treated as not latency-critical."),
    "privacy": ("cloud_ok", "Unknown: hosted cloud services assumed acceptable (no rule fires)."),
    "budget": ("medium", "Unknown: a medium budget assumed (no rule fires)."),
    "ml_skills": ("some", "Unknown: some engineering skills assumed (no rule fires)."),
    "timeline_weeks": (None, "Unknown: no deadline pressure assumed."),
}
_DEFAULT_REASONS = {
    "prompting_tried": "Unknown: prompting first, so no measured baseline is assumed "
    "(fine-tuning is not ready until one exists).",
    "labeled_examples": "Unknown: no labelled examples assumed (fine-tuning needs at least 10).",
}


def _evidence(outcome: Outcome) -> list[Evidence]:
    items = []
    for rule in outcome.fired:
        if rule.weight == 0:
            continue
        factor = rule.factor
        if any(f in outcome.defaults_used for f in rule.fields):
            factor = f"{factor} (assumed)"
        items.append(
            Evidence(factor=factor, approach=rule.approach, weight=rule.weight,
                     effect=rule.effect, source=rule.source)
        )
    items.sort(key=lambda e: -abs(e.weight))  # stable: rule order breaks ties
    if FT in outcome.components:
        items.append(Evidence(factor="fine_tuning_hosts", approach=FT, weight=0.0,
                              effect=FINE_TUNING_HOSTS_NOTE, source="OpenAI fine-tuning deprecation notice"))
    return items


def _assumptions(values: dict[str, Any]) -> list[Assumption]:
    out = []
    for field in DECISION_FIELDS:
        if values.get(field) is not None:
            continue
        if field in DEFAULTS:
            out.append(Assumption(field=field, assumed=DEFAULTS[field], reason=_DEFAULT_REASONS[field]))
        else:
            assumed, reason = _NEUTRAL_ASSUMPTIONS[field]
            out.append(Assumption(field=field, assumed=assumed, reason=reason))
    return out


def _consistency_notices(p: Profile) -> list[str]:
    notes = []
    if p.behavior_gap not in (None, "none") and p.prompting_tried is False:
        notes.append("A behaviour gap is reported but there is no measured prompting baseline: "
                     "measure it with evals before deciding on fine-tuning.")
    if p.corpus_size == "none" and p.knowledge_source == "proprietary":
        notes.append("Proprietary knowledge is needed but there are no documents: "
                     "where will the facts come from?")
    if p.corpus_size == "none" and p.needs_citations:
        notes.append("Citations are required but there are no documents to cite.")
    if p.knowledge_source == "general" and p.corpus_size == "large":
        notes.append("A large corpus with knowledge the model already has: check whether the "
                     "documents hold facts the model lacks.")
    if p.data_dynamics in ("periodic", "dynamic") and p.corpus_size == "none":
        notes.append("Data is said to change, yet there are no documents: is the changing data "
                     "the user's input rather than knowledge to look up?")
    return notes


def _summary(outcome: Outcome, conf: float, evidence: list[Evidence]) -> str:
    name = label(outcome.approach, list(outcome.components))
    pushes = [e for e in evidence if e.approach in outcome.components and e.weight > 0]
    reasons = "; ".join(e.effect.rstrip(".") for e in pushes[:3])
    text = f"Recommended: {name} (confidence {conf:.2f})."
    if reasons:
        text += f" Deciding factors: {reasons}."
    if outcome.approach == "hybrid" and RAG in outcome.components:
        text += (" Retrieval supplies the facts and fine-tuning the behaviour; "
                 "both start from a prompting baseline.")
    elif outcome.approach == "hybrid":
        text += (" The reference material fits in the prompt, so the prompt supplies the facts "
                 "and fine-tuning the behaviour; no index to build.")
    top_raw = max(outcome.scores, key=lambda a: outcome.scores[a])
    if top_raw == FT and not outcome.ft_ready and FT not in outcome.components:
        text += (" Fine-tuning scores highest but is not ready: it needs a measured prompting "
                 "baseline and at least 10 labelled examples.")
    return text


def decide(profile: Profile) -> Recommendation:
    """Recommend an approach for a (possibly partial) profile. Pure and deterministic."""
    values = profile_values(profile)
    outcome = score(values)
    conf = confidence(outcome, values)
    evidence = _evidence(outcome)
    include_hybrid = True
    # The hybrid row of costs and trade-offs is the hybrid this profile would get.
    hybrid_parts: list[str] = [hybrid_knowledge_component(values), FT]
    costs = estimate_costs(profile, include_hybrid=include_hybrid, hybrid_components=hybrid_parts)
    return Recommendation(
        approach=outcome.approach,
        components=list(outcome.components),
        scores=dict(outcome.scores),
        confidence=conf,
        summary=_summary(outcome, conf, evidence),
        evidence=evidence,
        trade_offs=trade_offs(profile, costs, include_hybrid=include_hybrid, hybrid_components=hybrid_parts),
        assumptions=_assumptions(values),
        what_would_change_it=sensitivities(values, outcome),
        costs=costs,
        stakeholder_plan=stakeholder_plan(outcome.approach, outcome.components, profile),
        notices=_consistency_notices(profile),
    )


def question_impact(profile: Profile) -> list[tuple[str, float]]:
    """Unknown decision fields, most decision-changing first, with an impact in [0, 1]."""
    return impact(profile_values(profile))


def _fmt(value: Any) -> str:
    return "unknown" if value is None else str(value)


def diff_recommendations(
    old_profile: Profile | None,
    old_rec: Recommendation | None,
    new_profile: Profile,
    new_rec: Recommendation,
) -> RecommendationDiff:
    """What changed between two profiles and their recommendations, with a readable summary."""
    changed: dict[str, tuple[Any, Any]] = {}
    for field in (*DECISION_FIELDS, *DESCRIPTIVE_FIELDS):
        old = getattr(old_profile, field) if old_profile is not None else None
        new = getattr(new_profile, field)
        if old != new:
            changed[field] = (old, new)
    score_changes: dict[str, tuple[float, float]] = {}
    cost_changes: dict[str, tuple[float, float]] = {}
    if old_rec is not None:
        for approach, new_score in new_rec.scores.items():
            old_score = old_rec.scores.get(approach)
            if old_score is not None and old_score != new_score:
                score_changes[approach] = (old_score, new_score)
        old_costs = {c.approach: c.monthly_usd for c in old_rec.costs}
        for est in new_rec.costs:
            before = old_costs.get(est.approach)
            if before is not None and before != est.monthly_usd:
                cost_changes[est.approach] = (before, est.monthly_usd)
    old_key = (old_rec.approach, list(old_rec.components)) if old_rec else None
    approach_changed = old_key != (new_rec.approach, list(new_rec.components))
    new_name = label(new_rec.approach, list(new_rec.components))
    what = ", ".join(f"{f}: {_fmt(a)} -> {_fmt(b)}" for f, (a, b) in changed.items()) or "nothing"
    if old_rec is None:
        summary = f"First recommendation: {new_name}."
    elif approach_changed:
        old_name = label(old_rec.approach, list(old_rec.components))
        summary = f"Changed {what}. The recommendation moved from {old_name} to {new_name}."
    else:
        summary = f"Changed {what}. The recommendation stays {new_name}."
    if score_changes:
        summary += " Scores: " + ", ".join(
            f"{APPROACH_LABELS[a].split(' (')[0]} {o:g} -> {n:g}" for a, (o, n) in score_changes.items()
        ) + "."
    return RecommendationDiff(
        changed_fields=changed,
        old_approach=old_rec.approach if old_rec else None,
        new_approach=new_rec.approach,
        old_components=list(old_rec.components) if old_rec else [],
        new_components=list(new_rec.components),
        score_changes=score_changes,
        cost_changes=cost_changes,
        approach_changed=approach_changed,
        summary=summary,
    )


def _citation_queries(rec: Recommendation, limit: int = 3) -> list[tuple[str, str]]:
    """(factor, query) for the top deciding factors of the chosen components."""
    seen: set[str] = set()
    queries = []
    for ev in rec.evidence:
        if ev.approach not in rec.components or ev.weight <= 0 or ev.factor in seen:
            continue
        seen.add(ev.factor)
        queries.append((ev.factor, f"{APPROACH_LABELS[ev.approach]}: {ev.effect}"))
        if len(queries) >= limit:
            break
    return queries


#: How long recommend() waits for the knowledge base before giving up on citations.
CITATION_TIMEOUT_S = 30.0


def _fetch_citations(rec: Recommendation, settings: Settings | None) -> tuple[list[Citation], list[str]]:
    from agent import retrieval

    citations: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for factor, query in _citation_queries(rec):
        for passage in retrieval.search(query, k=2, settings=settings):
            key = (passage.source, passage.heading)
            if key in seen:
                continue
            seen.add(key)
            citations.append(Citation(text=passage.text, source=passage.source,
                                      heading=passage.heading, score=float(passage.score),
                                      factor=factor))
    last = getattr(retrieval, "last_notices", None)
    notices = [str(n) for n in (last() or [])] if callable(last) else []
    return citations, notices


def recommend(
    profile: Profile,
    *,
    settings: Settings | None = None,
    with_citations: bool = True,
    timeout_s: float | None = None,
) -> Recommendation:
    """decide() plus knowledge-base citations; a retrieval failure or hang becomes a notice."""
    import threading

    rec = decide(profile)
    if not with_citations:
        return rec
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = _fetch_citations(rec, settings)
        except Exception as exc:  # retrieval must never break a recommendation
            box["error"] = exc

    # A daemon thread, so a stuck index can neither hang the caller nor block exit.
    worker = threading.Thread(target=work, name="citations", daemon=True)
    worker.start()
    limit = CITATION_TIMEOUT_S if timeout_s is None else timeout_s
    worker.join(limit)
    if "result" in box:
        rec.citations, notices = box["result"]
        rec.notices.extend(notices)
    elif "error" in box:
        exc = box["error"]
        rec.notices.append(f"Knowledge base unavailable ({type(exc).__name__}: {exc}); "
                           "recommendation given without citations.")
    else:
        rec.notices.append(f"Knowledge base did not answer within {limit:g} s (is the index being "
                           "built? run `advisor index`); recommendation given without citations.")
    return rec
