"""Build chat-format JSONL ({"messages": [system, user, assistant]}) from CSV or JSONL."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SYSTEM = "You are a helpful assistant for this product."
INPUT_KEYS = ("question", "prompt", "input")
OUTPUT_KEYS = ("answer", "completion", "output", "ideal_output")


@dataclass
class BuildReport:
    """Records built and rows skipped, with reasons."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = row.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV (header row) or JSONL file."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {number}: invalid JSON ({exc.msg})") from None
    return rows


def build_records(rows: list[dict[str, Any]], system: str = DEFAULT_SYSTEM) -> BuildReport:
    """Turn rows into chat records; rows already in chat format pass through."""
    report = BuildReport()
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            report.skipped.append(f"row {number}: not an object")
            continue
        if isinstance(row.get("messages"), list):
            report.records.append({"messages": row["messages"]})
            continue
        prompt, completion = _pick(row, INPUT_KEYS), _pick(row, OUTPUT_KEYS)
        if not prompt or not completion:
            report.skipped.append(f"row {number}: needs both a question and an answer")
            continue
        report.records.append({"messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": completion},
        ]})
    return report


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    """One JSON record per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def read_jsonl(path: Path) -> list[Any]:
    """Records of a JSONL file (invalid lines raise ValueError naming the line)."""
    return read_rows(path.with_suffix(".jsonl") if path.suffix == "" else path)
