"""The server's access log without query strings.

uvicorn writes ``"GET /api/v1/search?q=<a name or a passport number> HTTP/1.1"`` for
every request: search terms, filters and tokens in links would land in plain text in
the server's log. The filter keeps the method, the path and the status, and drops
what follows ``?`` (the path itself never holds personal data: ids only)."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, mark, _ = args[2].partition("?")
            if mark:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def drop_query_strings() -> None:
    """Install the filter on uvicorn's access logger (once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
