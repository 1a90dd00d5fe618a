"""Inserting many rows at once, inside the caller's transaction.

PostgreSQL takes them by ``COPY ... FROM STDIN`` (psycopg's copy protocol),
far faster than INSERT statements; SQLite by one ``executemany`` of an
INSERT. SQLAlchemy's executemany converts every value of every row through
the column types; here each column's converter runs once per distinct value
(a report file repeats the same few dates and codes on every row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def _converter(table: Table, column: str, connection: Connection) -> Callable[[Any], Any] | None:
    """The column type's conversion for this database, remembering each
    distinct value's result; None when values pass unchanged."""
    dialect = connection.dialect
    process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            converted = cache[value] = process(value)
            return converted
        except TypeError:  # unhashable
            return process(value)

    return convert


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the order of ``columns``); returns the count.

    Table and column names come from the models, never from input."""
    missing = [c for c in columns if c not in table.c]
    if missing:
        raise ValueError(f"{table.name} has no column {', '.join(missing)}")
    # the columns' Python-side defaults, as the ORM would apply them (once per call)
    extra: list[tuple[str, Any]] = []
    for column in table.columns:
        default = column.default
        if column.name in columns or default is None:
            continue
        if default.is_callable:
            value = default.arg(None)  # type: ignore[attr-defined]
        elif default.is_scalar:
            value = default.arg  # type: ignore[attr-defined]
        else:
            continue
        extra.append((column.name, value))
    if extra:
        columns = (*columns, *(name for name, _ in extra))
        constants = tuple(value for _, value in extra)
        rows = (tuple(row) + constants for row in rows)
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    converters = [(i, f) for i, c in enumerate(columns) if (f := _converter(table, c, connection))]
    prepared = []
    for row in rows:
        values = list(row)
        for i, convert in converters:
            values[i] = convert(values[i])
        prepared.append(tuple(values))
    marks = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
    connection.exec_driver_sql(statement, prepared)
    return len(prepared)
