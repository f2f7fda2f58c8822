"""Cost and time estimate for a fine-tuning job, with the arithmetic shown.

Prices move: check them on the provider's page before quoting. Override with
--price-per-million. Figures below are examples from public pricing pages
(gpt-4o-mini training $3 per 1M tokens, historical; open-weight hosts about
$0.46 per 1M tokens for models up to 10B).
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_PER_MILLION = {
    "openai-gpt-4o-mini (historical)": 3.00,
    "open-weight host, <=10B (example)": 0.46,
}
TOKENS_PER_SECOND = 2_000  # rough hosted throughput for small models; queueing not included


@dataclass
class Estimate:
    """Training tokens, cost and time, with the formula."""

    training_tokens: int
    cost_usd: float
    minutes: float
    formula: str


def estimate_job(dataset_tokens: int, epochs: int = 3, price_per_million: float = 3.0
                 ) -> Estimate:
    """tokens x epochs x price; time from a rough throughput."""
    if epochs < 1 or dataset_tokens < 0 or price_per_million < 0:
        raise ValueError("epochs must be >= 1 and tokens and price >= 0")
    training = dataset_tokens * epochs
    cost = training / 1_000_000 * price_per_million
    return Estimate(
        training_tokens=training,
        cost_usd=round(cost, 4),
        minutes=round(training / TOKENS_PER_SECOND / 60 + 10, 1),
        formula=f"{dataset_tokens:,} tokens x {epochs} epochs x ${price_per_million}/1M "
                f"= ${cost:,.4f}",
    )
