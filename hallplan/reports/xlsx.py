"""Workbooks a hall manager opens: labelled headers, times as HH:MM, frozen header rows,
columns wide enough to read, shares as percentages.

Each sheet is a :class:`Sheet` — the frame plus what its columns *are* (clock times, shares,
whole numbers) and the people's labels for its headers; :func:`write_workbook` writes them
atomically. Clock columns (minutes from midnight, or ``"HH:MM"`` text) become real Excel
times with the ``hh:mm`` format, so they sort and subtract in Excel; shares keep their 0–1
value with a ``0.0%`` format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hallplan.atomic import atomic_write

MAX_WIDTH = 60
MIN_WIDTH = 6
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: ``name`` (≤ 31 characters), the ``frame``, ``headers`` (column →
    label; unlisted columns keep their name), ``clock`` (columns of minutes from midnight or
    ``"HH:MM"``), ``percent`` (shares 0–1), ``integer`` (whole numbers), ``freeze`` (the
    first cell that scrolls: ``"A2"`` freezes the header row, ``"B2"`` also the first
    column of a grid)."""

    name: str
    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    clock: Sequence[str] = ()
    percent: Sequence[str] = ()
    integer: Sequence[str] = ()
    freeze: str = "A2"


def text_width(value: object) -> int:
    """Display width in characters: East Asian wide characters count two."""
    s = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def to_time(value: object) -> dt.time | object:
    """Minutes from midnight or ``"HH:MM"`` as a ``datetime.time``; anything else (empty,
    24:00 or later) unchanged."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    minutes: float | None = None
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            minutes = int(parts[0]) * 60 + int(parts[1])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        minutes = float(value)
    if minutes is None or not 0 <= minutes < 24 * 60:
        return value
    m = round(minutes)
    return dt.time(m // 60, m % 60)


def _cell_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)[:32000]
    if hasattr(v, "item") and not isinstance(v, str | bytes):  # numpy scalars
        try:
            return v.item()
        except (AttributeError, ValueError):
            return str(v)
    if isinstance(v, int | float | bool | dt.date | dt.datetime | dt.time):
        return v
    return str(v)


def _fill(ws, sheet: Sheet) -> None:
    frame = sheet.frame
    cols = list(frame.columns)
    clock, pct, whole = set(sheet.clock), set(sheet.percent), set(sheet.integer)
    ws.append([sheet.headers.get(c, str(c)) for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [text_width(sheet.headers.get(c, str(c))) for c in cols]
    for row in frame.itertuples(index=False, name=None):
        values = []
        for c, v in zip(cols, row, strict=True):
            v = _cell_value(v)
            if c in clock:
                v = to_time(v)
            values.append(v)
        ws.append(values)
    for j, c in enumerate(cols, start=1):
        fmt = ("hh:mm" if c in clock else "0.0%" if c in pct else "#,##0" if c in whole
               else None)
        longest = widths[j - 1]
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if fmt:
                cell.number_format = fmt
            shown = (cell.value.strftime("%H:%M") if isinstance(cell.value, dt.time)
                     else f"{cell.value:,.2f}" if isinstance(cell.value, float) and not fmt
                     else cell.value)
            longest = max(longest, text_width(shown))
        ws.column_dimensions[get_column_letter(j)].width = max(MIN_WIDTH,
                                                               min(MAX_WIDTH, longest + 2))
    ws.freeze_panes = sheet.freeze


#: characters Excel does not allow in a sheet name
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str) -> str:
    r"""A sheet name Excel accepts: no ``[ ] : * ? / \``, no leading or trailing apostrophe,
    at most 31 characters (so "Table 1: forecast vs actual" becomes "Table 1 - forecast vs
    actual")."""
    clean = _FORBIDDEN_IN_SHEET_NAME.sub(" -", name).replace("  ", " ").strip().strip("'")
    return clean[:31].rstrip() or "sheet"


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` to ``path`` atomically; sheet names (made Excel-safe by
    :func:`sheet_title`) must be unique."""
    names = [sheet_title(s.name) for s in sheets]
    if len(set(names)) != len(names):
        raise ValueError(f"workbook {path}: sheet names must be unique; found {names}")

    def write(p: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for sheet, name in zip(sheets, names, strict=True):
            _fill(wb.create_sheet(name), sheet)
        wb.save(p)

    return atomic_write(Path(path), write)


__all__ = ["Sheet", "text_width", "to_time", "write_workbook"]
