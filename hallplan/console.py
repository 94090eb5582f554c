"""What the command line prints, in one small module: the consoles, the problem list that
ends a command with exit code 2, and the progress display. ``hallplan.cli`` and
``hallplan.region.cli`` both import it (and not each other).

**Progress.** A command that runs longer than a few seconds shows where it is. On a terminal
that is a rich bar with elapsed time and an ETA (:func:`progress_bar`). When stderr is not a
terminal (a log file, a scheduler, a pipe), a bar would print nothing useful, so
:class:`PlainProgress` — the same ``add_task``/``update``/``advance`` interface — prints a
plain line when a task starts or changes stage, and then at most every few seconds
(``HALLPLAN_PROGRESS_EVERY_S``, default 5), e.g. ``roster — stage 2: named staff: 3/7, 41 s,
about 50 s left``; a heartbeat thread keeps printing while a native solve gives no updates,
so a log never falls silent for minutes. :func:`activity` wraps one such task for a command
with stages but no counts (a spinner on a terminal).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()
err_console = Console(stderr=True)

__all__ = [
    "PlainProgress", "activity", "console", "err_console", "escape", "fail", "output_dir",
    "output_file", "progress_bar", "show_written",
]

#: seconds between plain progress lines when stderr is not a terminal
PLAIN_EVERY_S = 5.0


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


def _plain_every_s() -> float:
    try:
        return max(float(os.environ.get("HALLPLAN_PROGRESS_EVERY_S", PLAIN_EVERY_S)), 0.05)
    except ValueError:
        return PLAIN_EVERY_S


def progress_bar(console_: Console | None = None, lang: str = "en"
                 ) -> Progress | PlainProgress:
    """A bar with an ETA on a terminal, plain throttled lines otherwise (same interface), in
    ``lang`` (the descriptions are the caller's: give them in ``lang`` too)."""
    from hallplan.i18n import label

    target = console_ or err_console
    if target.is_terminal:
        return Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn(label("prog_eta", lang)),
            TimeRemainingColumn(),
            console=target,
            transient=False,
        )
    return PlainProgress(target, every_s=_plain_every_s(), lang=lang)


@dataclass
class _Task:
    description: str
    total: float | None
    completed: float = 0.0
    started: float = 0.0
    printed_at: float = float("-inf")
    printed: str = ""
    finished: bool = False


@dataclass
class PlainProgress:
    """Progress as plain lines, for output that is not a terminal (see the module docstring).

    A line is printed when a task is added, when its description changes, when it completes,
    and otherwise at most every ``every_s`` seconds — from updates, or from the heartbeat
    thread when none come (a solve in native code). ``clock`` is injectable for tests;
    ``lang`` is the language of the times ("41 s, about 50 s left")."""

    console: Console
    every_s: float = PLAIN_EVERY_S
    clock: Callable[[], float] = time.monotonic
    heartbeat: bool = True
    lang: str = "en"
    _tasks: dict[int, _Task] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PlainProgress:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if self.heartbeat and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name="hallplan-progress",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def add_task(self, description: str, total: float | None = None, completed: float = 0,
                 quiet: bool = False, **_ignored) -> int:
        """A new task, printed at once (``quiet``: only if it is still running ``every_s``
        later — a placeholder the first real step replaces)."""
        with self._lock:
            key = len(self._tasks)
            t = _Task(description, total, completed, started=self.clock())
            self._tasks[key] = t
            if quiet:
                t.printed_at = t.started
            else:
                self._print(t)
            return key

    def update(self, task_id: int, *, completed: float | None = None,
               total: float | None = None, description: str | None = None,
               advance: float | None = None, **_ignored) -> None:
        with self._lock:
            t = self._tasks[task_id]
            changed = description is not None and description != t.description
            if description is not None:
                t.description = description
            if total is not None:
                t.total = total
            if completed is not None:
                t.completed = completed
            if advance is not None:
                t.completed += advance
            done = t.total is not None and t.completed >= t.total
            if t.finished and done and not changed:
                return  # said once; a finished task stays quiet
            if changed or done or self._due(t):
                t.finished = done
                self._print(t)

    def advance(self, task_id: int, advance: float = 1) -> None:
        self.update(task_id, advance=advance)

    def remove_task(self, task_id: int) -> None:
        """Stop reporting a task (a stage that is over), without a line."""
        with self._lock:
            self._tasks[task_id].finished = True

    def tick(self) -> None:
        """Print the tasks that have been quiet for ``every_s`` (the heartbeat calls this)."""
        with self._lock:
            for t in self._tasks.values():
                if not t.finished and self._due(t):
                    self._print(t)

    def _due(self, t: _Task) -> bool:
        return self.clock() - t.printed_at >= self.every_s

    def _beat(self) -> None:
        while not self._stop.wait(min(1.0, self.every_s / 2)):
            self.tick()

    def line(self, t: _Task) -> str:
        from hallplan.i18n import label

        now = self.clock()
        elapsed = now - t.started
        parts = [t.description]
        if t.total:
            parts.append(f"{t.completed:.0f}/{t.total:.0f}")
        parts.append(label("prog_seconds", self.lang, s=f"{elapsed:.0f}"))
        if t.total and 0 < t.completed < t.total:
            left = elapsed * (t.total - t.completed) / t.completed
            parts.append(label("prog_left", self.lang, s=f"{left:.0f}"))
        return ", ".join(parts)

    def _print(self, t: _Task) -> None:
        t.printed_at = self.clock()
        t.printed = self.line(t)
        self.console.print(t.printed, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def activity(description: str, lang: str = "en") -> Iterator[Callable[..., None]]:
    """One job in stages: yields ``step(message, done=None, total=None)``, shown as
    ``description — message`` (a bar with an ETA when counts are given, a spinner and the
    elapsed time otherwise). A new message starts a new line/bar; counts update it.

    ``message`` may be a :class:`hallplan.sim.notes.Note` (the plan loop's and the roster's
    steps): it is said in ``lang`` (:func:`hallplan.i18n.note_text`); ``description`` is the
    caller's, already in ``lang``."""
    from hallplan.i18n import note_text

    with progress_bar(lang=lang) as progress:
        state = {"task": progress.add_task(description, total=None, quiet=True),
                 "message": None}

        def step(message: str, done: float | None = None, total: float | None = None) -> None:
            if message != state["message"]:
                progress.remove_task(state["task"])
                state["message"] = message
                state["task"] = progress.add_task(f"{description} — {note_text(message, lang)}",
                                                  total=total,
                                                  completed=done or 0)
            else:
                progress.update(state["task"], completed=done, total=total)

        yield step


def show_written(written: list[Path], markdown: Path | None = None, lang: str = "en") -> None:
    """List the files a command wrote (in ``lang``), then print its markdown summary as is."""
    from hallplan.i18n import label

    for p in written:
        console.print(f"  {label('cli_wrote', lang, path=p)}", markup=False, highlight=False)
    if markdown is not None:
        console.print(
            markdown.read_text(encoding="utf-8"), markup=False, highlight=False, soft_wrap=True
        )
