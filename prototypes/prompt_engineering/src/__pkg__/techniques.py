"""Prompt techniques: zero-shot, few-shot, chain of thought, tree of thought, structured."""

from __future__ import annotations

import re

from .answers import Answer
from .llm import ChatModel, Message
from .prompt_library import TOT_SCORE_PROMPT, PromptVersion, get_prompt, load_examples
from .structured import complete_structured, schema_text

DEFAULT_TECHNIQUE = "zero_shot"
TOT_BRANCHES = 3


def _messages(prompt: PromptVersion, question: str, context: str, **extra: object) -> list[Message]:
    context_block = f"Sources:\n{context}\n\n" if context else ""
    user = prompt.user.format(question=question, context=context_block, **extra)
    system = prompt.system.replace("{schema}", schema_text())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def zero_shot(prompt: PromptVersion, question: str, llm: ChatModel, model: str | None,
              context: str) -> Answer:
    """Instructions and the question, nothing else."""
    text = llm.complete(_messages(prompt, question, context), model=model)
    return Answer(text=text.strip())


def few_shot(prompt: PromptVersion, question: str, llm: ChatModel, model: str | None,
             context: str, examples: list[tuple[str, str]] | None = None) -> Answer:
    """The user's examples as earlier turns, then the question."""
    pairs = load_examples() if examples is None else examples
    system, user = _messages(prompt, question, context)
    shots: list[Message] = []
    for source, target in pairs:
        shots += [{"role": "user", "content": f"Question: {source}"},
                  {"role": "assistant", "content": target}]
    text = llm.complete([system, *shots, user], model=model)
    notes = [f"{len(pairs)} example(s)"] if pairs else ["no examples with ideal_output yet"]
    return Answer(text=text.strip(), notes=notes)


def chain_of_thought(prompt: PromptVersion, question: str, llm: ChatModel, model: str | None,
                     context: str) -> Answer:
    """Reason step by step; keep only the final answer."""
    reply = llm.complete(_messages(prompt, question, context), model=model)
    reasoning, marker, final = reply.rpartition("Final answer:")
    if not marker:
        return Answer(text=reply.strip(), notes=["no 'Final answer:' line; full reply kept"])
    return Answer(text=final.strip(), notes=[reasoning.strip()])


def _score(reply: str) -> float:
    match = re.search(r"\d+(?:\.\d+)?", reply)
    return min(10.0, float(match.group())) if match else 0.0


def tree_of_thought(prompt: PromptVersion, question: str, llm: ChatModel, model: str | None,
                    context: str, branches: int = TOT_BRANCHES) -> Answer:
    """Branch: draft several answers; score each; pick the best."""
    drafts = []
    for branch in range(1, branches + 1):
        messages = _messages(prompt, question, context, branch=branch, branches=branches)
        drafts.append(llm.complete(messages, model=model, temperature=0.7).strip())
    scores = []
    for draft in drafts:
        scoring = TOT_SCORE_PROMPT.format(question=question, answer=draft)
        scores.append(_score(llm.complete([{"role": "user", "content": scoring}], model=model)))
    best = max(range(branches), key=lambda i: (scores[i], -i))
    notes = [f"branch {i + 1}: score {s:g}" for i, s in enumerate(scores)]
    return Answer(text=drafts[best], notes=notes)


def structured(prompt: PromptVersion, question: str, llm: ChatModel, model: str | None,
               context: str) -> Answer:
    """JSON reply validated with pydantic."""
    parsed = complete_structured(llm, _messages(prompt, question, context), model=model)
    return Answer(text=parsed.answer, notes=[f"confidence {parsed.confidence:.2f}",
                                             *parsed.reasons])


_RUNNERS = {
    "zero_shot": zero_shot,
    "few_shot": few_shot,
    "chain_of_thought": chain_of_thought,
    "tree_of_thought": tree_of_thought,
    "structured": structured,
}


def run_technique(variant: str, question: str, *, llm: ChatModel, model: str | None = None,
                  context: str = "") -> Answer:
    """Answer with the named prompt variant (``technique`` or ``technique@version``)."""
    prompt = get_prompt(variant)
    result = _RUNNERS[prompt.technique](prompt, question, llm, model, context)
    result.technique = prompt.variant
    result.model = model or ""
    return result
