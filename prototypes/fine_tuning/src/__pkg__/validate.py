"""Validate a chat fine-tuning dataset before paying for a job.

Checks: schema, roles, empty turns, duplicates, token counts, too-long
examples and likely personal data; then a deterministic train/validation split.
Token counts are estimates (about 4 characters per token for English); the
provider's tokenizer is the final word.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

ROLES = {"system", "user", "assistant"}
MAX_TOKENS_PER_EXAMPLE = 16_000
MIN_EXAMPLES = 10  # OpenAI's stated minimum; gains usually start at 50-100.

_PII = {
    "email address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone number": re.compile(r"(?<!\d)(?:\+?\d[\s-]?){9,14}\d(?!\d)"),
    "card number": re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)"),
    "IBAN": re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"),
    "US SSN": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
}


def estimate_tokens(text: str) -> int:
    """Rough token count: max of chars/4 and words*4/3."""
    return max(len(text) // 4, round(len(text.split()) * 4 / 3)) + 1


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def pii_findings(text: str) -> list[str]:
    """Kinds of personal data that seem to appear in text."""
    found = []
    for kind, pattern in _PII.items():
        for match in pattern.finditer(text):
            if kind == "card number":
                digits = re.sub(r"\D", "", match.group())
                if not _luhn(digits):
                    continue
            found.append(kind)
            break
    return found


@dataclass
class ValidationReport:
    """Errors block a job; warnings deserve a look."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    examples: int = 0
    total_tokens: int = 0
    max_tokens: int = 0

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors


def validate_records(records: list[Any], max_tokens: int = MAX_TOKENS_PER_EXAMPLE
                     ) -> ValidationReport:
    """Check every record; messages name the example number (1-based)."""
    report = ValidationReport(examples=len(records))
    seen: dict[str, int] = {}
    for number, record in enumerate(records, 1):
        where = f"example {number}"
        messages = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(messages, list) or not messages:
            report.errors.append(f"{where}: needs a non-empty 'messages' list")
            continue
        tokens = 0
        bad = False
        for turn, message in enumerate(messages, 1):
            if not isinstance(message, dict) or "role" not in message or "content" not in message:
                report.errors.append(f"{where}, turn {turn}: needs 'role' and 'content'")
                bad = True
                continue
            if message["role"] not in ROLES:
                report.errors.append(f"{where}, turn {turn}: unknown role {message['role']!r}")
                bad = True
            content = message["content"]
            if not isinstance(content, str) or not content.strip():
                report.errors.append(f"{where}, turn {turn}: empty content")
                bad = True
                continue
            tokens += estimate_tokens(content)
            for kind in pii_findings(content):
                report.warnings.append(f"{where}, turn {turn}: possible {kind}")
        if bad:
            continue
        roles = [m["role"] for m in messages]
        if roles[-1] != "assistant":
            report.errors.append(f"{where}: the last turn must be the assistant's")
        if "user" not in roles:
            report.errors.append(f"{where}: has no user turn")
        report.total_tokens += tokens
        report.max_tokens = max(report.max_tokens, tokens)
        if tokens > max_tokens:
            report.errors.append(f"{where}: about {tokens} tokens, over the {max_tokens} limit")
        key = json.dumps(messages, sort_keys=True)
        if key in seen:
            report.warnings.append(f"{where}: duplicate of example {seen[key]}")
        else:
            seen[key] = number
    if len(records) < MIN_EXAMPLES:
        report.warnings.append(
            f"only {len(records)} example(s): at least {MIN_EXAMPLES} are required, "
            "and gains usually start at 50-100"
        )
    return report


def split_records(records: list[Any], val_fraction: float = 0.2) -> tuple[list[Any], list[Any]]:
    """Deterministic split by content hash (the same example always lands on the same side)."""
    train, val = [], []
    for record in records:
        digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).digest()
        (val if digest[0] / 256 < val_fraction else train).append(record)
    if records and not val and len(records) > 1:
        val.append(train.pop())
    return train, val
