"""The interview as a LangGraph ``StateGraph``.

One user turn is one graph run: the graph waits in ``ask`` (an ``interrupt()``)
and the service resumes it with ``Command(resume=turn_input)``. The run flows

    understand_message -> update_profile -> (choose_question | recommend | apply_change
    | retrieve_guidance | produce_scaffold | ask)

and always ends back in ``ask``, where the checkpoint is written. A process
killed mid-turn therefore loses at most that turn.

``graph`` (no checkpointer) is what ``langgraph.json`` exposes to LangGraph
Studio / ``langgraph dev``, which supply their own persistence; the service uses
:func:`build_graph` with the SQLite or Postgres checkpointer.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from agent import nodes
from agent.state import AdvisorContext, AdvisorState


def route_after_understanding(
    state: AdvisorState,
) -> Literal["update_profile", "produce_scaffold", "ask"]:
    """Invalid turns go straight back to the question; path choices to the scaffold."""
    intent = state.get("intent")
    if intent == "invalid":
        return "ask"
    if intent == "choose_path":
        return "produce_scaffold"
    return "update_profile"


def route_after_update(
    state: AdvisorState,
) -> Literal["choose_question", "recommend", "apply_change", "retrieve_guidance"]:
    """Before the first recommendation keep interviewing; after it, follow up or re-decide."""
    intent = state.get("intent")
    if state.get("done"):
        if intent == "followup":
            return "retrieve_guidance"
        if intent == "recommend_now":
            return "recommend"
        if state.get("findings"):
            return "apply_change"
        return "retrieve_guidance"
    if intent == "recommend_now":
        return "recommend"
    return "choose_question"


def route_after_question(state: AdvisorState) -> Literal["ask", "recommend"]:
    """No question left worth asking (or the cap is reached): recommend."""
    return "ask" if state.get("pending_question") else "recommend"


def build_graph(checkpointer: Any = None) -> Any:
    """Compile the interview graph with the given LangGraph checkpointer (or none)."""
    builder = StateGraph(AdvisorState, context_schema=AdvisorContext)
    builder.add_node("understand_message", nodes.understand_message)
    builder.add_node("update_profile", nodes.update_profile)
    builder.add_node("choose_question", nodes.choose_question)
    builder.add_node("ask", nodes.ask)
    builder.add_node("retrieve_guidance", nodes.retrieve_guidance)
    builder.add_node("answer_followup", nodes.answer_followup)
    builder.add_node("recommend", nodes.recommend)
    builder.add_node("explain", nodes.explain)
    builder.add_node("offer_scaffold", nodes.offer_scaffold)
    builder.add_node("apply_change", nodes.apply_change)
    builder.add_node("produce_scaffold", nodes.produce_scaffold)

    builder.add_edge(START, "understand_message")
    builder.add_conditional_edges("understand_message", route_after_understanding)
    builder.add_conditional_edges("update_profile", route_after_update)
    builder.add_conditional_edges("choose_question", route_after_question)
    builder.add_edge("recommend", "explain")
    builder.add_edge("explain", "offer_scaffold")
    builder.add_edge("offer_scaffold", "ask")
    builder.add_edge("retrieve_guidance", "answer_followup")
    builder.add_edge("answer_followup", "ask")
    builder.add_edge("apply_change", "ask")
    builder.add_edge("produce_scaffold", "ask")
    builder.add_edge("ask", "understand_message")
    # END is unreachable by design (the conversation goes on); kept for Studio's drawing.
    _ = END
    return builder.compile(checkpointer=checkpointer, name="advisor")


#: The compiled graph for ``langgraph.json`` / LangGraph Studio (platform-managed persistence).
graph = build_graph()
