"""Benchmarks. Each `bench_*.py` module exposes `run() -> list[BenchRow]`; see common.py."""
