"""CLI commands: `advisor interview`, `advisor chat`, `advisor sessions`.

Heavy libraries (langgraph, chromadb) load inside the command functions, so
`advisor --help` and one-turn `advisor chat` calls start fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from agent.service import Advisor
    from agent.turn import TurnResult

sessions_app = typer.Typer(
    help="List, rename, delete and export saved sessions.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """Print a session-store failure (damaged DB, read-only or full disk) as one clear line."""
    from agent.persistence import StorageError

    try:
        yield
    except StorageError as exc:
        _fail(str(exc))


def _advisor() -> Advisor:
    from agent.persistence import StorageError
    from agent.service import Advisor

    try:
        advisor = Advisor()
        advisor.list_sessions()  # opens the store now, so storage problems surface here
    except StorageError as exc:
        _fail(str(exc))
    return advisor


def _print_turn(console: Console, result: TurnResult) -> None:
    from rich.markdown import Markdown
    from rich.panel import Panel

    for notice in result.notices:
        console.print(f"[yellow]! {notice}[/yellow]")
    if result.reply:
        console.print(Panel(Markdown(result.reply), title="advisor", border_style="cyan"))
    if result.question and result.options:
        for number, option in enumerate(result.options, start=1):
            mark = " [green](recommended)[/green]" if option.recommended else ""
            reason = f" [dim]— {option.reason}[/dim]" if option.reason else ""
            console.print(f"  [bold]{number}[/bold]. {option.label}{mark}{reason}")
        if result.question.why:
            console.print(f"  [dim]Why I ask: {result.question.why}[/dim]")
    if result.usage:
        console.print(f"[dim]tokens so far: {result.usage.get('total_tokens', 0)}[/dim]")


def _print_profile(console: Console, advisor: Advisor, session_id: str) -> None:
    from rich.table import Table

    view = advisor.view(session_id)
    table = Table(title="What I know")
    for col in ("field", "value", "status", "from your words"):
        table.add_column(col)
    for item in view.fields:
        table.add_row(
            item.field,
            "" if item.value is None else str(item.value),
            item.status,
            (item.evidence or "")[:60],
        )
    console.print(table)


_HELP = (
    "Type your answer, a number for a suggested answer, or a command: /recommend, /profile, "
    "/change FIELD VALUE, /scaffold [approach] [--out DIR], /skip, /help, /quit"
)


def _scaffold(console: Console, advisor: Advisor, session_id: str, args: list[str]) -> None:
    from agent.scaffold import ScaffoldError, scaffold_project

    out = None
    if "--out" in args:
        index = args.index("--out")
        if index + 1 >= len(args):
            console.print("[red]--out needs a directory[/red]")
            return
        out = Path(args[index + 1])
        args = args[:index] + args[index + 2 :]
    view = advisor.view(session_id)
    approach = (
        args[0]
        if args
        else (
            view.chosen_approach
            or (view.recommendation.approach if view.recommendation else "prompt_engineering")
        )
    )
    result = advisor.choose_path(session_id, approach)
    if result.notices and "not an approach" in result.reply:
        _print_turn(console, result)
        return
    view = advisor.view(session_id)
    out = out or Path(f"{approach}-starter")
    try:
        done = scaffold_project(
            approach,  # type: ignore[arg-type]
            view.profile,
            out_dir=out,
            components=list(view.chosen_components) or None,
            recommendation=view.recommendation,
            report_markdown=advisor.report_markdown(session_id),
            settings=advisor.settings,
        )
    except ScaffoldError as exc:
        console.print(f"[red]{exc}[/red]")
        return
    console.print(f"[green]Starter project written to {done.out_dir}[/green]")
    for command in getattr(done, "next_commands", []) or []:
        console.print(f"  {command}")


def _interactive(session: str | None) -> None:
    from rich.console import Console

    from agent.persistence import StorageError
    from agent.service import SessionNotFound

    console = Console()
    advisor = _advisor()
    if session and not advisor.has_session(session):
        _fail(f"No session with id '{session}'. List sessions with `advisor sessions`.")
    session_id = session or advisor.new_session()
    view = advisor.view(session_id)
    if view.messages:
        console.print(f"[bold]Resuming session {session_id}[/bold] ({view.title})")
        for message in view.messages[-4:]:
            console.print(f"[dim]{message.role}:[/dim] {message.content[:400]}")
    else:
        console.print(
            f"[bold]New session {session_id}.[/bold] Describe the LLM feature you want to build."
        )
    console.print(f"[dim]{_HELP}[/dim]")
    options = list(view.question.options) if view.question else []
    while True:
        try:
            line = console.input("[bold green]you> [/bold green]")
        except (EOFError, KeyboardInterrupt):
            console.print(f"\nSaved. Resume with: advisor interview --session {session_id}")
            return
        text = line.strip()
        try:
            if text in ("/quit", "/exit", "/q"):
                console.print(f"Saved. Resume with: advisor interview --session {session_id}")
                return
            if text == "/help":
                console.print(_HELP)
                continue
            if text == "/profile":
                _print_profile(console, advisor, session_id)
                continue
            if text.startswith("/scaffold"):
                _scaffold(console, advisor, session_id, text.split()[1:])
                continue
            if text.startswith("/change"):
                parts = text.split(maxsplit=2)
                if len(parts) < 3:
                    field = console.input("field to change: ").strip()
                    value = console.input(f"new value for {field}: ").strip()
                else:
                    field, value = parts[1], parts[2]
                result = advisor.set_field(session_id, field, value)
            elif text == "/recommend":
                result = advisor.recommend_now(session_id)
            elif text == "/skip":
                result = advisor.skip(session_id)
            elif text.isdigit() and options and 1 <= int(text) <= len(options):
                result = advisor.send(session_id, options[int(text) - 1].label)
            else:
                result = advisor.send(session_id, line)
        except (EOFError, KeyboardInterrupt):
            console.print(f"\nSaved. Resume with: advisor interview --session {session_id}")
            return
        except SessionNotFound as exc:
            _fail(str(exc))
            return
        except StorageError as exc:  # e.g. a full disk: this turn is not saved, the session is
            console.print(f"[red]{exc}[/red]")
            continue
        _print_turn(console, result)
        options = list(result.options)


def _turn_json(result: TurnResult) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    return {
        "session": data["session"],
        "reply": data["reply"],
        "question": data["question"],
        "options": data["options"],
        "profile": data["profile"],
        "recommendation": data["recommendation"],
        "done": data["done"],
        "mode": data["mode"],
        "notices": data["notices"],
        "diff": data["diff"],
        "usage": data["usage"],
    }


def register(app: typer.Typer) -> None:
    """Add this module's commands to the advisor app."""

    @app.command()
    def interview(
        session: str | None = typer.Option(None, "--session", help="Resume this session id."),
    ) -> None:
        """Interactive interview in the terminal (numbered quick replies, /recommend, /quit...)."""
        with _storage_errors():
            _interactive(session)

    @app.command()
    def chat(
        session: str = typer.Option(..., "--session", help="Session id (created if new)."),
        message: str = typer.Option(..., "--message", "-m", help="Your message for this turn."),
        as_json: bool = typer.Option(False, "--json", help="Print the turn as JSON."),
    ) -> None:
        """Exactly one turn of a session, for scripting."""
        from agent.service import valid_session_id

        if not valid_session_id(session):
            _fail("A session id must be 1-128 letters, digits, '.', '_', ':' or '-'.", 2)
        advisor = _advisor()
        try:
            with _storage_errors():
                if not advisor.has_session(session):
                    advisor.new_session(session_id=session)
                result = advisor.send(session, message)
        finally:
            advisor.close()
        if as_json:
            sys.stdout.write(json.dumps(_turn_json(result), ensure_ascii=False) + "\n")
            return
        from rich.console import Console

        _print_turn(Console(), result)

    @sessions_app.callback()
    def sessions(ctx: typer.Context) -> None:
        """List saved sessions (most recent first)."""
        if ctx.invoked_subcommand is not None:
            return
        from rich.console import Console
        from rich.table import Table

        advisor = _advisor()
        with _storage_errors():
            rows = advisor.list_sessions()
        if not rows:
            typer.echo("No saved sessions yet. Start one with `advisor interview`.")
            return
        table = Table(title="Sessions")
        for col in ("id", "title", "updated", "recommended"):
            table.add_column(col)
        for row in rows:
            table.add_row(row.id, row.title, row.updated_at, "yes" if row.done else "no")
        Console().print(table)

    @sessions_app.command("rename")
    def rename(session_id: str, title: str) -> None:
        """Rename a session."""
        from agent.service import SessionNotFound

        try:
            with _storage_errors():
                _advisor().rename(session_id, title)
        except (SessionNotFound, ValueError) as exc:
            _fail(str(exc))
        typer.echo(f"Renamed {session_id}.")

    @sessions_app.command("delete")
    def delete(session_id: str) -> None:
        """Delete a session and its history."""
        from agent.service import SessionNotFound

        try:
            with _storage_errors():
                _advisor().delete(session_id)
        except SessionNotFound as exc:
            _fail(str(exc))
        typer.echo(f"Deleted {session_id}.")

    @sessions_app.command("export")
    def export(
        session_id: str,
        out: Annotated[
            Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
        ] = None,
    ) -> None:
        """Export a session as JSON (no secrets)."""
        from agent.service import SessionNotFound

        try:
            with _storage_errors():
                data = _advisor().export(session_id)
        except SessionNotFound as exc:
            _fail(str(exc))
            return
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"Exported {session_id} to {out}.")

    app.add_typer(sessions_app, name="sessions")
