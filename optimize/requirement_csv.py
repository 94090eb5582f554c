"""Reading ``requirement.csv`` as a planner may hand it over: every flaw named by file, row
and column, never a pandas traceback and never silently read as something else.

The file is the one ``hallplan requirement`` writes (``date, interval_start_min, post, staff,
method``), but planners edit it in spreadsheets: they save it in GBK, type ``two`` or leave a
cell empty, write dates as ``01/12/2026``, paste a row twice with another number. Each of
these is a problem with its row (the line in the file, header = line 1), column, what was
expected and what was found. Rows that are exact copies of another row are harmless and read
once; two rows for the same (date, interval, post) with different staff are a conflict.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from hallplan.sim.bounds import MAX_EMPLOYEES
from hallplan.sim.errors import Problem, ScenarioError

COLUMNS = ("date", "interval_start_min", "post", "staff", "method")
#: a requirement for a month of a big hall is well under a megabyte per post
MAX_FILE_BYTES = 200_000_000
#: problems listed per file; the rest are counted
MAX_PROBLEMS = 30

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")


def _decode(raw: bytes, file: str) -> str:
    if b"\x00" in raw[:65536]:
        raise ScenarioError([Problem(file, "", "a CSV text file", "binary data (NUL bytes)")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScenarioError([Problem(file, "", "CSV text in UTF-8 or GBK", "undecodable bytes")])


def _whole(text: str) -> int | None:
    return int(float(text)) if _WHOLE.match(text) else None


def read_requirement_table(path: str | Path) -> pd.DataFrame:
    """The requirement rows of ``path`` as a clean table (``date`` as dates, whole-number
    ``interval_start_min`` and ``staff``), or ScenarioError listing every problem."""
    p = Path(path)
    file = str(p)
    if p.is_dir():
        raise ScenarioError([Problem(file, "", "a CSV file", "a folder")])
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError([Problem(file, "", f"a requirement of at most "
                                         f"{MAX_FILE_BYTES // 1_000_000} MB",
                                         f"{size / 1e6:,.0f} MB")])
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(file, "", "an existing file", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(file, "", "a readable file", str(exc))]) from None
    text = _decode(raw, file)
    if not text.strip():
        raise ScenarioError([Problem(file, "", f"a CSV with the header {','.join(COLUMNS)} "
                                     "and one row per (date, interval, post)", "an empty file")])
    try:
        t = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                        skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        raise ScenarioError([Problem(file, "", "valid CSV", msg[:200])]) from None
    t.columns = [str(c).strip() for c in t.columns]
    missing = [c for c in COLUMNS if c not in t.columns]
    if missing:
        raise ScenarioError([Problem(file, "header", f"the columns {', '.join(COLUMNS)}",
                                     f"{', '.join(map(str, t.columns))} (missing "
                                     f"{', '.join(missing)})")])
    if t.empty:
        raise ScenarioError([Problem(file, "", "at least one row after the header",
                                     "the header only")])
    problems: list[Problem] = []
    dates, starts, staff = [], [], []
    for i, row in enumerate(t.itertuples(index=False)):
        line = i + 2
        d_txt, s_txt = str(row.date).strip(), str(row.interval_start_min).strip()
        n_txt, post = str(row.staff).strip(), str(row.post).strip()
        where = f"row {line}"
        date = None
        if not _ISO_DATE.match(d_txt):
            problems.append(Problem(file, f"{where}, column date", "a date YYYY-MM-DD",
                                    repr(d_txt)))
        else:
            try:
                date = pd.Timestamp(d_txt).date()
            except ValueError:
                problems.append(Problem(file, f"{where}, column date",
                                        "a date that exists (YYYY-MM-DD)", repr(d_txt)))
        start = _whole(s_txt)
        if start is None or not 0 <= start < 24 * 60:
            problems.append(Problem(file, f"{where}, column interval_start_min",
                                    "whole minutes from midnight, 0–1439", repr(s_txt)))
        n = _whole(n_txt)
        if n is None or not 0 <= n <= MAX_EMPLOYEES:
            problems.append(Problem(file, f"{where}, column staff",
                                    f"a whole number of people, 0–{MAX_EMPLOYEES}", repr(n_txt)))
        if not post:
            problems.append(Problem(file, f"{where}, column post", "a post name", "''"))
        dates.append(date)
        starts.append(start)
        staff.append(n)
        if len(problems) > MAX_PROBLEMS:
            break
    if problems:
        raise ScenarioError(_capped(problems, file, len(t)))
    out = pd.DataFrame({"date": dates, "interval_start_min": [float(x) for x in starts],
                        "post": t["post"].astype(str).str.strip(), "staff": staff,
                        "method": t["method"].astype(str)})
    out["line"] = range(2, len(out) + 2)
    key = ["date", "interval_start_min", "post"]
    out = out.drop_duplicates(subset=[*key, "staff"])  # exact copies read once
    clash = out[out.duplicated(subset=key, keep=False)]
    if not clash.empty:
        for _, grp in list(clash.groupby(key, sort=True))[:MAX_PROBLEMS]:
            rows = ", ".join(f"row {r.line}: {r.staff}" for r in grp.itertuples())
            d, t0, post = grp.iloc[0][key]
            problems.append(Problem(file, f"rows {', '.join(map(str, grp['line']))}",
                                    f"one staff number per date, interval and post "
                                    f"({d} {int(t0) // 60:02d}:{int(t0) % 60:02d} {post})",
                                    rows))
        raise ScenarioError(problems)
    if int(out["staff"].sum()) == 0:
        raise ScenarioError([Problem(file, "column staff", "at least one interval that needs "
                                     "staff", f"0 in all {len(out)} rows")])
    return out.drop(columns="line").reset_index(drop=True)


def _capped(problems: list[Problem], file: str, rows: int) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS],
            Problem(file, "…", "", f"more problems (the first {MAX_PROBLEMS} are listed; "
                    f"{rows:,} rows in the file, the rest not checked)")]
