"""Ticket-log format, validation and import (see ``docs/ticket_log.md``).

One row per visit (a counter ticket or a kiosk transaction). :func:`validate_ticket_log`
checks every row with vectorised pandas rules and returns the good rows plus every bad row
with its reasons; :func:`hallplan.forecast.store.import_ticket_log` (beside the store, so
this module does not import it) stores the good rows in the history store and keeps the bad
ones (with reasons) in the store's ``rejects`` table, so nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
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
# Optional: when an abandoning customer gave up (patience is fitted from it, forecast.calibrate).
OPTIONAL_COLUMNS = ("leave_time",)
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

    @property
    def ok(self) -> bool:
        return not self.file_errors

    def summary(self) -> str:
        lines = [
            f"{self.path}: {self.rows_read} rows read, {self.rows_imported} imported, "
            f"{self.rows_rejected} rejected, {self.rows_already_stored} already stored"
        ]
        if self.first_date:
            lines.append(f"  dates {self.first_date} .. {self.last_date}")
        lines += [f"  ERROR {e}" for e in self.file_errors]
        lines += [f"  warning: {w}" for w in self.warnings]
        for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {reason}: {n}")
            for ex in self.examples.get(reason, []):
                lines.append(f"    line {ex['line']}: {ex['detail']}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def read_ticket_log(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet ticket log as strings/timestamps without judging it."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _to_time(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a time column; returns (parsed, bad) where bad marks unparseable non-empty."""
    if pd.api.types.is_datetime64_any_dtype(col):
        parsed = col.dt.tz_localize(None) if getattr(col.dt, "tz", None) else col
        return parsed.astype("datetime64[us]"), pd.Series(False, index=col.index)
    empty = col.isna() | (col.astype(str).str.strip() == "")
    parsed = pd.to_datetime(col.where(~empty), errors="coerce", format="ISO8601")
    bad = parsed.isna() & ~empty
    return parsed.astype("datetime64[us]"), bad


@dataclass
class Validated:
    good: pd.DataFrame  # TICKET_LOG_COLUMNS + ticket_date + line, typed
    bad: pd.DataFrame  # line, reason, detail, raw (json)
    extra_columns: list[str]


def validate_ticket_log(
    frame: pd.DataFrame, hall_id: str, scenario: Scenario | None = None
) -> Validated:
    """Check every row. Each rejected row carries all its reasons (``;``-joined).

    Raises :class:`TicketLogError` if required columns are missing."""
    missing = [c for c in TICKET_LOG_COLUMNS if c not in frame.columns]
    if missing:
        raise TicketLogError(
            f"missing columns {missing}; expected {list(TICKET_LOG_COLUMNS)}, "
            f"found {list(frame.columns)}"
        )
    extra = [c for c in frame.columns if c not in TICKET_LOG_COLUMNS + OPTIONAL_COLUMNS]
    df = frame.loc[:, list(TICKET_LOG_COLUMNS)].copy().reset_index(drop=True)
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
        problems[reason] = problems.get(reason, pd.Series(False, index=df.index)) | mask
        det = detail if isinstance(detail, pd.Series) else pd.Series(detail, index=df.index)
        details.setdefault(reason, det.astype(str))

    for c in REQUIRED_VALUES:
        if c in TIME_COLUMNS:
            continue
        flag("missing_value", df[c].isna(), f"{c} is empty")
    times = {}
    for c in TIME_COLUMNS:
        parsed, bad = _to_time(df[c])
        times[c] = parsed
        flag("bad_time", bad, c + " = " + df[c].astype(str))
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
    if "leave_time" in frame.columns:
        leave, bad_leave = _to_time(frame["leave_time"].reset_index(drop=True))
        raw_leave = frame["leave_time"].astype(str).reset_index(drop=True)
        flag("bad_time", bad_leave, "leave_time = " + raw_leave)
        flag(
            "leave_before_ticket",
            leave < t - ORDER_TOLERANCE,
            "leave_time " + leave.astype(str) + " < ticket_time " + t.astype(str),
        )
    served = df["outcome"] == "served"
    flag(
        "missing_service_times",
        served & (s_.isna() | e_.isna()),
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
        raw = frame.reset_index(drop=True).astype(str)
        bad["raw"] = [raw.iloc[r].to_json() for r in bad["row"]]
        bad = bad.drop(columns="row").sort_values(["line", "reason"], ignore_index=True)
    else:
        bad = pd.DataFrame(columns=["line", "reason", "detail", "raw"])
    return Validated(good.reset_index(drop=True), bad, extra)


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


def write_ticket_log(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a ticket log as CSV (ISO times, empty = missing) or Parquet, atomically."""
    from hallplan.forecast._io import atomic_write

    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    out = frame.copy()
    for c in (*TIME_COLUMNS, *OPTIONAL_COLUMNS):
        if c in out.columns and pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    return atomic_write(path, lambda p: out.to_csv(p, index=False))


__all__ = [
    "OPTIONAL_COLUMNS",
    "TICKET_LOG_COLUMNS",
    "ImportReport",
    "TicketLogError",
    "fill_reasons",
    "read_ticket_log",
    "records_to_ticket_log",
    "validate_ticket_log",
    "write_ticket_log",
]
