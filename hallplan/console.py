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

__all__ = [
    "console", "err_console", "escape", "fail", "output_dir", "output_file", "progress_bar",
    "show_written",
]


def fail(problems: Iterable[object]) -> NoReturn:
    """List every problem (``file: key.path: expected …; found …``) and exit with code 2."""
    problems = list(problems)
    err_console.print(f"[bold red]{len(problems)} problem(s):[/]")
    for p in problems:
        err_console.print(f"  [red]✗[/] {escape(str(p))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _file_ancestor(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` that is a file (so nothing can go below it)."""
    for parent in path.parents:
        if parent.exists():
            return parent if not parent.is_dir() else None
    return None


def output_dir(path: Path, option: str = "--out") -> Path:
    """Check at once that ``path`` can be an output folder (exit 2 naming the option if not),
    so a long run never ends on "not a directory" after minutes of work."""
    blocker = path if path.exists() and not path.is_dir() else _file_ancestor(path)
    if blocker is not None:
        fail([f"{option}: expected a folder for the outputs; found {str(path)!r} "
              f"({str(blocker)!r} is a file)"])
    return path


def output_file(path: Path, option: str = "--out", suffixes: tuple[str, ...] = ()) -> Path:
    """Check at once that ``path`` can be written as a file: not a folder, no file in the way,
    and (if ``suffixes`` is given) one of the suffixes the writer really produces."""
    if path.is_dir():
        fail([f"{option}: expected a file name; found {str(path)!r} (a folder)"])
    blocker = _file_ancestor(path)
    if blocker is not None:
        fail([f"{option}: expected a file in a folder; found {str(path)!r} "
              f"({str(blocker)!r} is a file)"])
    if suffixes and path.suffix.lower() not in suffixes:
        fail([f"{option}: expected a file ending in {' or '.join(suffixes)}; found "
              f"{str(path)!r}"])
    return path


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
        console.print(f"  wrote {p}", markup=False, highlight=False)
    if markdown is not None:
        console.print(
            markdown.read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True
        )
