"""Decision engine speed: decide() on a full profile, and offline text throughput."""

from __future__ import annotations

import time

from benchmarks.common import BenchRow, percentile, time_calls


def run() -> list[BenchRow]:
    """decide() p50/p95 for a full profile (target p50 <= 5 ms); 100 texts offline (reported)."""
    from agent.commands.decide import load_scenarios
    from agent.engine import decide, question_impact
    from agent.extract import extract
    from agent.profile import Profile

    full = Profile(
        focus="niche", data_dynamics="dynamic", interaction_complexity="complex",
        knowledge_source="proprietary", corpus_size="large", needs_citations=True,
        behavior_gap="style", prompting_tried=True, labeled_examples=2000,
        monthly_requests=1_500_000, latency_sensitive=True, privacy="self_hosted",
        budget="medium", ml_skills="some", timeline_weeks=10,
    )
    samples = time_calls(lambda: decide(full), repeat=300)
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    impact = time_calls(lambda: question_impact(Profile(knowledge_source="proprietary")), repeat=200)

    texts = [s["text"] for s in load_scenarios()]
    batch = (texts * (100 // len(texts) + 1))[:100]
    extract(batch[0], similarity=True)  # load the embedding model and labelled vectors once

    def run_batch(similarity: bool) -> float:
        start = time.perf_counter()
        for text in batch:
            decide(extract(text, similarity=similarity).apply(Profile.model_validate({})))
        return time.perf_counter() - start

    elapsed = run_batch(similarity=True)
    rules_only = run_batch(similarity=False)
    return [
        BenchRow("decide() p50, full profile", p50, "ms", "<= 5 ms", p50 <= 5.0,
                 note=f"p95 {p95:.2f} ms over {len(samples)} calls"),
        BenchRow("question_impact() p50, one field known", percentile(impact, 50), "ms",
                 "reported", True),
        BenchRow("100 texts offline (extract + decide)", 100 / elapsed, "texts/s", "reported",
                 True, baseline=100 / rules_only, ratio=rules_only / elapsed,
                 note=f"{elapsed:.2f} s total; baseline: the rules alone (ADVISOR_SIMILARITY=0), "
                 "ratio = the sentence classifier's cost"),
    ]
