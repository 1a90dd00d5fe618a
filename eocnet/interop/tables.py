"""Reading uploaded tables (CSV or XLSX) into a header row and data rows of text."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime


class TableError(ValueError):
    pass


MAX_ROWS = 5000
# Excel's own limit: no spreadsheet cell is longer, so a longer one is not data
MAX_CELL_CHARS = 32_767
# An XLSX is a zip: what it holds once uncompressed, all members together, and how
# many members. A 1 MiB upload can otherwise unpack to hundreds of megabytes of XML.
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_XLSX_MEMBERS = 500
# rows that are empty still cost reading; they count too, with this much room
_EMPTY_ROW_ALLOWANCE = 10_000


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
    without BOM; comma, semicolon or tab separated).

    Reading stops as soon as the file has more than ``max_rows`` data rows, or a cell
    longer than a spreadsheet allows; an XLSX is refused before it is parsed when it
    would unpack to more than :data:`MAX_XLSX_UNCOMPRESSED` bytes."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def _collect(rows: Iterable[Iterable[object]], max_rows: int) -> list[list[str]]:
    """The non-empty rows as text, counted while they are read: at ``max_rows`` data
    rows (plus the header) reading stops and the file is refused."""
    kept: list[list[str]] = []
    for number, raw in enumerate(rows, start=1):
        if number > max_rows + 1 + _EMPTY_ROW_ALLOWANCE:
            raise TableError(f"at most {max_rows} rows per file")
        row = []
        for value in raw:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise TableError(
                    f"row {number}: a cell is longer than {MAX_CELL_CHARS:,} characters"
                )
            row.append(_cell(value))
        if any(row):
            if len(kept) > max_rows:  # the header and max_rows data rows are kept
                raise TableError(f"at most {max_rows} rows per file")
            kept.append(row)
    return kept


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
        rows = _collect(csv.reader(io.StringIO(text, newline=""), dialect), max_rows)
    except csv.Error as exc:
        raise TableError(f"the CSV file cannot be read: {exc}") from None
    return _split(rows, max_rows)


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX whose members unpack to more than the limit: by the sizes the
    zip declares, then by what they really unpack to (a declared size can lie),
    reading in chunks so that nothing large is ever held."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_XLSX_MEMBERS:
                raise TableError(f"not a spreadsheet: more than {MAX_XLSX_MEMBERS} parts")
            too_big = TableError(
                f"the XLSX file unpacks to more than {MAX_XLSX_UNCOMPRESSED // 2**20} MB; "
                "split it or upload it as CSV"
            )
            if sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED:
                raise too_big
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_XLSX_UNCOMPRESSED:
                            raise too_big
    except TableError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise TableError(f"not a readable XLSX file ({type(exc).__name__})") from None
    except (OSError, ValueError, RuntimeError) as exc:  # zlib errors, encrypted members
        raise TableError(f"not a readable XLSX file ({type(exc).__name__})") from None


def _read_xlsx(data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"not a readable XLSX file ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        # the size a sheet declares is not trusted: with it, every row read is padded
        # to the declared width (a tiny file can declare 16,384 columns)
        sheet.reset_dimensions()
        try:
            rows = _collect(sheet.iter_rows(values_only=True), max_rows)
        except TableError:
            raise
        except Exception as exc:  # damaged XML inside the zip
            raise TableError(f"not a readable XLSX file ({type(exc).__name__})") from None
    finally:
        book.close()
    return _split(rows, max_rows)


def _split(rows: list[list[str]], max_rows: int) -> tuple[list[str], list[list[str]]]:
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
