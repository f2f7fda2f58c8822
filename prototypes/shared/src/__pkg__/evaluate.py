"""Eval harness: score answers against the success criteria in eval/cases.yaml.

A criterion with a ``check`` is scored by code (offline, deterministic). The
others are graded by a judge model that must reply PASS or FAIL; offline they
are reported as ``unscored`` rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field
from rich.table import Table

from .answers import Answer
from .llm import ChatModel, LLMError
from .settings import load_settings

Result = Literal["pass", "fail", "unscored"]
_CITATION = re.compile(r"\[\d+\]")


class Check(BaseModel):
    """A machine-scored rule."""

    type: Literal["not_empty", "max_words", "cites_sources", "contains_any"]
    value: int | list[str] | None = None


class Criterion(BaseModel):
    """One success criterion."""

    id: str
    text: str
    origin: str = "interview"
    check: Check | None = None


class Case(BaseModel):
    """One eval question."""

    id: str
    question: str
    origin: str = "interview"
    expected_keywords: list[str] = Field(default_factory=list)
    reference_answer: str = ""
    expected_sources: list[str] = Field(default_factory=list)


class EvalSet(BaseModel):
    """The whole eval file."""

    project: dict[str, str] = Field(default_factory=dict)
    success_criteria: list[Criterion] = Field(default_factory=list)
    cases: list[Case]


def default_cases_path() -> Path:
    """eval/cases.yaml in the project root."""
    return load_settings().root / "eval" / "cases.yaml"


def load_eval_set(path: Path | None = None) -> EvalSet:
    """Read and validate the eval file."""
    path = path or default_cases_path()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return EvalSet.model_validate(data)


@dataclass
class Verdict:
    """The result of one criterion on one answer."""

    criterion: str
    result: Result
    reason: str = ""


def run_check(check: Check, answer: Answer) -> Verdict:
    """Score one machine check."""
    text = answer.text.strip()
    if check.type == "not_empty":
        ok = bool(text)
        return Verdict("", "pass" if ok else "fail", "answer present" if ok else "empty answer")
    if check.type == "max_words":
        limit = int(check.value) if isinstance(check.value, int) else 200
        count = len(text.split())
        return Verdict("", "pass" if count <= limit else "fail", f"{count} words (limit {limit})")
    if check.type == "cites_sources":
        ok = bool(answer.sources) and bool(_CITATION.search(text))
        return Verdict("", "pass" if ok else "fail", f"{len(answer.sources)} source(s) cited")
    wanted = check.value if isinstance(check.value, list) else []
    found = [w for w in wanted if w.lower() in text.lower()]
    return Verdict("", "pass" if found else "fail", f"found {found}")


JUDGE_PROMPT = (
    "You grade an assistant's answer against one success criterion.\n"
    "Reply with PASS or FAIL on the first line, then one short reason.\n\n"
    "Criterion: {criterion}\nQuestion: {question}\nAnswer:\n{answer}"
)


def judge(criterion: Criterion, case: Case, answer: Answer, model: ChatModel | None,
          judge_model: str | None = None) -> Verdict:
    """Ask the judge model whether ``answer`` meets ``criterion``."""
    if model is None or model.offline:
        return Verdict(criterion.id, "unscored", "needs a judge model (set OPENAI_API_KEY)")
    prompt = JUDGE_PROMPT.format(criterion=criterion.text, question=case.question,
                                 answer=answer.text)
    try:
        reply = model.complete([{"role": "user", "content": prompt}], model=judge_model)
    except LLMError as exc:
        return Verdict(criterion.id, "unscored", f"judge failed: {exc}")
    first, _, rest = reply.strip().partition("\n")
    word = first.strip().split(" ")[0].upper().strip(".:") if first.strip() else ""
    if word in ("PASS", "FAIL"):
        return Verdict(criterion.id, "pass" if word == "PASS" else "fail", rest.strip()[:200])
    return Verdict(criterion.id, "unscored", "judge reply was neither PASS nor FAIL")


def score_answer(case: Case, answer: Answer, criteria: list[Criterion],
                 judge_llm: ChatModel | None = None, judge_model: str | None = None
                 ) -> list[Verdict]:
    """Every criterion's verdict for one answer, plus expected keywords if given."""
    verdicts = []
    for criterion in criteria:
        if criterion.check is not None:
            verdict = run_check(criterion.check, answer)
            verdict.criterion = criterion.id
        else:
            verdict = judge(criterion, case, answer, judge_llm, judge_model)
        verdicts.append(verdict)
    if case.expected_keywords:
        verdict = run_check(Check(type="contains_any", value=case.expected_keywords), answer)
        verdict.criterion = "keywords"
        verdicts.append(verdict)
    return verdicts


@dataclass
class CaseResult:
    """One case's answer and verdicts."""

    case: Case
    answer: Answer
    verdicts: list[Verdict] = field(default_factory=list)
    error: str = ""


@dataclass
class EvalReport:
    """All results plus per-criterion pass rates."""

    results: list[CaseResult]
    criteria: list[Criterion]

    def pass_rate(self, criterion_id: str) -> float | None:
        """Share of scored verdicts that passed (None when none was scored)."""
        scored = [v for r in self.results for v in r.verdicts
                  if v.criterion == criterion_id and v.result != "unscored"]
        if not scored:
            return None
        return sum(v.result == "pass" for v in scored) / len(scored)

    def column_ids(self) -> list[str]:
        """Criterion ids in table order (keywords last when used)."""
        ids = [c.id for c in self.criteria]
        if any(v.criterion == "keywords" for r in self.results for v in r.verdicts):
            ids.append("keywords")
        return ids


def run_eval(answer_fn: Callable[[str], Answer], eval_set: EvalSet,
             judge_llm: ChatModel | None = None, judge_model: str | None = None) -> EvalReport:
    """Answer every case and score it; a failing case is recorded, not fatal."""
    results = []
    for case in eval_set.cases:
        try:
            answer = answer_fn(case.question)
        except (LLMError, OSError, ValueError) as exc:
            results.append(CaseResult(case, Answer(text=""), [], error=str(exc)))
            continue
        verdicts = score_answer(case, answer, eval_set.success_criteria, judge_llm, judge_model)
        results.append(CaseResult(case, answer, verdicts))
    return EvalReport(results, eval_set.success_criteria)


_MARK = {"pass": "PASS", "fail": "FAIL", "unscored": "-"}


def _rows(report: EvalReport) -> list[list[str]]:
    rows = []
    for result in report.results:
        by_id = {v.criterion: v.result for v in result.verdicts}
        cells = [_MARK[by_id[c]] if c in by_id else "-" for c in report.column_ids()]
        status = f"error: {result.error}" if result.error else result.answer.text[:60]
        rows.append([result.case.id, *cells, status])
    rates = []
    for c in report.column_ids():
        rate = report.pass_rate(c)
        rates.append("-" if rate is None else f"{rate:.0%}")
    rows.append(["pass rate", *rates, ""])
    return rows


def results_table(report: EvalReport) -> Table:
    """A rich table: one row per case, one column per criterion."""
    table = Table(title="Eval results")
    for name in ["case", *report.column_ids(), "answer"]:
        table.add_column(name)
    for row in _rows(report):
        table.add_row(*row)
    return table


def results_markdown(report: EvalReport) -> str:
    """The same table as Markdown, with the criteria spelled out."""
    header = ["case", *report.column_ids(), "answer"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in _rows(report):
        cells = [cell.replace("|", "\\|").replace("\n", " ") for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for criterion in report.criteria:
        lines.append(f"- {criterion.id}: {criterion.text}")
    return "\n".join(lines) + "\n"
