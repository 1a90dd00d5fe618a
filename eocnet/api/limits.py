"""A cap on request body size, enforced before the body is read into memory."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eocnet.api.problems import problem


class BodySizeLimit:
    """ASGI middleware: answer 413 problem JSON when a body exceeds ``max_bytes``.

    ``patterns`` maps path regular expressions to their own limits (e.g. uploads).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, patterns: dict[str, int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.patterns = [(re.compile(p), limit) for p, limit in (patterns or {}).items()]

    def _limit(self, path: str) -> int:
        for pattern, limit in self.patterns:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._reject(scope, receive, send, limit)
                    return
        received = 0
        started = False
        rejected = False

        async def limited_receive() -> Message:
            # Past the limit, answer 413 ourselves and tell the app the client has gone,
            # so that nothing of the oversized body is processed.
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    rejected = True
                    await self._reject(scope, receive, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(
            413,
            f"The request body is larger than {limit} bytes.",
            instance=scope["path"],
            title="Content Too Large",
        )
        await response(scope, receive, send)


class RefuseNul:
    """ASGI middleware: a query parameter with a NUL character gets a 422 problem naming
    it (no database stores NUL in text; bodies are checked by the input models)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope.get("query_string", b"").upper():
            from urllib.parse import parse_qsl

            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            field = next((k for k, v in pairs if "\x00" in v or "\x00" in k), "query")
            detail = "must not contain NUL characters"
            response = problem(
                422,
                f"{field}: {detail}",
                instance=scope["path"],
                title="Invalid input",
                kind="validation",
                errors=[{"field": field, "detail": detail}],
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
