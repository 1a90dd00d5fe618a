"""The CSV written by ``eocnet risk importation``."""

from __future__ import annotations

import math

from eocnet.analytics.importation import ImportationTable
from eocnet.interop.tables import write_csv

COLUMNS = (
    "destination",
    "share",
    "expected_importations",
    "probability_at_least_one",
    "effective_distance",
    "rank",
)


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.10g}"


def table_rows(table: ImportationTable) -> list[dict[str, object]]:
    """The rows as the API returns them (None where a measure does not apply)."""

    def num(value: float) -> float | None:
        return None if math.isnan(value) else round(float(value), 10)

    return [
        {
            "destination": table.destinations[i],
            "share": num(table.share[i]),
            "expected_importations": num(table.expected[i]),
            "probability_at_least_one": num(table.probability[i]),
            "effective_distance": num(table.effective_distance[i]),
            "rank": int(table.rank[i]),
        }
        for i in range(len(table.destinations))
    ]


def write_importation(table: ImportationTable) -> str:
    return write_csv(
        list(COLUMNS),
        (
            [
                destination,
                _number(table.share[i]),
                _number(table.expected[i]),
                _number(table.probability[i]),
                _number(table.effective_distance[i]),
                int(table.rank[i]),
            ]
            for i, destination in enumerate(table.destinations)
        ),
        lineterminator="\n",
    )
