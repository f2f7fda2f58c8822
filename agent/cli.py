"""The `advisor` command line.

Each group of commands lives in its own module under :mod:`agent.commands` and
registers itself here. Heavy libraries (chromadb, langgraph, onnxruntime) are
imported inside the command functions so that `advisor --help` and one-turn
scripting calls start fast.
"""

from __future__ import annotations

import typer

from agent.commands import decide, interview, knowledge, scaffold

app = typer.Typer(
    name="advisor",
    help="Decide between prompt engineering, RAG, fine-tuning or a hybrid, "
    "and scaffold a starter project for the chosen path.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (knowledge, decide, interview, scaffold):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
