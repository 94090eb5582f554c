"""What the command line prints, in one small module: the consoles, the problem list that
ends a command with exit code 2, and the progress bar. ``hallplan.cli`` and
``hallplan.region.cli`` both import it (and not each other)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()
err_console = Console(stderr=True)

__all__ = ["console", "err_console", "fail", "progress_bar", "show_written"]


def fail(problems: Iterable[object]) -> NoReturn:
    """List every problem (``file: key.path: expected …; found …``) and exit with code 2."""
    problems = list(problems)
    err_console.print(f"[bold red]{len(problems)} problem(s):[/]")
    for p in problems:
        err_console.print(f"  [red]✗[/] {escape(str(p))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def show_written(written: list[Path], markdown: Path | None = None) -> None:
    """List the files a command wrote, then print its markdown summary as is."""
    for p in written:
        console.print(f"  wrote {p}")
    if markdown is not None:
        console.print(
            markdown.read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True
        )
