"""Downloads: starter project zip, decision report (Markdown/HTML), session export (JSON).

The data is built lazily: each button gets a callable that runs only when the
user clicks it, so reruns of the page never build a zip or a report. Every
builder refuses to serve data that contains a configured secret.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable

import streamlit as st

from agent.profile import BASE_APPROACHES
from agent.service import SessionView
from agent.ui import state
from agent.ui.labels import path_label, short_approach_label, slug
from agent.ui.protocol import AdvisorAPI

RECOMMENDED = "recommended"
DEFAULT_HYBRID: tuple[str, ...] = ("rag", "fine_tuning")
PATH_CHOICES: tuple[str, ...] = (RECOMMENDED, "prompt_engineering", "rag", "fine_tuning", "hybrid")


class DownloadError(RuntimeError):
    """A download could not be built safely."""


def assert_no_secrets(data: bytes, secrets: Iterable[str], what: str) -> None:
    """Raise DownloadError if any secret occurs in `data` (or in any member of a zip)."""
    needles = [s.encode() for s in secrets if s]
    if not needles:
        return
    blobs = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            blobs += [archive.read(name) for name in archive.namelist()]
            blobs += [name.encode() for name in archive.namelist()]
    for blob in blobs:
        if any(n in blob for n in needles):
            raise DownloadError(f"Refusing to serve the {what}: it would contain a secret.")


def build_scaffold_zip(
    advisor: AdvisorAPI,
    session_id: str,
    approach: str | None,
    components: list[str] | None,
    secrets: Iterable[str] = (),
) -> bytes:
    """The starter project zip for a path (None = the recommended one)."""
    data = advisor.scaffold_zip(session_id, approach=approach, components=components or None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        bad = archive.testzip()
        if bad is not None:
            raise DownloadError(f"The starter project zip is corrupt ({bad}).")
    assert_no_secrets(data, secrets, "starter project")
    return data


def build_report_markdown(
    advisor: AdvisorAPI, session_id: str, secrets: Iterable[str] = ()
) -> bytes:
    """The decision report as Markdown bytes."""
    data = advisor.report_markdown(session_id).encode("utf-8")
    assert_no_secrets(data, secrets, "report")
    return data


def build_report_html(advisor: AdvisorAPI, session_id: str, secrets: Iterable[str] = ()) -> bytes:
    """The decision report as a standalone HTML page."""
    data = advisor.report_html(session_id).encode("utf-8")
    assert_no_secrets(data, secrets, "report")
    return data


def build_export_json(advisor: AdvisorAPI, session_id: str, secrets: Iterable[str] = ()) -> bytes:
    """The session export as pretty JSON."""
    data = json.dumps(advisor.export(session_id), indent=2, ensure_ascii=False).encode("utf-8")
    assert_no_secrets(data, secrets, "session export")
    return data


def selected_path(choice: str, view: SessionView) -> tuple[str | None, list[str] | None]:
    """(approach, components) to scaffold for a path choice; (None, None) = recommended."""
    if choice == RECOMMENDED:
        return None, None
    if choice == "hybrid":
        rec = view.recommendation
        if rec is not None and rec.approach == "hybrid":
            return "hybrid", [str(c) for c in rec.components]
        chosen = (
            [str(c) for c in view.chosen_components] if view.chosen_approach == "hybrid" else []
        )
        return "hybrid", chosen or list(DEFAULT_HYBRID)
    return choice, None


def _choice_label(choice: str, view: SessionView) -> str:
    rec = view.recommendation
    if choice == RECOMMENDED:
        return "Recommended: " + (path_label(rec.approach, list(rec.components)) if rec else "—")
    approach, components = selected_path(choice, view)
    return path_label(approach or choice, components)


def _on_path_change(key: str, view: SessionView) -> None:
    choice = st.session_state.get(key, RECOMMENDED)
    approach: str
    components: list[str]
    if choice == RECOMMENDED and view.recommendation is not None:
        approach = view.recommendation.approach
        components = [str(c) for c in view.recommendation.components]
    else:
        maybe_approach, maybe_components = selected_path(choice, view)
        approach, components = maybe_approach or "", maybe_components or []
    if approach:
        state.queue(
            state.Action("choose_path", text=approach, value=approach, components=tuple(components))
        )


def render(advisor: AdvisorAPI, view: SessionView, secrets: list[str]) -> None:
    """Download buttons for the current session."""
    sid = view.id
    name = slug(view.title)
    with st.container(border=True, key="downloads"):
        st.markdown("#### :material/download: Take it with you")
        current = RECOMMENDED
        if view.chosen_approach and view.recommendation is not None:
            rec = view.recommendation
            same = view.chosen_approach == rec.approach and (
                rec.approach != "hybrid" or list(view.chosen_components) == list(rec.components)
            )
            current = RECOMMENDED if same else view.chosen_approach
        key = f"path-{sid}-{current}"
        choice = st.selectbox(
            "Starter project for",
            PATH_CHOICES,
            index=PATH_CHOICES.index(current) if current in PATH_CHOICES else 0,
            format_func=lambda c: _choice_label(c, view),
            key=key,
            on_change=_on_path_change,
            args=(key, view),
            help="Download the starter for the recommended path or any other one.",
        )
        approach, components = selected_path(choice, view)
        if approach == "hybrid" and (
            view.recommendation is None or view.recommendation.approach != "hybrid"
        ):
            picked = st.multiselect(
                "Hybrid of",
                BASE_APPROACHES,
                default=components,
                format_func=short_approach_label,
                key=f"hybrid-{sid}",
            )
            components = list(picked) if len(picked) >= 2 else components
        shown = approach or (view.recommendation.approach if view.recommendation else "project")
        zip_name = f"starter-{shown}.zip".replace("_", "-")
        cols = st.columns(2)
        with cols[0]:
            st.download_button(
                "Starter project (.zip)",
                data=(lambda: build_scaffold_zip(advisor, sid, approach, components, secrets)),
                file_name=zip_name,
                mime="application/zip",
                icon=":material/folder_zip:",
                type="primary",
                key=f"dl-zip-{sid}",
                on_click="ignore",
            )
            st.download_button(
                "Session export (.json)",
                data=(lambda: build_export_json(advisor, sid, secrets)),
                file_name=f"session-{name}.json",
                mime="application/json",
                icon=":material/data_object:",
                key=f"dl-json-{sid}",
                on_click="ignore",
            )
        with cols[1]:
            st.download_button(
                "Decision report (.md)",
                data=(lambda: build_report_markdown(advisor, sid, secrets)),
                file_name=f"decision-report-{name}.md",
                mime="text/markdown",
                icon=":material/description:",
                key=f"dl-md-{sid}",
                on_click="ignore",
            )
            st.download_button(
                "Decision report (.html)",
                data=(lambda: build_report_html(advisor, sid, secrets)),
                file_name=f"decision-report-{name}.html",
                mime="text/html",
                icon=":material/html:",
                key=f"dl-html-{sid}",
                on_click="ignore",
            )
        st.caption("Files are built when you click. None of them contains your API key.")
