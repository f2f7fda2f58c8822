"""`python -m benchmarks`: run every bench_*.py module and print one table.

Also writes benchmarks/results.json with the machine it ran on.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import BenchRow

HERE = Path(__file__).resolve().parent


def _modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def markdown_table(results: dict) -> str:
    """The results as a Markdown table for the README, with the machine it ran on."""
    m = results["machine"]
    lines = [
        f"Measured {results['ran_at']} on {m['platform']} ({m['cpus']} CPUs, Python {m['python']}).",
        "",
        "| metric | ours | baseline | ratio | unit | target | result | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['metric']} | {_fmt(r['ours'])} | {_fmt(r['baseline'])} | {_fmt(r['ratio'])} "
            f"| {r['unit']} | {r['target']} | {'pass' if r['passed'] else 'FAIL'} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Run the benchmarks named on the command line (all when none), print and save."""
    # Wide enough that metric names are not folded when output goes to a log or a pipe.
    console = Console(width=max(Console().width, 190))
    rows: list[tuple[str, BenchRow]] = []
    failures: list[str] = []
    for name in _modules(argv):
        console.print(f"[bold]running {name}[/bold]")
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            rows.extend((name, row) for row in module.run())
        except Exception:  # a broken benchmark must not hide the others' figures
            failures.append(name)
            console.print(traceback.format_exc(), style="red")
        console.print(f"  {name} took {time.perf_counter() - start:.1f}s")

    table = Table(title="Benchmarks")
    for col in ("benchmark", "metric", "ours", "baseline", "ratio", "unit", "target", "result"):
        table.add_column(col)
    for name, row in rows:
        table.add_row(
            name.removeprefix("bench_"),
            row.metric,
            _fmt(row.ours),
            _fmt(row.baseline),
            _fmt(row.ratio),
            row.unit,
            row.target,
            "[green]pass[/green]" if row.passed else "[red]FAIL[/red]",
        )
    console.print(table)
    machine = {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    results = {
        "ran_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine,
        "rows": [{"benchmark": n, **r.as_dict()} for n, r in rows],
        "errors": failures,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown_table(results))
    if failures:
        console.print(f"[red]benchmarks that raised: {', '.join(failures)}[/red]")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
