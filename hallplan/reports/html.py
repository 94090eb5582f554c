"""The few HTML pieces the reports share: cell formatting (numbers, intervals, yes/no,
durations; ``–`` where a value is not available), escaped tables, embedded PNG figures and
the page shell."""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

NA = "–"



def isnan(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, float | np.floating) and math.isnan(x))
    except TypeError:
        return False


def num(x, digits: int = 0) -> str:
    """``12,345`` / ``1,234.5``; ``–`` when not available."""
    if isnan(x):
        return NA
    try:
        return f"{float(x):,.{digits}f}"
    except (TypeError, ValueError):
        return html.escape(str(x))


def ci_text(mean, lo, hi, digits: int = 2) -> str:
    """``0.82 (0.79–0.85)``; the interval is left out when not available."""
    if isnan(mean):
        return NA
    out = f"{float(mean):,.{digits}f}"
    if not (isnan(lo) or isnan(hi)):
        out += f" ({float(lo):,.{digits}f}–{float(hi):,.{digits}f})"
    return out


def flag(x) -> bool | None:
    """True / False, or None when not available (a failed hall has no verdict)."""
    if isnan(x):
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    raise TypeError(f"expected a true/false flag; found {x!r}")


def yes_no(x) -> str:
    f = flag(x)
    return NA if f is None else ("yes" if f else "no")


def change(x: float) -> str:
    return "0" if round(x) == 0 else f"{x:+,.0f}"


def duration(seconds) -> str:
    if isnan(seconds):
        return NA
    s = float(seconds)
    if s < 120:
        return f"{s:,.1f} s"
    if s < 3600:
        return f"{s / 60:,.1f} min"
    return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"


def esc(x) -> str:
    return NA if isnan(x) else html.escape(str(x))


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "t") -> str:
    """An HTML table from *already escaped* cell strings (headers are escaped here)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_table(df: pd.DataFrame, float_fmt: str = "{:,.2f}") -> str:
    """A data frame as an HTML table (values escaped by pandas)."""
    return df.to_html(index=False, border=0, classes="t", float_format=float_fmt.format, na_rep=NA)


def png_data_uri(fig) -> str:
    """A matplotlib figure as ``data:image/png;base64,…`` for an ``<img src>``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def page(title: str, style: str, body: Iterable[str]) -> str:
    """A self-contained HTML document (``title`` is escaped; ``body`` parts are HTML)."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>"
    )


__all__ = [
    "NA", "change", "ci_text", "duration", "esc", "flag", "frame_table", "isnan", "num",
    "page", "png_data_uri", "table", "yes_no",
]
