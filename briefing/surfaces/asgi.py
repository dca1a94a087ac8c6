"""What the two ASGI apps (HTTP service, Slack app) share: lifespan, health, body limit, internal errors.

The lifespan opens and closes the `Briefer`; `health` is both apps' `/healthz` answer.

`BodyLimit` is plain ASGI middleware: a declared Content-Length over the limit is refused before the body
is read, a streamed body is counted as it arrives; either way the client gets 413 with a JSON `detail`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from ..config import Settings
from ..errors import BriefingError, error_reference
from .worker import Briefer

try:
    from starlette.exceptions import HTTPException as _HTTPError  # FastAPI passes these through untouched
except ImportError:  # Socket Mode alone needs no web framework
    _HTTPError = Exception  # type: ignore[assignment,misc]

MAX_BODY_BYTES = 2 * 1024 * 1024
log = logging.getLogger("briefing.serving")


def health(settings: Settings, *, slack: bool) -> dict[str, Any]:
    """The `/healthz` answer of either app: liveness, which endpoint kind is configured, whether Slack is on."""
    return {"status": "ok", "endpoint": settings.endpoint_kind, "slack": slack}


def internal_error_detail(logger: logging.Logger, what: str, exc: BaseException) -> str:
    """Log an unexpected exception with a fresh reference; return the user-facing text naming it."""
    ref = error_reference()
    logger.error("%s: internal error (ref %s)", what, ref, exc_info=exc)
    return f"internal error (ref {ref}); the details are in the server log"


async def open_or_log(briefer: Briefer) -> None:
    """Open the shared model client at start-up. When that fails (a model server not up yet, say), log
    one line and keep serving: each request retries and reports the problem itself."""
    try:
        await briefer.start()
    except BriefingError as exc:
        log.error("the model client could not be opened, requests will retry: %s", exc)


def lifespan_of(briefer: Briefer) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """An ASGI lifespan (FastAPI or Starlette) that opens the briefer at start-up and closes it at shutdown."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        await open_or_log(briefer)
        try:
            yield
        finally:
            await briefer.aclose()

    return lifespan


# --------------------------------------------------------------------------- request size


class BodyTooLarge(_HTTPError):
    """Raised from `receive` when a streamed body passes the limit."""

    def __init__(self, limit: int) -> None:
        detail = (
            f"request body larger than {_size(limit)}: send fewer or shorter articles per request, "
            "or put them under the articles folder and send their paths"
        )
        if _HTTPError is Exception:
            super().__init__(detail)
            self.status_code, self.detail = 413, detail
        else:
            super().__init__(413, detail)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


class BodyLimit:
    """ASGI middleware: 413 for a declared Content-Length over the limit, or a streamed body that passes it."""

    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await self._reject(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await self._reject(send, 413, BodyTooLarge(self.max_bytes).detail)
                return
        seen = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._reject(send, 413, exc.detail)

    @staticmethod
    async def _reject(send: Callable, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
