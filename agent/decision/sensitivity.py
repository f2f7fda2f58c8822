"""Sensitivity: which answers would flip the recommendation, and how much each unknown matters."""

from __future__ import annotations

from typing import Any

from agent.decision.rules import RULES, holds, int_probe_values
from agent.decision.scoring import Outcome, score, trial
from agent.profile import APPROACH_LABELS, DECISION_FIELDS, allowed_values, field_type
from agent.recommendation import Sensitivity

_PROBES: dict[str, tuple[Any, ...]] = {}
_TYPES: dict[str, str] = {f: field_type(f) for f in DECISION_FIELDS}
#: Per int field, the conditions that read it (to skip answers in the current band).
_INT_CONDS = {
    f: tuple(c for r in RULES for c in r.when if c[0] == f)
    for f in DECISION_FIELDS
    if _TYPES[f] == "int"
}


def probe_values(field: str) -> tuple[Any, ...]:
    """The answers tried for a field: every allowed value, or one int per rule band."""
    if field not in _PROBES:
        if _TYPES[field] == "int":
            _PROBES[field] = int_probe_values(field)
        else:
            _PROBES[field] = tuple(allowed_values(field) or ())
    return _PROBES[field]


def label(approach: str, components: list[str]) -> str:
    """Readable name of a recommendation, e.g. 'Hybrid (RAG + Fine-tuning)'."""
    if approach == "hybrid":
        parts = " + ".join(APPROACH_LABELS[c].split(" (")[0] if c != "rag" else "RAG" for c in components)
        return f"Hybrid ({parts})"
    return APPROACH_LABELS[approach]


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _same_band(field: str, a: Any, b: Any) -> bool:
    """Whether two int answers fire exactly the same rules for this field."""
    if a is None or b is None:
        return False

    return all(holds(c, {field: a}) == holds(c, {field: b}) for c in _INT_CONDS[field])


def sensitivities(values: dict[str, Any], base: Outcome) -> list[Sensitivity]:
    """Every (field, answer) that changes the approach or components; unknown fields first."""
    unknown = [f for f in DECISION_FIELDS if values.get(f) is None]
    known = [f for f in DECISION_FIELDS if values.get(f) is not None]
    out: list[Sensitivity] = []
    for field in unknown + known:
        current = values.get(field)
        for value in probe_values(field):
            if value == current or (_TYPES[field] == "int" and _same_band(field, value, current)):
                continue
            outcome = trial(base, field, value)
            if outcome.key == base.key:
                continue
            was = "unknown" if current is None else _fmt(current)
            out.append(
                Sensitivity(
                    field=field,
                    current=current,
                    value=value,
                    new_approach=outcome.approach,
                    new_components=list(outcome.components),
                    explanation=(
                        f"If {field} were {_fmt(value)} (now {was}), the recommendation would be "
                        f"{label(outcome.approach, list(outcome.components))} instead of "
                        f"{label(base.approach, list(base.components))}."
                    ),
                )
            )
    return out


def impact(values: dict[str, Any], base: Outcome | None = None) -> list[tuple[str, float]]:
    """Unknown decision fields ranked by how much their answer could change the result.

    impact = 0.7 x (share of possible answers that flip the approach)
           + 0.3 x min(1, largest change of the winner's lead over its rival / 6 points).
    Ties keep the consultant order of DECISION_FIELDS.
    """
    base = base or score(values)
    ranked = []
    for order, field in enumerate(DECISION_FIELDS):
        if values.get(field) is not None:
            continue
        probes = probe_values(field)
        flips = 0
        swing = 0.0
        for value in probes:
            outcome = trial(base, field, value)
            if outcome.key != base.key:
                flips += 1
            # How far the answer moves the winner's lead over its best rival.
            swing = max(swing, abs(outcome.lead - base.lead))
        share = flips / len(probes) if probes else 0.0
        value_ = round(0.7 * share + 0.3 * min(1.0, swing / 6.0), 3)
        ranked.append((order, field, value_))
    ranked.sort(key=lambda r: (-r[2], r[0]))
    return [(f, v) for _, f, v in ranked]
