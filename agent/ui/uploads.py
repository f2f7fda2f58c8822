"""Own documents: upload files into the user knowledge collection, one result per file."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st

from agent.config import Settings

log = logging.getLogger(__name__)

ICONS = {
    "added": ":material/check_circle:",
    "skipped": ":material/warning:",
    "error": ":material/error:",
}


class UploadLike(Protocol):
    """What the handler needs from an uploaded file (Streamlit's UploadedFile fits)."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to one file."""

    name: str
    status: str  # "added", "skipped" or "error"
    message: str


AddDocument = Callable[[str, bytes], Any]


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def process_uploads(
    files: Sequence[UploadLike],
    add_document: AddDocument,
    *,
    max_bytes: int,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[UploadOutcome]:
    """Add each file with `add_document(name, data)`; never raises, one outcome per file.

    Empty and over-size files are refused here with a clear message; the
    ingester judges the rest (binary, unsupported type, unreadable PDF...).
    """
    outcomes: list[UploadOutcome] = []
    for index, upload in enumerate(files):
        name = upload.name or f"file {index + 1}"
        if on_progress:
            on_progress(index, len(files), name)
        try:
            data = upload.getvalue()
        except Exception as exc:
            outcomes.append(UploadOutcome(name, "error", f"Could not read the upload: {exc}"))
            continue
        if not data or not data.strip():
            outcomes.append(UploadOutcome(name, "skipped", "The file is empty; nothing was added."))
            continue
        if len(data) > max_bytes:
            outcomes.append(
                UploadOutcome(
                    name,
                    "skipped",
                    f"The file is too large ({_megabytes(len(data))}; the limit is "
                    f"{_megabytes(max_bytes)}). Split it or upload the relevant part.",
                )
            )
            continue
        try:
            result = add_document(name, data)
        except Exception as exc:  # one bad file must not stop the others
            log.exception("adding %s failed", name)
            outcomes.append(UploadOutcome(name, "error", f"Could not add the file: {exc}"))
            continue
        status = str(getattr(result, "status", "added"))
        message = str(getattr(result, "message", "") or "Added to your knowledge base.")
        outcomes.append(UploadOutcome(name, status if status in ICONS else "error", message))
    if on_progress:
        on_progress(len(files), len(files), "")
    return outcomes


def default_add_document(settings: Settings) -> AddDocument:
    """The ingester's `add_user_document`, imported only when a file is added."""

    def add(name: str, data: bytes) -> Any:
        from agent.ingest import add_user_document  # type: ignore[attr-defined]

        return add_user_document(name, data, settings=settings)

    return add


def render_outcomes(outcomes: Sequence[UploadOutcome]) -> None:
    """One line per file with its result."""
    for outcome in outcomes:
        text = f"{ICONS.get(outcome.status, ICONS['error'])} **{outcome.name}** — {outcome.message}"
        if outcome.status == "added":
            st.success(text)
        elif outcome.status == "skipped":
            st.warning(text)
        else:
            st.error(text)


def render(settings: Settings, add_document: AddDocument | None = None) -> None:
    """Uploader + "Add" button + per-file results (call inside `st.sidebar`)."""
    with st.expander(":material/upload_file: Your documents"):
        st.caption(
            "Add your own Markdown, text or PDF files; the advisor cites them next to its "
            f"built-in guides. Up to {_megabytes(settings.max_upload_bytes)} per file."
        )
        generation = st.session_state.get("uploader_generation", 0)
        files = st.file_uploader("Files", accept_multiple_files=True, key=f"uploader-{generation}")
        if st.button(
            "Add to knowledge base", key="add-docs", disabled=not files, icon=":material/add:"
        ):
            bar = st.progress(0.0, text="Adding documents…")

            def progress(done: int, total: int, name: str) -> None:
                text = f"Adding {name}…" if name else "Done"
                bar.progress(done / total if total else 1.0, text=text)

            outcomes = process_uploads(
                list(files or []),
                add_document or default_add_document(settings),
                max_bytes=settings.max_upload_bytes,
                on_progress=progress,
            )
            st.session_state["upload_results"] = outcomes
            # A new uploader key empties the widget, so the files are not added twice.
            st.session_state["uploader_generation"] = generation + 1
            st.rerun()
        render_outcomes(st.session_state.get("upload_results", []))
