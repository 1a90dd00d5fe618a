"""Reading uploaded tables (CSV or XLSX) into a header row and data rows of text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime


class TableError(ValueError):
    pass


MAX_ROWS = 5000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    data: bytes, filename: str, max_rows: int = MAX_ROWS
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (all text). XLSX by its content, otherwise CSV (UTF-8, with or
    without BOM; comma, semicolon or tab separated)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def _read_csv(data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("the CSV file is not UTF-8; save it as 'CSV UTF-8'") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        # newline="" lets the csv module itself handle \r, \n and \r\n line ends
        rows = [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)
        ]
    except csv.Error as exc:
        raise TableError(f"the CSV file cannot be read: {exc}") from None
    return _split(rows, max_rows)


def _read_xlsx(data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"not a readable XLSX file ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return _split(rows, max_rows)


def _split(rows: list[list[str]], max_rows: int) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise TableError("the file has no rows")
    if len(rows) - 1 > max_rows:
        raise TableError(f"at most {max_rows} rows per file")
    headers = rows[0]
    if len(set(h.lower() for h in headers if h)) != len([h for h in headers if h]):
        raise TableError("column headers must be distinct")
    return headers, [r + [""] * (len(headers) - len(r)) for r in rows[1:]]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> str:
    """A cell as text; one that a spreadsheet would run as a formula is prefixed
    with an apostrophe (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(
    columns: list[str], rows: Iterable[Sequence[object]], lineterminator: str = "\r\n"
) -> str:
    """A CSV file (UTF-8, header row, RFC 4180 quoting). The one CSV writer of the
    project: every cell that a spreadsheet would run as a formula is neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([_safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return buffer.getvalue()
