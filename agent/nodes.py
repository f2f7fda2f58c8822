"""The interview graph's nodes: small verb-named functions returning only changed keys.

Every node reads the checkpointed :class:`~agent.state.AdvisorState` and the
never-persisted :class:`~agent.state.AdvisorContext` (settings and LLM seam,
passed by LangGraph as ``runtime.context``). Nodes never raise on a broken LLM,
retrieval or decision input: they fall back and add a visible notice.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import interviewer
from agent.config import get_settings
from agent.profile import (
    APPROACH_LABELS,
    BASE_APPROACHES,
    DECISION_FIELDS,
    Profile,
    ProfileError,
)
from agent.recommendation import Assumption, Recommendation
from agent.state import AdvisorContext, AdvisorState, FieldEvidence, Intent, Message, TurnInput

log = logging.getLogger(__name__)

APPROACHES = ("prompt_engineering", "rag", "fine_tuning", "hybrid")
#: Words that name an approach in free text ("let's scaffold the RAG one").
_APPROACH_WORDS = {
    "prompt_engineering": r"prompt(?:ing| engineering)?",
    "rag": r"rag|retrieval",
    "fine_tuning": r"fine[- ]?tun(?:e|ing)",
    "hybrid": r"hybrid",
}
_CHOOSE_PATH = re.compile(
    r"\b(scaffold|starter|build|go with|pick|choose|let'?s do|use)\b", re.IGNORECASE
)


# --------------------------------------------------------------------------- helpers


def _context(runtime: Runtime[AdvisorContext] | None) -> AdvisorContext:
    ctx = getattr(runtime, "context", None) if runtime is not None else None
    if isinstance(ctx, AdvisorContext):
        if ctx.settings is None:
            ctx.settings = get_settings()
        return ctx
    return AdvisorContext(settings=get_settings(), llm=None)


def _profile(state: AdvisorState) -> Profile:
    return Profile.model_validate(state.get("profile") or {})


def _say(text: str) -> list[Message]:
    return [{"role": "assistant", "content": text}]


def usage_snapshot(llm: Any) -> dict[str, int]:
    """Token counters of an LLM object (dict, pydantic model or plain attributes)."""
    if llm is None:
        return {}
    usage = getattr(llm, "usage", None)
    if usage is None:
        return {}
    if hasattr(usage, "model_dump"):
        usage = usage.model_dump()
    elif not isinstance(usage, dict):
        usage = {
            k: getattr(usage, k)
            for k in ("prompt_tokens", "completion_tokens", "total_tokens", "requests")
            if hasattr(usage, k)
        }
    return {str(k): int(v) for k, v in usage.items() if isinstance(v, int | float)}


def _usage_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


#: Key of the custom stream events that carry reply text as it is produced.
REPLY_DELTA = "reply_delta"


def _stream_to(runtime: Runtime[AdvisorContext] | None, ctx: AdvisorContext) -> Any:
    """The run's stream writer when this turn streams its reply, else None."""
    if not ctx.stream or runtime is None:
        return None
    return getattr(runtime, "stream_writer", None)


def _phrase(result: Any, writer: Any, prefix: str = "") -> str:
    """The final text of a phrasing result, sending its pieces to ``writer`` as they arrive.

    ``prefix`` (an acknowledgement line) is sent first so that the streamed text and
    the stored message read the same.
    """
    if writer is None or not hasattr(result, "__iter__"):
        return str(getattr(result, "text", result) or "")
    if prefix:
        writer({REPLY_DELTA: prefix})
    for piece in result:
        if piece:
            writer({REPLY_DELTA: piece})
    return str(getattr(result, "text", "") or "")


def _rec(data: dict[str, Any] | None) -> Recommendation | None:
    return Recommendation.model_validate(data) if data else None


def _evidence(
    value: Any,
    span: str | None,
    confidence: float | None,
    status: Literal["known", "assumed", "inferred"] = "known",
) -> FieldEvidence:
    return {
        "value": value,
        "span": span,
        "confidence": confidence,
        "status": status,
    }


def understand_text(
    text: str, profile: Profile, ctx: AdvisorContext, asked_field: str | None = None
) -> tuple[dict[str, FieldEvidence], list[str], str, dict[str, int]]:
    """Read free text into field findings: LLM understanding when present, else offline.

    Returns (findings, notices, mode, usage delta).
    """
    before = usage_snapshot(ctx.llm)
    notices: list[str] = []
    mode = "offline"
    try:
        try:
            from agent.understand import understand
        except ImportError:
            understand = None  # type: ignore[assignment]
        if understand is not None:
            result = understand(
                text, profile, llm=ctx.llm, settings=ctx.settings, asked_field=asked_field
            )
            extraction = result.extraction
            mode = "llm" if getattr(result, "mode", "offline") == "llm" else "offline"
            notices.extend(getattr(result, "notices", []) or [])
        else:
            from agent.extract import extract

            extraction = extract(text, profile)
        contradictions = list(getattr(extraction, "contradictions", []) or [])
        notices.extend(contradictions)
        findings: dict[str, FieldEvidence] = {}
        for field, finding in (getattr(extraction, "findings", {}) or {}).items():
            if field not in Profile.model_fields:
                continue
            findings[field] = _evidence(
                getattr(finding, "value", None),
                getattr(finding, "span", None),
                getattr(finding, "confidence", None),
                "inferred" if getattr(finding, "basis", None) else "known",
            )
    except Exception as exc:  # understanding must never break the turn
        log.warning("understanding failed: %s", exc)
        findings = {}
        notices.append(
            "I could not read that message automatically; please answer the question directly."
        )
    return findings, notices, mode, _usage_delta(before, usage_snapshot(ctx.llm))


#: Answers this short that parse as the asked field's value are taken as typed.
TYPED_ANSWER_WORDS = 4

#: Fewer words than this is a reply or a greeting ("hi", "rag"), not a product description.
MIN_SUMMARY_WORDS = 3
#: A text this short that states a decision fact ("Our budget is medium.") is an answer.
ANSWER_MAX_WORDS = 8
#: Text that talks to the assistant instead of about the product (prompt injection).
_INSTRUCTIONS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|my|of)\s+)*"
    r"(?:(?:previous|prior|above|earlier|preceding|system)\s+)?"
    r"(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\bsystem prompt\b|\byou are (?:now|no longer)\b|\bjailbreak",
    re.IGNORECASE,
)


def describes_product(text: str, findings: dict[str, FieldEvidence] | None = None) -> bool:
    """Whether ``text`` can stand as the product summary.

    Not a one- or two-word reply, not instructions to the assistant, and not a short
    answer whose content is a decision fact found in the same message.
    """
    words = re.findall(r"[^\W_]+", text)
    if len(words) < MIN_SUMMARY_WORDS or _INSTRUCTIONS.search(text):
        return False
    states_a_fact = any(field in DECISION_FIELDS for field in findings or {})
    return not (states_a_fact and len(words) < ANSWER_MAX_WORDS)


def _screen_summary(findings: dict[str, FieldEvidence], profile: Profile) -> None:
    """Keep a summary finding only when there is none yet and it describes the product.

    The first description the user gives stays (later answers and follow-ups are not
    summaries); a greeting, a bare answer or an injection never takes the place, so a
    real description later still can. An explicit edit goes through ``set_field``.
    """
    found = findings.get("product_summary")
    if found is None:
        return
    if profile.product_summary or not describes_product(str(found.get("value") or ""), findings):
        del findings["product_summary"]


def _typed_answer(field: str | None, text: str) -> FieldEvidence | None:
    """A short reply that is itself a value of the asked field ("12", "yes", "dynamic")."""
    from agent.profile import field_type

    if field is None or len(text.split()) > TYPED_ANSWER_WORDS:
        return None
    if field_type(field) not in ("bool", "int", "enum"):
        return None
    return _coerced_answer(field, text)


def _coerced_answer(field: str, text: str) -> FieldEvidence | None:
    """The reply read as a value of ``field`` (as the question's own parser reads it), or None."""
    try:
        value = interviewer.coerce_field_value(field, text)
    except ProfileError:
        return None
    return _evidence(value, text, 0.9)


def _approach_in(text: str) -> str | None:
    for approach, pattern in _APPROACH_WORDS.items():
        if re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
            return approach
    return None


# --------------------------------------------------------------------------- nodes


def understand_message(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Record the user's message and classify it; free text is read into findings."""
    ctx = _context(runtime)
    incoming: TurnInput = state.get("incoming") or {"text": "", "action": "message"}
    text = str(incoming.get("text") or "")
    action = incoming.get("action") or "message"
    profile = _profile(state)
    pending = state.get("pending_question") or None
    done = bool(state.get("done"))
    out: dict[str, Any] = {
        "messages": [{"role": "user", "content": text}],
        "notices": [],
        "findings": {},
        "turn": int(state.get("turn") or 0) + 1,
    }
    if not state.get("title"):
        out["title"] = (text[:60] + "…") if len(text) > 60 else text

    def result(intent: Intent, **extra: Any) -> dict[str, Any]:
        out.update(extra)
        out["intent"] = intent
        return out

    if action == "recommend_now" or (
        action == "message" and interviewer.wants_recommendation(text)
    ):
        return result("recommend_now")

    pending_field = pending.get("field") if pending else None
    if action == "skip" or (action == "message" and interviewer.is_skip(text)):
        if pending_field in interviewer.TEMPLATES:
            value, reason = interviewer.recommended_default(pending_field, profile)
            return result(
                "skip", findings={pending_field: _evidence(value, reason, None, "assumed")}
            )
        return result("describe")

    if action == "set_field":
        field = str(incoming.get("field") or "")
        try:
            value = interviewer.coerce_field_value(field, incoming.get("value"))
        except ProfileError as exc:
            return result(
                "invalid", messages=out["messages"] + _say(f"I could not change that: {exc}")
            )
        return result("set_field", findings={field: _evidence(value, text, 1.0)})

    if action == "choose_path":
        approach = str(incoming.get("approach") or "")
        if approach not in APPROACHES:
            return result(
                "invalid",
                messages=out["messages"]
                + _say(
                    f"'{approach}' is not an approach I can scaffold. Choose one of: {', '.join(APPROACHES)}."
                ),
            )
        return result("choose_path")

    # a plain message
    if pending:
        from agent.turn import QuickReply

        options = [QuickReply.model_validate(o) for o in pending.get("options", [])]
        chosen = interviewer.match_quick_reply(text, options)
        if chosen is not None:
            if pending_field == "scaffold_path":
                return result(
                    "choose_path",
                    incoming={**incoming, "action": "choose_path", "approach": chosen.value},
                )
            if chosen.value is None:
                value, reason = interviewer.recommended_default(str(pending_field), profile)
                return result(
                    "skip", findings={str(pending_field): _evidence(value, reason, None, "assumed")}
                )
            return result(
                "answer", findings={str(pending_field): _evidence(chosen.value, text, 1.0)}
            )

    if done and _CHOOSE_PATH.search(text) and (named := _approach_in(text)) and "?" not in text:
        return result(
            "choose_path", incoming={**incoming, "action": "choose_path", "approach": named}
        )

    # The field the open question is about lets understand() skip the LLM for a short
    # answer it reads confidently; a typed value ("12", "yes") needs no reading at all.
    asked_field = str(pending_field) if pending_field in Profile.model_fields else None
    typed = _typed_answer(asked_field, text)
    notices: list[str] = []
    usage: dict[str, int] = {}
    if asked_field is not None and typed is not None:
        findings, mode = {asked_field: typed}, "offline"
    else:
        findings, notices, mode, usage = understand_text(text, profile, ctx, asked_field)
    _screen_summary(findings, profile)
    out.update(notices=notices, mode=mode, usage=usage)
    # a typed answer like "12" or "yes" to the pending question
    coerced = (
        _coerced_answer(str(pending_field), text)
        if pending_field in interviewer.TEMPLATES and pending_field not in findings
        else None
    )
    if coerced is not None:
        findings[str(pending_field)] = coerced
    if done:
        current = profile.model_dump()
        changed = {f: e for f, e in findings.items() if current.get(f) != e["value"]}
        if changed and not text.rstrip().endswith("?"):
            return result("change", findings=changed)
        return result("followup")
    if pending_field in interviewer.TEMPLATES and pending_field not in findings and len(text) < 200:
        # no answer to the open question in that message: record the default openly
        value, reason = interviewer.recommended_default(str(pending_field), profile)
        findings[str(pending_field)] = _evidence(value, reason, None, "assumed")
        notices.append(
            f"I could not read an answer about {str(pending_field).replace('_', ' ')}, so I assumed "
            f"'{interviewer.describe_value(str(pending_field), value)}'. You can change it any time."
        )
    return result("describe", findings=findings)


def update_profile(state: AdvisorState) -> dict[str, Any]:
    """Apply this turn's findings to the profile and the per-field evidence."""
    findings = state.get("findings") or {}
    old = dict(state.get("profile") or {})
    profile = Profile.model_validate(old)
    notices = list(state.get("notices") or [])
    evidence: dict[str, FieldEvidence] = {}
    for field, found in findings.items():
        try:
            profile = Profile.model_validate({**profile.model_dump(), field: found["value"]})
        except Exception:
            notices.append(f"Ignored an invalid value for {field}: {found['value']!r}.")
            continue
        evidence[field] = found
    if profile.product_summary is None and state.get("intent") == "describe":
        # No summary finding (e.g. the LLM gave none): this message, if it describes the product.
        latest = next(
            (m["content"] for m in reversed(state.get("messages", [])) if m["role"] == "user"), ""
        )
        if len(latest) > 20 and describes_product(latest, findings):
            profile.product_summary = latest[:300]
    new = profile.model_dump(mode="json")
    out: dict[str, Any] = {
        "profile": new,
        "evidence": evidence,
        "notices": notices,
        "previous_profile": old,
    }
    return out


def choose_question(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Pick the most decision-relevant unknown field and phrase its question."""
    ctx = _context(runtime)
    profile = _profile(state)
    asked = list(state.get("questions_asked") or [])
    # Values inferred rather than stated are confirmed when they would decide something.
    unconfirmed = [
        name for name, found in (state.get("evidence") or {}).items()
        if isinstance(found, dict) and found.get("status") == "inferred"
    ]
    field = interviewer.choose_next_field(
        profile, asked, max_questions=int(ctx.settings.max_questions), unconfirmed=unconfirmed
    )
    if field is None:
        return {"pending_question": None}
    question = interviewer.build_question(field, profile)
    usage: dict[str, int] = {}
    notices = list(state.get("notices") or [])
    if ctx.llm is not None:
        before = usage_snapshot(ctx.llm)
        try:
            from agent.phrasing import phrase_question

            phrased = phrase_question(question, profile, llm=ctx.llm)
            text = getattr(phrased, "text", phrased)
            if isinstance(text, str) and text.strip():
                question = question.model_copy(update={"text": text.strip()})
            notices.extend(getattr(phrased, "notices", []) or [])
        except Exception as exc:  # phrasing is decoration: keep the template
            log.warning("question phrasing failed: %s", exc)
        usage = _usage_delta(before, usage_snapshot(ctx.llm))
    ack = _acknowledge(state)
    text = f"{ack}\n\n{question.text}" if ack else question.text
    return {
        "pending_question": question.model_dump(mode="json"),
        "questions_asked": asked + [field],
        "messages": _say(text),
        "usage": usage,
        "notices": notices,
    }


def _acknowledge(state: AdvisorState) -> str:
    """One line saying what this turn's message told us."""
    findings = state.get("findings") or {}
    parts = []
    for field, found in findings.items():
        if field not in interviewer.TEMPLATES:
            continue
        label = field.replace("_", " ")
        value = interviewer.describe_value(field, found["value"])
        parts.append(
            f"{label}: assumed {value}" if found["status"] == "assumed" else f"{label}: {value}"
        )
    return ("Noted — " + "; ".join(parts) + ".") if parts else ""


def ask(state: AdvisorState) -> dict[str, Any]:
    """Pause for the user's next message (LangGraph ``interrupt``); resume with it."""
    answer = interrupt({"question": state.get("pending_question")})
    if isinstance(answer, dict):
        incoming: TurnInput = {**answer}  # type: ignore[typeddict-item]
    else:
        incoming = {"text": str(answer), "action": "message"}
    return {"incoming": incoming}


def _citations_enabled(ctx: AdvisorContext) -> bool:
    return bool(ctx.with_citations)


def _decide(profile: Profile, ctx: AdvisorContext) -> tuple[Recommendation, list[str]]:
    """engine.recommend with citations, falling back to the bare decision with a notice."""
    from agent import engine

    try:
        rec = engine.recommend(
            profile, settings=ctx.settings, with_citations=_citations_enabled(ctx)
        )
        return rec, list(rec.notices)
    except Exception as exc:
        log.warning("recommend with citations failed: %s", exc)
        return engine.decide(profile), [
            f"Citations are unavailable right now ({exc.__class__.__name__})."
        ]


def _with_assumptions(rec: Recommendation, evidence: dict[str, FieldEvidence]) -> Recommendation:
    """Add the interview's own assumptions (skipped questions) to the recommendation."""
    have = {a.field for a in rec.assumptions}
    extra = [
        Assumption(
            field=f,
            assumed=e["value"],
            reason=f"You skipped this question. {e.get('span') or ''}".strip(),
        )
        for f, e in evidence.items()
        if e["status"] == "assumed" and f not in have
    ]
    return rec.model_copy(update={"assumptions": rec.assumptions + extra}) if extra else rec


def recommend(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Run the decision engine (with knowledge-base citations) on the profile."""
    ctx = _context(runtime)
    rec, notices = _decide(_profile(state), ctx)
    rec = _with_assumptions(rec, state.get("evidence") or {})
    old = state.get("recommendation")
    out: dict[str, Any] = {
        "recommendation": rec.model_dump(mode="json"),
        "done": True,
        "pending_question": None,
        "notices": list(state.get("notices") or [])
        + [n for n in notices if n not in (state.get("notices") or [])],
    }
    if old:
        out["previous_recommendation"] = old
    return out


def explain(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Say what we recommend and why (LLM prose when configured, else a template)."""
    ctx = _context(runtime)
    rec = _rec(state.get("recommendation"))
    assert rec is not None
    profile = _profile(state)
    text = ""
    usage: dict[str, int] = {}
    notices = list(state.get("notices") or [])
    ack = _acknowledge(state)
    writer = _stream_to(runtime, ctx)
    if ctx.llm is not None:
        before = usage_snapshot(ctx.llm)
        try:
            from agent.phrasing import explain_recommendation

            result = explain_recommendation(rec, profile, llm=ctx.llm, stream=writer is not None)
            text = _phrase(result, writer, f"{ack}\n\n" if ack else "")
            notices.extend(getattr(result, "notices", []) or [])
        except Exception as exc:
            log.warning("explanation failed: %s", exc)
            notices.append(
                "The language model could not phrase the explanation; showing the standard one."
            )
        usage = _usage_delta(before, usage_snapshot(ctx.llm))
    if not text.strip():
        text = explain_offline(rec)
    if ack:
        text = f"{ack}\n\n{text}"
    return {"messages": _say(text), "usage": usage, "notices": notices}


def explain_offline(rec: Recommendation) -> str:
    """The templated explanation: approach, confidence, top reasons, assumptions, flips."""
    label = APPROACH_LABELS.get(rec.approach, rec.approach)
    lines = [f"**Recommendation: {label}** (confidence {rec.confidence:.0%})."]
    if rec.approach == "hybrid" and rec.components:
        lines[0] += (
            " Components: " + " + ".join(APPROACH_LABELS.get(c, c) for c in rec.components) + "."
        )
    if rec.summary:
        lines.append(rec.summary)
    chosen: set[str] = set(rec.components) or {str(rec.approach)}
    top = sorted(
        (e for e in rec.evidence if e.approach in chosen and e.weight > 0), key=lambda e: -e.weight
    )[:3]
    if top:
        lines.append("Main reasons:\n" + "\n".join(f"- {e.effect}" for e in top))
    if rec.assumptions:
        lines.append(
            "Assumed (change any of these if wrong):\n"
            + "\n".join(
                f"- {a.field.replace('_', ' ')}: {interviewer.describe_value(a.field, a.assumed)}"
                for a in rec.assumptions[:6]
            )
        )
    if rec.what_would_change_it:
        flip = rec.what_would_change_it[0]
        lines.append(f"What would change it: {flip.explanation}")
    if rec.citations:
        lines.append("Sources: " + ", ".join(sorted({c.source for c in rec.citations})[:4]))
    return "\n\n".join(lines)


def offer_scaffold(state: AdvisorState) -> dict[str, Any]:
    """Offer to scaffold the recommended path (or any other) as quick replies."""
    rec = state.get("recommendation") or {}
    question = interviewer.path_question(rec)
    return {"pending_question": question.model_dump(mode="json"), "messages": _say(question.text)}


def retrieve_guidance(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Search the knowledge base for the user's follow-up question."""
    ctx = _context(runtime)
    question = str((state.get("incoming") or {}).get("text") or "")
    notices = list(state.get("notices") or [])
    passages: list[dict[str, Any]] = []
    try:
        from agent.retrieval import search

        passages = [p.model_dump(mode="json") for p in search(question, k=4, settings=ctx.settings)]
    except Exception as exc:
        log.warning("retrieval failed: %s", exc)
        notices.append(
            f"The knowledge base could not be searched ({exc.__class__.__name__}); answering without it."
        )
    return {"guidance": passages, "notices": notices}


def answer_followup(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Answer a follow-up from the retrieved passages, citing them."""
    ctx = _context(runtime)
    question = str((state.get("incoming") or {}).get("text") or "")
    passages_data = state.get("guidance") or []
    notices = list(state.get("notices") or [])
    usage: dict[str, int] = {}
    text = ""
    before = usage_snapshot(ctx.llm)
    writer = _stream_to(runtime, ctx) if ctx.llm is not None else None
    try:
        from agent.phrasing import answer_followup as phrase_answer
        from agent.retrieval import Passage

        passages = [Passage.model_validate(p) for p in passages_data]
        result = phrase_answer(
            question,
            passages,
            _profile(state),
            _rec(state.get("recommendation")),
            llm=ctx.llm,
            stream=writer is not None,
        )
        text = _phrase(result, writer)
        notices.extend(getattr(result, "notices", []) or [])
    except Exception as exc:
        log.warning("follow-up phrasing failed: %s", exc)
    usage = _usage_delta(before, usage_snapshot(ctx.llm))
    if not text.strip():
        text = answer_offline(question, passages_data)
    return {"messages": _say(text), "notices": notices, "usage": usage}


def answer_offline(question: str, passages: list[dict[str, Any]]) -> str:
    """A grounded extractive answer: the best passages, each with its source."""
    if not passages:
        return "I found nothing in the knowledge base about that. Try rephrasing, or ask about cost, freshness, data or skills."
    lines = ["From the knowledge base:"]
    for i, p in enumerate(passages[:3], start=1):
        snippet = re.sub(r"\s+", " ", str(p.get("text", ""))).strip()
        if len(snippet) > 320:
            snippet = snippet[:317].rsplit(" ", 1)[0] + "…"
        lines.append(f"[{i}] {snippet}")
    lines.append(
        "Sources: "
        + "; ".join(
            f"[{i}] {p.get('source')} — {p.get('heading')}"
            for i, p in enumerate(passages[:3], start=1)
        )
    )
    return "\n\n".join(lines)


def apply_change(state: AdvisorState, runtime: Runtime[AdvisorContext]) -> dict[str, Any]:
    """Re-run the decision on the changed profile and say what changed."""
    from agent import engine

    ctx = _context(runtime)
    old_profile = Profile.model_validate(state.get("previous_profile") or {})
    new_profile = _profile(state)
    old_rec = _rec(state.get("recommendation"))
    new_rec, notices = _decide(new_profile, ctx)
    new_rec = _with_assumptions(new_rec, state.get("evidence") or {})
    all_notices = list(state.get("notices") or []) + notices
    if old_rec is None:
        return {
            "recommendation": new_rec.model_dump(mode="json"),
            "done": True,
            "notices": all_notices,
        }
    diff = engine.diff_recommendations(old_profile, old_rec, new_profile, new_rec)
    diff_json = diff.model_dump(mode="json")
    return {
        "previous_recommendation": old_rec.model_dump(mode="json"),
        "recommendation": new_rec.model_dump(mode="json"),
        "diff": diff_json,
        "diff_history": [diff_json],
        "messages": _say(describe_diff(diff_json)),
        "notices": all_notices,
        "pending_question": interviewer.path_question(new_rec.model_dump(mode="json")).model_dump(
            mode="json"
        ),
    }


def describe_diff(diff: dict[str, Any]) -> str:
    """Old against new: changed answers, approach, scores and monthly costs."""
    lines = []
    changed = diff.get("changed_fields") or {}
    if changed:
        lines.append(
            "Updated: "
            + "; ".join(
                f"{f.replace('_', ' ')} {interviewer.describe_value(f, old)} → {interviewer.describe_value(f, new)}"
                for f, (old, new) in changed.items()
            )
            + "."
        )
    old_a, new_a = diff.get("old_approach"), diff.get("new_approach")
    old_l, new_l = (
        APPROACH_LABELS.get(str(old_a), str(old_a)),
        APPROACH_LABELS.get(str(new_a), str(new_a)),
    )
    if diff.get("approach_changed"):
        lines.append(f"**The recommendation changed: {old_l} → {new_l}.**")
    else:
        lines.append(f"The recommendation stays **{new_l}**.")
    scores = diff.get("score_changes") or {}
    if scores:
        lines.append(
            "Scores: "
            + ", ".join(
                f"{APPROACH_LABELS.get(a, a)} {o:.1f} → {n:.1f}" for a, (o, n) in scores.items()
            )
        )
    costs = diff.get("cost_changes") or {}
    if costs:
        lines.append(
            "Monthly cost: "
            + ", ".join(
                f"{APPROACH_LABELS.get(a, a)} ${o:,.0f} → ${n:,.0f}" for a, (o, n) in costs.items()
            )
        )
    return "\n\n".join(lines)


def produce_scaffold(state: AdvisorState) -> dict[str, Any]:
    """Record the chosen path; the zip itself is built on demand by the service."""
    incoming = state.get("incoming") or {}
    approach = str(incoming.get("approach") or "")
    rec = state.get("recommendation") or {}
    components: list[str] = [c for c in (incoming.get("components") or []) if c in BASE_APPROACHES]
    if not components:
        if approach == rec.get("approach"):
            components = list(rec.get("components") or [])
        elif approach == "hybrid":
            components = ["prompt_engineering", "rag"]
        else:
            components = [approach]
    label = APPROACH_LABELS.get(approach, approach)
    note = (
        "" if approach == rec.get("approach") else " (not the recommended path — that's your call)"
    )
    text = (
        f"Scaffolding the **{label}** starter{note}. Download the zip, or in the terminal use "
        f"`/scaffold {approach} --out DIR`. You can still ask questions or change answers."
    )
    return {
        "chosen_approach": approach,
        "chosen_components": components,
        "scaffold": {
            "approach": approach,
            "components": components,
            "turn": int(state.get("turn") or 0),
        },
        "messages": _say(text),
        "pending_question": interviewer.path_question(rec).model_dump(mode="json") if rec else None,
    }


def reply_empty_turn(state: AdvisorState) -> dict[str, Any]:
    """Nothing to apply (e.g. "skip" with no open question): repeat the open question."""
    pending = state.get("pending_question")
    text = pending.get("text") if pending else "Tell me about the feature you want to build."
    return {"messages": _say(str(text))}
