"""Shared helpers: percentiles, a temporary database, a printed table."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from eocnet.actions import directory
from eocnet.db import migrate
from eocnet.db.database import Database

PG_ADMIN = os.environ.get(
    "EOCNET_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"p50 {percentile(ms, 50):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  "
        f"p99 {percentile(ms, 99):7.2f} ms  max {max(ms):7.2f} ms  "
        f"mean {statistics.fmean(ms):7.2f} ms  (n={len(ms)})"
    )


@contextmanager
def temporary_database(backend: str = "sqlite") -> Iterator[str]:
    """A migrated database with the ASEAN directory loaded; removed afterwards."""
    if backend == "postgresql":
        name = f"eocnet_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = (
            PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            + "/"
            + name
        )
        try:
            _prepare(url)
            yield url
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            _prepare(url)
            yield url


def _prepare(url: str) -> None:
    migrate.upgrade(url)
    db = Database(url)
    with db.transaction() as session:
        directory.load_network(
            session, None, directory.read_network_file(directory.DEFAULT_NETWORK)
        )
    db.dispose()


def time_get(client: Any, path: str, headers: dict[str, str], rounds: int) -> list[float]:
    """Seconds taken by ``rounds`` GET requests, each checked to answer 200."""
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        out.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.text[:300])
    return out
