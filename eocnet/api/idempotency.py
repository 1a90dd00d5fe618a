"""Retried POSTs do not post twice: an ``Idempotency-Key`` header replays the first answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from eocnet.actions.errors import Invalid
from eocnet.db.models import IdempotencyRecord
from eocnet.domain.actors import Actor

HEADER = "idempotency-key"


def respond_once(
    request: Request,
    session: Session,
    actor: Actor,
    fingerprint_source: str,
    produce: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run ``produce`` (which writes in ``session``) once per (user, key).

    The record of the answer is stored in the same transaction as the write, so a
    retry after a lost response gets the same answer and nothing is written twice.
    """
    key = request.headers.get(HEADER)
    if not key:
        status, body = produce()
        return JSONResponse(body, status_code=status)
    if len(key) > 200:
        raise Invalid("Idempotency-Key is longer than 200 characters", field="Idempotency-Key")
    fingerprint = hashlib.sha256(
        f"{request.method} {request.url.path}\n{fingerprint_source}".encode()
    ).hexdigest()
    record = session.get(IdempotencyRecord, (actor.user_id, key))
    if record is not None:
        if record.fingerprint != fingerprint:
            raise Invalid(
                "this Idempotency-Key was used for a different request", field="Idempotency-Key"
            )
        return JSONResponse(
            json.loads(record.body),
            status_code=record.status,
            headers={"Idempotent-Replayed": "true"},
        )
    status, body = produce()
    session.add(
        IdempotencyRecord(
            user_id=actor.user_id,
            key=key,
            fingerprint=fingerprint,
            status=status,
            body=json.dumps(body, default=str),
        )
    )
    return JSONResponse(body, status_code=status)
