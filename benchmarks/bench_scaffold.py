"""Scaffold speed: render + zip of one starter project, p50 per path (target <= 200 ms)."""

from __future__ import annotations

from agent.config import Settings
from agent.profile import Profile
from agent.scaffold import scaffold_zip_bytes
from benchmarks.common import BenchRow, percentile, time_calls

TARGET_MS = 200.0
PATHS: list[tuple[str, list[str] | None]] = [
    ("prompt_engineering", None),
    ("rag", None),
    ("fine_tuning", None),
    ("hybrid", ["rag", "fine_tuning"]),
    ("hybrid", ["prompt_engineering", "rag"]),
]


def run() -> list[BenchRow]:
    """One row per path: p50 of render + zip over 30 calls."""
    profile = Profile.model_validate({
        "product_summary": "Answers customers' questions about their card transactions.",
        "domain": "Retail banking",
        "sample_questions": [f"Question {i} about a card payment?" for i in range(10)],
        "success_criteria": ["Answers in under 100 words", "Cites the statement line"],
    })
    settings = Settings()
    rows = []
    for approach, components in PATHS:
        label = approach if not components else approach + ":" + "+".join(components)
        samples = time_calls(
            lambda a=approach, c=components: scaffold_zip_bytes(a, profile, components=c,
                                                                 settings=settings),
            repeat=30,
        )
        p50 = percentile(samples, 50)
        rows.append(BenchRow(
            metric=f"render+zip p50 ({label})", ours=round(p50, 1), unit="ms",
            target=f"<= {TARGET_MS:.0f} ms", passed=p50 <= TARGET_MS,
            note=f"p99 {percentile(samples, 99):.1f} ms",
        ))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
