"""Reading the tables people actually publish: CSV in its many dialects, and XLSX.

A CSV may use commas or semicolons (detected), start with a UTF-8 byte-order mark, end
lines with CRLF, hold quoted fields that span lines, and carry stray lines after the table
(an extraction timestamp, a source note, a "Total" row). Those trailing lines are dropped
and reported as notes; blank lines are skipped. Every record keeps the line number a person
sees in a text editor (the line it starts on), so that problems can point at it.

XLSX files are read with openpyxl (the engine pandas uses) directly rather than through
``pandas.read_excel``, for two reasons: a cell formatted as a percentage stores 0.81 and
shows "81%", and only the cell's number format tells which one the author meant; and
problems must name the sheet row a person sees, blank rows included.

Every cell comes back as a string; turning strings into numbers, dates and codes is the
loader's job, where a bad value can be reported with its column.

Large CSV files are parsed by pandas' C parser (a million contact records in about a
second). Its row numbers are only trusted when every record is one line; a file with
quoted fields spanning lines, or rows with extra fields, is parsed again with the csv
module, which knows the line each record starts on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Delimiters tried when the delimiter is "auto", in order of preference on a tie.
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")

# A row whose first filled cell says it is a total: English, French and Spanish.
_TOTAL_LABEL = re.compile(
    r"^\s*(grand\s+)?(sub)?totals?\b|^\s*total\s+(général|general)|^\s*sum\b|^\s*somme\b",
    re.IGNORECASE,
)


class ReadError(ValueError):
    """The file cannot be read as a table at all."""


@dataclass
class RawTable:
    """A table as strings: the header, the data records and where each one is in the file."""

    file: str
    header: list[str]
    header_row: int
    #: One row per data record, one column per header position (0, 1, ...), all strings.
    cells: pd.DataFrame
    #: 1-based line (CSV) or sheet row (XLSX) where each record in ``cells`` starts.
    row_numbers: np.ndarray
    checksum: str
    notes: list[str] = field(default_factory=list)
    delimiter: str | None = None
    #: Records with more filled fields than the header: (row number, filled field count).
    overlong: list[tuple[int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def rows(self) -> list[list[str]]:
        return self.cells.to_numpy(dtype=object).tolist()

    def column_index(self) -> dict[str, int]:
        """Header names (trimmed, case-folded) to positions; the first of duplicates wins."""
        index: dict[str, int] = {}
        for position, name in enumerate(self.header):
            index.setdefault(header_key(name), position)
        return index

    def column(self, name: str) -> pd.Series | None:
        """The cells of the column called ``name`` (compared as :func:`header_key` does)."""
        position = self.column_index().get(header_key(name))
        return None if position is None else self.cells[position]


def header_key(name: str) -> str:
    """How column names are compared: case, surrounding and repeated spaces do not matter."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(
    path: Path,
    *,
    delimiter: str = "auto",
    sheet: str | None = None,
    skip_rows: int = 0,
    encoding: str | None = None,
) -> RawTable:
    """Read a CSV or XLSX file (chosen by its extension) into a :class:`RawTable`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(f"cannot read the file: {error.strerror or error}") from None
    checksum = file_checksum(data)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        records, notes = _xlsx_records(data, sheet)
        grid = _grid_from_records(records[skip_rows:])
        chosen = None
    elif suffix == ".xls":
        raise ReadError("old .xls workbooks are not supported; save the sheet as .xlsx or CSV")
    else:
        text, notes = _decode(data, encoding)
        chosen = _choose_delimiter(text, skip_rows) if delimiter == "auto" else delimiter
        fast_grid = _csv_grid_fast(text, chosen, skip_rows)
        if fast_grid is None:
            grid = _grid_from_records(_csv_records(text, chosen)[skip_rows:])
        else:
            grid = fast_grid
    table = _table_from_grid(path.name, grid, checksum, delimiter=chosen)
    table.notes[:0] = notes
    table.delimiter = chosen
    return table


@dataclass
class _Grid:
    """Records before the header is found: cells, start lines and field counts."""

    cells: pd.DataFrame  # positional columns, strings, padded with ""
    numbers: np.ndarray
    #: Fields in each record as written (CSV); a sheet row counts its filled cells.
    widths: np.ndarray


# -- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> tuple[str, list[str]]:
    if encoding:
        try:
            return data.decode(encoding), []
        except (UnicodeDecodeError, LookupError) as error:
            raise ReadError(f"cannot decode the file as {encoding}: {error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ["the file is UTF-16 text (read as such)"]
    try:
        # utf-8-sig drops a byte-order mark when there is one and is plain UTF-8 otherwise.
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ReadError(f"the file is not UTF-8 text: {error}") from None
        return text, [
            "the file is not UTF-8; it was read as Windows-1252. Check accented letters, "
            "or save the file as UTF-8."
        ]


def _physical_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


def _csv_grid_fast(text: str, delimiter: str, skip_rows: int) -> _Grid | None:
    """pandas' C parser, when every record is exactly one line (else None)."""
    if "\r" in text.replace("\r\n", ""):
        return None  # lone carriage returns: let the csv module count lines
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skiprows=skip_rows,
            quotechar='"',
            doublequote=True,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    lines = _physical_lines(text)
    if len(frame) + skip_rows != lines:
        return None  # a quoted field spans lines: record numbers are not line numbers
    frame = frame.fillna("")
    frame.columns = pd.RangeIndex(frame.shape[1])
    numbers = np.arange(skip_rows + 1, skip_rows + 1 + len(frame), dtype=np.int64)
    widths = np.full(len(frame), frame.shape[1], dtype=np.int64)
    # pandas pads short records; the last few are re-split to know their real field count,
    # which is what tells a footer line from a data row.
    tail = text.split("\n")
    if tail and tail[-1] == "":
        tail.pop()
    for offset, line in enumerate(reversed(tail[-30:]), start=1):
        if offset > len(frame):
            break
        fields = next(csv.reader([line.removesuffix("\r")], delimiter=delimiter), [])
        widths[-offset] = len(fields)
    return _Grid(frame, numbers, widths)


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first line number, fields) of every record, blank lines included as []."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    append = records.append
    previous_line = 0
    try:
        for fields in reader:
            append((previous_line + 1, fields))
            previous_line = reader.line_num
    except csv.Error as error:
        raise ReadError(f"line {previous_line + 1}: {error}") from None
    return records


def _grid_from_records(records: list[tuple[int, list[str]]]) -> _Grid:
    width = max((len(fields) for _, fields in records), default=0)
    padded = [fields + [""] * (width - len(fields)) for _, fields in records]
    frame = pd.DataFrame(padded, columns=range(width), dtype=str) if records else pd.DataFrame()
    return _Grid(
        frame,
        np.array([number for number, _ in records], dtype=np.int64),
        np.array([len(fields) for _, fields in records], dtype=np.int64),
    )


def _choose_delimiter(text: str, skip_rows: int) -> str:
    """The candidate that splits the header into the most columns and agrees with the rows.

    A semicolon file with "12,345" in it splits differently on commas in every row, which
    is how it loses to the semicolon even when commas are more frequent.
    """
    sample_lines = text.splitlines()[skip_rows : skip_rows + 60]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (-1, -1)
    for candidate in CANDIDATE_DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agreeing = sum(1 for row in rows[1:21] if len(row) == width)
        score = (agreeing, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


# -- XLSX ---------------------------------------------------------------------------------


def _xlsx_records(data: bytes, sheet: str | None) -> tuple[list[tuple[int, list[str]]], list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error for a bad file
        raise ReadError(f"not a readable XLSX workbook: {error}") from None
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise ReadError(
                f"the workbook has no sheet {sheet!r}; it has {', '.join(workbook.sheetnames)}"
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        notes = []
        if len(workbook.sheetnames) > 1 and not sheet:
            notes.append(
                f"the workbook has {len(workbook.sheetnames)} sheets; read the first one, "
                f"{worksheet.title!r}"
            )
        # Stored dimensions are sometimes wrong; read every row that is really there.
        worksheet.reset_dimensions()
        records = []
        for number, row in enumerate(worksheet.iter_rows(min_row=1), start=1):
            fields = [_cell_text(cell) for cell in row]
            while fields and not fields[-1]:
                fields.pop()  # a sheet has no field count: trailing empty cells are not data
            records.append((number, fields))
    finally:
        workbook.close()
    return records, notes


def _cell_text(cell: object) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        number_format = getattr(cell, "number_format", None) or ""
        if "%" in number_format:
            return f"{value * 100:.10g}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


# -- shared: header, blank and trailing lines ----------------------------------------------


def _filled_counts(cells: pd.DataFrame) -> np.ndarray:
    """Cells per record that hold something other than spaces.

    Comparing with "" is fast; only records with one or two non-empty cells (blank-looking
    lines, footers) are checked for cells of spaces, which keeps a million rows fast.
    """
    counts = np.zeros(len(cells), dtype=np.int64)
    for position in cells.columns:
        counts += (cells[position] != "").to_numpy(dtype=bool)
    for row in np.flatnonzero((counts > 0) & (counts <= 2)):
        counts[row] = sum(1 for value in cells.iloc[row].tolist() if str(value).strip())
    return counts


def _table_from_grid(file: str, grid: _Grid, checksum: str, *, delimiter: str | None) -> RawTable:
    is_csv = delimiter is not None
    filled = _filled_counts(grid.cells)
    data_positions = np.flatnonzero(filled > 0)
    if len(data_positions) == 0:
        raise ReadError("the file has no header row (it is empty)")
    header_position = int(data_positions[0])
    header = [str(name).replace("\ufeff", "").strip() for name in grid.cells.iloc[header_position]]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (a spreadsheet's unused columns)
    width = len(header)
    header_row = int(grid.numbers[header_position])
    data_positions = data_positions[1:]
    blank_count = len(grid.cells) - header_position - 1 - len(data_positions)

    notes: list[str] = []
    if len(data_positions):
        usual = Counter(grid.widths[data_positions].tolist()).most_common(1)[0][0]
    else:
        usual = width
    trailing: list[tuple[int, str, str]] = []
    keep = len(data_positions)
    while keep:
        position = int(data_positions[keep - 1])
        fields = [str(v) for v in grid.cells.iloc[position].tolist()]
        record_width = int(grid.widths[position])
        why = _trailing_reason(fields[:record_width], width, usual if is_csv else None)
        if why is None:
            break
        shown = " | ".join(f for f in fields if f.strip())
        trailing.append((int(grid.numbers[position]), why, shown))
        keep -= 1
    data_positions = data_positions[:keep]
    for number, why, shown in reversed(trailing):
        notes.append(f"row {number} after the table was ignored ({why}): {shown[:100]!r}")
    if blank_count:
        notes.append(f"{blank_count} blank line(s) skipped")

    cells = grid.cells.iloc[data_positions]
    numbers = grid.numbers[data_positions]
    overlong: list[tuple[int, int]] = []
    if cells.shape[1] > width:
        extra = _filled_counts(cells.iloc[:, width:])
        for position in np.flatnonzero(extra > 0).tolist():
            row_fields = cells.iloc[position].tolist()
            filled_width = max(i + 1 for i, v in enumerate(row_fields) if str(v).strip())
            overlong.append((int(numbers[position]), filled_width))
        cells = cells.iloc[:, :width]
    elif cells.shape[1] < width:
        # Some exports drop trailing empty fields; the missing cells are empty.
        for position in range(cells.shape[1], width):
            cells = cells.assign(**{str(position): ""})
    cells = cells.reset_index(drop=True)
    cells.columns = pd.RangeIndex(width)
    return RawTable(
        file=file,
        header=header,
        header_row=header_row,
        cells=cells,
        row_numbers=np.asarray(numbers, dtype=np.int64),
        checksum=checksum,
        notes=notes,
        overlong=overlong,
    )


def _trailing_reason(fields: list[str], width: int, usual_width: int | None) -> str | None:
    """Why a record at the end of the file is not data, or None when it may be data.

    ``usual_width`` is the most common field count of CSV records (None for a sheet): a
    trailing line split into a different number of fields than both the header and the
    usual record is not part of the table.
    """
    filled = [value for value in fields if value.strip()]
    if filled and _TOTAL_LABEL.match(filled[0]):
        return "a totals line"
    if len(filled) == 1 and width > 2:
        return "a single-cell line such as a timestamp or a source note"
    if usual_width is not None and len(fields) not in (width, usual_width):
        return f"{len(fields)} fields where the header has {width}"
    return None


# -- streaming: a table read record by record ---------------------------------------------

#: Trailing lines (footers) are looked for among this many last records: a table ending in
#: more lines that are not data than this is not one anybody publishes.
TRAILING_WINDOW = 1000
_CHUNK = 1 << 20


@dataclass
class TableStream:
    """A table whose records are read from the file when iterated, never all at once.

    What :func:`read_table` knows before the loader starts (header, checksum, notes, rows
    over-long, the number of data records) is known here too, from a first pass over the
    file; :meth:`records` reads it again, yielding ``(row number, cells)`` one record at a
    time, ``cells`` as many strings as the header has columns. Memory is the size of one
    record, whatever the file's (an XLSX sheet is the exception: openpyxl reads it whole).
    """

    file: str
    header: list[str]
    header_row: int
    checksum: str
    rows: int
    _records: Callable[[], Iterator[tuple[int, list[str]]]]
    notes: list[str] = field(default_factory=list)
    delimiter: str | None = None
    overlong: list[tuple[int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return self.rows

    def records(self) -> Iterator[tuple[int, list[str]]]:
        return self._records()

    def column_index(self) -> dict[str, int]:
        """Header names (trimmed, case-folded) to positions; the first of duplicates wins."""
        index: dict[str, int] = {}
        for position, name in enumerate(self.header):
            index.setdefault(header_key(name), position)
        return index


def stream_table(
    path: Path,
    *,
    delimiter: str = "auto",
    sheet: str | None = None,
    skip_rows: int = 0,
    encoding: str | None = None,
) -> TableStream:
    """Like :func:`read_table`, as a :class:`TableStream` (CSV read in two passes)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        table = read_table(path, delimiter=delimiter, sheet=sheet, skip_rows=skip_rows)
        return _stream_of(table)
    checksum, chosen_encoding, notes = _scan_bytes(path, encoding)
    if delimiter == "auto":
        delimiter = _choose_delimiter(_head_text(path, chosen_encoding), skip_rows)
    # Fields as long as a note may be (the csv module stops at 128 KiB by default; pandas,
    # which read these files before, has no limit).
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    layout = _csv_layout(path, chosen_encoding, delimiter, skip_rows)
    width = len(layout.header)
    end = layout.end

    def records() -> Iterator[tuple[int, list[str]]]:
        with _open_text(path, chosen_encoding) as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            previous_line = 0
            for index, fields in enumerate(reader):
                number = previous_line + 1
                previous_line = reader.line_num
                if index <= layout.header_index:
                    continue
                if index >= end:
                    return
                # Blank lines are skipped; a first cell with text (most records) says at
                # once that the record is not one.
                if not fields or (not fields[0].strip() and not "".join(fields).strip()):
                    continue
                if len(fields) != width:
                    fields = (
                        fields[:width]
                        if len(fields) > width
                        else fields + [""] * (width - len(fields))
                    )
                yield number, fields

    return TableStream(
        file=path.name,
        header=layout.header,
        header_row=layout.header_row,
        checksum=checksum,
        rows=layout.rows,
        _records=records,
        notes=notes + layout.notes,
        delimiter=delimiter,
        overlong=layout.overlong,
    )


def _stream_of(table: RawTable) -> TableStream:
    def records() -> Iterator[tuple[int, list[str]]]:
        yield from zip(table.row_numbers.tolist(), table.rows, strict=True)

    return TableStream(
        file=table.file,
        header=table.header,
        header_row=table.header_row,
        checksum=table.checksum,
        rows=len(table),
        _records=records,
        notes=table.notes,
        delimiter=table.delimiter,
        overlong=table.overlong,
    )


def _scan_bytes(path: Path, encoding: str | None) -> tuple[str, str, list[str]]:
    """The file's checksum, and the encoding to read it with (as :func:`_decode` decides)."""
    digest = hashlib.sha256()
    notes: list[str] = []
    try:
        with path.open("rb") as handle:
            first = handle.read(_CHUNK)
            chosen = encoding
            if chosen is None and first.startswith((b"\xff\xfe", b"\xfe\xff")):
                chosen = "utf-16"
                notes.append("the file is UTF-16 text (read as such)")
            candidates = [chosen] if chosen else ["utf-8-sig", "cp1252"]
            try:
                decoders = [codecs.getincrementaldecoder(name)() for name in candidates]
            except LookupError as error:
                raise ReadError(f"cannot decode the file as {encoding}: {error}") from None
            failed: list[UnicodeDecodeError | None] = [None] * len(candidates)
            chunk = first
            while True:
                digest.update(chunk)
                final = len(chunk) < _CHUNK
                for position, decoder in enumerate(decoders):
                    if failed[position] is None:
                        try:
                            decoder.decode(chunk, final)
                        except UnicodeDecodeError as decode_error:
                            failed[position] = decode_error
                if final:
                    break
                chunk = handle.read(_CHUNK)
    except OSError as error:
        raise ReadError(f"cannot read the file: {error.strerror or error}") from None
    for name, failure in zip(candidates, failed, strict=True):
        if failure is None:
            if name == "cp1252":
                notes.append(
                    "the file is not UTF-8; it was read as Windows-1252. Check accented "
                    "letters, or save the file as UTF-8."
                )
            return digest.hexdigest(), name, notes
    if encoding:
        raise ReadError(f"cannot decode the file as {encoding}: {failed[0]}")
    raise ReadError(f"the file is not UTF-8 text: {failed[0]}")


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return path.open(encoding=encoding, newline="")


def _head_text(path: Path, encoding: str) -> str:
    with _open_text(path, encoding) as handle:
        head = handle.read(_CHUNK)
        if len(head) == _CHUNK:
            head = head[: head.rfind("\n") + 1] or head  # whole lines only
    return head


@dataclass
class _Layout:
    header: list[str]
    header_row: int
    header_index: int
    #: Index (among records, skipped ones included) of the first record after the data.
    end: int
    rows: int
    notes: list[str]
    overlong: list[tuple[int, int]]


def _csv_layout(path: Path, encoding: str, delimiter: str, skip_rows: int) -> _Layout:
    """The first pass: header, blank lines, over-long rows, where the data ends."""
    header: list[str] | None = None
    header_row = header_index = 0
    widths: Counter[int] = Counter()
    blank = data = 0
    overlong: list[tuple[int, int, int]] = []  # (index, row, filled width)
    tail: deque[tuple[int, int, list[str]]] = deque(maxlen=TRAILING_WINDOW)
    with _open_text(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        previous_line = 0
        index = -1
        try:
            for index, fields in enumerate(reader):
                number = previous_line + 1
                previous_line = reader.line_num
                if index < skip_rows:
                    continue
                if not fields or not any(fields) or not "".join(fields).strip():
                    if header is not None:
                        blank += 1
                    continue
                if header is None:
                    header = [name.replace("\ufeff", "").strip() for name in fields]
                    while header and not header[-1]:
                        header.pop()
                    header_row, header_index = number, index
                    continue
                data += 1
                widths[len(fields)] += 1
                if len(fields) > len(header) and "".join(fields[len(header) :]).strip():
                    filled = max(i + 1 for i, v in enumerate(fields) if v.strip())
                    overlong.append((index, number, filled))
                tail.append((index, number, fields))
        except csv.Error as error:
            raise ReadError(f"line {previous_line + 1}: {error}") from None
    if header is None:
        raise ReadError("the file has no header row (it is empty)")
    width = len(header)
    usual = widths.most_common(1)[0][0] if widths else width
    end = index + 1
    trailing: list[tuple[int, str, str]] = []
    while tail:
        position, number, fields = tail[-1]
        why = _trailing_reason(fields, width, usual)
        if why is None:
            break
        shown = " | ".join(f for f in fields if f.strip())
        trailing.append((number, why, shown))
        tail.pop()
        end = position
        data -= 1
    notes = [
        f"row {number} after the table was ignored ({why}): {shown[:100]!r}"
        for number, why, shown in reversed(trailing)
    ]
    if blank:
        notes.append(f"{blank} blank line(s) skipped")
    return _Layout(
        header=header,
        header_row=header_row,
        header_index=header_index,
        end=end,
        rows=data,
        notes=notes,
        overlong=[(number, filled) for position, number, filled in overlong if position < end],
    )
