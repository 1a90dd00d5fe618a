"""CSV downloads: one helper so every export has the same headers and
protections (attachment, no caching of data that may be restricted)."""

from __future__ import annotations

from fastapi.responses import Response

from eocnet.interop.tables import write_csv

CSV_RESPONSES: dict[int | str, dict[str, object]] = {200: {"content": {"text/csv": {}}}}


def csv_response(name: str, columns: list[str], rows: list[list[object]]) -> Response:
    return Response(
        write_csv(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )
