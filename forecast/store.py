"""History store: one embedded DuckDB file per installation.

Tables (all keyed by ``hall_id``):

- ``visits`` — imported ticket-log rows (``docs/ticket_log.md``), unique on
  (hall_id, ticket_date, ticket_id);
- ``imports`` / ``rejects`` — one row per import, and every rejected row with its reason and
  the raw values (bad rows are never silently dropped);
- ``forecast_runs`` / ``forecasts`` — each forecast made (model, month, training range) and
  its expected visits per date, interval, service type and class, with daily bounds in
  ``forecast_days``; last month's forecast can then be compared with last month's actuals;
- ``rosters`` — planned on-duty spans per date, post and seat (a roster written by the
  rostering step, or by hand), from which a :class:`hallplan.sim.staffing.Staffing` is rebuilt.

A path that is not a usable store (a folder, a text file, a folder that cannot be written, a
store another process holds open) is a :class:`StoreError` naming the file, what was expected
and what was found — never a DuckDB traceback. ``HistoryStore(path, create=False)`` (what
read commands use) never creates a store: a mistyped path is "no history store at …".
An import is one transaction: killed half-way, the store holds what it held before.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from hallplan.forecast.ticket_log import (
    TICKET_LOG_COLUMNS,
    ImportReport,
    TicketLogError,
    fill_reasons,
    read_ticket_log,
    validate_ticket_log,
)
from hallplan.sim.notes import Note
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import DayStaffing, Staffing

#: the import's steps as ``progress`` hears them (English; ``hallplan.i18n``: ``note_<key>``)
NOTES = {
    "import_reading": "reading {path}",
    "import_checking": "checking {n} rows",
    "import_writing": "writing {n} visits to {store} in one transaction",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (
    hall_id VARCHAR NOT NULL, ticket_id VARCHAR NOT NULL, ticket_date DATE NOT NULL,
    service_type VARCHAR NOT NULL, customer_class VARCHAR NOT NULL, channel VARCHAR NOT NULL,
    ticket_time TIMESTAMP NOT NULL, call_time TIMESTAMP, service_start TIMESTAMP,
    service_end TIMESTAMP, counter_id VARCHAR, staff_id VARCHAR, outcome VARCHAR NOT NULL,
    import_id INTEGER,
    PRIMARY KEY (hall_id, ticket_date, ticket_id)
);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY, hall_id VARCHAR, source VARCHAR, imported_at TIMESTAMP,
    rows_read INTEGER, rows_imported INTEGER, rows_rejected INTEGER, rows_already_stored INTEGER
);
CREATE TABLE IF NOT EXISTS rejects (
    import_id INTEGER, line INTEGER, reason VARCHAR, detail VARCHAR, raw VARCHAR
);
CREATE TABLE IF NOT EXISTS forecast_runs (
    forecast_id INTEGER PRIMARY KEY, hall_id VARCHAR, year INTEGER, month INTEGER,
    made_at TIMESTAMP, model VARCHAR, train_start DATE, train_end DATE, interval_min INTEGER
);
CREATE TABLE IF NOT EXISTS forecast_days (
    forecast_id INTEGER, date DATE, visits DOUBLE, lo DOUBLE, hi DOUBLE, day_type VARCHAR
);
CREATE TABLE IF NOT EXISTS forecasts (
    forecast_id INTEGER, date DATE, interval_start_min DOUBLE, service_type VARCHAR,
    customer_class VARCHAR, visits DOUBLE
);
CREATE TABLE IF NOT EXISTS rosters (
    hall_id VARCHAR, date DATE, post VARCHAR, seat INTEGER, start_min DOUBLE, end_min DOUBLE
);
"""

# the ticket-log columns, with the ticket's date added after the ticket id
_VISIT_COLS = (*TICKET_LOG_COLUMNS[:2], "ticket_date", *TICKET_LOG_COLUMNS[2:])


def _hall_dates(hall_id: str, start: dt.date | None, end: dt.date | None) -> tuple[str, list]:
    """``WHERE`` clause and arguments: one hall, ``start <= ticket_date <= end``."""
    q = "WHERE hall_id = ?"
    args: list = [hall_id]
    if start is not None:
        q += " AND ticket_date >= ?"
        args.append(start)
    if end is not None:
        q += " AND ticket_date <= ?"
        args.append(end)
    return q, args


_DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB database file
DEFAULT_MAX_REJECT_SHARE = 0.05


class StoreError(ValueError):
    """The history store path cannot be used; the message names the file."""


class TooManyRejectsError(TicketLogError):
    """More rows were rejected than the import allows; nothing was stored."""


def _describe_file(path: Path, head: bytes, size: int) -> str:
    """What a non-DuckDB file looks like, for the error message."""
    if size == 0:
        return "an empty file (0 bytes)"
    if b"\0" in head:
        return f"a binary file of {size:,} bytes that is not a DuckDB database"
    text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0][:60] if text.strip() else ""
    hint = ""
    if "ticket" in first or "," in first or "\t" in first:
        hint = " — a ticket log? import it with `hallplan history import FILE --store STORE`"
    return f"a text file of {size:,} bytes starting {first!r}{hint}"


def check_store_path(path: str | Path, create: bool) -> None:
    """Raise :class:`StoreError` unless ``path`` is a DuckDB file (or, with ``create``, a
    place where one can be made)."""
    p = Path(path)
    if p.is_dir():
        raise StoreError(f"{p}: expected a history store file (DuckDB); found a folder")
    if p.exists():
        if not p.is_file():
            raise StoreError(f"{p}: expected a history store file (DuckDB); found a special file")
        try:
            with p.open("rb") as fh:
                head = fh.read(256)
            size = p.stat().st_size
        except OSError as exc:
            raise StoreError(
                f"{p}: expected a readable history store; found {exc.strerror or exc}"
            ) from None
        if head[8:12] != _DUCKDB_MAGIC:
            found = _describe_file(p, head, size)
            raise StoreError(f"{p}: expected a history store (a DuckDB file); found {found}")
        return
    if not create:
        raise StoreError(
            f"no history store at {p} (expected a DuckDB file made by `hallplan history "
            "import`; check the path)"
        )
    ancestor = p.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise StoreError(
            f"{p}: cannot create the history store: {ancestor} is a file, not a folder"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise StoreError(f"{p}: cannot create the history store: folder {ancestor} is not writable")


def _store_error(path: Path, exc: duckdb.Error) -> StoreError:
    """A DuckDB error opening ``path`` as a sentence for the planner."""
    msg = str(exc)
    lock = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", msg)
    if "Could not set lock" in msg:
        who = f" (PID {lock.group(2)}, {Path(lock.group(1)).name})" if lock else ""
        return StoreError(
            f"{path}: expected a history store free to open; found it in use by another "
            f"process{who} — wait for it to finish, or close it"
        )
    if "Permission denied" in msg or "Read-only file system" in msg:
        return StoreError(
            f"{path}: expected a history store this user can write; found permission denied"
        )
    if "not a valid DuckDB database" in msg:
        return StoreError(f"{path}: expected a history store (a DuckDB file); found another file")
    first = msg.splitlines()[0] if msg else type(exc).__name__
    return StoreError(f"{path}: cannot open the history store: {first}")


class HistoryStore:
    """A DuckDB file; use as a context manager (``with HistoryStore(path) as s: ...``).

    ``create=False`` opens only an existing store (read commands); ``read_only`` opens it
    without writing (and without adding missing tables)."""

    def __init__(self, path: str | Path, read_only: bool = False, create: bool = True):
        self.path = Path(path)
        check_store_path(self.path, create=create and not read_only)
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the folder for the history store: "
                f"{exc.strerror or exc}"
            ) from None
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise _store_error(self.path, exc) from None
        if not read_only:
            try:
                self.con.execute(_SCHEMA)
            except duckdb.Error as exc:
                self.con.close()
                raise _store_error(self.path, exc) from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All of the block's writes, or none of them."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Append ``frame`` (columns in the table's order) to ``table``."""
        self.con.register("_incoming_frame", frame)
        try:
            self.con.execute(f"INSERT INTO {table} SELECT * FROM _incoming_frame")
        finally:
            self.con.unregister("_incoming_frame")

    # ------------------------------------------------------------------ visits
    def _next_id(self, table: str, col: str) -> int:
        q = f"SELECT coalesce(max({col}), 0) + 1 FROM {table}"
        return int(self.con.execute(q).fetchone()[0])

    def add_visits(
        self, hall_id: str, good: pd.DataFrame, bad: pd.DataFrame, source: str, rows_read: int
    ) -> tuple[int, int, int]:
        """Insert validated rows (skipping keys already stored); returns
        (import_id, inserted, already_stored)."""
        con = self.con
        import_id = self._next_id("imports", "import_id")
        frame = good.loc[:, list(_VISIT_COLS)].copy()
        frame["import_id"] = import_id
        for c in (
            "hall_id",
            "ticket_id",
            "service_type",
            "customer_class",
            "channel",
            "counter_id",
            "staff_id",
            "outcome",
        ):
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
        with self._transaction():
            con.register("incoming", frame)
            existing = int(
                con.execute(
                    "SELECT count(*) FROM incoming i JOIN visits v USING "
                    "(hall_id, ticket_date, ticket_id)"
                ).fetchone()[0]
            )
            con.execute(
                "INSERT INTO visits SELECT i.* FROM incoming i ANTI JOIN visits v USING "
                "(hall_id, ticket_date, ticket_id)"
            )
            con.unregister("incoming")
            inserted = len(frame) - existing
            if len(bad):
                b = bad.loc[:, ["line", "reason", "detail", "raw"]].copy()
                b.insert(0, "import_id", import_id)
                self._insert_frame("rejects", b)
            n_rej = int(bad["line"].nunique()) if len(bad) else 0
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    hall_id,
                    source,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    rows_read,
                    inserted,
                    n_rej,
                    existing,
                ],
            )
        return import_id, inserted, existing

    def visits(
        self, hall_id: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        """Stored visits of a hall with ``start <= ticket_date <= end``."""
        where, args = _hall_dates(hall_id, start, end)
        return self.con.execute(f"SELECT * FROM visits {where} ORDER BY ticket_time", args).df()

    def daily_counts(self, hall_id: str, end: dt.date | None = None) -> pd.DataFrame:
        """Visits per (date, service_type, customer_class) up to ``end`` (inclusive)."""
        where, args = _hall_dates(hall_id, None, end)
        q = (
            "SELECT ticket_date AS date, service_type, customer_class, count(*) AS visits "
            f"FROM visits {where} GROUP BY ALL ORDER BY ALL"
        )
        out = self.con.execute(q, args).df()
        out["date"] = pd.to_datetime(out["date"]).dt.date
        return out

    def interval_counts(
        self,
        hall_id: str,
        interval_min: int,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> pd.DataFrame:
        """Visits per (date, interval_start_min) by ticket time."""
        q = (
            "SELECT ticket_date AS date, "
            f"floor((hour(ticket_time) * 60 + minute(ticket_time)) / {int(interval_min)}) "
            f"* {int(interval_min)} AS interval_start_min, count(*) AS visits "
        )
        where, args = _hall_dates(hall_id, start, end)
        out = self.con.execute(q + f"FROM visits {where} GROUP BY ALL ORDER BY ALL", args).df()
        out["date"] = pd.to_datetime(out["date"]).dt.date
        return out

    def daily_actuals(self, hall_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Per date: visits, counter visits, served at a counter, abandoned, and the summed
        counter service minutes (service_end - service_start of served counter visits)."""
        out = self.con.execute(
            """
            SELECT ticket_date AS date, count(*) AS visits,
                   count(*) FILTER (WHERE channel = 'counter') AS counter_visits,
                   count(*) FILTER (WHERE channel = 'kiosk') AS kiosk_visits,
                   count(*) FILTER (WHERE channel = 'counter' AND outcome = 'served')
                       AS served_counter,
                   count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
                   coalesce(sum(epoch(service_end - service_start) / 60.0)
                       FILTER (WHERE channel = 'counter' AND outcome = 'served'), 0)
                       AS counter_service_min
            FROM visits WHERE hall_id = ? AND ticket_date BETWEEN ? AND ?
            GROUP BY ALL ORDER BY ALL
            """,
            [hall_id, start, end],
        ).df()
        out["date"] = pd.to_datetime(out["date"]).dt.date
        return out

    def halls(self) -> list[str]:
        """Halls with stored visits."""
        try:
            rows = self.con.execute("SELECT DISTINCT hall_id FROM visits ORDER BY 1").fetchall()
        except duckdb.CatalogException:
            return []
        return [r[0] for r in rows]

    def history_range(self, hall_id: str) -> tuple[dt.date | None, dt.date | None]:
        a, b = self.con.execute(
            "SELECT min(ticket_date), max(ticket_date) FROM visits WHERE hall_id = ?", [hall_id]
        ).fetchone()
        return a, b

    def rejects(self, import_id: int | None = None) -> pd.DataFrame:
        if import_id is None:
            return self.con.execute("SELECT * FROM rejects ORDER BY import_id, line").df()
        return self.con.execute(
            "SELECT * FROM rejects WHERE import_id = ? ORDER BY line", [import_id]
        ).df()

    # ------------------------------------------------------------------ forecasts
    def save_forecast(
        self,
        hall_id: str,
        year: int,
        month: int,
        model: str,
        train_start: dt.date,
        train_end: dt.date,
        interval_min: int,
        days: pd.DataFrame,
        detail: pd.DataFrame,
    ) -> int:
        """Store a forecast: ``days`` (date, visits, lo, hi, day_type) and ``detail``
        (date, interval_start_min, service_type, customer_class, visits)."""
        fid = self._next_id("forecast_runs", "forecast_id")
        with self._transaction() as con:
            con.execute(
                "INSERT INTO forecast_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    fid,
                    hall_id,
                    year,
                    month,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    model,
                    train_start,
                    train_end,
                    interval_min,
                ],
            )
            d = days.loc[:, ["date", "visits", "lo", "hi", "day_type"]].copy()
            d.insert(0, "forecast_id", fid)
            self._insert_frame("forecast_days", d)
            x = detail.loc[
                :, ["date", "interval_start_min", "service_type", "customer_class", "visits"]
            ].copy()
            x.insert(0, "forecast_id", fid)
            self._insert_frame("forecasts", x)
        return fid

    def latest_forecast_days(
        self, hall_id: str, year: int, month: int, made_before: dt.date | None = None
    ) -> pd.DataFrame | None:
        """Daily forecast of the latest run for the month (optionally one made before the
        month started, i.e. the forecast the plan was built on)."""
        q = (
            "SELECT forecast_id, model FROM forecast_runs "
            "WHERE hall_id = ? AND year = ? AND month = ?"
        )
        args: list = [hall_id, year, month]
        if made_before is not None:
            q += " AND train_end < ?"
            args.append(made_before)
        row = self.con.execute(q + " ORDER BY forecast_id DESC LIMIT 1", args).fetchone()
        if row is None:
            return None
        out = self.con.execute(
            "SELECT date, visits, lo, hi, day_type FROM forecast_days WHERE forecast_id = ? "
            "ORDER BY date",
            [row[0]],
        ).df()
        out["date"] = pd.to_datetime(out["date"]).dt.date
        out.attrs["model"] = row[1]
        out.attrs["forecast_id"] = row[0]
        return out

    # ------------------------------------------------------------------ rosters
    def save_roster(self, hall_id: str, staffing: Staffing, dates: list[dt.date]) -> int:
        """Store the on-duty spans of ``staffing`` for ``dates`` (replacing those dates)."""
        rows = []
        for d in dates:
            day = staffing.day(d)
            for post, seats in day.seats.items():
                for k, seat in enumerate(seats):
                    rows.extend((hall_id, d, post, k, float(a), float(b)) for a, b in seat)
        frame = pd.DataFrame(
            rows, columns=["hall_id", "date", "post", "seat", "start_min", "end_min"]
        )
        with self._transaction() as con:
            for d in dates:
                con.execute("DELETE FROM rosters WHERE hall_id = ? AND date = ?", [hall_id, d])
            self._insert_frame("rosters", frame)
        return len(frame)

    def load_staffing(self, hall_id: str, start: dt.date, end: dt.date) -> Staffing | None:
        """A Staffing for the rostered dates in [start, end] (None if none are rostered;
        dates without a roster are absent from ``by_date``)."""
        df = self.con.execute(
            "SELECT * FROM rosters WHERE hall_id = ? AND date BETWEEN ? AND ? "
            "ORDER BY date, post, seat, start_min",
            [hall_id, start, end],
        ).df()
        if df.empty:
            return None
        df["date"] = pd.to_datetime(df["date"]).dt.date
        by_date = {}
        for d, g in df.groupby("date"):
            seats: dict[str, tuple] = {}
            for post, gp in g.groupby("post", sort=False):
                seats[str(post)] = tuple(
                    tuple(
                        (float(a), float(b))
                        for a, b in zip(gs["start_min"], gs["end_min"], strict=True)
                    )
                    for _, gs in gp.groupby("seat")
                )
            by_date[d] = DayStaffing(seats)
        return Staffing(by_date=by_date)


def _reject_problem(report: ImportReport, share: float, max_share: float) -> str:
    """Why an import with too many rejects stored nothing: the share, the main reasons and
    an example of each."""
    parts = []
    for reason, n in sorted(report.reasons.items(), key=lambda kv: -kv[1])[:3]:
        ex = report.examples.get(reason, [])
        eg = f" (e.g. line {ex[0]['line']}: {ex[0]['detail']})" if ex else ""
        parts.append(f"{reason} {n}{eg}")
    return (
        f"{report.path}: expected at most {max_share:.1%} of rows rejected "
        f"(--max-reject-share); found {report.rows_rejected} of {report.rows_read} "
        f"({share:.1%}) — nothing was imported. Main reasons: " + "; ".join(parts)
    )


def import_ticket_log(
    path: str | Path,
    hall_id: str,
    store_path: str | Path,
    scenario: Scenario | None = None,
    *,
    mapping: str | Path | None = None,
    encoding: str | None = None,
    timezone: str | None = None,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    progress: Callable[[str], None] | None = None,
    rows: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Validate a ticket log (CSV in any common encoding and delimiter, .xlsx or Parquet;
    through a column ``mapping`` for a queue system's own export) and add its good rows to
    the history store, in one transaction.

    Bad rows are counted by reason (a row with two faults counts under both; ``rows_rejected``
    counts rows) with up to three examples each, and kept in the store's ``rejects`` table.
    Rows whose (hall, date, ticket) is already stored are skipped and counted, so importing the
    same file twice is harmless. A file that cannot be read, lacks a required column, has no
    rows, or has more than ``max_reject_share`` of its rows rejected is an error
    (:class:`TicketLogError` / :class:`TooManyRejectsError`, carrying the report) and the
    store is not touched (not even created). ``progress(message)`` hears each step, and
    ``rows(done, total)`` the rows read as they are read (a bar with an ETA on a large log)."""
    report = ImportReport(path=str(path), hall_id=hall_id)
    if not 0.0 <= max_reject_share <= 1.0:
        raise ValueError(f"max_reject_share: expected a share 0..1; found {max_reject_share}")

    def fail(message: str, cls: type[TicketLogError] = TicketLogError) -> TicketLogError:
        report.file_errors.append(message)
        return cls(message, report)

    say = progress or (lambda _msg: None)
    say(Note(NOTES, "import_reading", path=path))
    if mapping is not None:
        from hallplan.forecast.mapping import MappingError, read_with_mapping

        try:
            frame, mreport = read_with_mapping(path, mapping, hall_id, encoding=encoding)
        except MappingError as exc:
            raise fail(str(exc)) from None
        report.mapping_summary = mreport.summary()
    else:
        try:
            frame = read_ticket_log(path, encoding=encoding, rows=rows)
        except TicketLogError as exc:
            raise fail(str(exc)) from None
    report.read_as = frame.attrs.get("read_as")
    report.rows_read = len(frame)
    if report.rows_read == 0:
        raise fail(f"{path}: expected at least one visit row; found only the header")
    say(Note(NOTES, "import_checking", n=f"{report.rows_read:,}"))
    try:
        v = validate_ticket_log(frame, hall_id, scenario, timezone=timezone, source=path)
    except TicketLogError as exc:
        report.reasons["wrong_columns"] = report.rows_read
        raise fail(str(exc)) from None
    report.warnings.extend(v.notes)
    if v.extra_columns:
        report.warnings.append(f"ignored extra columns {v.extra_columns}")
    fill_reasons(report, v.bad)
    report.rows_rejected = int(v.bad["line"].nunique()) if len(v.bad) else 0
    share = report.rows_rejected / report.rows_read
    if share > max_reject_share:
        raise fail(_reject_problem(report, share, max_reject_share), TooManyRejectsError)
    with HistoryStore(store_path) as store:
        say(Note(NOTES, "import_writing", n=f"{len(v.good):,}", store=store_path))
        try:
            import_id, inserted, existing = store.add_visits(
                hall_id, v.good, v.bad, str(path), report.rows_read
            )
        except duckdb.InterruptException:  # Ctrl-C inside DuckDB: rolled back, still Ctrl-C
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            raise StoreError(
                f"{store_path}: the import failed and stored nothing: {str(exc).splitlines()[0]}"
            ) from None
    report.import_id = import_id
    report.rows_imported = inserted
    report.rows_already_stored = existing
    if len(v.good):
        report.first_date = min(v.good["ticket_date"])
        report.last_date = max(v.good["ticket_date"])
    return report


__all__ = [
    "DEFAULT_MAX_REJECT_SHARE",
    "HistoryStore",
    "StoreError",
    "TooManyRejectsError",
    "check_store_path",
    "import_ticket_log",
]
