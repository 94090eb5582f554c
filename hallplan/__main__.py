"""The ``hallplan`` command (``python -m hallplan``).

The command line's imports (pandas, OR-Tools, matplotlib …) take seconds; a Ctrl-C during
them would end in a ``KeyboardInterrupt`` traceback. So the entry point first takes Ctrl-C
itself — nothing has been done yet, so it just exits 130 with one line — and then hands over
to the command, whose own handling (``hallplan.interrupt``) replaces this one.
"""

from __future__ import annotations

import os
import signal


def _while_starting(signum, frame) -> None:
    os.write(2, b"hallplan: interrupted (Ctrl-C) while starting; nothing was done\n")
    os._exit(130)


def main() -> None:
    signal.signal(signal.SIGINT, _while_starting)
    try:
        from hallplan.cli import app

        app(prog_name="hallplan")
    finally:  # the command has ended (and said so): a late Ctrl-C changes nothing
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    main()
