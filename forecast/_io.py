"""Atomic file writes for the forecast package (``forecast`` must not import ``hallplan``;
``hallplan.atomic`` reuses this one implementation)."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

_UMASK_LOCK = threading.Lock()
#: in every temporary's name (``.<name>.hallplan-tmp-XXXXXXXX<ext>``), so a later run can tell
#: a leftover of ours (a run killed outright while writing) from a user's file
TEMP_MARK = "hallplan-tmp-"


def current_umask() -> int:
    """The process umask. Python can read it only by setting it, so it is set for an instant
    to the strictest mask (a file another thread creates meanwhile is, at worst, private)."""
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def atomic_write(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically.

    The temporary sits beside ``path`` (same file system, so the rename is atomic) and keeps
    its extension (writers that choose the format from it still work). It is removed if the
    writer fails or is interrupted; one left by a killed process is recognised by
    :data:`TEMP_MARK` and removed by the next run into the folder (``hallplan.atomic``).

    The file gets the permissions of any newly created file (``0o666`` less the umask: 0644
    under the usual 022), not the owner-only 0600 that :func:`tempfile.mkstemp` gives."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{TEMP_MARK}", suffix=path.suffix,
                               dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
