"""The one place where an error nobody planned for is turned into one line and a log file.

Every ``hallplan`` command runs inside :class:`GuardedGroup` (the top-level typer group):

* a planner error that escaped its command's own handling (a :class:`ScenarioError`, or a
  file that cannot be read or written) still ends as the usual problem list with exit 2;
* any other exception is a bug: the planner sees ONE line saying which command failed, with
  what, where in the code, and the path of a log file holding the full traceback — exit 1,
  never a raw traceback on the screen.

The log goes to ``$HALLPLAN_LOG_DIR`` if set, else ``<temp dir>/hallplan-logs``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

import typer
from typer.core import TyperGroup

from hallplan.console import err_console, fail
from hallplan.sim.errors import Problem, ScenarioError

__all__ = ["GuardedGroup", "log_dir", "write_crash_log"]


def _command_line_exceptions() -> tuple[type[BaseException], ...]:
    """Exceptions the command-line layer handles itself (exit codes, usage errors): typer's
    own, and click's when typer runs on click (older typer releases)."""
    out: list[type[BaseException]] = [typer.Exit, typer.Abort]
    out += [c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"]
    try:
        import click

        out += [click.exceptions.Exit, click.ClickException, click.Abort]
    except ImportError:  # pragma: no cover - typer without click
        pass
    return tuple(dict.fromkeys(out))


_PASS_THROUGH = _command_line_exceptions()


def log_dir() -> Path:
    """Folder of crash logs: ``$HALLPLAN_LOG_DIR``, else ``<temp>/hallplan-logs``."""
    env = os.environ.get("HALLPLAN_LOG_DIR")
    return Path(env) if env else Path(tempfile.gettempdir()) / "hallplan-logs"


def write_crash_log(exc: BaseException, command: str) -> Path | None:
    """Write the full traceback of ``exc`` to a fresh log file; None if even that fails."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"hallplan-{stamp}-{os.getpid()}.log"
        text = (f"hallplan {command}\n"
                + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None


def _where(exc: BaseException) -> str:
    """``file.py:123`` of the innermost frame of the project (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    ours = [f for f in frames if "hallplan" in f.filename or "/sim/" in f.filename
            or "/optimize/" in f.filename or "/forecast/" in f.filename]
    f = (ours or frames)[-1]
    return f"{Path(f.filename).name}:{f.lineno}"


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _command_name(ctx: typer.Context) -> str:
    given = [*getattr(ctx, "_protected_args", []), *ctx.args]
    args = [a for a in given if not a.startswith("-")]
    if not args:
        return ctx.info_name or "hallplan"
    commands = getattr(ctx.command, "commands", {})
    if hasattr(commands.get(args[0]), "commands") and len(args) > 1:
        return f"{args[0]} {args[1]}"  # history import, region plan
    return args[0]


class GuardedGroup(TyperGroup):
    """The top-level command group: planner errors → exit 2, bugs → one line + log, exit 1."""

    def invoke(self, ctx: typer.Context):
        command = _command_name(ctx)
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except ScenarioError as exc:
            fail(exc.problems)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
                FileExistsError) as exc:
            name = exc.filename if exc.filename is not None else "?"
            fail([Problem(str(name), "", "a path that can be read or written",
                          exc.strerror or type(exc).__name__)])
        except Exception as exc:
            log = write_crash_log(exc, command)
            where = f"full trace in {log}" if log else "the trace could not be logged"
            err_console.print(
                f"hallplan {command}: internal error at {_where(exc)} "
                f"({type(exc).__name__}: {_one_line(str(exc))}); {where}",
                markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
