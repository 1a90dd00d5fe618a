"""Aggregate report files (CSV or XLSX) into report records.

Columns, in any order and case: ``disease``, ``period`` (a date or a week
such as 2026-W47) and any of ``party``, ``area``, ``age_group``, ``sex``,
``cases_suspected``, ``cases_probable``, ``cases_confirmed``,
``deaths_suspected``, ``deaths_probable``, ``deaths_confirmed``. A column
eocnet does not know is refused, so a misspelt figure is not silently lost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from eocnet.domain.quoting import quoted
from eocnet.domain.surveillance import FIGURES
from eocnet.interop import adx
from eocnet.interop.tables import TableError, read_table

KNOWN = ("party", "disease", "period", "area", "age_group", "sex", *FIGURES)
REQUIRED = ("disease", "period")
MAX_UPLOAD_ROWS = 100_000


def check_columns(headers: list[str]) -> list[str]:
    names = [h.strip().lower() for h in headers]
    unknown = [h for h in names if h and h not in KNOWN]
    if unknown:
        shown = ", ".join(quoted(h) for h in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise TableError(f"unknown column {shown}; the columns are {', '.join(KNOWN)}")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise TableError(f"the file needs the column(s) {', '.join(missing)}")
    return names


def read_report_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """An uploaded file (CSV or XLSX) as one record per data row. ADX files
    are read by :func:`read_report_file`."""
    headers, rows = read_table(data, filename, max_rows=MAX_UPLOAD_ROWS)
    names = check_columns(headers)
    return [dict(zip(names, row, strict=False)) for row in rows]


def iter_report_csv(text: str) -> Iterator[dict[str, str]]:
    """A large CSV text, record by record (for bulk loads from the CLI)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError("the file is empty") from None
    names = check_columns(headers)
    for row in reader:
        if any(row):
            yield dict(zip(names, row, strict=False))


def read_report_file(
    data: bytes, filename: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Any uploaded report file: CSV, XLSX or ADX XML. Returns the records and
    the errors found while reading (ADX values that are not report figures)."""
    if filename.lower().endswith(".xml") or adx.looks_like_adx(data):
        return adx.read_adx(data)
    return read_report_table(data, filename), []
