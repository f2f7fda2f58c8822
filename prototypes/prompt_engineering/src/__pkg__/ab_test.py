"""A/B runner: compare prompt variants on the eval set."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from .evaluate import EvalReport, EvalSet, run_eval
from .llm import ChatModel
from .techniques import run_technique


@dataclass
class VariantResult:
    """One variant's eval report and its overall pass rate."""

    variant: str
    report: EvalReport

    @property
    def overall(self) -> float | None:
        """Share of scored verdicts that passed, over all criteria."""
        scored = [v for r in self.report.results for v in r.verdicts if v.result != "unscored"]
        if not scored:
            return None
        return sum(v.result == "pass" for v in scored) / len(scored)


def run_ab(variants: list[str], eval_set: EvalSet, *, llm: ChatModel,
           model: str | None = None, judge_llm: ChatModel | None = None,
           judge_model: str | None = None) -> list[VariantResult]:
    """Run every variant over the same cases, best overall pass rate first."""
    results = []
    for variant in variants:
        report = run_eval(
            lambda q, v=variant: run_technique(v, q, llm=llm, model=model),
            eval_set, judge_llm=judge_llm, judge_model=judge_model,
        )
        results.append(VariantResult(variant, report))
    return sorted(results, key=lambda r: -(r.overall if r.overall is not None else -1))


def ab_table(results: list[VariantResult]) -> Table:
    """Variants as rows, criteria as columns, overall pass rate last."""
    table = Table(title="Prompt A/B results")
    ids = results[0].report.column_ids() if results else []
    for name in ["variant", *ids, "overall"]:
        table.add_column(name)
    for result in results:
        cells = []
        for cid in ids:
            rate = result.report.pass_rate(cid)
            cells.append("-" if rate is None else f"{rate:.0%}")
        overall = "-" if result.overall is None else f"{result.overall:.0%}"
        table.add_row(result.variant, *cells, overall)
    return table
