"""Liveness and readiness, for load balancers and operators."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from eocnet.api.deps import DbDep
from eocnet.db import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Is the process up")
async def healthz() -> dict[str, str]:
    """Answered on the event loop itself (no thread-pool hop): it says whether the
    loop is turning, which is what a hung process stops doing."""
    return {"status": "ok"}


@router.get("/readyz", summary="Can it serve: database reachable and migrations current")
def readyz(db: DbDep) -> JSONResponse:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.is_current(db.engine)
    except Exception as exc:  # the point is to report, not to crash
        return JSONResponse(
            {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
            status_code=503,
        )
    if not current:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "behind; run 'eocnet db upgrade'",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})
