"""The decision report: Markdown (and simple HTML) a PM can hand to their boss.

Structure follows the brief's documentation advice: goals, methods (what was asked
and considered), key results (scores, costs, evidence), recommendation and next
steps, assumptions, and sources. The output depends only on its inputs (no clock),
so the same profile always gives the same report.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from agent.costs import assumption_sources, load_prices
from agent.decision.sensitivity import label
from agent.profile import APPROACH_LABELS, DECISION_FIELDS, Profile
from agent.recommendation import Recommendation

_NEXT_STEPS: dict[str, list[str]] = {
    "prompt_engineering": [
        "Write 20-50 evaluation cases from the success criteria and sample questions.",
        "Build the prompt (instructions, a few examples, chain-of-thought where reasoning matters) and measure it.",
        "If the whole corpus fits in the context window, put it in the prompt and enable prompt caching.",
        "Revisit RAG or fine-tuning only if the evals show a gap prompting cannot close.",
    ],
    "rag": [
        "Collect the document sources and name an owner for each.",
        "Index them (chunk, embed) and measure retrieval hit rate on the sample questions.",
        "Answer with the retrieved passages and show citations; measure answer quality on the eval set.",
        "Automate re-indexing at the rate the data changes.",
    ],
    "fine_tuning": [
        "Freeze the prompting baseline and its eval scores; they are what the tuned model must beat.",
        "Clean the labelled examples into JSONL chat format (start with about 50 well-crafted ones, then scale); hold out a test split.",
        "Tune on a host that will stay available (Azure AI Foundry, Vertex AI or an open-weight model with LoRA).",
        "Compare with the baseline on the held-out evals before rolling out; plan retraining.",
    ],
}


def _cell(value: object) -> str:
    """Markdown-table-safe text: no pipes or newlines from user input."""
    text = "unknown" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _line(value: object) -> str:
    return " ".join(str(value).split())


def _money(x: float) -> str:
    return f"${x:,.0f}" if x >= 100 else f"${x:,.2f}"


def render_markdown(
    profile: Profile,
    rec: Recommendation,
    *,
    questions_asked: Sequence[str] | None = None,
    title: str | None = None,
    generated_at: str | None = None,
) -> str:
    """The decision report as Markdown. Deterministic for the same inputs."""
    name = label(rec.approach, list(rec.components))
    out: list[str] = [f"# {_line(title or 'LLM approach decision report')}", ""]
    if generated_at:
        out += [f"_Generated {_line(generated_at)}_", ""]

    out += ["## Goals", ""]
    out.append(f"- **Product:** {_line(profile.product_summary or 'not described')}")
    if profile.domain:
        out.append(f"- **Domain:** {_line(profile.domain)}")
    if profile.success_criteria:
        out.append("- **Success criteria:**")
        out += [f"  - {_line(c)}" for c in profile.success_criteria]
    else:
        out.append("- **Success criteria:** not stated yet; define them before building (they become the evals).")
    if profile.sample_questions:
        out.append("- **Sample user requests:**")
        out += [f"  - {_line(q)}" for q in profile.sample_questions]
    out.append("")

    out += ["## Methods", ""]
    out.append(
        "The advisor interviewed the product owner about the factors the public guides agree on "
        "(the brief's three questions - niche or broad, static or dynamic data, simple or complex "
        "interactions - plus facts versus behaviour, corpus size, labelled examples, volume, latency, "
        "privacy, budget, skills and timeline) and scored prompt engineering, RAG and fine-tuning "
        "with a transparent rules table."
    )
    out.append("")
    if questions_asked:
        out.append("Questions asked:")
        out.append("")
        out += [f"1. {_line(q)}" for q in questions_asked]
        out.append("")
    out += ["| Factor | Answer |", "|---|---|"]
    for field in DECISION_FIELDS:
        out.append(f"| {field} | {_cell(getattr(profile, field))} |")
    out.append("")

    out += ["## Key results", "", "### Scores", "", "| Approach | Score |", "|---|---|"]
    for approach, value in rec.scores.items():
        out.append(f"| {APPROACH_LABELS[approach]} | {value:g} |")
    out += ["", f"Confidence: **{rec.confidence:.2f}**", "", "### Evidence", ""]
    out += ["| Factor | Approach | Weight | Effect | Source |", "|---|---|---|---|---|"]
    for ev in rec.evidence:
        out.append(
            f"| {_cell(ev.factor)} | {APPROACH_LABELS[ev.approach]} | {ev.weight:+g} | "
            f"{_cell(ev.effect)} | {_cell(ev.source)} |"
        )
    out += ["", "### Costs (estimates)", ""]
    out += ["| Option | Monthly | One-off | First version |", "|---|---|---|---|"]
    for est in rec.costs:
        out.append(
            f"| {APPROACH_LABELS[est.approach]} | {_money(est.monthly_usd)} | "
            f"{_money(est.one_off_usd)} | {_cell(est.time_to_first_version_weeks)} |"
        )
    out.append("")
    for est in rec.costs:
        if est.approach not in (rec.approach, *rec.components):
            continue
        out += [f"Arithmetic for {APPROACH_LABELS[est.approach]}:", ""]
        for line in est.monthly_lines:
            out.append(f"- monthly - {_line(line.item)}: {_money(line.amount_usd)} = {_line(line.formula)}")
        for line in est.one_off_lines:
            out.append(f"- one-off - {_line(line.item)}: {_money(line.amount_usd)} = {_line(line.formula)}")
        out.append("")
    out += ["### Trade-offs", "", "| Option | Cost | Time | Skills | Scalability | Maintenance | Freshness | Risks |",
            "|---|---|---|---|---|---|---|---|"]
    for t in rec.trade_offs:
        out.append(
            f"| {APPROACH_LABELS[t.approach]} | {_cell(t.cost)} | {_cell(t.time_to_first_version)} | "
            f"{_cell(t.skills)} | {_cell(t.scalability)} | {_cell(t.maintenance)} | "
            f"{_cell(t.data_freshness)} | {_cell(t.risks)} |"
        )
    out.append("")

    out += ["## Recommendation and next steps", "", f"**{name}.** {_line(rec.summary)}", ""]
    steps: list[str] = []
    for component in rec.components:
        steps += _NEXT_STEPS.get(component, [])
    if rec.approach == "hybrid" and "rag" in rec.components:
        steps.insert(0, "Ship the RAG part first on a prompting baseline; add the tuned model when evals show the behaviour gap.")
    elif rec.approach == "hybrid":
        steps.insert(0, "Ship the long prompt with the reference material first; add the tuned model when evals show the behaviour gap.")
    out += [f"{i}. {_line(s)}" for i, s in enumerate(dict.fromkeys(steps), start=1)]
    out.append("")
    if rec.what_would_change_it:
        out += ["What would change it:", ""]
        out += [f"- {_line(s.explanation)}" for s in rec.what_would_change_it[:12]]
        out.append("")
    if rec.stakeholder_plan:
        out += ["Who does what:", ""]
        for task in rec.stakeholder_plan:
            out.append(f"- **{_line(task.role)}:** " + " ".join(_line(r) for r in task.responsibilities))
        out.append("")
    if rec.notices:
        out += ["Notices:", ""] + [f"- {_line(n)}" for n in rec.notices] + [""]

    out += ["## Assumptions", ""]
    if rec.assumptions:
        out += [f"- **{a.field}** = {_cell(a.assumed)}: {_line(a.reason)}" for a in rec.assumptions]
    else:
        out.append("- Every decision factor was answered.")
    notes = rec.costs[0].notes if rec.costs else []
    out += [f"- {_line(n)}" for n in notes]
    out.append("")

    out += ["## Sources", ""]
    sources = sorted({ev.source for ev in rec.evidence if ev.source})
    out += [f"- {_line(s)}" for s in sources]
    for c in rec.citations:
        out.append(f"- Knowledge base: {_line(c.source)} - {_line(c.heading)} (for {_line(c.factor or 'the decision')})")
    table = load_prices()
    out.append(f"- Prices as of {table.as_of}:")
    for key, amount, origin in assumption_sources(table):
        if key in table.prices:
            out.append(f"  - {key}: {_line(amount)} - {_line(origin)}")
    out.append("")
    return "\n".join(out)


_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])_(.+?)_(?!\w)"), r"<em>\1</em>"),
]


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=True)
    for rx, repl in _INLINE:
        escaped = rx.sub(repl, escaped)
    return escaped


def markdown_to_html(markdown: str, *, title: str = "LLM approach decision report") -> str:
    """Convert the report's small Markdown subset to HTML, escaping every piece of text."""
    body: list[str] = []
    lines = markdown.splitlines()
    i = 0
    list_tag: str | None = None

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            body.append(f"</{list_tag}>")
            list_tag = None

    while i < len(lines):
        line = lines[i]
        if line.startswith("|") and i + 1 < len(lines) and re.fullmatch(r"\|(?:-+\|)+", lines[i + 1]):
            close_list()
            cells = _split_row(line)
            body.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in cells) + "</tr></thead><tbody>")
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                body.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _split_row(lines[i])) + "</tr>")
                i += 1
            body.append("</tbody></table>")
            continue
        heading = re.match(r"(#{1,3}) (.*)", line)
        item = re.match(r"(\s*)(?:- |(\d+)\. )(.*)", line)
        if heading:
            close_list()
            level = len(heading.group(1))
            body.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif item:
            tag = "ol" if item.group(2) else "ul"
            if list_tag != tag:
                close_list()
                body.append(f"<{tag}>")
                list_tag = tag
            body.append(f"<li>{_inline(item.group(3))}</li>")
        elif line.strip():
            close_list()
            body.append(f"<p>{_inline(line)}</p>")
        else:
            close_list()
        i += 1
    close_list()
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}"
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.replace("\\|", "|").strip() for c in cells]


def render_html(
    profile: Profile,
    rec: Recommendation,
    *,
    questions_asked: Sequence[str] | None = None,
    title: str | None = None,
    generated_at: str | None = None,
) -> str:
    """The decision report as a standalone HTML page (all user text escaped)."""
    md = render_markdown(profile, rec, questions_asked=questions_asked, title=title,
                         generated_at=generated_at)
    return markdown_to_html(md, title=title or "LLM approach decision report")
