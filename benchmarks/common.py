"""The shared shape of a benchmark result and small timing helpers.

Targets are ratios against a baseline measured in the same run, or absolute
figures where an issue sets one. Machines here are noisy, so nothing in the test
suite asserts a timing; `make bench` prints and records them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class BenchRow:
    """One line of the benchmark table."""

    metric: str
    ours: float
    unit: str
    target: str
    passed: bool
    baseline: float | None = None
    ratio: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for results.json."""
        return asdict(self)


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (0-100) of samples, by nearest rank."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def time_calls(fn: Callable[[], Any], repeat: int, warmup: int = 3) -> list[float]:
    """Call fn repeatedly and return each call's wall time in milliseconds."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median(samples: list[float]) -> float:
    """Median of samples."""
    return statistics.median(samples)
