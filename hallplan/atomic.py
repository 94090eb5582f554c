"""Atomic output files: write to a temporary file in the same folder, then rename.

A reader (or an interrupted run) never sees a half-written CSV, PNG or report.
"""

from __future__ import annotations

from pathlib import Path

# one implementation, shared with the forecast package (which may not import hallplan)
from hallplan.forecast._io import atomic_write


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_csv(path: Path, frame) -> Path:
    return atomic_write(path, lambda p: frame.to_csv(p, index=False))


def save_figure(path: Path, fig) -> Path:
    return atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))


__all__ = ["atomic_write", "save_figure", "write_csv", "write_text"]
