"""The floor of the alert benchmark: the same stack (uvicorn, FastAPI, the write door,
a durable commit on the same database) answering one endpoint that inserts one row.

No authentication, no audit, no log entry, no search document: what remains between
this and posting an alert is what eocnet does for an alert. Served by
``python -m uvicorn bench.minimal_app:app`` with EOCNET_DATABASE_URL set.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from eocnet.db.database import Database

TABLE = "bench_minimal"

db = Database(os.environ["EOCNET_DATABASE_URL"])
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/insert", status_code=201)
async def insert(body: dict[str, Any]) -> dict[str, int]:
    def job(session: Session) -> int:
        row = session.execute(
            text(f"INSERT INTO {TABLE} (v) VALUES (:v) RETURNING id"),
            {"v": json.dumps(body)},
        )
        return int(row.scalar_one())

    return {"id": await db.run(job)}
