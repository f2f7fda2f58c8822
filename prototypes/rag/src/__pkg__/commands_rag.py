"""CLI commands of the RAG part: index, rag-eval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .evaluate import load_eval_set
from .index import reindex
from .settings import load_settings

console = Console()


def index(rebuild: Annotated[bool, typer.Option(help="Drop the index and start over.")] = False
          ) -> None:
    """Index docs/ (only changed files are re-embedded)."""
    report = reindex(load_settings(), rebuild=rebuild)
    console.print(
        f"added {len(report.added)}, updated {len(report.updated)}, removed "
        f"{len(report.removed)}, unchanged {len(report.unchanged)}; {report.chunks} chunks",
        markup=False,
    )
    for name in report.skipped:
        console.print(f"skipped (not UTF-8 text): {name}", markup=False)


def rag_eval(
    cases: Annotated[Path | None, typer.Option(help="Eval file.")] = None,
    k: Annotated[int, typer.Option(help="Passages retrieved per question.")] = 4,
) -> None:
    """Retrieval recall@k and grounding of answers in their cited passages."""
    from .pipeline import answer
    from .rag_eval import grounding_report, retrieval_recall

    settings = load_settings()
    eval_set = load_eval_set(cases)
    recall = retrieval_recall(eval_set, settings, k=k)
    shown = "-" if recall.recall is None else f"{recall.recall:.0%}"
    console.print(f"retrieval recall@{k}: {shown} ({recall.hits}/{recall.total})", markup=False)
    console.print(grounding_report(eval_set, lambda q: answer(q, settings=settings)))


def register(app: typer.Typer) -> None:
    """Add these commands to the project's CLI."""
    app.command()(index)
    app.command("rag-eval")(rag_eval)
