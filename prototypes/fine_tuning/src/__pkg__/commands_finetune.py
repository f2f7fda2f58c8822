"""CLI commands of the fine-tuning part."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .compare import compare_models, comparison_table
from .dataset import DEFAULT_SYSTEM, build_records, read_rows, write_jsonl
from .estimate import estimate_job
from .launch import launch_job
from .llm import LLMError, get_llm
from .settings import load_settings
from .validate import split_records, validate_records

console = Console()


def build_dataset(
    source: Annotated[Path, typer.Argument(help="CSV (question,answer) or JSONL file.")],
    out_dir: Annotated[Path, typer.Option(help="Where train.jsonl and val.jsonl go.")] = Path(
        "data/build"),
    system: Annotated[str, typer.Option(help="System prompt for every example.")] = DEFAULT_SYSTEM,
    val_fraction: Annotated[float, typer.Option(help="Share held out for validation.")] = 0.2,
) -> None:
    """Build chat JSONL, validate it and split it into train and validation files."""
    try:
        report = build_records(read_rows(source), system)
    except (OSError, ValueError) as exc:
        console.print(f"Error: {exc}", markup=False)
        raise typer.Exit(2) from None
    for reason in report.skipped:
        console.print(f"skipped {reason}", markup=False)
    train, val = split_records(report.records, val_fraction)
    write_jsonl(train, out_dir / "train.jsonl")
    write_jsonl(val, out_dir / "val.jsonl")
    console.print(f"{len(train)} train, {len(val)} validation examples in {out_dir}",
                  markup=False)
    _print_validation(report.records)


def _print_validation(records: list) -> bool:
    result = validate_records(records)
    for error in result.errors:
        console.print(f"ERROR {error}", markup=False)
    for warning in result.warnings:
        console.print(f"warning {warning}", markup=False)
    console.print(f"{result.examples} examples, about {result.total_tokens:,} tokens "
                  f"(largest {result.max_tokens:,})", markup=False)
    return result.ok


def validate(path: Annotated[Path, typer.Argument(help="Chat JSONL file.")]) -> None:
    """Validate a chat JSONL file (exit 1 on errors)."""
    try:
        records = read_rows(path)
    except (OSError, ValueError) as exc:
        console.print(f"Error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if not _print_validation(records):
        raise typer.Exit(1)


def estimate(
    path: Annotated[Path, typer.Argument(help="Training JSONL file.")],
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 3,
    price_per_million: Annotated[float, typer.Option(help="USD per 1M training tokens.")] = 3.0,
) -> None:
    """Estimate training cost and time."""
    result = validate_records(read_rows(path))
    job = estimate_job(result.total_tokens, epochs, price_per_million)
    console.print(f"{job.formula}; about {job.minutes} minutes of training", markup=False)


def launch(
    train: Annotated[Path, typer.Option(help="Training JSONL.")] = Path("data/build/train.jsonl"),
    val: Annotated[Path | None, typer.Option(help="Validation JSONL.")] = None,
    base_model: Annotated[str | None, typer.Option(help="Model to tune.")] = None,
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 3,
    dry_run: Annotated[bool, typer.Option("--dry-run/--no-dry-run",
                                          help="Only print the plan (default).")] = True,
) -> None:
    """Start a fine-tuning job (prints the plan only, unless --no-dry-run)."""
    settings = load_settings()
    try:
        plan = launch_job(train, val, base_model=base_model or settings.model, epochs=epochs,
                          dry_run=dry_run, settings=settings)
    except (OSError, LLMError) as exc:
        console.print(f"Error: {exc}", markup=False)
        raise typer.Exit(2) from None
    console.print(f"{'DRY RUN: would tune' if plan.dry_run else 'Started'} {plan.base_model} on "
                  f"{plan.train_file} for {plan.epochs} epochs"
                  + (f"; job {plan.job_id} ({plan.status})" if plan.job_id else ""), markup=False)


def compare(
    val: Annotated[Path, typer.Option(help="Held-out JSONL.")] = Path("data/build/val.jsonl"),
    tuned_model: Annotated[str | None, typer.Option(help="Tuned model id.")] = None,
) -> None:
    """Base vs tuned model on the held-out split."""
    settings = load_settings()
    tuned = tuned_model or settings.fine_tuned_model
    if not tuned:
        console.print("Error: give --tuned-model or set FINE_TUNED_MODEL", markup=False)
        raise typer.Exit(2)
    result = compare_models(read_rows(val), get_llm(settings), settings.model, tuned)
    console.print(comparison_table(result))


def register(app: typer.Typer) -> None:
    """Add these commands to the project's CLI."""
    app.command("build-dataset")(build_dataset)
    app.command()(validate)
    app.command()(estimate)
    app.command()(launch)
    app.command()(compare)
