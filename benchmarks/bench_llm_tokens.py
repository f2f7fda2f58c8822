"""LLM tokens per complete interview vs a naive agent, measured in the same run.

Ours: the real Advisor, its LLM seam pointed at our stub OpenAI server, which counts
every prompt and completion token (ceil(chars/4) per message + 4 overhead + the
response-format schema). Baseline: the same conversations as a naive agent would
run them, re-sending the system prompt, the whole history and the top-5 passages
on every turn, counted the same way. Target (issue 4): ours <= 30% of the baseline.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import BenchRow

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.30


def run() -> list[BenchRow]:
    """One row: total tokens over the persona interviews, ours against the naive baseline."""
    if str(ROOT) not in sys.path:  # tests.support is a helper package of the repo
        sys.path.insert(0, str(ROOT))
    from tests.agent.personas import PERSONAS
    from tests.support.token_bench import measure_interview_tokens, summary_tokens

    rows = measure_interview_tokens(PERSONAS)
    ours, baseline = summary_tokens(rows)
    ratio = ours / baseline if baseline else float("inf")
    turns = sum(r.turns for r in rows)
    return [
        BenchRow(
            metric="LLM tokens per interview (stub-counted)",
            ours=ours / len(rows),
            baseline=baseline / len(rows),
            ratio=ratio,
            unit="tokens",
            target=f"<= {TARGET_RATIO:.0%} of naive baseline",
            passed=ratio <= TARGET_RATIO,
            note=f"{len(rows)} personas, {turns} turns incl. one follow-up each; "
            "baseline re-sends history + top-5 passages every turn",
        )
    ]
