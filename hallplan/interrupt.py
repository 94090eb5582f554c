"""Ctrl-C on the command line: stop within seconds, say so in one line, exit 130.

What has to happen, and why it needs more than Python's default ``KeyboardInterrupt``:

* **Native solves.** While CP-SAT or HiGHS runs, the main thread is inside C++ and Python
  cannot run its signal handler until the solve returns — minutes on a month's roster. So the
  handler is paired with a *wakeup pipe* (:func:`signal.set_wakeup_fd`): the C-level handler
  writes to it at once, a small watcher thread wakes and stops every registered solve
  (:func:`hallplan.sim.interrupt.request_stop`). The solve returns within a second or two and
  the stop registry raises ``Interrupted`` — a stopped solve's best-so-far is never used as if
  it were the roster that was asked for.
* **Never finish as if nothing happened.** The first Ctrl-C raises ``Interrupted`` (a
  ``KeyboardInterrupt``); it is not swallowed anywhere (the roster, the loop, the region
  runner all let it through), and the command exits 130 with one line on stderr.
* **No half-written output.** Files are written atomically and a run's folder is swapped in
  only when complete (:mod:`hallplan.atomic`); the swap itself runs in :func:`deferred`, where
  a Ctrl-C waits the few milliseconds until the folder is consistent.
* **One Ctrl-C is enough.** A second one while the run is already stopping is ignored (it
  would only cut the clean-up short); a third, for a run that seems stuck, exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hallplan.sim.interrupt import (
    Interrupted,
    check,
    request_stop,
    reset,
    running,
    stop_running,
)

__all__ = ["Interrupted", "check", "deferred", "handling", "note", "output_folder"]

_state = {"presses": 0, "deferring": 0, "pending": False, "t0": 0.0}
_notes: list[str] = []
_folders: dict[str, bool] = {}
_watcher: dict = {}


def note(text: str) -> None:
    """Add to the one line printed on an interrupt (e.g. what became of the store)."""
    if text not in _notes:
        _notes.append(text)


def output_folder(out) -> None:
    """The command writes its run to ``out``: an interrupt says what ``out`` still holds
    (runs are swapped in only when complete, so: what it held before the command)."""
    from pathlib import Path

    p = Path(out)
    _folders.setdefault(str(p), p.is_dir() and any(p.iterdir()))


def _outcome() -> list[str]:
    said = [f"{f} still holds the previous run" if held else f"nothing was written to {f}"
            for f, held in _folders.items()]
    return said + _notes


def _on_sigint(signum, frame) -> None:
    _state["presses"] += 1
    request_stop()
    if _state["presses"] >= 3:
        os.write(2, b"hallplan: interrupted again; exiting now\n")
        os._exit(130)
    if _state["presses"] > 1:
        return  # already stopping: let the clean-up finish
    if _state["deferring"]:
        _state["pending"] = True
        return
    raise Interrupted("interrupted")


def _watch(read_fd: int) -> None:
    """Runs in a daemon thread: a SIGINT byte on the wakeup pipe stops the native solves."""
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data and _watcher.get("active"):
            request_stop()
            # a solve that registered just before the stop may not have started its search
            # yet (the stop was a no-op): keep asking until none is running
            deadline = time.monotonic() + 10.0
            while running() and time.monotonic() < deadline:
                time.sleep(0.1)
                stop_running()


def _wakeup_pipe() -> int:
    if "write_fd" not in _watcher:
        r, w = os.pipe()
        os.set_blocking(w, False)
        threading.Thread(target=_watch, args=(r,), name="hallplan-sigint", daemon=True).start()
        _watcher["write_fd"] = w
    return _watcher["write_fd"]


@contextmanager
def handling(err=None) -> Iterator[None]:
    """Handle Ctrl-C for one command: stop solves, then exit 130 with one line on ``err``
    (a rich console; stderr by default). Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reset()
    _state.update(presses=0, deferring=0, pending=False, t0=time.monotonic())
    _notes.clear()
    _folders.clear()
    old_handler = signal.signal(signal.SIGINT, _on_sigint)
    old_fd = signal.set_wakeup_fd(_wakeup_pipe(), warn_on_full_buffer=False)
    _watcher["active"] = True
    try:
        yield
        # Python drops an exception raised by the handler while it runs a finalizer or a
        # callback ("Exception ignored in ..."); the stop flag the handler set first is
        # not lost, and a run that carried on past a Ctrl-C still ends as interrupted
        check()
    except KeyboardInterrupt:
        import typer

        elapsed = time.monotonic() - _state["t0"]
        line = f"hallplan: interrupted (Ctrl-C) after {elapsed:.1f} s; stopped before finishing"
        if _outcome():
            line += "; " + "; ".join(_outcome())
        if err is not None:
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            sys.stderr.write(line + "\n")
        raise typer.Exit(130) from None
    finally:
        _watcher["active"] = False
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGINT, old_handler)
        reset()


@contextmanager
def deferred() -> Iterator[None]:
    """A section Ctrl-C does not cut in two (a folder swap, a clean-up): an interrupt that
    arrives inside it is raised when it ends."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
    if _state["deferring"] == 0 and _state["pending"]:
        _state["pending"] = False
        raise Interrupted("interrupted")
