"""The part of `agent.service.Advisor` the page uses, as a typing Protocol.

The page is typed against this protocol, so tests can hand it a small fake and
the real Advisor satisfies it structurally (see CONTRACTS.md).
"""

from __future__ import annotations

from typing import Any, Protocol

from agent.service import SessionInfo, SessionView
from agent.turn import TurnResult


class AdvisorAPI(Protocol):
    """Session-oriented service API (CONTRACTS.md, owner AGENT)."""

    def new_session(self, title: str | None = None) -> str: ...

    def send(self, session_id: str, message: str) -> TurnResult: ...

    def recommend_now(self, session_id: str) -> TurnResult: ...

    def skip(self, session_id: str) -> TurnResult: ...

    def set_field(self, session_id: str, field: str, value: Any) -> TurnResult: ...

    def choose_path(
        self, session_id: str, approach: str, components: list[str] | None = None
    ) -> TurnResult: ...

    def view(self, session_id: str) -> SessionView: ...

    def list_sessions(self) -> list[SessionInfo]: ...

    def rename(self, session_id: str, title: str) -> Any: ...

    def delete(self, session_id: str) -> Any: ...

    def export(self, session_id: str) -> dict[str, Any]: ...

    def report_markdown(self, session_id: str) -> str: ...

    def report_html(self, session_id: str) -> str: ...

    def scaffold_zip(
        self, session_id: str, approach: str | None = None, components: list[str] | None = None
    ) -> bytes: ...

    def has_session(self, session_id: str) -> bool: ...
