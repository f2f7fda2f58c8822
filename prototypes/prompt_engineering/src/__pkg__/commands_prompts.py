"""CLI commands of the prompt-engineering part: prompts, ab."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .ab_test import ab_table, run_ab
from .evaluate import load_eval_set
from .llm import get_llm
from .prompt_library import LIBRARY
from .settings import load_settings

console = Console()


def prompts() -> None:
    """List the prompt library (technique@version and notes)."""
    for versions in LIBRARY.values():
        for prompt in versions:
            console.print(f"{prompt.variant}: {prompt.notes}", markup=False)


def ab(
    variants: Annotated[str, typer.Option(help="Comma-separated variants.")] = (
        "zero_shot,few_shot,chain_of_thought"
    ),
    cases: Annotated[Path | None, typer.Option(help="Eval file.")] = None,
) -> None:
    """Compare prompt variants on the eval set."""
    settings = load_settings()
    llm = get_llm(settings)
    chosen = [v.strip() for v in variants.split(",") if v.strip()]
    try:
        results = run_ab(chosen, load_eval_set(cases), llm=llm, model=settings.model,
                         judge_llm=llm, judge_model=settings.judge_model)
    except ValueError as exc:
        console.print(f"Error: {exc}", markup=False)
        raise typer.Exit(2) from None
    console.print(ab_table(results))


def register(app: typer.Typer) -> None:
    """Add these commands to the project's CLI."""
    app.command()(prompts)
    app.command()(ab)
