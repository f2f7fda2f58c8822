"""A versioned prompt library: every prompt has a technique, a version and notes.

Add a new version instead of editing an old one, so eval results stay
comparable (`eval/results/` names the variant it ran). Variants are named
``technique@version``; a bare technique means its latest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .settings import load_settings


@dataclass(frozen=True)
class PromptVersion:
    """One prompt: system text and a user template with {question} and {context}."""

    technique: str
    version: str
    system: str
    user: str
    notes: str = ""

    @property
    def variant(self) -> str:
        """``technique@version``."""
        return f"{self.technique}@{self.version}"


_BASE_SYSTEM = "You are a helpful assistant for this product. Answer accurately and concisely."
_USER = "{context}Question: {question}"

LIBRARY: dict[str, list[PromptVersion]] = {
    "zero_shot": [
        PromptVersion("zero_shot", "v1", _BASE_SYSTEM, _USER, "Baseline: instructions only."),
    ],
    "few_shot": [
        PromptVersion(
            "few_shot", "v1", _BASE_SYSTEM + " Match the style of the example answers.", _USER,
            "Examples from prompts/examples.yaml go before the question.",
        ),
    ],
    "chain_of_thought": [
        PromptVersion(
            "chain_of_thought", "v1",
            _BASE_SYSTEM + " Think step by step. Write your reasoning, then a last line "
            "starting with 'Final answer:'.",
            _USER,
            "The reasoning is kept in notes; only the final answer is shown.",
        ),
    ],
    "tree_of_thought": [
        PromptVersion(
            "tree_of_thought", "v1",
            _BASE_SYSTEM + " Propose one distinct way to answer, then the answer itself.",
            _USER + "\n\nThis is branch {branch} of {branches}: take a different angle "
            "from the others.",
            "Branches are scored by the model (1-10) and the best one is kept.",
        ),
    ],
    "structured": [
        PromptVersion(
            "structured", "v1",
            _BASE_SYSTEM + " Reply with JSON only, matching this schema: {schema}",
            _USER,
            "Validated with pydantic; one retry with the validation error.",
        ),
    ],
}

TOT_SCORE_PROMPT = (
    "Rate how well this answer addresses the question, from 1 (poor) to 10 (excellent). "
    "Reply with the number only.\n\nQuestion: {question}\n\nAnswer:\n{answer}"
)


def get_prompt(variant: str) -> PromptVersion:
    """The prompt for ``technique`` or ``technique@version``."""
    technique, _, version = variant.partition("@")
    versions = LIBRARY.get(technique)
    if not versions:
        raise ValueError(f"unknown technique {technique!r}; choose from {', '.join(LIBRARY)}")
    if not version:
        return versions[-1]
    for prompt in versions:
        if prompt.version == version:
            return prompt
    raise ValueError(f"unknown version {version!r} of {technique}")


def all_variants() -> list[str]:
    """Every ``technique@version`` in the library."""
    return [p.variant for versions in LIBRARY.values() for p in versions]


def load_examples(path: Path | None = None) -> list[tuple[str, str]]:
    """Few-shot (input, ideal output) pairs; pairs without an output are skipped."""
    path = path or load_settings().root / "prompts" / "examples.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in data.get("examples") or []:
        source = str(item.get("input") or "").strip()
        target = str(item.get("ideal_output") or "").strip()
        if source and target:
            pairs.append((source, target))
    return pairs
