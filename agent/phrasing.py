"""Words for the user: questions, explanations and follow-up answers.

Each function has a deterministic templated path (used offline, and as the fallback)
and an LLM path grounded in what we pass it: the recommendation the scoring model
made and the retrieved passages, cited as [1], [2]. Untrusted text is fenced as
data (:mod:`agent.prompts`). Every LLM reply is checked before it is shown: a reply
that repeats the system prompt or contains a secret, that is empty, or that does
not state the decided approach is discarded and the template is used, with a notice.

Every function returns a :class:`Phrased` (``.text``, ``.mode``, ``.notices``,
``.usage``); with ``stream=True`` the explanation and follow-up answers return a
:class:`StreamedPhrase`, an iterator of text pieces whose ``.text`` is final once it
is exhausted (render ``.text`` again when ``.replaced`` is true).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from agent import prompts
from agent.config import get_settings
from agent.llm import LLM, LLMUnavailable, get_llm, redact, unavailable_notice, usage_delta
from agent.profile import APPROACH_LABELS, Profile
from agent.recommendation import Recommendation

log = logging.getLogger(__name__)

#: Passages the LLM sees per call, and the characters of each (token budget).
MAX_PASSAGES = 3
PASSAGE_CHARS = 320
#: Characters held back while streaming, so a leak is caught before it is shown.
STREAM_HOLDBACK = 200

_CITATION = re.compile(r"\[(\d{1,2})\]")


@dataclass
class Phrased:
    """Text for the user, how it was produced, and what it cost."""

    text: str
    mode: Literal["llm", "offline"] = "offline"
    notices: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


@dataclass
class PassageRef:
    """The parts of a retrieved passage (agent.retrieval.Passage, Citation or dict) we use."""

    text: str
    source: str
    heading: str

    @classmethod
    def of(cls, item: Any) -> PassageRef:
        if isinstance(item, dict):
            get: Callable[[str], Any] = item.get
        else:
            def get(name: str) -> Any:
                return getattr(item, name, None)
        return cls(
            text=str(get("text") or ""),
            source=str(get("source") or "unknown source"),
            heading=str(get("heading") or ""),
        )

    @property
    def label(self) -> str:
        return f"{self.source} — {self.heading}" if self.heading else self.source


def _refs(passages: Sequence[Any] | None, limit: int = MAX_PASSAGES) -> list[PassageRef]:
    return [PassageRef.of(p) for p in (passages or [])[:limit]]


def _snippet(text: str, limit: int) -> str:
    clean = re.sub(r"\s+", " ", re.sub(r"^#+\s.*$", "", text, flags=re.MULTILINE)).strip()
    if len(clean) <= limit:
        return clean
    cut = clean[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + "…"


def _sources_block(refs: list[PassageRef], numbers: Sequence[int] | None = None) -> str:
    chosen = numbers if numbers is not None else range(1, len(refs) + 1)
    lines = [f"[{n}] {refs[n - 1].label}" for n in chosen if 1 <= n <= len(refs)]
    return ("Sources:\n" + "\n".join(lines)) if lines else ""


def _clean_citations(text: str, count: int) -> tuple[str, list[int]]:
    """Drop [n] markers that point at no passage; return the text and the cited numbers."""
    cited: list[int] = []

    def keep(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if 1 <= number <= count:
            if number not in cited:
                cited.append(number)
            return match.group(0)
        return ""

    return _CITATION.sub(keep, text), sorted(cited)


def _label(approach: str) -> str:
    return APPROACH_LABELS.get(approach, approach.replace("_", " "))


_APPROACH_WORDS = {
    "prompt_engineering": ("prompt",),
    "rag": ("rag", "retrieval"),
    "fine_tuning": ("fine-tun", "fine tun", "finetun"),
    "hybrid": ("hybrid", "combin"),
}


def states_approach(text: str, rec: Recommendation) -> bool:
    """Does the prose name the approach the scoring model decided?"""
    lowered = text.lower()
    return any(word in lowered for word in _APPROACH_WORDS.get(rec.approach, (rec.approach,)))


def _secrets(llm: LLM) -> list[str]:
    return [*llm.secret_values(), *get_settings().secret_values()]


# -- offline templates ---------------------------------------------------------------------
def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value).replace("_", " ")


def explain_offline(rec: Recommendation, profile: Profile | None = None) -> str:
    """A readable, deterministic explanation with citations [n] and a source list."""
    refs = _refs(rec.citations, limit=4)
    label = _label(rec.approach)
    opening = f"**I recommend {label}** (confidence {rec.confidence:.0%})."
    if rec.approach == "hybrid" and rec.components:
        opening += " It combines " + " and ".join(_label(c) for c in rec.components) + "."
    if profile is not None and profile.product_summary:
        opening += f" This is for: {_snippet(profile.product_summary, 160)}"
    parts = [opening]
    if rec.summary:
        parts.append(rec.summary)
    reasons = [e for e in sorted(rec.evidence, key=lambda e: -abs(e.weight)) if e.effect][:4]
    if reasons:
        lines = []
        for evidence in reasons:
            marker = ""
            for number, ref in enumerate(refs, start=1):
                cite = rec.citations[number - 1]
                if (cite.factor and cite.factor == evidence.factor) or (
                    evidence.source and evidence.source == ref.source
                ):
                    marker = f" [{number}]"
                    break
            lines.append(f"- {evidence.effect.rstrip('.')}.{marker}")
        parts.append("The main reasons:\n" + "\n".join(lines))
    cost = next((c for c in rec.costs if c.approach == rec.approach), None)
    if cost is not None:
        parts.append(
            f"Expected cost: about ${cost.monthly_usd:,.0f} a month to run"
            + (f" plus ${cost.one_off_usd:,.0f} up front." if cost.one_off_usd else ".")
        )
    if rec.assumptions:
        assumed = "; ".join(
            f"{a.field.replace('_', ' ')} is {_value_words(a.assumed)}" for a in rec.assumptions[:3]
        )
        parts.append(f"Where you did not say, I assumed: {assumed}. Correct any of these if they are wrong.")
    if rec.what_would_change_it:
        parts.append("What would change it: " + rec.what_would_change_it[0].explanation)
    sources = _sources_block(refs)
    if sources:
        parts.append(sources)
    return "\n\n".join(parts)


def answer_offline(
    question: str, passages: Sequence[Any], rec: Recommendation | None = None
) -> str:
    """An extractive answer: the best passages, each cited, then the source list."""
    refs = _refs(passages)
    if not refs:
        return (
            "I found nothing in the knowledge base about that. Try asking about cost, data "
            "freshness, citations, skills or latency."
        )
    lines = ["Here is what the knowledge base says:"]
    for number, ref in enumerate(refs, start=1):
        lines.append(f"- {_snippet(ref.text, 300)} [{number}]")
    if rec is not None:
        lines.append(f"(Your current recommendation is {_label(rec.approach)}.)")
    return "\n".join(lines) + "\n\n" + _sources_block(refs)


# -- LLM message builders --------------------------------------------------------------------
def _recommendation_facts(rec: Recommendation) -> str:
    lines = [f"approach: {_label(rec.approach)}; confidence {rec.confidence:.0%}"]
    if rec.components and rec.approach == "hybrid":
        lines.append("components: " + ", ".join(_label(c) for c in rec.components))
    if rec.summary:
        lines.append("summary: " + _snippet(rec.summary, 300))
    for evidence in sorted(rec.evidence, key=lambda e: -abs(e.weight))[:4]:
        lines.append(f"reason: {evidence.effect}")
    for assumption in rec.assumptions[:3]:
        lines.append(f"assumed: {assumption.field}={_value_words(assumption.assumed)}")
    for flip in rec.what_would_change_it[:2]:
        lines.append(f"would change it: {_snippet(flip.explanation, 200)}")
    cost = next((c for c in rec.costs if c.approach == rec.approach), None)
    if cost is not None:
        lines.append(f"cost: ${cost.monthly_usd:,.0f}/month, ${cost.one_off_usd:,.0f} one-off")
    return "\n".join(lines)


def _passage_blocks(refs: list[PassageRef]) -> list[str]:
    return [
        prompts.fence(_snippet(ref.text, PASSAGE_CHARS), "passage", n=n, source=ref.label)
        for n, ref in enumerate(refs, start=1)
    ]


def explanation_messages(
    rec: Recommendation, profile: Profile | None, refs: list[PassageRef]
) -> list[dict[str, str]]:
    """System prompt + the decided recommendation, what we know, and the cited passages."""
    parts = [prompts.fence(_recommendation_facts(rec), "recommendation")]
    if profile is not None and (profile.product_summary or profile.domain):
        about = "; ".join(x for x in (profile.domain, profile.product_summary) if x)
        parts.append(prompts.fence(_snippet(about, 300), "known"))
    parts.extend(_passage_blocks(refs))
    return [
        {"role": "system", "content": prompts.EXPLANATION_SYSTEM},
        {"role": "user", "content": "\n".join(parts)},
    ]


def followup_messages(
    question: str, refs: list[PassageRef], rec: Recommendation | None
) -> list[dict[str, str]]:
    """System prompt + the passages + the question, fenced as data."""
    parts = []
    if rec is not None:
        parts.append(f"Current recommendation: {_label(rec.approach)}.")
    parts.extend(_passage_blocks(refs))
    parts.append(prompts.fence(question[:2000], "data"))
    return [
        {"role": "system", "content": prompts.FOLLOWUP_SYSTEM},
        {"role": "user", "content": "\n".join(parts)},
    ]


# -- running an LLM phrasing with checks and fallback ---------------------------------------
def _finish_prose(text: str, refs: list[PassageRef], secrets: list[str]) -> str:
    """Check a prose reply; return it with bad citations removed and sources appended."""
    text = text.strip()
    if not text:
        raise LLMUnavailable("empty reply")
    leak = prompts.leaks(text, secrets)
    if leak:
        raise LLMUnavailable(f"reply discarded: {leak}")
    text, cited = _clean_citations(text, len(refs))
    sources = _sources_block(refs, cited)
    return f"{text}\n\n{sources}" if sources else text


def _run(
    llm: LLM,
    messages: list[dict[str, str]],
    offline_text: str,
    fallback: str,
    finish: Callable[[str], str],
    max_tokens: int,
) -> Phrased:
    before = llm.usage_snapshot()
    try:
        text = finish(llm.complete(messages, max_tokens=max_tokens))
    except LLMUnavailable as exc:
        return Phrased(
            offline_text,
            "offline",
            [unavailable_notice(exc.reason, fallback)],
            usage_delta(before, llm.usage_snapshot()),
        )
    except Exception as exc:  # noqa: BLE001 - phrasing must never break a turn
        log.warning("LLM phrasing failed unexpectedly: %s", type(exc).__name__)
        return Phrased(
            offline_text,
            "offline",
            [unavailable_notice("unexpected error", fallback)],
            usage_delta(before, llm.usage_snapshot()),
        )
    return Phrased(text, "llm", [], usage_delta(before, llm.usage_snapshot()))


class StreamedPhrase:
    """Iterate to receive text pieces as they arrive; afterwards ``.text`` is final.

    Pieces are held back by :data:`STREAM_HOLDBACK` characters so a leaking reply is
    caught before its leaking part is shown. On any failure the offline text is
    yielded instead (after a separator if LLM text was already shown) and
    ``replaced`` is set: callers should then re-render ``.text``.
    """

    def __init__(
        self,
        llm: LLM,
        messages: list[dict[str, str]],
        offline_text: str,
        fallback: str,
        finish: Callable[[str], str],
        max_tokens: int,
        secrets: list[str],
    ) -> None:
        self._llm = llm
        self._messages = messages
        self._offline = offline_text
        self._fallback = fallback
        self._finish = finish
        self._max_tokens = max_tokens
        self._secrets = secrets
        self.text = ""
        self.mode: Literal["llm", "offline"] = "offline"
        self.notices: list[str] = []
        self.usage: dict[str, int] = {}
        self.replaced = False
        self.done = False

    def __str__(self) -> str:
        return self.text

    def __iter__(self) -> Iterator[str]:
        if self.done:
            yield self.text
            return
        before = self._llm.usage_snapshot()
        shown = ""
        try:
            buffer = ""
            for piece in self._llm.stream(self._messages, max_tokens=self._max_tokens):
                buffer += piece
                leak = prompts.leaks(buffer, self._secrets)
                if leak:
                    raise LLMUnavailable(f"reply discarded: {leak}")
                safe = len(buffer) - STREAM_HOLDBACK
                if safe > len(shown):
                    chunk = buffer[len(shown) : safe]
                    shown += chunk
                    yield chunk
            final = self._finish(buffer)
            if final.startswith(shown):
                rest = final[len(shown) :]
                if rest:
                    yield rest
            else:
                self.replaced = True
            self.text, self.mode = final, "llm"
        except LLMUnavailable as exc:
            self.notices.append(unavailable_notice(exc.reason, self._fallback))
            self.text = self._offline
            if shown:
                self.replaced = True
                yield "\n\n"
            yield self._offline
        except Exception as exc:  # noqa: BLE001
            log.warning("LLM stream failed unexpectedly: %s", type(exc).__name__)
            self.notices.append(unavailable_notice("unexpected error", self._fallback))
            self.text = self._offline
            self.replaced = bool(shown)
            yield ("\n\n" if shown else "") + self._offline
        finally:
            self.usage = usage_delta(before, self._llm.usage_snapshot())
            self.done = True


# -- public API ---------------------------------------------------------------------------------
def phrase_question(question: Any, profile: Profile | None = None, *, llm: LLM | None = None) -> Phrased:
    """Phrase the interviewer's next question (``agent.turn.Question`` or plain text).

    Offline the template text is kept. With an LLM it is fitted to what is known; the
    reply must be one short question, else the template is kept with a notice.
    """
    template = str(getattr(question, "text", question))
    if llm is None:
        llm = get_llm()
    if llm is None:
        return Phrased(template)
    # Only the question and what the product is: the answer options stay as buttons.
    content = prompts.fence(template, "question")
    summary = prompts.profile_summary(profile, ("domain", "product_summary"), limit=60)
    if summary:
        content = prompts.fence(summary, "known") + "\n" + content
    messages = [
        {"role": "system", "content": prompts.QUESTION_SYSTEM},
        {"role": "user", "content": content},
    ]
    secrets = _secrets(llm)

    def finish(reply: str) -> str:
        text = re.sub(r"\s+", " ", reply).strip().strip('"').strip()
        leak = prompts.leaks(text, secrets)
        if leak:
            raise LLMUnavailable(f"reply discarded: {leak}")
        if not (8 <= len(text) <= 300) or not text.endswith("?"):
            raise LLMUnavailable("reply was not a short question")
        return text

    return _run(llm, messages, template, "the standard question", finish, max_tokens=80)


def explain_recommendation(
    rec: Recommendation,
    profile: Profile | None = None,
    *,
    llm: LLM | None = None,
    stream: bool = False,
) -> Phrased | StreamedPhrase:
    """Explain the decided recommendation in prose, citing its passages as [n]."""
    offline = explain_offline(rec, profile)
    if llm is None:
        llm = get_llm()
    if llm is None:
        return _offline_result(offline, stream)
    refs = _refs(rec.citations)
    secrets = _secrets(llm)

    def finish(reply: str) -> str:
        text = _finish_prose(reply, refs, secrets)
        if not states_approach(text, rec):
            raise LLMUnavailable("reply did not state the recommended approach")
        return text

    messages = explanation_messages(rec, profile, refs)
    if stream:
        return StreamedPhrase(
            llm, messages, offline, "the standard explanation", finish, 400, secrets
        )
    return _run(llm, messages, offline, "the standard explanation", finish, max_tokens=400)


def answer_followup(
    question: str,
    passages: Sequence[Any],
    profile: Profile | None = None,
    rec: Recommendation | None = None,
    *,
    llm: LLM | None = None,
    stream: bool = False,
) -> Phrased | StreamedPhrase:
    """Answer a follow-up question from the retrieved passages, citing them as [n]."""
    offline = answer_offline(question, passages, rec)
    refs = _refs(passages)
    if llm is None:
        llm = get_llm()
    if llm is None or not refs or not question.strip():
        return _offline_result(offline, stream)
    secrets = _secrets(llm)

    def finish(reply: str) -> str:
        return _finish_prose(reply, refs, secrets)

    messages = followup_messages(question, refs, rec)
    if stream:
        return StreamedPhrase(llm, messages, offline, "an extract of the sources", finish, 350, secrets)
    return _run(llm, messages, offline, "an extract of the sources", finish, max_tokens=350)


def _offline_result(text: str, stream: bool) -> Phrased | StreamedPhrase:
    result = Phrased(text)
    if not stream:
        return result
    return _OfflineStream(result)


class _OfflineStream(StreamedPhrase):
    """A StreamedPhrase that yields a ready offline text in one piece."""

    def __init__(self, result: Phrased) -> None:  # noqa: D107 - no LLM involved
        self.text = result.text
        self.mode = "offline"
        self.notices = []
        self.usage = {}
        self.replaced = False
        self.done = True


def redact_text(text: str) -> str:
    """Remove configured secrets from any text before it is shown or stored."""
    return redact(text, get_settings().secret_values())
