"""Understanding a user message: the offline extractor, improved by an LLM when configured.

:func:`understand` always runs the deterministic extractor (:mod:`agent.extract`).
When an LLM is available it also asks for a structured extraction (only the new
message plus a compact summary of what is known -- never the history), validates
every finding against the profile's allowed values, and merges the two:

* a field found by only one reader is taken from it;
* on a conflict, the LLM's value wins when its confidence is at least the offline
  extractor's; otherwise the offline value stays;
* an LLM finding whose quote is not in the message is treated as unsupported: its
  confidence is capped at :data:`UNSUPPORTED_CONFIDENCE`.

Any LLM failure gives the offline result with a notice such as
"LLM unavailable (HTTP 500), used offline extractor". A reply that leaks the system
prompt or a secret is discarded the same way.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent import prompts
from agent.config import Settings, get_settings
from agent.llm import LLM, LLMUnavailable, get_llm, redact, unavailable_notice, usage_delta
from agent.profile import DECISION_FIELDS, DESCRIPTIVE_FIELDS, Profile, allowed_values, field_type

log = logging.getLogger(__name__)

#: Fields the LLM may fill.
EXTRACTABLE_FIELDS: tuple[str, ...] = (*DECISION_FIELDS, *DESCRIPTIVE_FIELDS)
#: Most characters of one message sent to the LLM (the offline reader sees all of it).
MAX_LLM_CHARS = 6000
#: Confidence cap for an LLM finding whose quote is not found in the message.
UNSUPPORTED_CONFIDENCE = 0.4
#: A message this short that the offline reader understood confidently needs no LLM call.
SHORT_ANSWER_WORDS = 4
CONFIDENT = 0.9
#: The same for a reply to a question about one field: the question disambiguates it.
ASKED_CONFIDENT = 0.7

FALLBACK = "offline extractor"


class LLMFinding(BaseModel):
    """One fact as the LLM reports it (validated again against Profile afterwards)."""

    model_config = ConfigDict(extra="ignore")

    field: str
    value: Any = None  # any JSON: checked per field by coerce_value (and a smaller schema)
    quote: str = ""
    confidence: float = Field(0.7, ge=0.0, le=1.0)


class LLMExtraction(BaseModel):
    """The structured-output schema of the extraction call."""

    model_config = ConfigDict(extra="ignore")

    findings: list[LLMFinding] = Field(default_factory=list)
    contradictions: list[str] = Field(default_factory=list)


@dataclass
class Understanding:
    """What one message told us, how we read it, and what it cost."""

    extraction: Any  # agent.extract.Extraction
    mode: Literal["llm", "offline"] = "offline"
    notices: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)


# -- value validation ------------------------------------------------------------------
_MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_NUMBER = re.compile(r"^\s*(\d[\d,_ ]*(?:\.\d+)?)\s*([a-z]+)?\b", re.IGNORECASE)


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value) if value == value and abs(value) < 1e15 else None
    if isinstance(value, str):
        from agent.extract import parse_number  # the offline reader's number grammar

        parsed = parse_number(value)
        if parsed is not None:
            return parsed
        match = _NUMBER.match(value)
        if not match:
            return None
        number = float(re.sub(r"[,_ ]", "", match.group(1)))
        word = (match.group(2) or "").lower()
        if word and word not in _MULTIPLIERS:
            return round(number)
        return round(number * _MULTIPLIERS.get(word, 1))
    return None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "y"):
            return True
        if lowered in ("false", "no", "n"):
            return False
    return None


def coerce_value(name: str, value: Any) -> Any:
    """Turn an LLM value into a valid Profile value for ``name``; raise ValueError if not."""
    kind = field_type(name)
    coerced: Any
    if kind == "enum":
        options = allowed_values(name) or ()
        token = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
        if token not in options:
            raise ValueError("not an allowed value")
        coerced = token
    elif kind == "bool":
        coerced = _to_bool(value)
    elif kind == "int":
        coerced = _to_int(value)
    elif kind == "list":
        items = value if isinstance(value, list) else [value]
        coerced = [re.sub(r"\s+", " ", str(v)).strip()[:200] for v in items if str(v).strip()]
        coerced = coerced[:10] or None
    else:
        coerced = re.sub(r"\s+", " ", str(value)).strip()[:300] or None
    if coerced is None:
        raise ValueError("wrong type")
    try:
        Profile.model_validate({name: coerced})
    except ValidationError:
        raise ValueError("rejected by the profile") from None
    return coerced


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- Extraction construction (agent.extract owns the types) ------------------------------
def _make_finding(value: Any, span: str | None, confidence: float) -> Any:
    from agent.extract import Finding

    return Finding(value=value, span=span or "", confidence=round(confidence, 3))


def _with_findings(extraction: Any, findings: dict[str, Any], contradictions: list[str]) -> Any:
    update = {"findings": findings, "contradictions": contradictions}
    if isinstance(extraction, BaseModel):
        return extraction.model_copy(update=update)
    if dataclasses.is_dataclass(extraction) and not isinstance(extraction, type):
        return dataclasses.replace(extraction, **update)
    from agent.extract import Extraction

    return Extraction(findings=findings, contradictions=contradictions)


# -- the LLM reading ------------------------------------------------------------------------
def build_extraction_messages(
    text: str, profile: Profile | None, asked_field: str | None = None
) -> list[dict[str, str]]:
    """The two messages of an extraction call: system prompt, then fenced data only."""
    parts = []
    summary = prompts.profile_summary(profile)
    if summary:
        parts.append(prompts.fence(summary, "known"))
    if asked_field in EXTRACTABLE_FIELDS:
        parts.append(f"The message answers a question about: {asked_field}")
    parts.append(prompts.fence(text[:MAX_LLM_CHARS], "data"))
    return [
        {"role": "system", "content": prompts.EXTRACTION_SYSTEM},
        {"role": "user", "content": "\n".join(parts)},
    ]


def validate_llm_extraction(
    result: LLMExtraction, text: str
) -> tuple[dict[str, tuple[Any, str | None, float]], list[str], list[str]]:
    """Check every LLM finding against the profile and the message.

    Returns (field -> (value, span, confidence), contradictions, notices).
    """
    accepted: dict[str, tuple[Any, str | None, float]] = {}
    dropped: list[str] = []
    unknown: list[str] = []
    message = _normal(text)
    for finding in result.findings:
        name = finding.field.strip().lower().replace(" ", "_")
        if name not in EXTRACTABLE_FIELDS:
            unknown.append(_short_repr(finding.field))
            continue
        if finding.value is None:
            continue
        try:
            value = coerce_value(name, finding.value)
        except ValueError:
            dropped.append(f"{name}={_short_repr(finding.value)}")
            continue
        quote = finding.quote.strip()
        confidence = float(finding.confidence)
        if quote and _normal(quote) in message:
            span: str | None = quote
        else:
            span, confidence = None, min(confidence, UNSUPPORTED_CONFIDENCE)
        previous = accepted.get(name)
        if previous is None or confidence > previous[2]:
            accepted[name] = (value, span, confidence)
    notices = []
    if dropped:
        notices.append("Ignored LLM values outside the allowed options: " + ", ".join(dropped[:5]))
    if unknown:
        notices.append("Ignored LLM findings for unknown fields: " + ", ".join(unknown[:5]))
    contradictions = [re.sub(r"\s+", " ", c).strip()[:300] for c in result.contradictions if c.strip()]
    return accepted, contradictions[:5], notices


def merge_findings(
    offline: dict[str, Any], llm_findings: dict[str, tuple[Any, str | None, float]]
) -> dict[str, Any]:
    """Offline findings plus LLM findings; the LLM wins a conflict at equal or higher confidence."""
    merged = dict(offline)
    for name, (value, span, confidence) in llm_findings.items():
        current = merged.get(name)
        if current is None:
            merged[name] = _make_finding(value, span, confidence)
            continue
        current_conf = float(getattr(current, "confidence", 0.0) or 0.0)
        if getattr(current, "value", None) == value:
            if confidence > current_conf:
                merged[name] = _make_finding(
                    value, span or getattr(current, "span", None), confidence
                )
        elif confidence >= current_conf:
            merged[name] = _make_finding(value, span, confidence)
    return merged


def _is_confident_short_answer(text: str, extraction: Any, asked_field: str | None) -> bool:
    if len(text.split()) > SHORT_ANSWER_WORDS:
        return False
    findings = getattr(extraction, "findings", {}) or {}
    if asked_field is not None:
        found = findings.get(asked_field)
        return found is not None and float(getattr(found, "confidence", 0) or 0) >= ASKED_CONFIDENT
    return any(float(getattr(f, "confidence", 0) or 0) >= CONFIDENT for f in findings.values())


def understand(
    text: str,
    profile: Profile | None = None,
    *,
    llm: LLM | None = None,
    settings: Settings | None = None,
    asked_field: str | None = None,
) -> Understanding:
    """Read one user message into profile findings (LLM-assisted when configured).

    ``llm=None`` uses :func:`agent.llm.get_llm` (None offline). ``asked_field`` is the
    profile field the pending question is about, if any. Never raises for LLM trouble.
    """
    from agent.extract import extract

    offline = extract(text, profile)
    if llm is None:
        llm = get_llm(settings)
    if llm is None or not text.strip() or _is_confident_short_answer(text, offline, asked_field):
        return Understanding(extraction=offline, mode="offline")

    secrets = [*llm.secret_values(), *(settings or get_settings()).secret_values()]
    before = llm.usage_snapshot()
    notices: list[str] = []
    if len(text) > MAX_LLM_CHARS:
        notices.append(
            f"Only the first {MAX_LLM_CHARS:,} characters were sent to the LLM; "
            "the offline extractor read all of it."
        )
    try:
        result = llm.structured(
            build_extraction_messages(text, profile, asked_field), LLMExtraction, max_tokens=700
        )
        leak = prompts.leaks(result.model_dump_json(), secrets)
        if leak:
            raise LLMUnavailable(f"reply discarded: {leak}")
    except LLMUnavailable as exc:
        notices.append(unavailable_notice(exc.reason, FALLBACK))
        return Understanding(
            extraction=offline,
            mode="offline",
            notices=notices,
            usage=usage_delta(before, llm.usage_snapshot()),
        )
    except Exception as exc:  # noqa: BLE001 - a bug in the LLM path must not break the turn
        log.warning("LLM understanding failed unexpectedly: %s", type(exc).__name__)
        notices.append(unavailable_notice("unexpected error", FALLBACK))
        return Understanding(
            extraction=offline,
            mode="offline",
            notices=notices,
            usage=usage_delta(before, llm.usage_snapshot()),
        )

    llm_findings, llm_contradictions, check_notices = validate_llm_extraction(result, text)
    notices.extend(redact(n, secrets) for n in check_notices)
    offline_findings = dict(getattr(offline, "findings", {}) or {})
    merged = merge_findings(offline_findings, llm_findings)
    contradictions = list(getattr(offline, "contradictions", []) or [])
    known = {_normal(c) for c in contradictions}
    for item in llm_contradictions:
        if _normal(item) not in known:
            contradictions.append(item)
            known.add(_normal(item))
    return Understanding(
        extraction=_with_findings(offline, merged, contradictions),
        mode="llm",
        notices=notices,
        usage=usage_delta(before, llm.usage_snapshot()),
    )
