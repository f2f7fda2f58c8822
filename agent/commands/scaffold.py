"""CLI command: `advisor scaffold` writes a runnable starter project for a path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from agent.profile import Profile
    from agent.recommendation import Recommendation

APPROACH_HELP = "prompt_engineering, rag, fine_tuning or hybrid."


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(2)


def _load_profile_file(path: Path) -> Profile:
    from agent.profile import ProfileError, parse_profile

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read profile {path}: {exc.strerror or exc}.") from None
    if len(raw) > 5_000_000:
        raise _fail(f"profile {path} is larger than 5 MB.")
    try:
        text = raw.decode("utf-8")
        data: Any = json.loads(text)
    except UnicodeDecodeError:
        raise _fail(f"profile {path} is not UTF-8 text.") from None
    except json.JSONDecodeError:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _fail(f"profile {path} is neither JSON nor YAML ({exc}).") from None
    try:
        return parse_profile(data)
    except ProfileError as exc:
        raise _fail(f"invalid profile {path}:\n{exc}") from None


def _decide(profile: Profile) -> tuple[Recommendation | None, str | None]:
    """Recommendation and report for a profile file; None when the engine is unavailable."""
    try:
        from agent.engine import decide

        rec = decide(profile)
    except Exception:  # engine missing or failing must not block scaffolding
        return None, None
    try:
        from agent.report import render_markdown

        return rec, render_markdown(profile, rec)
    except Exception:
        return rec, None


def _from_session(session_id: str) -> tuple[Profile, Recommendation | None, str | None]:
    try:
        from agent.service import Advisor, SessionNotFound
    except ImportError:
        raise _fail("sessions are not available in this build; use --profile FILE.") from None
    advisor = Advisor(with_citations=False)
    try:
        view = advisor.view(session_id)
    except SessionNotFound:
        raise _fail(f"no session with id {session_id!r} (see `advisor sessions`).") from None
    rec = view.recommendation
    report: str | None = None
    try:
        report = advisor.report_markdown(session_id)
    except Exception:  # no recommendation yet: scaffold without the report
        report = None
    return view.profile, rec, report


def scaffold(
    approach: Annotated[str, typer.Option(help=APPROACH_HELP)],
    out: Annotated[
        Path, typer.Option(help="Directory to write: new, empty, or generated here before.")
    ],
    components: Annotated[
        str | None, typer.Option(help="For hybrid: comma-separated, e.g. rag,fine_tuning.")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="Profile JSON/YAML file.")
    ] = None,
    session: Annotated[str | None, typer.Option(help="Interview session id.")] = None,
    zip_: Annotated[bool, typer.Option("--zip", help="Write a .zip at OUT instead.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            help="Replace a project generated earlier by `advisor scaffold` (recognised by its "
            ".advisor-scaffold.json; files you added are kept). A non-empty directory without "
            "that marker is never overwritten. With --zip: overwrite the zip file."
        ),
    ] = False,
) -> None:
    """Generate a runnable, tested starter project for the chosen path."""
    from agent.scaffold import (
        ScaffoldError,
        resolve_components,
        scaffold_project,
        scaffold_zip_bytes,
    )

    if (profile is None) == (session is None):
        raise _fail("give exactly one of --profile FILE or --session ID.")
    if profile is not None:
        prof = _load_profile_file(profile)
        rec, report = _decide(prof)
    else:
        prof, rec, report = _from_session(str(session))
        if rec is None:
            rec, _ = _decide(prof)
    chosen = [c.strip() for c in components.split(",") if c.strip()] if components else None
    try:
        parts = resolve_components(approach, chosen, rec)
        if zip_:
            target = out if out.suffix == ".zip" else out.with_suffix(".zip")
            if target.exists() and not force:
                raise ScaffoldError(f"{target} exists. Pass --force to overwrite it.")
            data = scaffold_zip_bytes(
                approach, prof, components=chosen, recommendation=rec, report_markdown=report
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            typer.echo(f"Wrote {target} ({len(data):,} bytes; {' + '.join(parts)} starter).")
            typer.echo("Next:")
            typer.echo(f"  unzip {target} && cd <project folder> && python -m pip install -e '.[dev]'")
            typer.echo("  python -m pytest  # then see README.md for the eval command")
            return
        result = scaffold_project(
            approach, prof, out_dir=out, components=chosen, recommendation=rec,
            report_markdown=report, force=force,
        )
    except ScaffoldError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc.strerror or exc}.") from None
    typer.echo(
        f"Made {result.project_name} ({' + '.join(result.components)}) in {result.out_dir}: "
        f"{len(result.files)} files."
    )
    typer.echo("Next:")
    for command in result.next_commands:
        typer.echo(f"  {command}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the advisor app."""
    app.command("scaffold")(scaffold)
