"""Words and markers the page shows for profile values and approaches (pure functions)."""

from __future__ import annotations

from typing import Any

from agent.profile import APPROACH_LABELS

#: Marker per field status, shown in the profile panel.
STATUS_MARKERS: dict[str, str] = {
    "known": ":green[:material/check_circle:]",
    "inferred": ":blue[:material/manage_search:]",
    "assumed": ":orange[:material/lightbulb:]",
    "unknown": ":gray[:material/help:]",
}
STATUS_HELP: dict[str, str] = {
    "known": "You told us this.",
    "inferred": "Inferred from your words (a resembling phrasing, or the whole description), not stated outright; correct it here if it is wrong.",
    "assumed": "Not asked yet: a default is assumed (see why below the field).",
    "unknown": "Not known yet.",
}
UNKNOWN_LABEL = "— not known yet —"

_VALUE_WORDS: dict[str, str] = {
    "fits_in_prompt": "fits in the prompt",
    "cloud_ok": "cloud is fine",
    "self_hosted": "must be self-hosted",
    "new_skill": "new skill",
}


def field_label(field: str) -> str:
    """`labeled_examples` -> `Labeled examples`."""
    return field.replace("_", " ").capitalize()


def value_label(value: Any) -> str:
    """A profile value in plain words (None is 'not known yet')."""
    if value is None:
        return UNKNOWN_LABEL
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, str):
        return _VALUE_WORDS.get(value, value.replace("_", " "))
    return str(value)


def approach_label(approach: str | None) -> str:
    """Human name of an approach id."""
    if approach is None:
        return "(none)"
    return APPROACH_LABELS.get(approach, approach.replace("_", " "))


def path_label(approach: str, components: list[str] | None = None) -> str:
    """`hybrid` + [rag, fine_tuning] -> `Hybrid (RAG + Fine-tuning)`."""
    name = approach_label(approach)
    if approach == "hybrid" and components:
        parts = [short_approach_label(c) for c in components]
        return f"{name} ({' + '.join(parts)})"
    return name


def short_approach_label(approach: str) -> str:
    """Short name for charts and compact lists."""
    return {"prompt_engineering": "Prompting", "rag": "RAG", "fine_tuning": "Fine-tuning"}.get(
        approach, approach_label(approach)
    )


def usd(amount: float) -> str:
    """`1234.5` -> `$1,234.50`, whole dollars without cents from $1,000 up."""
    if abs(amount) >= 1000:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def slug(text: str, fallback: str = "session") -> str:
    """A file-name-safe slug of a title (ASCII letters, digits and dashes, max 40)."""
    out = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in text)
    out = "-".join(p for p in out.split("-") if p)[:40].strip("-")
    return out or fallback
