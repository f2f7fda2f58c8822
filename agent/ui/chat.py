"""The conversation: welcome, history replay, quick replies, and running one turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import streamlit as st

from agent.profile import Profile
from agent.service import ChatMessage
from agent.turn import Question, TurnResult
from agent.ui import state
from agent.ui.protocol import AdvisorAPI

log = logging.getLogger(__name__)

#: Clickable first messages on the welcome screen. General examples of the
#: kinds of features PMs bring, not tuned to any evaluation scenario.
EXAMPLE_PROMPTS: tuple[tuple[str, str], ...] = (
    (
        ":material/menu_book: Support answers from our docs",
        "We want a support assistant that answers customer questions from our 3,000 internal "
        "policy documents. The documents change every month and answers must cite the policy.",
    ),
    (
        ":material/edit_note: Copy in our brand voice",
        "Generate product descriptions in our brand voice for an online shop. We have about "
        "5,000 approved examples and a small team with some ML experience.",
    ),
    (
        ":material/summarize: Summarise meeting notes",
        "An internal tool that turns meeting notes into a short summary with action items. "
        "Small budget and we need a first version in two weeks.",
    ),
)

WELCOME = (
    "### :material/waving_hand: Which way should you build your LLM feature?\n"
    "Describe the feature in a sentence or two. I'll ask a few short questions — you can "
    "answer with one click — and then recommend **prompt engineering, RAG, fine-tuning or a "
    "hybrid**, with the evidence, costs, a plan for your team, and a starter project to "
    "download."
)

#: User-visible text for the non-chat actions in the history.
ACTION_TEXT = {"skip": "Skip this question", "recommend_now": "Recommend now"}


def render_welcome() -> None:
    """First-run screen with example prompts the user can click."""
    with st.container(key="welcome"):
        st.markdown(WELCOME)
        st.caption("Try an example:")
        for index, (label, text) in enumerate(EXAMPLE_PROMPTS):
            st.button(
                label,
                key=f"example-{index}",
                help=text,
                on_click=state.queue,
                args=(state.Action("send", text=text),),
            )


def render_history(messages: list[ChatMessage]) -> None:
    """Replay the conversation exactly as stored in the session."""
    for message in messages:
        role = "user" if message.role == "user" else "assistant"
        with st.chat_message(role):
            st.markdown(message.content)


def render_quick_replies(
    question: Question, key_prefix: str, *, recommended_already: bool = False
) -> None:
    """Buttons for the suggested answers, the default marked with its reason; Skip / Recommend now."""
    with st.container(key=f"quick-replies-{key_prefix}"):
        if question.why:
            st.caption(f"Why this matters: {question.why}")
        recommended = next((o for o in question.options if o.recommended), None)
        with st.container(horizontal=True, gap="small"):
            for index, option in enumerate(question.options):
                st.button(
                    option.label,
                    key=f"qr-{key_prefix}-{index}" + ("-recommended" if option.recommended else ""),
                    icon=":material/star:" if option.recommended else None,
                    type="primary" if option.recommended else "secondary",
                    help=option.reason if option.recommended else None,
                    on_click=state.queue,
                    args=(state.Action("send", text=option.label),),
                )
        if recommended is not None and recommended.reason:
            st.caption(
                f":material/star: Suggested default: **{recommended.label}** — {recommended.reason}"
            )
        # Skip only makes sense for profile questions, and only once (the agent may offer it).
        offers_skip = question.field not in Profile.model_fields or any(
            o.label.lower().startswith("skip") for o in question.options
        )
        with st.container(horizontal=True, gap="small"):
            if not offers_skip:
                st.button(
                    "Skip",
                    key=f"skip-{key_prefix}",
                    type="tertiary",
                    icon=":material/skip_next:",
                    help="Leave this unknown; a stated default is assumed.",
                    on_click=state.queue,
                    args=(state.Action("skip"),),
                )
            if not recommended_already:
                st.button(
                    "Recommend now",
                    key=f"recommend-{key_prefix}",
                    type="tertiary",
                    icon=":material/target:",
                    help="Stop asking and decide with what is known (unknowns become assumptions).",
                    on_click=state.queue,
                    args=(state.Action("recommend_now"),),
                )


def action_text(action: state.Action) -> str:
    """What the user bubble shows for a chat action."""
    return action.text if action.kind == "send" else ACTION_TEXT.get(action.kind, action.kind)


def _call(advisor: AdvisorAPI, session_id: str, action: state.Action) -> TurnResult:
    if action.kind == "skip":
        return advisor.skip(session_id)
    if action.kind == "recommend_now":
        return advisor.recommend_now(session_id)
    return advisor.send(session_id, action.text)


def _stream_source(advisor: AdvisorAPI) -> Callable[[str, str], Iterator[object]] | None:
    """The Advisor's streaming send, when it offers one (LLM mode)."""
    fn = getattr(advisor, "send_stream", None)
    return fn if callable(fn) else None


def run_turn(
    advisor: AdvisorAPI, session_id: str | None, action: state.Action, *, stream: bool
) -> TurnResult | None:
    """Show the user's message, run the turn with a status indicator, show the reply.

    A new session is created on the first message. Errors are shown in place with
    the user's text kept, so nothing typed is lost.
    """
    text = action_text(action)
    with st.chat_message("user"):
        st.markdown(text)
    with st.chat_message("assistant"):
        try:
            if session_id is None:
                session_id = advisor.new_session()
                state.open_session(session_id)
            streamer = _stream_source(advisor) if stream and action.kind == "send" else None
            if streamer is not None:
                result = _stream_turn(streamer, session_id, action.text)
            else:
                label = (
                    "Searching the knowledge base and deciding…"
                    if action.kind == "recommend_now"
                    else "Reading your answer…"
                )
                with st.status(label, expanded=False) as status:
                    result = _call(advisor, session_id, action)
                    status.update(label="Done", state="complete")
                st.markdown(result.reply)
        except Exception as exc:  # shown to the user; the session itself is unchanged
            log.exception("turn failed")
            st.error(f"Sorry, that did not work: {exc}. Your message is kept below; try again.")
            st.code(text, language=None)
            return None
        for notice in result.notices:
            st.caption(f":material/info: {notice}")
    return result


def _stream_turn(
    streamer: Callable[[str, str], Iterator[object]], session_id: str, text: str
) -> TurnResult:
    """Render text chunks as they arrive; the stream ends with the TurnResult."""
    final: list[TurnResult] = []

    def chunks() -> Iterator[str]:
        for item in streamer(session_id, text):
            if isinstance(item, TurnResult):
                final.append(item)
            else:
                yield str(item)

    st.write_stream(chunks())
    if not final:
        raise RuntimeError("the reply stream ended without a result")
    return final[0]
