"""Column mapping: turn a queue system's own export into a ticket log (docs/column_mapping.md).

A mapping is a small TOML file a planner writes once for their queue system. It says how the
export is read (delimiter, the date column and its format, the clock-time format, the marker
for "this step did not happen"), which rows are not visits at all (``[[drop]]`` rules, every
dropped row counted under its rule's reason), and where each ticket-log column comes from
(a source column, the first of several that happened, or a constant; values renamed through
``map``; values meaning "empty" listed in ``missing``).

Clock times are on the row's date; a time earlier than the row's ``day_anchor`` time (its
first event) belongs to the next day, so calls that cross midnight keep their order.

Nothing is dropped silently: :class:`MappingReport` counts the rows read, each drop rule's
rows and the rows whose values are unusable; the ticket-log import then checks every row
again with its own reasons (``forecast.ticket_log``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hallplan.forecast.export_reader import ExportReadError, normalise_header, read_export
from hallplan.forecast.ticket_log import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SOURCE_LINE,
    TICKET_LOG_COLUMNS,
    TIME_COLUMNS,
)

_TARGETS = (*TICKET_LOG_COLUMNS, *OPTIONAL_COLUMNS)
_TIMES = (*TIME_COLUMNS, "leave_time")

_CLOCK_FORMATS = {
    "H:MM:SS": re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$"),
    "H:MM": re.compile(r"^\s*(\d{1,2}):(\d{2})()\s*$"),
}
_FORMAT_KEYS = {
    "delimiter",
    "encoding",
    "date_column",
    "date_format",
    "time_format",
    "missing_times",
    "day_anchor",
    "hall_id",
    "sheet",
    "skip_rows",
}
_COLUMN_KEYS = {"from", "join", "value", "map", "missing"}
NEXT_DAY_GAP_S = 12 * 3600.0  # a time this much before the anchor is after midnight
_DROP_KEYS = {"reason", "where"}


class MappingError(ValueError):
    """The mapping file (or the export it is applied to) cannot be used; names file and key."""


@dataclass(frozen=True)
class ColumnRule:
    target: str
    sources: tuple[str, ...] = ()
    join: tuple[str, ...] = ()
    value: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class DropRule:
    reason: str
    where: dict[str, tuple[str, ...]]  # column -> values (the word "missing" = empty/not happened)


@dataclass(frozen=True)
class ColumnMapping:
    path: str
    delimiter: str
    encoding: str
    date_column: str
    date_format: str
    time_format: str
    missing_times: tuple[str, ...]
    day_anchor: str | None
    hall_id: str | None
    columns: dict[str, ColumnRule]
    drops: tuple[DropRule, ...]
    sheet: str | None = None
    skip_rows: int = 0

    def source_columns(self) -> set[str]:
        cols = {self.date_column} if self.date_column else set()
        if self.day_anchor:
            cols.add(self.day_anchor)
        for r in self.columns.values():
            cols.update(r.sources)
            cols.update(r.join)
        for d in self.drops:
            cols.update(d.where)
        return cols


@dataclass
class MappingReport:
    """What the mapping did before the ticket-log checks."""

    path: str
    mapping: str
    rows_read: int = 0
    rows_mapped: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    unmapped_values: dict[str, dict[str, int]] = field(default_factory=dict)
    next_day_times: int = 0
    read_as: str | None = None

    def summary(self) -> str:
        lines = [
            f"{self.path} (mapping {self.mapping}): {self.rows_read} rows read, "
            f"{self.rows_mapped} mapped to ticket-log rows, "
            f"{sum(self.dropped.values())} dropped by rule"
        ]
        if self.read_as:
            lines.append(f"  read as {self.read_as}")
        for reason, n in self.dropped.items():
            lines.append(f"  dropped: {reason}: {n}")
        if self.next_day_times:
            lines.append(f"  {self.next_day_times} times after midnight moved to the next day")
        for col, vals in self.unmapped_values.items():
            shown = ", ".join(f"{v!r} ×{n}" for v, n in list(vals.items())[:5])
            lines.append(
                f"  {col}: values not in its map kept as is (the import rejects them): {shown}"
            )
        return "\n".join(lines)


def _as_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return tuple(str(v) for v in value)
    raise MappingError(f"{where}: expected a string or a list of strings; found {value!r}")


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read and check a mapping TOML file; every problem names the file and key."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{p}: expected an existing mapping file; found no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{p}: expected valid TOML; found {exc}") from None
    except UnicodeDecodeError as exc:
        raise MappingError(
            f"{p}: expected a UTF-8 text file (TOML); found byte {exc.start} not UTF-8 "
            "(save the mapping as UTF-8)"
        ) from None
    except OSError as exc:
        raise MappingError(f"{p}: expected a readable mapping file; found {exc.strerror}") from None
    unknown = sorted(set(data) - {"format", "columns", "drop"})
    if unknown:
        raise MappingError(f"{p}: {unknown[0]}: expected one of format, columns, drop; found it")
    fmt = data.get("format", {})
    if not isinstance(fmt, dict):
        raise MappingError(f"{p}: format: expected a table [format]; found {fmt!r}")
    if not isinstance(data.get("drop", []), list):
        raise MappingError(f"{p}: drop: expected [[drop]] tables; found {data['drop']!r}")
    bad = sorted(set(fmt) - _FORMAT_KEYS)
    if bad:
        raise MappingError(f"{p}: format.{bad[0]}: expected one of {sorted(_FORMAT_KEYS)}")
    tf = fmt.get("time_format", "H:MM:SS")
    if tf not in _CLOCK_FORMATS and tf != "iso":
        raise MappingError(
            f"{p}: format.time_format: expected one of {[*_CLOCK_FORMATS, 'iso']}; found {tf!r}"
        )
    if "date_column" not in fmt and tf != "iso":
        raise MappingError(
            f"{p}: format.date_column: expected the column holding the date (needed for "
            f'clock times {tf!r}; full timestamps need time_format = "iso")'
        )
    for key in (
        "delimiter",
        "encoding",
        "date_column",
        "date_format",
        "day_anchor",
        "hall_id",
        "sheet",
    ):
        if key in fmt and not isinstance(fmt[key], str):
            raise MappingError(f"{p}: format.{key}: expected a string; found {fmt[key]!r}")
    skip_rows = fmt.get("skip_rows", 0)
    if isinstance(skip_rows, bool) or not isinstance(skip_rows, int) or not 0 <= skip_rows <= 1000:
        raise MappingError(
            f"{p}: format.skip_rows: expected a whole number of lines 0..1000; found {skip_rows!r}"
        )
    cols: dict[str, ColumnRule] = {}
    raw_cols = data.get("columns", {})
    if not isinstance(raw_cols, dict):
        raise MappingError(f"{p}: columns: expected a table per ticket-log column")
    for target, rule in raw_cols.items():
        key = f"{p}: columns.{target}"
        if target not in _TARGETS:
            raise MappingError(f"{key}: expected a ticket-log column {list(_TARGETS)}")
        if isinstance(rule, str):
            rule = {"from": rule}
        if not isinstance(rule, dict):
            raise MappingError(f"{key}: expected a table or a source column name; found {rule!r}")
        extra = sorted(set(rule) - _COLUMN_KEYS)
        if extra:
            raise MappingError(f"{key}.{extra[0]}: expected one of {sorted(_COLUMN_KEYS)}")
        if sum(k in rule for k in ("from", "join", "value")) != 1:
            raise MappingError(
                f"{key}: expected exactly one of 'from' (column), 'join' (columns) or 'value'"
            )
        mapping = rule.get("map", {})
        if not isinstance(mapping, dict):
            raise MappingError(f"{key}.map: expected a table raw value = ticket-log value")
        cols[target] = ColumnRule(
            target=target,
            sources=_as_list(rule["from"], f"{key}.from") if "from" in rule else (),
            join=_as_list(rule["join"], f"{key}.join") if "join" in rule else (),
            value=str(rule["value"]) if "value" in rule else None,
            mapping={str(k): str(v) for k, v in mapping.items()},
            missing=_as_list(rule.get("missing", []), f"{key}.missing"),
        )
    # hall_id may be left out (the hall being imported), call_time too (service_start)
    absent = [c for c in REQUIRED_COLUMNS if c not in cols]
    if absent:
        raise MappingError(
            f"{p}: columns.{absent[0]}: expected this ticket-log column mapped (missing: {absent})"
        )
    drops = []
    for i, d in enumerate(data.get("drop", [])):
        key = f"{p}: drop[{i}]"
        if not isinstance(d, dict) or set(d) - _DROP_KEYS or "where" not in d or "reason" not in d:
            raise MappingError(f"{key}: expected a table with 'reason' and 'where'; found {d!r}")
        if not isinstance(d["where"], dict):
            raise MappingError(f"{key}.where: expected a table column = [values]")
        where = {str(c): _as_list(v, f"{key}.where.{c}") for c, v in d["where"].items()}
        if not where:
            raise MappingError(f"{key}.where: expected at least one column condition")
        drops.append(DropRule(reason=str(d["reason"]), where=where))
    return ColumnMapping(
        path=str(p),
        delimiter=fmt.get("delimiter", "auto"),
        encoding=fmt.get("encoding", "auto"),
        date_column=fmt.get("date_column", ""),
        date_format=fmt.get("date_format", "%Y-%m-%d"),
        time_format=tf,
        missing_times=_as_list(fmt.get("missing_times", []), f"{p}: format.missing_times"),
        day_anchor=fmt.get("day_anchor"),
        hall_id=fmt.get("hall_id"),
        columns=cols,
        drops=tuple(drops),
        sheet=fmt.get("sheet"),
        skip_rows=skip_rows,
    )


def _clock_seconds(col: pd.Series, fmt: str) -> pd.Series:
    """Seconds after midnight (NaN where not a clock time)."""
    parts = col.astype("string").str.extract(_CLOCK_FORMATS[fmt].pattern)
    h = pd.to_numeric(parts[0], errors="coerce")
    m = pd.to_numeric(parts[1], errors="coerce")
    s = pd.to_numeric(parts[2], errors="coerce").fillna(0)
    out = h * 3600 + m * 60 + s
    return out.where((m < 60) & (s < 60) & (h < 48))


def apply_mapping(
    mapping: ColumnMapping,
    path: str | Path,
    hall_id: str | None = None,
    *,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, MappingReport]:
    """Read an export (CSV/TSV in UTF-8, GBK/GB18030 or UTF-16, optionally ``.gz``; .xlsx;
    Parquet) and map it to ticket-log rows (strings, empty = missing; each row's file line in
    ``source_line``) ready for ``validate_ticket_log``. ``encoding`` overrides the mapping's.

    Export headers match the mapping's column names after trimming and case-folding
    (``"Ticket Time"`` matches ``ticket_time``)."""
    path = Path(path)
    report = MappingReport(path=str(path), mapping=mapping.path)
    try:
        table = read_export(
            path,
            encoding=encoding or mapping.encoding,
            delimiter=mapping.delimiter,
            sheet=mapping.sheet,
            skip_rows=mapping.skip_rows,
        )
    except ExportReadError as exc:
        raise MappingError(str(exc)) from None
    raw = table.frame
    if table.kind == "parquet":
        raw = raw.astype(object).where(raw.notna(), "").astype(str)
    raw = raw.apply(lambda s: s.astype(str).str.strip())
    report.rows_read = len(raw)
    report.read_as = table.description()
    by_norm = {normalise_header(c): c for c in raw.columns}
    rename = {}
    for name in mapping.source_columns():
        if name not in raw.columns and normalise_header(name) in by_norm:
            rename[by_norm[normalise_header(name)]] = name
    raw = raw.rename(columns=rename)
    missing_cols = sorted(mapping.source_columns() - set(raw.columns))
    if missing_cols:
        raise MappingError(
            f"{path}: columns {missing_cols} named by {mapping.path} are not in the export "
            f"(read as {table.description()}; found {list(raw.columns)})"
        )
    lines = pd.Series(table.lines, index=raw.index)

    def is_missing(col: str) -> pd.Series:
        v = raw[col]
        return (v == "") | v.isin(mapping.missing_times)

    keep = pd.Series(True, index=raw.index)
    for rule in mapping.drops:
        hit = pd.Series(True, index=raw.index)
        for col, values in rule.where.items():
            cond = raw[col].isin([v for v in values if v != "missing"])
            if "missing" in values:
                cond |= is_missing(col)
            hit &= cond
        hit &= keep
        report.dropped[rule.reason] = int(hit.sum())
        keep &= ~hit
    raw = raw.loc[keep].reset_index(drop=True)
    lines = lines.loc[keep].reset_index(drop=True)
    report.rows_mapped = len(raw)

    dates = None
    if mapping.date_column:
        dates = pd.to_datetime(
            raw[mapping.date_column], format=mapping.date_format, errors="coerce"
        )
    anchor_s = None
    if mapping.day_anchor and mapping.time_format != "iso":
        anchor_s = _clock_seconds(
            raw[mapping.day_anchor].where(~is_missing(mapping.day_anchor)), mapping.time_format
        )

    out = pd.DataFrame(index=raw.index)
    for target in [c for c in _TARGETS if c in mapping.columns]:
        rule = mapping.columns[target]
        if rule.value is not None:
            out[target] = rule.value
            continue
        if rule.join:
            out[target] = raw[list(rule.join)].agg("-".join, axis=1)
            continue
        if target in _TIMES:
            out[target] = _map_time(raw, rule, mapping, dates, anchor_s, is_missing, report)
            continue
        v = raw[rule.sources[0]].copy()
        for src in rule.sources[1:]:
            v = v.mask((v == "") | v.isin(rule.missing), raw[src])
        v = v.mask(v.isin(rule.missing), "")
        if rule.mapping:
            known = v.isin(list(rule.mapping)) | (v == "")
            if (~known).any():
                report.unmapped_values[target] = v[~known].value_counts().to_dict()
            v = v.map(lambda x, m=rule.mapping: m.get(x, x))
        out[target] = v
    hall_id = hall_id or mapping.hall_id
    if "hall_id" not in mapping.columns:
        if hall_id is None:
            raise MappingError(
                f"{mapping.path}: columns.hall_id: expected it mapped, or format.hall_id, or "
                "the hall given to the import"
            )
        out["hall_id"] = hall_id
    elif hall_id is not None and mapping.columns["hall_id"].value is None:
        out["hall_id"] = out["hall_id"].mask(out["hall_id"] == "", hall_id)
    out[SOURCE_LINE] = lines.to_numpy()
    out.attrs["read_as"] = table.description()
    out.attrs["read_notes"] = list(table.notes)
    return out.reset_index(drop=True), report


def _map_time(raw, rule, mapping, dates, anchor_s, is_missing, report) -> pd.Series:
    result = pd.Series("", index=raw.index, dtype=object)
    filled = pd.Series(False, index=raw.index)
    for src in rule.sources:
        miss = is_missing(src) | raw[src].isin(rule.missing)
        use = ~filled & ~miss
        if not use.any():
            continue
        if mapping.time_format == "iso":
            result[use] = raw.loc[use, src]
        else:
            sec = _clock_seconds(raw.loc[use, src], mapping.time_format)
            if anchor_s is not None:
                # well before the row's first event (late evening → early morning): next day
                nxt = sec < anchor_s[use] - NEXT_DAY_GAP_S
                report.next_day_times += int(nxt.sum())
                sec = sec + np.where(nxt, 86400.0, 0.0)
            stamp = dates[use] + pd.to_timedelta(sec, unit="s")
            text = stamp.dt.strftime("%Y-%m-%d %H:%M:%S")
            # unparseable clock or date: keep the raw text so the import rejects it (bad_time)
            bad = stamp.isna()
            text[bad] = (
                raw.loc[use, src][bad].astype(str)
                + " on "
                + raw.loc[use][mapping.date_column][bad].astype(str)
            )
            result[use] = text
        filled |= use
    return result


def read_with_mapping(
    path: str | Path,
    mapping: str | Path | ColumnMapping,
    hall_id: str | None = None,
    *,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, MappingReport]:
    """Load the mapping (unless given loaded) and apply it to the export at ``path``."""
    m = mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping)
    return apply_mapping(m, path, hall_id, encoding=encoding)


__all__ = [
    "ColumnMapping",
    "MappingError",
    "MappingReport",
    "apply_mapping",
    "load_mapping",
    "read_with_mapping",
]
