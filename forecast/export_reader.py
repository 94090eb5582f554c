"""Reading a queue system's export as a table of text, whatever the system wrote.

Real exports arrive as CSV in UTF-8 (with or without a byte-order mark), in GBK/GB18030
(what Chinese Windows and Excel write by default), in UTF-16 (Excel's "Unicode text"), with
``,`` ``;`` or tab between fields, gzipped, as an Excel workbook or as Parquet.
:func:`read_export` recognises the container by its first bytes (not its suffix, which is
often wrong), finds the encoding and the delimiter unless they are given, and returns every
cell as text with the line (or sheet row) each row came from, so a rejected row can be
found in the file. Anything it cannot read is an :class:`ExportReadError` naming the file,
what was expected and what was found — never a codec or parser traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# tried in this order when no encoding is given: strict UTF-8 first (a GBK file almost never
# decodes as UTF-8), then GB18030, the superset of GBK/GB2312 that Chinese systems write
AUTO_ENCODINGS = ("utf-8", "gb18030")
DELIMITERS = (",", ";", "\t", "|")
_XLSX_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
#: rows per chunk when a large CSV is read with a ``rows`` progress callback (and between
#: two calls of it on an .xlsx sheet)
READ_CHUNK_ROWS = 50_000
#: ``rows(done, total)``: data rows read so far, of about ``total`` (lines in the file)
RowProgress = Callable[[int, int | None], None]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE files)


class ExportReadError(ValueError):
    """The file cannot be read as a table; the message names the file."""


@dataclass
class ExportTable:
    """An export as text: ``frame`` (one string column per header, ``""`` = empty, except
    Parquet which keeps its types), ``lines`` (the file line or sheet row of each row; the
    header is line 1) and how it was read."""

    frame: pd.DataFrame
    lines: np.ndarray
    kind: str  # "csv", "xlsx" or "parquet"
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def description(self) -> str:
        """How the file was read, e.g. ``CSV, gb18030, ';'-separated``."""
        if self.kind != "csv":
            return self.kind.upper() if self.kind == "xlsx" else "Parquet"
        sep = {"\t": "tab"}.get(self.delimiter or ",", repr(self.delimiter))
        return f"CSV, {self.encoding}, {sep}-separated"


def normalise_header(name: object) -> str:
    """``" Ticket Time "`` → ``"ticket_time"``: trimmed, lower case, runs of spaces or
    hyphens as one ``_`` (Chinese headers are only trimmed of spaces, full-width ones too)."""
    text = str(name).replace("\ufeff", "").strip()
    return re.sub(r"[\s\-]+", "_", text).lower()


def detect_encoding(data: bytes, path: str | Path) -> str:
    """The encoding of a text export: a byte-order mark if there is one, else the first of
    :data:`AUTO_ENCODINGS` that decodes every byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise ExportReadError(
            f"{path}: expected a text export (CSV) or an .xlsx/.parquet file; "
            "found binary data (NUL bytes)"
        )
    first_error: UnicodeDecodeError | None = None
    for enc in AUTO_ENCODINGS:
        try:
            data.decode(enc)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        return enc
    assert first_error is not None
    start = first_error.start
    raise ExportReadError(
        f"{path}: expected text in UTF-8 or GBK/GB18030; found bytes that are neither "
        f"(byte {start}: {data[start : start + 4]!r}); give the encoding (--encoding, or "
        "format.encoding in a mapping)"
    )


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (``,`` if none does):
    header names rarely contain a delimiter, data fields often do (``"1,5"``, times)."""
    best, best_n = ",", 0
    for d in DELIMITERS:
        try:
            n = len(next(csv.reader([header_line], delimiter=d))) - 1
        except (csv.Error, StopIteration):
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def _container(data: bytes, path: Path) -> str:
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_OLE_MAGIC):
        raise ExportReadError(
            f"{path}: expected CSV, .xlsx or .parquet; found a legacy Excel .xls (or other OLE) "
            "file — save it as .xlsx or CSV"
        )
    return "csv"


def _header(cells: list[object], path: Path) -> list[str]:
    """Trimmed header names; empty ones named ``unnamed_N``; a repeated name is an error."""
    names = []
    for i, c in enumerate(cells):
        text = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c)
        text = text.replace("\ufeff", "").strip()
        names.append(text or f"unnamed_{i + 1}")
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise ExportReadError(
                f"{path}: header: expected each column name once; found {n!r} as columns "
                f"{seen[n] + 1} and {i + 1}"
            )
        seen[n] = i
    return names


def _ragged(message: str, path: Path, delimiter: str, skip_rows: int = 0) -> ExportReadError:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if m:
        want, line, saw = m.groups()
        line = int(line) + skip_rows
        hint = "quote a field that contains it"
        if int(want) < int(saw) and int(m.group(2)) == 2:
            hint = "is the first line a title above the header? skip it: format.skip_rows"
        return ExportReadError(
            f"{path}: line {line}: expected {want} fields like the first line; found {saw} "
            f"(delimiter {delimiter!r}; {hint})"
        )
    return ExportReadError(f"{path}: expected a {delimiter!r}-separated table; {message}")


def _csv_frame(text: str, sep: str, rows: RowProgress | None) -> pd.DataFrame:
    """The CSV as text cells, header row included; with ``rows``, a large file is read in
    chunks of :data:`READ_CHUNK_ROWS` and each one reported (the same frame either way)."""
    args = dict(sep=sep, header=None, dtype=str, keep_default_na=False,
                skip_blank_lines=False, engine="c")
    lines = text.count("\n") + (not text.endswith("\n"))
    total = max(lines - 1, 0)  # less the header (blank lines count until they are dropped)
    if rows is None or total <= READ_CHUNK_ROWS:
        frame = pd.read_csv(io.StringIO(text), **args)
    else:
        rows(0, total)
        chunks, done = [], -1  # the header is the first row read
        with pd.read_csv(io.StringIO(text), chunksize=READ_CHUNK_ROWS, **args) as reader:
            for chunk in reader:
                chunks.append(chunk)
                done += len(chunk)
                rows(min(done, total), total)
        frame = pd.concat(chunks, ignore_index=True)
    if rows is not None:
        rows(max(len(frame) - 1, 0), max(len(frame) - 1, 0))
    return frame


def _read_csv(
    data: bytes, path: Path, encoding: str | None, delimiter: str | None, skip_rows: int = 0,
    rows: RowProgress | None = None,
):
    enc = encoding or detect_encoding(data, path)
    try:
        text = data.decode(enc)
    except LookupError:
        raise ExportReadError(f"{path}: expected a known text encoding; found {enc!r}") from None
    except UnicodeDecodeError as exc:
        raise ExportReadError(
            f"{path}: expected text in {enc}; found bytes that are not "
            f"(byte {exc.start}: {data[exc.start : exc.start + 4]!r})"
        ) from None
    text = text.lstrip("\ufeff")
    for _ in range(skip_rows):  # a report title above the header
        cut = text.find("\n")
        text = text[cut + 1 :] if cut >= 0 else ""
    if not text.strip():
        raise ExportReadError(
            f"{path}: expected a header line naming the columns; found an empty file"
            + (f" after skipping {skip_rows} line(s)" if skip_rows else "")
        )
    first_line = text.splitlines()[0]
    sep = delimiter or sniff_delimiter(first_line)
    try:
        raw = _csv_frame(text, sep, rows)
    except pd.errors.ParserError as exc:
        raise _ragged(str(exc), path, sep, skip_rows) from None
    except (ValueError, csv.Error) as exc:  # e.g. a multi-character delimiter
        raise ExportReadError(f"{path}: expected a {sep!r}-separated table; {exc}") from None
    raw = raw.fillna("")
    names = _header(list(raw.iloc[0]), path)
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = names
    lines = np.arange(len(body)) + 2 + skip_rows
    blank = (body == "").all(axis=1).to_numpy()
    notes = []
    if blank.any():
        notes.append(f"{int(blank.sum())} empty line(s) skipped")
        body = body.loc[~blank].reset_index(drop=True)
        lines = lines[~blank]
    return ExportTable(body, lines, "csv", enc, sep, notes)


def _cell_text(v: object) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        text = v.isoformat(sep=" ")
        return text
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_xlsx(path: Path, sheet: str | None, skip_rows: int = 0,
               rows_read: RowProgress | None = None) -> ExportTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExportReadError(
            f"{path}: expected an Excel .xlsx workbook; found a file openpyxl cannot open ({exc})"
        ) from None
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise ExportReadError(f"{path}: sheet: expected one of {names}; found {sheet!r}")
        ws = wb[sheet] if sheet is not None else wb[names[0]]
        total = ws.max_row - 1 if ws.max_row else None
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if rows_read is not None and len(rows) % READ_CHUNK_ROWS == 1:
                rows_read(max(len(rows) - 1, 0), total)
    finally:
        wb.close()
    notes = []
    if len(names) > 1:
        others = [n for n in names if n != ws.title]
        notes.append(f"read sheet {ws.title!r}; other sheets ignored: {others}")
    # the header is the first non-empty row
    lines_all = np.arange(len(rows)) + 1
    nonempty = [i for i, r in enumerate(rows) if i >= skip_rows and any(c != "" for c in r)]
    if not nonempty:
        raise ExportReadError(
            f"{path}: sheet {ws.title!r}: expected a header row; found an empty sheet"
        )
    h = nonempty[0]
    header = rows[h]
    while header and header[-1] == "":
        header = header[:-1]
    names_ = _header(header, path)
    width = len(names_)
    body_rows, body_lines, blank = [], [], 0
    for i in range(h + 1, len(rows)):
        r = rows[i]
        if all(c == "" for c in r):
            blank += 1
            continue
        extra = [c for c in r[width:] if c != ""]
        if extra:
            raise ExportReadError(
                f"{path}: sheet {ws.title!r} row {i + 1}: expected {width} cells like the "
                f"header; found values beyond it ({extra[:3]})"
            )
        body_rows.append((r + [""] * width)[:width])
        body_lines.append(lines_all[i])
    if blank:
        notes.append(f"{blank} empty row(s) skipped")
    frame = pd.DataFrame(body_rows, columns=names_, dtype=object).astype(str)
    if rows_read is not None:
        rows_read(len(rows) - 1, len(rows) - 1)
    return ExportTable(frame, np.asarray(body_lines, dtype=int), "xlsx", notes=notes)


def read_export(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    skip_rows: int = 0,
    rows: RowProgress | None = None,
) -> ExportTable:
    """Read ``path`` (CSV/TSV, optionally gzipped; .xlsx; .parquet) as a table.

    ``encoding`` / ``delimiter`` ``None`` (or ``"auto"``) are detected; ``sheet`` picks an
    .xlsx sheet (default: the first); ``skip_rows`` lines (sheet rows) above the header are
    skipped (a report title). ``rows(done, total)`` hears the rows read as they are read (a
    large CSV in chunks, an .xlsx sheet every :data:`READ_CHUNK_ROWS` rows), last with
    ``done == total``."""
    p = Path(path)
    encoding = None if encoding in (None, "", "auto") else encoding
    delimiter = None if delimiter in (None, "", "auto") else delimiter
    if p.is_dir():
        raise ExportReadError(f"{p}: expected a file (CSV, .xlsx or .parquet); found a folder")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ExportReadError(f"{p}: expected an existing file; found no such file") from None
    except OSError as exc:
        raise ExportReadError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ExportReadError(f"{p}: expected a complete gzip file; found {exc}") from None
    kind = _container(data, p)
    if kind == "xlsx":
        return _read_xlsx(p, sheet, skip_rows, rows)
    if kind == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises many types for a bad file
            raise ExportReadError(
                f"{p}: expected a readable Parquet file; found {type(exc).__name__}: {exc}"
            ) from None
        frame.columns = _header(list(frame.columns), p)
        if rows is not None:
            rows(len(frame), len(frame))
        return ExportTable(frame.reset_index(drop=True), np.arange(len(frame)) + 2, "parquet")
    return _read_csv(data, p, encoding, delimiter, skip_rows, rows)


__all__ = [
    "AUTO_ENCODINGS",
    "READ_CHUNK_ROWS",
    "ExportReadError",
    "ExportTable",
    "RowProgress",
    "detect_encoding",
    "normalise_header",
    "read_export",
    "sniff_delimiter",
]
