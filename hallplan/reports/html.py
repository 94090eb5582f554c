"""The few HTML pieces the reports share: cell formatting (numbers, intervals, yes/no,
durations; ``–`` where a value is not available), escaped tables, embedded PNG figures and
the page shell.

How numbers read: counts are whole numbers with their interval (``1,234 (1,180–1,290)``),
shares are percentages whose interval stays inside 0–100 % (``92.3% (90.1–94.2%)``),
times of day are ``HH:MM``."""

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


def pct(x, digits: int = 1) -> str:
    """A share 0–1 as ``92.3%`` (clipped to 0–100 %); ``–`` when not available."""
    if isnan(x):
        return NA
    return f"{min(max(float(x), 0.0), 1.0) * 100:.{digits}f}%"


def pct_ci(mean, lo, hi, digits: int = 1) -> str:
    """``92.3% (90.1–94.2%)``: a share and its interval, every bound inside 0–100 %."""
    if isnan(mean):
        return NA
    out = pct(mean, digits)
    if not (isnan(lo) or isnan(hi)):
        out += f" ({pct(lo, digits)[:-1]}–{pct(hi, digits)})"
    return out


def count_ci(mean, lo, hi) -> str:
    """``1,234 (1,180–1,290)``: a count as a whole number with its interval (never below 0)."""
    if isnan(mean):
        return NA
    out = f"{max(float(mean), 0.0):,.0f}"
    if not (isnan(lo) or isnan(hi)):
        out += f" ({max(float(lo), 0.0):,.0f}–{max(float(hi), 0.0):,.0f})"
    return out


def details(summary: str, body: str, open_: bool = False) -> str:
    """A collapsed ``<details>`` block (``summary`` is escaped, ``body`` is HTML)."""
    return (f"<details{' open' if open_ else ''}><summary>{html.escape(summary)}</summary>"
            f"{body}</details>")


def flag(x) -> bool | None:
    """True / False, or None when not available (a failed hall has no verdict)."""
    if isnan(x):
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    raise TypeError(f"expected a true/false flag; found {x!r}")


def yes_no(x, lang: str = "en") -> str:
    from hallplan.i18n import label

    f = flag(x)
    return NA if f is None else label("yes" if f else "no", lang)


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


def page(title: str, style: str, body: Iterable[str], lang: str = "en") -> str:
    """A self-contained HTML document (``title`` is escaped; ``body`` parts are HTML)."""
    code = "zh-CN" if lang == "zh" else "en"
    return (
        f"<!doctype html><html lang='{code}'><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}"
        f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>"
    )


__all__ = [
    "NA", "change", "ci_text", "count_ci", "details", "duration", "esc", "flag",
    "frame_table", "isnan", "num", "page", "pct", "pct_ci", "png_data_uri", "table", "yes_no",
]
