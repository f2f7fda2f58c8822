"""Stakeholder plan: what each role does for the chosen path.

The roles come from the brief: data scientists test models, DevOps handles
scalability, UX designs the interaction, business stakeholders allocate budget
and technical stakeholders allocate people and infrastructure.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.profile import Profile
from agent.recommendation import StakeholderTask

_COMMON: dict[str, list[str]] = {
    "Data scientists": [
        "Write the evaluation set from the success criteria and sample questions; measure every variant against it.",
    ],
    "DevOps": ["Set up logging of prompts, answers and latency; track cost per request."],
    "UX": ["Design how users see uncertainty, errors and a way to give feedback."],
    "Business stakeholders": [
        "Agree the success criteria and the budget; decide at the evaluation checkpoint whether to go further.",
    ],
    "Technical stakeholders": ["Allocate engineers and infrastructure; own the build/buy choices."],
}

_BY_PATH: dict[str, dict[str, list[str]]] = {
    "prompt_engineering": {
        "Data scientists": [
            "Iterate on the system prompt, few-shot examples and chain-of-thought / tree-of-thought variants.",
            "Compare two or three hosted models on the eval set before committing.",
        ],
        "DevOps": [
            "Version prompts like code; enable prompt caching for long fixed context.",
            "Plan for provider model updates: re-run evals when the model version changes.",
        ],
        "UX": ["Design the input form or chat so users give the context the prompt needs."],
        "Business stakeholders": ["Expect a first version in 1-2 weeks at low cost."],
        "Technical stakeholders": ["Keep the provider swappable behind one client seam."],
    },
    "rag": {
        "Data scientists": [
            "Measure retrieval (hit rate on the sample questions) separately from answer quality.",
            "Tune chunking, the number of passages and reranking.",
        ],
        "DevOps": [
            "Run the ingestion pipeline and vector store; re-index on every source change.",
            "Scale the retrieval service for the expected request volume and latency.",
        ],
        "UX": ["Show citations next to answers and a clear 'not found in our documents' state."],
        "Business stakeholders": [
            "Fund the vector store and ingestion; name an owner for each document source.",
        ],
        "Technical stakeholders": [
            "Choose managed RAG or self-hosted (Chroma/pgvector) and grant access to the document sources.",
        ],
    },
    "fine_tuning": {
        "Data scientists": [
            "Curate and clean the training examples (JSONL chat format); hold out a test split.",
            "Tune (LoRA/PEFT or a hosted service) and compare against the prompting baseline.",
        ],
        "DevOps": [
            "Host the tuned model (Azure AI Foundry, Vertex AI or an open-weight server) and its rollbacks.",
            "Automate retraining when the data or the base model changes.",
        ],
        "UX": ["Collect examples of good and bad outputs from users to grow the training set."],
        "Business stakeholders": [
            "Fund labelling, training runs and hosting; accept a 6-12 week first version.",
        ],
        "Technical stakeholders": [
            "Pick a fine-tuning host that will stay available and keep training data portable.",
        ],
    },
}


def stakeholder_plan(
    approach: str, components: Sequence[str], profile: Profile | None = None
) -> list[StakeholderTask]:
    """Responsibilities per role for the chosen approach (hybrids merge their components)."""
    paths = list(components) if approach == "hybrid" else [approach]
    plan = []
    for role, common in _COMMON.items():
        tasks = list(common)
        for path in paths:
            tasks.extend(_BY_PATH.get(path, {}).get(role, []))
        if role == "DevOps" and profile is not None and profile.privacy == "self_hosted":
            tasks.append("Keep every component inside your own infrastructure (open-weight model, local vector store).")
        if role == "UX" and profile is not None and profile.latency_sensitive:
            tasks.append("Stream answers and design for the latency budget.")
        if role == "Business stakeholders" and approach == "hybrid":
            first = "RAG" if "rag" in paths else "the long prompt"
            tasks.append(f"Phase the spend: ship {first} first, add the tuned model once evals justify it.")
        plan.append(StakeholderTask(role=role, responsibilities=list(dict.fromkeys(tasks))))
    return plan
