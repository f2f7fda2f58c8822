"""Compare the base and the tuned model on the held-out split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

from .llm import ChatModel, words


def overlap_f1(answer: str, reference: str) -> float:
    """Word-overlap F1 between an answer and the reference answer."""
    got, want = words(answer), words(reference)
    if not got or not want:
        return 0.0
    common = len(got & want)
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Comparison:
    """Mean F1 per model and per-example scores."""

    base_model: str
    tuned_model: str
    base_scores: list[float]
    tuned_scores: list[float]

    @staticmethod
    def _mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def base_mean(self) -> float:
        """Mean F1 of the base model."""
        return self._mean(self.base_scores)

    @property
    def tuned_mean(self) -> float:
        """Mean F1 of the tuned model."""
        return self._mean(self.tuned_scores)


def compare_models(records: list[dict[str, Any]], llm: ChatModel, base_model: str,
                   tuned_model: str) -> Comparison:
    """Ask both models every held-out prompt; score against the reference reply."""
    base_scores, tuned_scores = [], []
    for record in records:
        messages = record["messages"]
        prompt, reference = messages[:-1], messages[-1]["content"]
        base_scores.append(overlap_f1(llm.complete(prompt, model=base_model), reference))
        tuned_scores.append(overlap_f1(llm.complete(prompt, model=tuned_model), reference))
    return Comparison(base_model, tuned_model, base_scores, tuned_scores)


def comparison_table(result: Comparison) -> Table:
    """Mean word-overlap F1 per model."""
    table = Table(title="Base vs tuned on the validation split")
    table.add_column("model")
    table.add_column("mean F1")
    table.add_row(f"base: {result.base_model}", f"{result.base_mean:.2f}")
    table.add_row(f"tuned: {result.tuned_model}", f"{result.tuned_mean:.2f}")
    return table
