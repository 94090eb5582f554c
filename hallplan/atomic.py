"""Atomic outputs: a file is written to a temporary beside it and renamed into place; a run's
output folder is built beside its final place and swapped in when the run is complete.

**Files.** :func:`write_text`, :func:`write_csv`, :func:`save_figure` and
:func:`atomic_write` never leave a half-written CSV, PNG or workbook under its real name.

**Folders** (:func:`run_folder`). A command writes a dozen files; renaming each one atomically
is not enough — a run killed after the third rename leaves three new files beside nine of the
previous run, and nothing says so (measured on ``simulate``). Two designs were possible:
stamp every file with a run id and delete stale files afterwards (the folder is still a mix
while the run writes, and a reader has to check stamps), or build the whole run in a fresh
sibling folder and swap it in with two renames at the end. The swap is used: a reader of the
folder sees either the previous complete run or the new complete one, and an interrupted run
leaves the folder as it was. The swap takes milliseconds and is shielded from Ctrl-C
(:func:`hallplan.interrupt.deferred`); a run killed outright inside it (SIGKILL, power) is
repaired by the next run into the folder, which also removes stale staging folders and
temporaries of ours (hidden ``.<name>.hallplan-…`` siblings, ``.<file>.XXXXXXXX<ext>``).

**The user's own files are never deleted.** Each run leaves ``hallplan-run.json`` (run id,
command, time, the entries it wrote). When the swap replaces a folder, every entry the old
manifest does not list — a spreadsheet the planner saved there, a history store — is moved
into the new folder unchanged; only the previous run's own entries go. A folder that is the
current directory (or holds it), or the home folder, is refused: swapping it would pull the
shell's directory away.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# one implementation, shared with the forecast package (which may not import hallplan)
from hallplan.forecast._io import TEMP_MARK, atomic_write

MANIFEST = "hallplan-run.json"
_STAGE = "hallplan-new-"
_BACKUP = "hallplan-old-"
#: a temporary of :func:`atomic_write` (``.<name>.hallplan-tmp-XXXXXXXX<ext>``), or of the
#: versions before the mark (``.<name>.XXXXXXXX<ext>``, mkstemp's eight characters)
_TEMPORARY = re.compile(
    rf"^\.(?P<name>.+?(?P<ext>\.[^.]+)?)\.(?:{re.escape(TEMP_MARK)})?[a-z0-9_]{{8}}(?P=ext)$"
)


class OutputFolderError(ValueError):
    """The output folder cannot take a run (a file, the current directory, …)."""


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_csv(path: Path, frame) -> Path:
    return atomic_write(path, lambda p: frame.to_csv(p, index=False))


def save_figure(path: Path, fig) -> Path:
    return atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))


def is_temporary(path: Path) -> bool:
    """A leftover temporary file of :func:`atomic_write` (from a run killed while writing)."""
    m = _TEMPORARY.match(path.name)
    return m is not None and path.is_file() and not path.is_symlink()


def read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("entries"), list) else None


def check_output_folder(out: Path) -> Path:
    """``out`` if a run folder can go there (a symlink resolved), else
    :class:`OutputFolderError`."""
    if out.is_symlink():
        out = Path(os.path.realpath(out))
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {out}: expected a folder; found a file")
    here, target, home = Path.cwd().resolve(), out.resolve(), Path.home().resolve()
    if target in (here, home) or target in here.parents:
        what = "the home folder" if target == home else "the current folder or one holding it"
        raise OutputFolderError(
            f"--out {out}: expected a folder for this run's outputs (new, empty, or one an "
            f"earlier hallplan run wrote); found {what}"
        )
    return out


def _siblings(out: Path, mark: str) -> list[Path]:
    prefix = f".{out.name}.{mark}"
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir())


def _pid_alive(name: str) -> bool:
    """Whether the run that owns a staging folder (its id holds the pid) is still running."""
    m = re.search(r"-p(\d+)-", name)
    if m is None:
        return False
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(m.group(1)) != os.getpid()


def _foreign(folder: Path, manifest: dict | None) -> list[Path]:
    """Entries of ``folder`` no hallplan run wrote (kept across a swap), temporaries excluded."""
    ours = set(manifest["entries"]) | {MANIFEST} if manifest else set()
    return [p for p in sorted(folder.iterdir()) if p.name not in ours and not is_temporary(p)]


def _carry_over(backup: Path, out: Path) -> None:
    """Move the user's entries from the replaced folder into the new one, then drop it."""
    for p in _foreign(backup, read_manifest(backup)):
        if not (out / p.name).exists():
            os.replace(p, out / p.name)
    shutil.rmtree(backup, ignore_errors=True)


def repair(out: Path) -> None:
    """Undo what a run killed outright left around ``out``: finish an interrupted swap, drop
    stale staging folders and temporaries. Nothing of the user's is deleted."""
    out = Path(out)
    for backup in _siblings(out, _BACKUP):
        if not out.exists():
            os.replace(backup, out)  # killed between the two renames: the old run returns
        else:
            _carry_over(backup, out)
    for stage in _siblings(out, _STAGE):
        if not _pid_alive(stage.name):
            shutil.rmtree(stage, ignore_errors=True)
    if out.is_dir():
        for p in out.iterdir():
            if is_temporary(p):
                p.unlink(missing_ok=True)


def _commit(stage: Path, out: Path, run_id: str, command: str) -> None:
    entries = sorted(p.name for p in stage.iterdir())
    files = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
    manifest = {"run_id": run_id, "command": command,
                "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "entries": entries, "files": files}
    write_text(stage / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    if out.exists():
        backup = out.parent / f".{out.name}.{_BACKUP}{run_id}"
        os.replace(out, backup)
        os.replace(stage, out)
        _carry_over(backup, out)
    else:
        os.replace(stage, out)


@contextmanager
def run_folder(out: Path, command: str) -> Iterator[Path]:
    """Build a run's outputs in a fresh folder beside ``out``; swap it in on success.

    Yields the folder to write into. If the body raises (an error, Ctrl-C), the fresh folder
    is removed and ``out`` is left exactly as it was. See the module docstring for why."""
    from hallplan.interrupt import check, deferred, output_folder

    out = check_output_folder(Path(out))
    output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    repair(out)
    run_id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-p{os.getpid()}-{secrets.token_hex(3)}"
    stage = out.parent / f".{out.name}.{_STAGE}{run_id}"
    stage.mkdir()
    try:
        yield stage
        with deferred():  # a Ctrl-C now waits the few ms until the folder is consistent
            check()
            _commit(stage, out, run_id, command)
    except BaseException:
        with deferred():
            shutil.rmtree(stage, ignore_errors=True)
        raise


def final_paths(written: list[Path], stage: Path, out: Path) -> list[Path]:
    """Where files written into ``stage`` are after the swap (for listing them)."""
    return [Path(out) / Path(p).relative_to(stage) for p in written]


__all__ = [
    "MANIFEST", "OutputFolderError", "atomic_write", "check_output_folder", "final_paths",
    "is_temporary", "read_manifest", "repair", "run_folder", "save_figure", "write_csv",
    "write_text",
]
