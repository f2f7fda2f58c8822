#!/usr/bin/env python3
"""Print the reliability figures counted by the test suite as a Markdown table.

Usage: ``python scripts/reliability_table.py [path/to/reliability.json]``
(default ``tests/artifacts/reliability.json``, written by ``tests/reliability``,
``tests/servers`` and ``tests/security`` while they run). Exits 1 when the file
is missing: figures come from the suite, never from hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "artifacts" / "reliability.json"

#: Order and headline of each category in the table.
CATEGORIES = {
    "fuzz": "Fuzz examples run without a traceback",
    "crash_resume": "SIGKILL trials survived",
    "concurrency": "Concurrent sessions held",
    "storage_faults": "Storage faults handled",
    "security": "Security checks held",
}


def render(data: dict[str, Any]) -> str:
    """The Markdown table: one row per measured figure, then a total per category."""
    figures: dict[str, dict[str, dict[str, Any]]] = data.get("figures", {})
    lines = [
        "| Area | Target | Result | Detail | Measured |",
        "|---|---|---|---|---|",
    ]
    totals: list[str] = []
    ordered = [c for c in CATEGORIES if c in figures] + sorted(
        c for c in figures if c not in CATEGORIES
    )
    for category in ordered:
        rows = figures[category]
        run_sum = passed_sum = 0
        unit = ""
        for key in sorted(rows):
            row = rows[key]
            run_sum += int(row["run"])
            passed_sum += int(row["passed"])
            unit = row.get("unit", "")
            detail = str(row.get("detail", "")).replace("|", "\\|")
            lines.append(
                f"| {category.replace('_', ' ')} | {key} | {row['passed']} / {row['run']} "
                f"{row.get('unit', '')} | {detail} | {row.get('measured_at', '')[:10]} |"
            )
        headline = CATEGORIES.get(category, category)
        totals.append(f"| **{headline}** | **{passed_sum} / {run_sum}** {unit} |")
    summary = ["| Figure | Total |", "|---|---|", *totals]
    machine = data.get("machine", {})
    footer = (
        f"\nMeasured by `make test` on {machine.get('cpus', '?')} CPUs, "
        f"Python {machine.get('python', '?')}, {machine.get('platform', '?')}."
    )
    return "\n".join(summary) + "\n\n" + "\n".join(lines) + "\n" + footer


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.exists():
        print(f"{path} not found: run `make test` (or pytest tests/reliability) first.",
              file=sys.stderr)
        return 1
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        print(f"{path} is not valid JSON: {exc}", file=sys.stderr)
        return 1
    print(render(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
