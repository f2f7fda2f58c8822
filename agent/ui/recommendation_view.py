"""The recommendation a PM can show their team: approach, scores, evidence, costs, plan."""

from __future__ import annotations

from typing import Any

import streamlit as st

from agent.recommendation import CostEstimate, Recommendation, RecommendationDiff
from agent.ui.labels import (
    approach_label,
    field_label,
    path_label,
    short_approach_label,
    usd,
    value_label,
)


def score_rows(rec: Recommendation) -> list[dict[str, Any]]:
    """Chart data: one row per base approach, marking the recommended components."""
    chosen: set[str] = set(rec.components) or {rec.approach}
    return [
        {
            "approach": short_approach_label(name),
            "score": round(score, 2),
            "role": "recommended" if name in chosen else "other",
        }
        for name, score in sorted(rec.scores.items(), key=lambda item: -item[1])
    ]


def score_chart(rec: Recommendation) -> Any:
    """Altair bar chart of scores per approach (Altair imported lazily)."""
    import altair as alt

    data = alt.Data(values=score_rows(rec))
    return (
        alt.Chart(data, height=alt.Step(34))
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X("score:Q", title="Score"),
            y=alt.Y("approach:N", sort="-x", title=None),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=["recommended", "other"], range=["#2f6f5e", "#c7cfd6"]),
                legend=None,
            ),
            tooltip=["approach:N", "score:Q", "role:N"],
        )
    )


def evidence_rows(rec: Recommendation) -> list[dict[str, Any]]:
    """Evidence table, strongest push first."""
    return [
        {
            "Factor": field_label(e.factor),
            "Approach": short_approach_label(e.approach),
            "Points": round(e.weight, 2),
            "Why": e.effect,
            "Source": e.source or "",
        }
        for e in sorted(rec.evidence, key=lambda e: -abs(e.weight))
    ]


def tradeoff_rows(rec: Recommendation) -> list[dict[str, Any]]:
    """Trade-off table, one row per option."""
    return [
        {
            "Option": approach_label(t.approach),
            "Cost": t.cost,
            "Time to first version": t.time_to_first_version,
            "Skills": t.skills,
            "Scalability": t.scalability,
            "Maintenance": t.maintenance,
            "Data freshness": t.data_freshness,
            "Risks": t.risks,
        }
        for t in rec.trade_offs
    ]


def cost_lines(cost: CostEstimate) -> list[dict[str, Any]]:
    """Cost table with the arithmetic for one option."""
    rows = [
        {"Kind": "monthly", "Item": line.item, "Amount": usd(line.amount_usd), "How": line.formula}
        for line in cost.monthly_lines
    ]
    rows += [
        {"Kind": "one-off", "Item": line.item, "Amount": usd(line.amount_usd), "How": line.formula}
        for line in cost.one_off_lines
    ]
    return rows


def diff_rows(diff: RecommendationDiff) -> list[dict[str, Any]]:
    """Score changes per approach for the diff table."""
    return [
        {
            "Approach": short_approach_label(name),
            "Before": round(old, 2),
            "After": round(new, 2),
            "Change": round(new - old, 2),
        }
        for name, (old, new) in diff.score_changes.items()
    ]


def diff_headline(diff: RecommendationDiff) -> str:
    """One line: what changed and whether the recommendation moved."""
    changes = ", ".join(
        f"**{field_label(f)}** {value_label(old)} → {value_label(new)}"
        for f, (old, new) in diff.changed_fields.items()
    )
    before = path_label(diff.old_approach, list(diff.old_components)) if diff.old_approach else None
    after = path_label(diff.new_approach, list(diff.new_components))
    if diff.approach_changed and before:
        outcome = f"The recommendation changed: **{before} → {after}**."
    else:
        outcome = f"The recommendation stays **{after}**."
    return f"{'You changed ' + changes + '. ' if changes else ''}{outcome}"


def render_diff(diff: RecommendationDiff) -> None:
    """A clear box with what changed against the previous recommendation."""
    with st.container(border=True, key="recommendation-diff"):
        st.markdown("#### :material/compare_arrows: What changed")
        if diff.approach_changed:
            st.warning(diff_headline(diff), icon=":material/alt_route:")
        else:
            st.success(diff_headline(diff), icon=":material/check:")
        if diff.summary:
            st.markdown(diff.summary)
        rows = diff_rows(diff)
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")
        if diff.cost_changes:
            st.caption(
                "Monthly cost: "
                + "; ".join(
                    f"{approach_label(a)} {usd(old)} → {usd(new)}"
                    for a, (old, new) in diff.cost_changes.items()
                )
            )


def render(rec: Recommendation, diff: RecommendationDiff | None = None) -> None:
    """The full recommendation with its evidence, costs, plan and sources."""
    with st.container(key="recommendation"):
        st.markdown(
            f"## :material/explore: Recommended: {path_label(rec.approach, list(rec.components))}"
        )
        cols = st.columns([1, 2])
        cols[0].metric("Confidence", f"{rec.confidence:.0%}")
        with cols[1]:
            if rec.summary:
                st.markdown(rec.summary)
        if diff is not None:
            render_diff(diff)
        if rec.scores:
            st.altair_chart(score_chart(rec), width="stretch")
        for notice in rec.notices:
            st.caption(f":material/info: {notice}")
        tabs = st.tabs(
            ["Why", "Trade-offs", "Costs", "Team plan", "What would change it", "Sources"]
        )
        with tabs[0]:
            _render_why(rec)
        with tabs[1]:
            if rec.trade_offs:
                st.dataframe(tradeoff_rows(rec), hide_index=True, width="stretch")
            else:
                st.caption("No trade-offs were computed.")
        with tabs[2]:
            _render_costs(rec)
        with tabs[3]:
            _render_plan(rec)
        with tabs[4]:
            _render_sensitivity(rec)
        with tabs[5]:
            _render_citations(rec)


def _render_why(rec: Recommendation) -> None:
    if rec.evidence:
        st.dataframe(evidence_rows(rec), hide_index=True, width="stretch")
    else:
        st.caption("No evidence recorded.")
    if rec.assumptions:
        st.markdown("**Assumptions** (answer these to firm up the result)")
        for a in rec.assumptions:
            st.markdown(
                f"- :orange[:material/lightbulb:] {field_label(a.field)}: **{value_label(a.assumed)}** — {a.reason}"
            )


def _render_costs(rec: Recommendation) -> None:
    if not rec.costs:
        st.caption("No cost estimate yet: tell me the expected requests per month.")
        return
    st.dataframe(
        [
            {
                "Option": approach_label(c.approach),
                "Monthly": usd(c.monthly_usd),
                "One-off": usd(c.one_off_usd),
                "First version": c.time_to_first_version_weeks,
                "Skills": ", ".join(c.skills_needed),
            }
            for c in rec.costs
        ],
        hide_index=True,
        width="stretch",
    )
    for cost in rec.costs:
        with st.expander(f"Arithmetic: {approach_label(cost.approach)}"):
            lines = cost_lines(cost)
            if lines:
                st.dataframe(lines, hide_index=True, width="stretch")
            for note in cost.notes:
                st.caption(note)


def _render_plan(rec: Recommendation) -> None:
    if not rec.stakeholder_plan:
        st.caption("No stakeholder plan yet.")
        return
    for task in rec.stakeholder_plan:
        st.markdown(f"**{task.role}**")
        st.markdown("\n".join(f"- {r}" for r in task.responsibilities))


def _render_sensitivity(rec: Recommendation) -> None:
    if not rec.what_would_change_it:
        st.caption("No single answer would change this recommendation.")
        return
    for s in rec.what_would_change_it:
        now = value_label(s.current) if s.current is not None else "unknown"
        st.markdown(
            f"- If **{field_label(s.field)}** were **{value_label(s.value)}** (now {now}): "
            f"**{path_label(s.new_approach, list(s.new_components))}** — {s.explanation}"
        )


def _render_citations(rec: Recommendation) -> None:
    if not rec.citations:
        st.caption("No knowledge-base passages were retrieved for this recommendation.")
        return
    for c in rec.citations:
        title = f"{c.source} — {c.heading}" if c.heading else c.source
        with st.expander(title + (f" (for {field_label(c.factor)})" if c.factor else "")):
            st.markdown(c.text)
            st.caption(f"Relevance {c.score:.2f}")
