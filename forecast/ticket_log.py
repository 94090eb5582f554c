"""Ticket-log format, validation and import (see ``docs/ticket_log.md``).

One row per visit (a counter ticket or a kiosk transaction). :func:`validate_ticket_log`
checks every row with vectorised pandas rules and returns the good rows plus every bad row
with its reasons; :func:`hallplan.forecast.store.import_ticket_log` (beside the store, so
this module does not import it) stores the good rows in the history store and keeps the bad
ones (with reasons) in the store's ``rejects`` table, so nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hallplan.sim.scenario import Scenario

TICKET_LOG_COLUMNS = (
    "hall_id",
    "ticket_id",
    "service_type",
    "customer_class",
    "channel",
    "ticket_time",
    "call_time",
    "service_start",
    "service_end",
    "counter_id",
    "staff_id",
    "outcome",
)
TIME_COLUMNS = ("ticket_time", "call_time", "service_start", "service_end")
# columns that may be empty: a kiosk visit or an abandoned ticket has no call or counter
OPTIONAL_VALUES = ("call_time", "service_start", "service_end", "counter_id", "staff_id")
REQUIRED_VALUES = tuple(c for c in TICKET_LOG_COLUMNS if c not in OPTIONAL_VALUES)
# Columns a file may leave out altogether (a single hall's export has no hall column, many
# systems record no separate call time, kiosk-only logs no counter or staff): an absent
# hall_id is the hall being imported, an absent call_time is service_start (the wait then
# runs to the start of service), absent counter_id / staff_id are empty.
OMITTABLE_COLUMNS = ("hall_id", "call_time", "counter_id", "staff_id")
REQUIRED_COLUMNS = tuple(c for c in TICKET_LOG_COLUMNS if c not in OMITTABLE_COLUMNS)
# Optional: when an abandoning customer gave up (patience is fitted from it, forecast.calibrate).
OPTIONAL_COLUMNS = ("leave_time",)
# the file line of each row, when the reader knows it (header = line 1)
SOURCE_LINE = "source_line"
DEFAULT_TIMEZONE = "Asia/Shanghai"
CHANNELS = ("counter", "kiosk")
OUTCOMES = ("served", "abandoned", "no_show")
# Clocks of different systems disagree by a second or two (the bank data shows service
# starting 1 s before the VRU exit); order checks allow this much.
ORDER_TOLERANCE = pd.Timedelta(seconds=2)
MAX_EXAMPLES = 3


class TicketLogError(ValueError):
    """The file cannot be read as a ticket log at all (e.g. wrong columns)."""

    def __init__(self, message: str, report: ImportReport | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class ImportReport:
    """What an import did: rows read, imported, rejected (counted by reason, with examples)."""

    path: str
    hall_id: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_already_stored: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict]] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    import_id: int | None = None
    read_as: str | None = None  # how the file was read (format, encoding, delimiter)
    mapping_summary: str | None = None  # what a column mapping did before the checks

    @property
    def ok(self) -> bool:
        return not self.file_errors

    def summary(self, errors: bool = True) -> str:
        """The report as text; ``errors=False`` leaves out the file errors (when the caller
        prints them itself)."""
        lines = [self.mapping_summary] if self.mapping_summary else []
        lines.append(
            f"{self.path}: {self.rows_read} rows read, {self.rows_imported} imported, "
            f"{self.rows_rejected} rejected, {self.rows_already_stored} already stored"
        )
        if self.read_as:
            lines.append(f"  read as {self.read_as}")
        if self.first_date:
            lines.append(f"  dates {self.first_date} .. {self.last_date}")
        lines += [f"  ERROR {e}" for e in self.file_errors] if errors else []
        lines += [f"  warning: {w}" for w in self.warnings]
        for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {reason}: {n}")
            for ex in self.examples.get(reason, []):
                lines.append(f"    line {ex['line']}: {ex['detail']}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def read_ticket_log(path: str | Path, encoding: str | None = None,
                    rows: Callable[[int, int | None], None] | None = None) -> pd.DataFrame:
    """Read a ticket log without judging its rows: CSV (UTF-8 with or without BOM,
    GBK/GB18030 or UTF-16, detected unless ``encoding`` is given; ``,`` ``;`` or tab,
    sniffed; gzipped or not), .xlsx (first sheet) or Parquet.

    Headers are normalised (``" Ticket Time "`` → ``ticket_time``); every row keeps the file
    line it came from in :data:`SOURCE_LINE`. Raises :class:`TicketLogError` naming the file
    when it cannot be read as a table. ``rows(done, total)`` hears the rows read as they are
    read (:func:`hallplan.forecast.export_reader.read_export`)."""
    from hallplan.forecast.export_reader import ExportReadError, normalise_header, read_export

    try:
        table = read_export(path, encoding=encoding, rows=rows)
    except ExportReadError as exc:
        raise TicketLogError(str(exc)) from None
    frame = table.frame
    names = [normalise_header(c) for c in frame.columns]
    seen: dict[str, str] = {}
    for raw, n in zip(frame.columns, names, strict=True):
        if n in seen:
            raise TicketLogError(
                f"{path}: header: expected each column once; found {seen[n]!r} and {raw!r} "
                f"(both read as {n!r})"
            )
        seen[n] = raw
    frame.columns = names
    if SOURCE_LINE in frame.columns:
        raise TicketLogError(f"{path}: header: {SOURCE_LINE!r} is a reserved column name")
    frame[SOURCE_LINE] = table.lines
    frame.attrs["read_notes"] = list(table.notes)
    frame.attrs["read_as"] = table.description()
    return frame


# Timestamps: year first (ISO 8601 with '-', or '/' and '.' as Chinese exports write them),
# optional seconds and fraction, optional zone (Z, +08:00, +0800, +08). Day- or month-first
# dates (10/05/2026) are ambiguous and rejected.
_TIMESTAMP = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
TIMESTAMP_HELP = (
    "expected YYYY-MM-DD HH:MM[:SS] (year first), optionally with a zone such as +08:00 or Z"
)


def _parse_flexible(text: pd.Series, tz: str) -> pd.Series:
    """Parse year-first timestamps; zoned ones are converted to ``tz`` wall-clock time."""
    x = text.str.extract(_TIMESTAMP.pattern).astype(object).fillna("")
    z2 = lambda c: x[c].str.zfill(2)  # noqa: E731
    frac = x[6].str.ljust(6, "0").str[:6]
    canon = x[0] + "-" + z2(1) + "-" + z2(2) + " " + z2(3) + ":" + z2(4) + ":" + z2(5)
    parsed = pd.to_datetime(canon + "." + frac, format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
    zone = x[7]
    zoned = (zone != "").to_numpy(bool)
    if zoned.any():
        sign = np.where(zone.str[:1] == "-", -1.0, 1.0)
        digits = zone.str.replace(r"[+:Zz-]", "", regex=True)
        offset_min = sign * (
            pd.to_numeric(digits.str[:2], errors="coerce").fillna(0) * 60
            + pd.to_numeric(digits.str[2:4], errors="coerce").fillna(0)
        )
        # real offsets lie within ±14 h (and whole minutes under 60)
        mins = pd.to_numeric(digits.str[2:4], errors="coerce").fillna(0)
        parsed = parsed.mask(zoned & ((offset_min.abs() > 14 * 60) | (mins >= 60)).to_numpy())
        utc = parsed - pd.to_timedelta(offset_min, unit="min")
        local = utc.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
        parsed = parsed.where(~zoned, local)
    return parsed


def _to_time(col: pd.Series, tz: str = DEFAULT_TIMEZONE) -> tuple[pd.Series, pd.Series]:
    """Parse a time column to the hall's local wall-clock time; returns (parsed, bad) where
    bad marks non-empty values that are not a timestamp. Naive values are already local;
    zoned ones (``…+08:00``, ``…Z``, or tz-aware Parquet columns) are converted to ``tz``."""
    if pd.api.types.is_datetime64_any_dtype(col):
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert(tz).dt.tz_localize(None)
        return col.astype("datetime64[us]"), pd.Series(False, index=col.index)
    text = col.astype("string").str.strip()
    empty = (text.isna() | (text == "")).fillna(True).astype(bool)
    # fast path: the canonical form most files use (pre-selected, because a failing value
    # costs pandas an exception each: a million US-style dates would take seconds)
    canon = text.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").fillna(False).astype(bool)
    fast = text.where(canon | empty).astype(object).where(canon | empty, None)
    parsed = pd.to_datetime(fast, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    # only what can be a year-first timestamp takes the slow, flexible path
    rest = ~canon & ~empty & text.str.match(r"\d{4}[-/.]\d").fillna(False).astype(bool)
    if rest.any():
        parsed[rest] = _parse_flexible(text[rest], tz)
    bad = parsed.isna() & ~empty
    return parsed.astype("datetime64[us]"), bad


@dataclass
class Validated:
    good: pd.DataFrame  # TICKET_LOG_COLUMNS + ticket_date + line, typed
    bad: pd.DataFrame  # line, reason, detail, raw (json)
    extra_columns: list[str]
    notes: list[str] = field(default_factory=list)  # columns filled in, rows skipped


def missing_columns_message(source: str | Path | None, missing: list[str], found: list[str]) -> str:
    """``file: missing columns [...]; found columns [...]`` with what is expected."""
    where = f"{source}: " if source else ""
    return (
        f"{where}missing columns {missing}; expected the ticket-log columns "
        f"{list(REQUIRED_COLUMNS)} (and optionally {list(OMITTABLE_COLUMNS)}, see "
        f"docs/ticket_log.md), or a --mapping for this export; found columns {found}"
    )


def validate_ticket_log(
    frame: pd.DataFrame,
    hall_id: str,
    scenario: Scenario | None = None,
    *,
    timezone: str | None = None,
    source: str | Path | None = None,
) -> Validated:
    """Check every row. Each rejected row carries all its reasons.

    Times are read as the hall's local time: zoned timestamps are converted to ``timezone``
    (default: the scenario's ``hall.timezone``, else Asia/Shanghai). Raises
    :class:`TicketLogError` (naming ``source``) if required columns are missing."""
    tz = timezone or (scenario.hall.timezone if scenario is not None else DEFAULT_TIMEZONE)
    found = [c for c in frame.columns if c != SOURCE_LINE]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise TicketLogError(missing_columns_message(source, missing, found))
    known = (*TICKET_LOG_COLUMNS, *OPTIONAL_COLUMNS, SOURCE_LINE)
    extra = [c for c in frame.columns if c not in known]
    notes = list(frame.attrs.get("read_notes", []))
    src = frame.reset_index(drop=True)
    df = pd.DataFrame(index=src.index)
    for c in TICKET_LOG_COLUMNS:
        if c in src.columns:
            df[c] = src[c]
        elif c == "hall_id":
            df[c] = hall_id
            notes.append(f"no hall_id column: every row is hall {hall_id!r}")
        elif c == "call_time":
            df[c] = src["service_start"]
            notes.append("no call_time column: waits are measured to service_start")
        else:
            df[c] = ""
            notes.append(f"no {c} column: left empty")
    if SOURCE_LINE in src.columns:
        line = pd.Series(src[SOURCE_LINE].to_numpy(int), index=df.index)
    else:
        line = pd.Series(np.arange(len(df)) + 2, index=df.index)  # header is line 1
    for c in TICKET_LOG_COLUMNS:
        if c not in TIME_COLUMNS:
            s = df[c].astype("string").str.strip()
            df[c] = s.mask(s == "")
    problems: dict[str, pd.Series] = {}
    details: dict[str, pd.Series] = {}

    def flag(reason: str, mask: pd.Series, detail: pd.Series | str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        before = problems.get(reason, pd.Series(False, index=df.index))
        problems[reason] = before | mask
        det = detail if isinstance(detail, pd.Series) else pd.Series(detail, index=df.index)
        det = det.astype(str)
        # a row flagged twice for one reason keeps its first detail
        details[reason] = det if reason not in details else details[reason].where(before, det)

    for c in REQUIRED_VALUES:
        if c in TIME_COLUMNS:
            continue
        flag("missing_value", df[c].isna(), f"{c} is empty")
    times, unparsed = {}, {}
    for c in TIME_COLUMNS:
        parsed, bad = _to_time(df[c], tz)
        times[c], unparsed[c] = parsed, bad
        flag("bad_time", bad, c + " = '" + df[c].astype(str) + "' (" + TIMESTAMP_HELP + ")")
    flag(
        "missing_value",
        times["ticket_time"].isna() & ~problems.get("bad_time", pd.Series(False, index=df.index)),
        "ticket_time is empty",
    )
    flag(
        "wrong_hall",
        df["hall_id"].notna() & (df["hall_id"] != hall_id),
        "hall_id " + df["hall_id"].astype(str) + f" (importing for {hall_id})",
    )
    flag(
        "bad_channel",
        df["channel"].notna() & ~df["channel"].isin(CHANNELS),
        "channel " + df["channel"].astype(str) + f" (expected {'/'.join(CHANNELS)})",
    )
    flag(
        "bad_outcome",
        df["outcome"].notna() & ~df["outcome"].isin(OUTCOMES),
        "outcome " + df["outcome"].astype(str) + f" (expected {'/'.join(OUTCOMES)})",
    )
    if scenario is not None:
        flag(
            "unknown_service_type",
            df["service_type"].notna() & ~df["service_type"].isin(list(scenario.service_types)),
            "service_type " + df["service_type"].astype(str),
        )
        flag(
            "unknown_customer_class",
            df["customer_class"].notna()
            & ~df["customer_class"].isin(list(scenario.customer_classes)),
            "customer_class " + df["customer_class"].astype(str),
        )
    t, c_, s_, e_ = (times[k] for k in TIME_COLUMNS)
    leave = None
    if "leave_time" in src.columns:
        leave, bad_leave = _to_time(src["leave_time"], tz)
        raw_leave = src["leave_time"].astype(str)
        flag("bad_time", bad_leave, "leave_time = '" + raw_leave + "' (" + TIMESTAMP_HELP + ")")
        flag(
            "leave_before_ticket",
            leave < t - ORDER_TOLERANCE,
            "leave_time " + leave.astype(str) + " < ticket_time " + t.astype(str),
        )
    served = df["outcome"] == "served"
    flag(
        "missing_service_times",
        served
        & ((s_.isna() & ~unparsed["service_start"]) | (e_.isna() & ~unparsed["service_end"])),
        "served but service_start/service_end empty",
    )
    flag(
        "end_before_start",
        e_ < s_,
        "service_end " + e_.astype(str) + " < service_start " + s_.astype(str),
    )
    flag(
        "call_before_ticket",
        c_ < t - ORDER_TOLERANCE,
        "call_time " + c_.astype(str) + " < ticket_time " + t.astype(str),
    )
    flag(
        "start_before_call",
        s_ < c_ - ORDER_TOLERANCE,
        "service_start " + s_.astype(str) + " < call_time " + c_.astype(str),
    )
    flag(
        "service_on_unserved",
        (df["outcome"] == "abandoned") & e_.notna(),
        "abandoned but service_end given",
    )
    flag(
        "service_over_24h",
        (e_ - t) > pd.Timedelta(hours=24),
        "service_end more than 24 h after ticket_time",
    )

    # duplicates: the key is (hall, ticket date, ticket id); the first occurrence is kept
    ticket_date = t.dt.date
    key = pd.DataFrame({"h": df["hall_id"], "d": ticket_date, "i": df["ticket_id"]})
    exact = df.assign(_t=t.astype(str)).duplicated(keep="first")
    dup = key.duplicated(keep="first") & key.notna().all(axis=1)
    flag("duplicate_row", exact, "exact copy of an earlier row")
    flag(
        "duplicate_ticket",
        dup & ~exact,
        "ticket_id " + df["ticket_id"].astype(str) + " already used on " + ticket_date.astype(str),
    )

    any_bad = pd.Series(False, index=df.index)
    for m in problems.values():
        any_bad |= m
    good = df.loc[~any_bad].copy()
    for k in TIME_COLUMNS:
        good[k] = times[k][~any_bad]
    if leave is not None:
        good["leave_time"] = leave[~any_bad]
    good["ticket_date"] = ticket_date[~any_bad]
    good["line"] = line[~any_bad]

    bad_rows = []
    for reason, mask in problems.items():
        idx = mask[mask].index
        if len(idx) == 0:
            continue
        bad_rows.append(
            pd.DataFrame(
                {
                    "row": idx,
                    "line": line[idx].to_numpy(),
                    "reason": reason,
                    "detail": details[reason][idx].to_numpy(),
                }
            )
        )
    if bad_rows:
        bad = pd.concat(bad_rows, ignore_index=True)
        raw = src.drop(columns=[SOURCE_LINE], errors="ignore").astype(str)
        bad["raw"] = [raw.iloc[r].to_json() for r in bad["row"]]
        bad = bad.drop(columns="row").sort_values(["line", "reason"], ignore_index=True)
    else:
        bad = pd.DataFrame(columns=["line", "reason", "detail", "raw"])
    return Validated(good.reset_index(drop=True), bad, extra, notes)


def fill_reasons(report: ImportReport, bad: pd.DataFrame) -> None:
    """Count the bad rows of a validation by reason, with a few examples each."""
    if not len(bad):
        return
    for reason, grp in bad.groupby("reason", sort=True):
        report.reasons[str(reason)] = len(grp)
        report.examples[str(reason)] = [
            {"line": int(r.line), "detail": str(r.detail)}
            for r in grp.head(MAX_EXAMPLES).itertuples()
        ]


# --------------------------------------------------------------------------- from the simulator


def records_to_ticket_log(
    customers: pd.DataFrame, hall_id: str, date: dt.date | None = None
) -> pd.DataFrame:
    """Convert simulator customer records (``hallplan.sim.records.CustomerRecord`` fields, one day;
    a ``date`` column is used when ``date`` is None) into ticket-log rows.

    Mapping: a kiosk visit's ticket_time is when it joined the kiosk queue, its call and
    service start the kiosk start; a counter visit uses its counter ticket, call and service
    end. Balked customers never took a ticket and are not in a ticket log (as in a real hall).
    """
    c = customers
    if date is None and "date" not in c.columns:
        raise ValueError("give date or a 'date' column")
    keep = c["outcome"].isin(["served", "abandoned"]).to_numpy()
    c = c.loc[keep]
    kiosk = (c["channel"] == "kiosk").to_numpy()
    ticket = np.where(kiosk, c["kiosk_queue_min"], c["ticket_min"])
    call = np.where(kiosk, c["kiosk_start_min"], c["call_min"])
    start = call
    end = np.where(kiosk, c["kiosk_end_min"], c["service_end_min"])
    abandoned = (c["outcome"] == "abandoned").to_numpy()
    end = np.where(abandoned, np.nan, end)
    if date is not None:
        base = np.full(len(c), np.datetime64(date, "us"))
        day_key = np.full(len(c), date.strftime("%Y%m%d"))
    else:
        base = pd.to_datetime(c["date"]).to_numpy().astype("datetime64[us]")
        day_key = pd.to_datetime(c["date"]).dt.strftime("%Y%m%d").to_numpy()

    def stamp(minutes: np.ndarray) -> np.ndarray:
        us = np.round(np.asarray(minutes, dtype=float) * 60.0) * 1e6
        ok = np.isfinite(us)
        out = np.full(len(us), np.datetime64("NaT"), dtype="datetime64[us]")
        out[ok] = base[ok] + us[ok].astype("int64").astype("timedelta64[us]")
        return out

    counter = np.where(kiosk, "kiosk-" + c["kiosk"].astype(str), c["counter"].astype(str))
    counter = np.where(abandoned, "", counter)
    out = pd.DataFrame(
        {
            "hall_id": hall_id,
            "ticket_id": [f"{k}-{i:05d}" for k, i in zip(day_key, c["customer"], strict=True)],
            "service_type": c["service_type"].to_numpy(),
            "customer_class": c["customer_class"].to_numpy(),
            "channel": np.where(kiosk, "kiosk", "counter"),
            "ticket_time": stamp(ticket),
            "call_time": stamp(call),
            "service_start": stamp(start),
            "service_end": stamp(end),
            "counter_id": counter,
            "staff_id": np.where(kiosk | abandoned, "", counter),
            "outcome": c["outcome"].to_numpy(),
            "leave_time": stamp(np.where(abandoned, c["ticket_min"] + c["wait_min"], np.nan)),
        }
    )
    return out.sort_values("ticket_time", kind="stable", ignore_index=True)


TICKET_LOG_SUFFIXES = (".csv", ".parquet", ".pq", ".xlsx")
XLSX_MAX_ROWS = 1_048_576 - 1  # Excel's sheet limit, less the header row


def check_ticket_log_suffix(path: str | Path, rows: int | None = None) -> None:
    """Raise :class:`TicketLogError` unless ``path`` names a format the log can be written
    in (and, for .xlsx, ``rows`` fit on one sheet)."""
    suffix = Path(path).suffix.lower()
    if suffix not in TICKET_LOG_SUFFIXES:
        raise TicketLogError(
            f"{path}: expected a file name ending in {', '.join(TICKET_LOG_SUFFIXES)}; "
            f"found {suffix or 'no suffix'!r}"
        )
    if suffix == ".xlsx" and rows is not None and rows > XLSX_MAX_ROWS:
        raise TicketLogError(
            f"{path}: expected at most {XLSX_MAX_ROWS:,} rows on an Excel sheet; found "
            f"{rows:,} (write .csv or .parquet)"
        )


def write_ticket_log(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a ticket log as CSV (UTF-8, ISO times, empty = missing), Parquet or XLSX (one
    sheet, times as Excel date-times), atomically; the format follows the suffix."""
    from hallplan.forecast._io import atomic_write

    path = Path(path)
    check_ticket_log_suffix(path, len(frame))
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    if suffix == ".xlsx":
        return atomic_write(path, lambda p: frame.to_excel(p, index=False, sheet_name="ticket_log"))
    out = frame.copy()
    for c in (*TIME_COLUMNS, *OPTIONAL_COLUMNS):
        if c in out.columns and pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    return atomic_write(path, lambda p: out.to_csv(p, index=False))


__all__ = [
    "DEFAULT_TIMEZONE",
    "OMITTABLE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_LINE",
    "TICKET_LOG_COLUMNS",
    "ImportReport",
    "TicketLogError",
    "check_ticket_log_suffix",
    "fill_reasons",
    "read_ticket_log",
    "records_to_ticket_log",
    "validate_ticket_log",
    "write_ticket_log",
]
