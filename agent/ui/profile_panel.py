"""Sidebar panel: what the agent understood, each field editable.

An edit goes to `Advisor.set_field`, which re-runs the decision; the page then
shows the diff against the previous recommendation.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from agent.profile import DECISION_FIELDS, DESCRIPTIVE_FIELDS, Profile, allowed_values, field_type
from agent.service import FieldStatus, SessionView
from agent.ui import state
from agent.ui.labels import (
    STATUS_HELP,
    STATUS_MARKERS,
    UNKNOWN_LABEL,
    field_label,
    value_label,
)


def field_statuses(view: SessionView) -> dict[str, FieldStatus]:
    """Status per field, as the agent reports it (assumed values already marked)."""
    out = {s.field: s for s in view.fields}
    for name in (*DECISION_FIELDS, *DESCRIPTIVE_FIELDS):
        out.setdefault(
            name, FieldStatus(field=name, status="unknown", evidence=None, confidence=None)
        )
    return out


def parse_widget_value(field: str, raw: Any) -> Any:
    """Turn a widget's value into the profile value to send (None = leave unknown)."""
    kind = field_type(field)
    if raw is None:
        return None
    if kind == "int":
        return int(raw)
    if kind == "list":
        items = [line.strip() for line in str(raw).splitlines() if line.strip()]
        return items or None
    if kind == "str":
        return str(raw).strip() or None
    return raw


def _on_change(field: str, key: str, current: Any) -> None:
    value = parse_widget_value(field, st.session_state.get(key))
    if value is not None and value != current:
        state.queue(state.Action("set_field", field=field, value=value))


def _widget(field: str, status: FieldStatus, current: Any, key_prefix: str) -> None:
    marker = STATUS_MARKERS.get(status.status, "")
    label = f"{marker} {field_label(field)}"
    description = Profile.model_fields[field].description or ""
    help_text = f"{description}\n\n{STATUS_HELP.get(status.status, '')}"
    # The key carries the current value, so a change made in chat redraws the widget.
    key = f"pf-{key_prefix}-{field}-{current!r}"
    kind = field_type(field)
    common: dict[str, Any] = {
        "key": key,
        "help": help_text,
        "on_change": _on_change,
        "args": (field, key, current),
    }
    if kind in ("enum", "bool"):
        options: list[Any] = list(allowed_values(field) or ())
        if current is None:
            options.insert(0, None)
        st.selectbox(
            label,
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda v: UNKNOWN_LABEL if v is None else value_label(v),
            **common,
        )
    elif kind == "int":
        st.number_input(
            label, min_value=0, step=1, value=current, placeholder=UNKNOWN_LABEL, **common
        )
    elif kind == "list":
        st.text_area(
            label,
            value="\n".join(current or []),
            placeholder="one per line",
            height=80,
            **common,
        )
    else:
        st.text_input(label, value=current or "", placeholder=UNKNOWN_LABEL, **common)
    if status.status == "assumed":
        reason = f" — {status.evidence}" if status.evidence else ""
        st.caption(f"{STATUS_MARKERS['assumed']} Assumed **{value_label(status.value)}**{reason}")
    elif status.status == "known" and status.evidence:
        st.caption(f"From your words: “{status.evidence}”")
    elif status.status == "inferred" and status.evidence:
        st.caption(f"{STATUS_MARKERS['inferred']} Inferred from: “{status.evidence}” (check it)")


def render(view: SessionView) -> None:
    """Draw the profile panel for one session (call inside `st.sidebar`)."""
    statuses = field_statuses(view)
    counts = {
        kind: sum(1 for name in DECISION_FIELDS if statuses[name].status == kind)
        for kind in STATUS_MARKERS
    }
    st.subheader("What I understood")
    st.caption(
        f"{STATUS_MARKERS['known']} {counts['known']} known · "
        f"{STATUS_MARKERS['inferred']} {counts['inferred']} inferred · "
        f"{STATUS_MARKERS['assumed']} {counts['assumed']} assumed · "
        f"{STATUS_MARKERS['unknown']} {counts['unknown']} unknown. "
        "Change any answer; the recommendation updates and shows what changed."
    )
    key_prefix = view.id
    with st.container(key="profile-panel"):
        for name in DECISION_FIELDS:
            _widget(name, statuses[name], getattr(view.profile, name), key_prefix)
        with st.expander("Feature details"):
            for name in DESCRIPTIVE_FIELDS:
                _widget(name, statuses[name], getattr(view.profile, name), key_prefix)
