"""CLI commands for the knowledge base: `advisor index`, `advisor ask`, `advisor docs ...`.

Heavy libraries (chromadb, onnxruntime) load inside the command functions so
`advisor --help` stays fast. Every failure is a one-line message on stderr and
a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

docs_app = typer.Typer(
    help="Your own documents (Markdown, text, PDF), searched alongside the knowledge base.",
    no_args_is_help=True,
)


def _err() -> Console:
    return Console(stderr=True)


def _fail(message: str, code: int = 1) -> NoReturn:
    _err().print(f"[bold red]Error:[/bold red] {message}", highlight=False)
    raise typer.Exit(code)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


def index(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")
    ] = False,
) -> None:
    """Build or refresh the knowledge index (only changed sections are re-embedded)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from agent.config import get_settings
    from agent.ingest import index_knowledge

    settings = get_settings()
    console = Console()
    try:
        with Progress(
            TextColumn("[bold]Embedding[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("embed", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=max(total, 1))

            report = index_knowledge(settings, rebuild=rebuild, progress=progress)
    except KeyboardInterrupt:
        _fail("Interrupted; run `advisor index` again to finish (finished parts are kept).", 130)
    except Exception as exc:
        _fail(f"Indexing failed: {_describe(exc)}")
    for notice in report.notices:
        _err().print(f"[yellow]Note:[/yellow] {notice}", highlight=False)
    table = Table(title=f"Knowledge index ({report.collection})")
    for column in ("files", "chunks", "added", "updated", "removed", "unchanged", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.files),
        str(report.chunks),
        str(report.added),
        str(report.updated),
        str(report.removed),
        str(report.unchanged),
        f"{report.seconds:.1f}",
    )
    console.print(table)
    location = (
        f"{settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else str(settings.chroma_path)
    )
    console.print(f"Index: {location}", highlight=False)


def ask(
    question: Annotated[str, typer.Argument(help="What you want to know, in your own words.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show the passages of the knowledge base (and your documents) that best answer QUESTION."""
    if not question.strip():
        _fail("The question is empty; ask something, e.g. advisor ask \"When is RAG worth it?\"", 2)
    from agent.config import get_settings
    from agent.retrieval import ensure_index, search

    settings = get_settings()
    try:
        notices = ensure_index(settings)
        passages = search(question, k=k, settings=settings)
    except Exception as exc:
        _fail(f"Search failed: {_describe(exc)}")
    for notice in notices:
        _err().print(f"[yellow]Note:[/yellow] {notice}", highlight=False)
    if as_json:
        payload = {
            "query": question,
            "results": [
                {
                    "text": p.text,
                    "source": p.source,
                    "heading": p.heading,
                    "score": p.score,
                    "approaches": p.approaches,
                }
                for p in passages
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console = Console()
    if not passages:
        console.print("No passages found. Is the knowledge folder empty? Try `advisor index`.")
        return
    for rank, p in enumerate(passages, start=1):
        tags = f"  [dim]({', '.join(p.approaches)})[/dim]" if p.approaches else ""
        console.print(
            f"[bold]{rank}. {p.heading}[/bold]  score {p.score:.3f}{tags}", highlight=False
        )
        console.print(f"[cyan]{p.source}[/cyan] - {p.heading_path}", highlight=False)
        text = p.text if len(p.text) <= 700 else p.text[:700].rsplit(" ", 1)[0] + " ..."
        console.print(text, highlight=False, markup=False)
        console.print()


@docs_app.command("add")
def docs_add(
    files: Annotated[list[Path], typer.Argument(help="Markdown, text or PDF files.")],
) -> None:
    """Add your own documents; each file gets a result line, bad files are skipped."""
    from rich.table import Table

    from agent.config import get_settings
    from agent.ingest import FileResult, add_user_document

    settings = get_settings()
    results: list[FileResult] = []
    for path in files:
        try:
            if path.is_dir():
                results.append(FileResult(path.name, "skipped", "This is a folder, not a file."))
                continue
            if path.stat().st_size > settings.max_upload_bytes:
                results.append(
                    FileResult(
                        path.name,
                        "skipped",
                        f"The file is too large ({path.stat().st_size:,} bytes; the limit "
                        f"is {settings.max_upload_bytes:,} bytes, ADVISOR_MAX_UPLOAD_BYTES).",
                    )
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            results.append(FileResult(path.name, "error", f"Cannot read {path}: {reason}."))
            continue
        results.append(add_user_document(path.name, data, settings))
    table = Table(title="Your documents")
    table.add_column("file")
    table.add_column("result")
    table.add_column("passages", justify="right")
    table.add_column("message")
    colours = {"added": "green", "skipped": "yellow", "error": "red"}
    for r in results:
        table.add_row(
            r.name, f"[{colours[r.status]}]{r.status}[/]", str(r.chunks), r.message
        )
    Console().print(table)
    if any(r.status != "added" for r in results):
        raise typer.Exit(1)


@docs_app.command("list")
def docs_list() -> None:
    """List your documents and their passage counts."""
    from agent.ingest import list_user_documents

    try:
        documents = list_user_documents()
    except Exception as exc:
        _fail(f"Cannot read your documents: {_describe(exc)}")
    if not documents:
        typer.echo("No documents yet. Add some with: advisor docs add FILE...")
        return
    for name, count in documents.items():
        typer.echo(f"{name}\t{count} passages")


@docs_app.command("remove")
def docs_remove(name: Annotated[str, typer.Argument(help="File name as listed.")]) -> None:
    """Remove one of your documents."""
    from agent.ingest import remove_user_document

    try:
        removed = remove_user_document(name)
    except Exception as exc:
        _fail(f"Cannot remove it: {_describe(exc)}")
    if not removed:
        _fail(f"No document named {name!r}. See `advisor docs list`.")
    typer.echo(f"Removed {name} ({removed} passages).")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the advisor app."""
    app.command("index")(index)
    app.command("ask")(ask)
    app.add_typer(docs_app, name="docs")
