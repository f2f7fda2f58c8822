"""Trade-offs: how each option compares on cost, time, skills, scale, upkeep, freshness, risk."""

from __future__ import annotations

from agent.decision.rules import FINE_TUNING_HOSTS_NOTE
from agent.profile import Profile
from agent.recommendation import CostEstimate, TradeOff


def _cost(costs: dict[str, CostEstimate], approach: str, level: str) -> str:
    est = costs.get(approach)
    if est is None:
        return level
    return f"{level}: about ${est.monthly_usd:,.0f}/month to run, ${est.one_off_usd:,.0f} one-off"


def trade_offs(profile: Profile, costs: list[CostEstimate], *, include_hybrid: bool,
               hybrid_components: list[str] | None = None) -> list[TradeOff]:
    """One TradeOff per option, worded for this profile (the hybrid as ``hybrid_components``)."""
    by: dict[str, CostEstimate] = {c.approach: c for c in costs}
    dyn = profile.data_dynamics
    fresh_ft = {
        "dynamic": "Poor: facts learned in training go stale within days; retraining on every change.",
        "periodic": "Weak: each change means another tuning run.",
    }.get(dyn or "", "Frozen at training time; fine for stable behaviour, not for facts.")
    self_hosted = profile.privacy == "self_hosted"
    out = [
        TradeOff(
            approach="prompt_engineering",
            cost=_cost(by, "prompt_engineering", "Low"),
            time_to_first_version="1-2 weeks",
            skills="Prompt design and evals; no ML engineering.",
            scalability="Scales with the provider; long prompts raise cost and latency per request.",
            maintenance="Low; re-run evals when the provider updates its model.",
            data_freshness=(
                "Only what fits in the prompt; edit the prompt to update it."
                if profile.corpus_size != "large"
                else "Cannot hold the whole corpus."
            ),
            risks="Inconsistent format or tone on edge cases; prompt grows with edge cases.",
        ),
        TradeOff(
            approach="rag",
            cost=_cost(by, "rag", "Medium"),
            time_to_first_version="3-6 weeks (less with a managed RAG service)",
            skills="Data pipeline and retrieval evaluation; managed RAG needs no ML skills.",
            scalability="Vector store and retrieval must scale with volume; adds a retrieval hop of latency.",
            maintenance="Ingestion pipeline and index upkeep; document owners.",
            data_freshness="Good: new documents are searchable within minutes of indexing.",
            risks="Wrong or missing passages give wrong answers; needs retrieval evals. "
            + ("Keep the vector store self-hosted." if self_hosted else ""),
        ),
        TradeOff(
            approach="fine_tuning",
            cost=_cost(by, "fine_tuning", "High"),
            time_to_first_version="6-12 weeks",
            skills="Data curation, LoRA/PEFT or hosted tuning, model evaluation, MLOps.",
            scalability="A small tuned model is fast and cheap per request at high volume; hosting is a fixed cost.",
            maintenance="Retrain when data, requirements or the base model change.",
            data_freshness=fresh_ft,
            risks=FINE_TUNING_HOSTS_NOTE
            + (" Self-hosting means an open-weight model and your own GPUs." if self_hosted else ""),
        ),
    ]
    if include_hybrid and "rag" not in (hybrid_components or ["rag"]):
        out.append(
            TradeOff(
                approach="hybrid",
                cost=_cost(by, "hybrid", "High"),
                time_to_first_version="6-12 weeks (ship the long prompt first, add the tuned model later)",
                skills="Prompt design with long context, plus everything fine-tuning needs.",
                scalability="The reference material rides in every prompt (cache it); the tuned model keeps output cost down.",
                maintenance="Update the material in the prompt when it changes; retrain only when the behaviour must change.",
                data_freshness="Good for material that changes monthly or slower: edit the prompt, no retraining.",
                risks="Long prompts cost tokens on every request and can dilute attention; "
                "switch to retrieval if the material outgrows the window.",
            )
        )
    elif include_hybrid:
        out.append(
            TradeOff(
                approach="hybrid",
                cost=_cost(by, "hybrid", "Highest"),
                time_to_first_version="8-14 weeks (ship RAG first, add the tuned model later)",
                skills="Everything RAG and fine-tuning need.",
                scalability="Tuned small model keeps per-request cost down; retrieval must scale too.",
                maintenance="Two moving parts: the index and the tuned model.",
                data_freshness="Good: facts come from retrieval, behaviour from tuning.",
                risks="Most complex to debug; evals must separate retrieval errors from style errors.",
            )
        )
    return out
