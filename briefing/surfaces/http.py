"""The HTTP service: the service function behind a small FastAPI app (`briefing serve`).

    POST /v1/briefings          inline articles {name, text} and/or paths under BRIEFING_SOURCES -> Briefing JSON
    GET  /v1/briefings/{date}   a stored daily briefing (JSON, or ?format=markdown)
    GET  /healthz               liveness (never needs the token)
    POST /slack/events          the Slack app, mounted when SLACK_SIGNING_SECRET is set
    GET  /docs, /openapi.json   the API described (only with `briefing serve --docs`)

A thin edge: requests are validated (pydantic, unknown fields refused), the work runs on the shared
`Briefer` (one model client opened for the app's lifetime, jobs on a worker thread's event loop, so
health checks and Slack acknowledgements are never held up), and `BriefingError`s become JSON
`{"detail": "..."}` with a status that says whose fault it is. Bodies above `MAX_BODY_BYTES` get 413
before they are read into memory. Paths are resolved and must stay inside the articles folder, symlinks
included.

Secure by default: the app will not be built without BRIEFING_API_TOKEN unless the caller says so
(`auth_required=False`, which `briefing serve --no-auth` allows on loopback only); /v1 needs
`Authorization: Bearer <token>`, checked before the body is read; a request whose Host header is not one
of `allowed_hosts` (loopback names by default) gets 400, so a web page cannot reach a loopback service
through DNS rebinding; /docs and /openapi.json exist only with `docs=True`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.trustedhost import TrustedHostMiddleware
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..api import open_model
from ..config import Settings
from ..errors import BriefingError, ConfigError, error_reference, missing_extra, outcome_of, public_detail
from ..model import ModelClient
from ..models import Briefing
from ..sources import MAX_PATH_CHARS, TEXT_SUFFIXES, os_reason, expand
from .asgi import MAX_BODY_BYTES, BodyLimit, health, internal_error_detail, lifespan_of
from .daily import DAY_PATTERN, parse_date, stored_briefing
from .worker import Briefer, ClientFactory

log = logging.getLogger("briefing.service")

MAX_ARTICLES = 200
DATE_PATTERN = f"^{DAY_PATTERN}$"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
"""Host headers a loopback service answers; anything else is a page on another name (DNS rebinding)."""


# --------------------------------------------------------------------------- schemas


class ArticleIn(BaseModel):
    """One article sent inline."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(
        min_length=1,
        max_length=300,
        pattern=r'^[^<>"\x00-\x1f]+$',
        description='A name for the article (no <, >, " or control characters); citations use it.',
    )
    text: str = Field(min_length=1, description="The article's text.")


class BriefingRequest(BaseModel):
    """What to brief: inline articles, paths under the server's articles folder, or both."""

    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(
        default_factory=list, max_length=MAX_ARTICLES, description="Articles sent in the request."
    )
    paths: list[str] = Field(
        default_factory=list,
        max_length=MAX_ARTICLES,
        description="Files or folders relative to the articles folder (BRIEFING_SOURCES).",
    )
    title: str | None = Field(default=None, max_length=300, description="Headline of the briefing.")
    date: str | None = Field(default=None, pattern=DATE_PATTERN, description="The day it covers, YYYY-MM-DD.")

    @model_validator(mode="after")
    def _something_to_brief(self) -> BriefingRequest:
        if not self.articles and not self.paths:
            raise ValueError("nothing to brief: give at least one of `articles` ([{name, text}]) or `paths`")
        return self


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    endpoint: str = Field(description="Which model endpoint the settings name: openai, custom or local.")
    slack: bool = Field(description="Whether /slack/events is mounted.")


# --------------------------------------------------------------------------- the app

_bearer = HTTPBearer(auto_error=False, description="BRIEFING_API_TOKEN, when the server sets one.")
BearerToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def create_app(
    settings: Settings,
    client: ModelClient | None = None,
    *,
    client_factory: ClientFactory | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    auth_required: bool = True,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    docs: bool = False,
) -> FastAPI:
    """The ASGI app. `client` (tests: a FakeModel) or `client_factory` replaces `open_model(settings)`.

    Raises ConfigError when no BRIEFING_API_TOKEN is set and `auth_required` (the default)."""
    if settings.api_token is None and auth_required:
        raise ConfigError(
            "the HTTP service needs a token: set BRIEFING_API_TOKEN (clients send 'Authorization: Bearer "
            "<token>'), or pass --no-auth to serve on loopback without one"
        )
    if client is not None:
        client_factory = lambda _settings: nullcontext(client)  # noqa: E731
    briefer = Briefer(settings, client_factory=client_factory or open_model)

    app = FastAPI(
        title="briefing",
        summary="News articles in, a structured intelligence briefing out; every item cites the exact words.",
        version=_version(),
        lifespan=lifespan_of(briefer),
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.briefer = briefer
    # the last added runs first: the Host header, then the token, then the body's size
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(BearerAuth, token=settings.api_token, prefix="/v1/")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    _error_handlers(app)

    async def authorized(credentials: BearerToken) -> None:
        token = settings.api_token
        if token is None:
            return
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})

    slack_mounted = _mount_slack(app, settings, briefer)

    @app.get("/healthz", response_model=Health, tags=["service"])
    async def healthz() -> Health:
        """Liveness: answers at once, even while briefings run."""
        return Health(**health(settings, slack=slack_mounted))

    @app.post(
        "/v1/briefings",
        response_model=Briefing,
        dependencies=[Depends(authorized)],
        tags=["briefings"],
        responses={
            413: {"description": "Request body too large"},
            422: {"description": "Nothing to brief"},
            403: {"description": "A path outside the articles folder"},
        },
    )
    async def create_briefing(request: BriefingRequest) -> Briefing:
        """Brief inline articles and/or files under the articles folder; returns the Briefing JSON."""
        files = await asyncio.to_thread(_resolve_paths, settings, request.paths) if request.paths else []
        briefing = await briefer.brief(
            files, articles=[(a.name, a.text) for a in request.articles], title=request.title, date=request.date
        )
        return _relative(briefing, settings.sources_dir) if files and settings.sources_dir else briefing

    @app.get(
        "/v1/briefings/{day}",
        response_model=Briefing,
        dependencies=[Depends(authorized)],
        tags=["briefings"],
        responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "No briefing that day"}},
    )
    async def get_briefing(
        day: Annotated[str, PathParam(pattern=DATE_PATTERN, description="YYYY-MM-DD")],
        format: Literal["json", "markdown"] = "json",  # noqa: A002 - the query parameter's name
    ) -> Any:
        """A daily briefing written by `briefing daily` (or by Slack's /briefing)."""
        day = parse_date(day)
        if settings.daily_dir is None:
            raise HTTPException(503, "this server has no daily folder: set BRIEFING_DAILY_DIR")
        stored = await asyncio.to_thread(stored_briefing, settings.daily_dir, day)
        if stored is None:
            raise HTTPException(
                404,
                f"no briefing for {day}: run `briefing daily --date {day}` on the server, "
                f"or list the days that exist in {settings.daily_dir.name}/",
            )
        briefing, markdown = stored
        if format == "markdown":
            return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
        return briefing

    return app


class BearerAuth:
    """ASGI middleware: paths under `prefix` need `Authorization: Bearer <token>`, checked before the app
    reads the body (a malformed or oversized body from a stranger gets 401, not a parse)."""

    def __init__(self, app: Any, token: str | None, prefix: str) -> None:
        self.app, self.token, self.prefix = app, token, prefix

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.token is None or scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token.encode()):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": UNAUTHORIZED}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b"Bearer"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


UNAUTHORIZED = "missing or wrong bearer token: send the header 'Authorization: Bearer <BRIEFING_API_TOKEN>'"


def _resolve_paths(settings: Settings, given: list[str]) -> list[str]:
    """Each path resolved inside the articles folder (else 403), expanded to files that stay inside it.

    Refused before anything is read: a path that leaves the folder (by `..`, an absolute path or a link),
    a hidden file or folder (`.env`, `.git/`), a file that is not .txt or .md, a path over
    `MAX_PATH_CHARS` or one that cannot be looked up (a symlink loop): each with a one-line reason."""
    root = settings.sources_dir
    if root is None:
        raise HTTPException(
            422,
            "this server has no articles folder, so `paths` cannot be used: send the "
            "articles inline, or set BRIEFING_SOURCES on the server",
        )
    real_root = root.resolve()
    candidates: list[Path] = []
    for text in given:
        shown = text if len(text) <= 80 else text[:80] + "…"
        if "\x00" in text or not text.strip():
            raise HTTPException(422, f"invalid path {shown!r}")
        if len(text) > MAX_PATH_CHARS:
            raise HTTPException(422, f"path {shown!r} is too long ({len(text):,} characters > {MAX_PATH_CHARS:,})")
        path = Path(text)
        if any(part.startswith(".") and part not in (".", "..") for part in path.parts):
            raise HTTPException(403, f"path {shown!r} names a hidden file or folder: only articles are read")
        candidate = root / path if not path.is_absolute() else path
        try:
            resolved = candidate.resolve(strict=True)
        except FileNotFoundError:
            resolved = None
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long, no permission
            why = "a symlink loop" if isinstance(exc, RuntimeError) else os_reason(exc)
            raise HTTPException(422, f"path {shown!r} cannot be read: {why}") from None
        if resolved is None or not resolved.is_relative_to(real_root):
            if resolved is None and candidate.resolve().is_relative_to(real_root):
                raise HTTPException(422, f"no file or folder {shown!r} in the articles folder")
            raise HTTPException(403, f"path {shown!r} is outside the articles folder: give paths relative to it")
        if resolved.is_file() and resolved.suffix.lower() not in TEXT_SUFFIXES:
            raise HTTPException(403, f"path {shown!r} is not an article: only .txt and .md files are read")
        candidates.append(root / resolved.relative_to(real_root))
    files, skipped = expand(candidates, root=real_root)
    for record in skipped:
        log.warning("left out %s: %s", record.path, record.reason)
    return files


def _relative(briefing: Briefing, root: Path) -> Briefing:
    """The briefing with every path shown relative to the articles folder (never where the server keeps it)."""
    prefixes = sorted({str(root).rstrip("/") + "/", str(root.resolve()).rstrip("/") + "/"}, key=len, reverse=True)

    def rel(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    b = briefing.model_copy(deep=True)
    for citation in [*b.citations(), *b.withheld]:
        citation.source = rel(citation.source)
    b.sources = [
        r.model_copy(update={"path": rel(r.path), "reason": rel(r.reason) if r.reason else r.reason}) for r in b.sources
    ]
    return b


def _mount_slack(app: FastAPI, settings: Settings, briefer: Briefer) -> bool:
    """Mount Bolt at /slack/events when SLACK_SIGNING_SECRET is set (raises ConfigError if half configured)."""
    if not settings.slack_signing_secret:
        return False
    try:
        from .slack import events_endpoint
    except ImportError as exc:
        raise missing_extra("slack", "SLACK_SIGNING_SECRET is set, so the Slack app", exc.name) from None
    events = events_endpoint(settings, briefer)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await events(request)

    return True


def _error_handlers(app: FastAPI) -> None:
    """Errors -> JSON `detail` with the status `errors.OUTCOMES` gives; a bug -> 500 with a log reference."""

    @app.exception_handler(BriefingError)
    async def briefing_error(_request: Request, exc: BriefingError) -> JSONResponse:
        status = outcome_of(exc).http_status
        ref = error_reference()
        # the log keeps the whole message (endpoint, the embedded model's log tail); the client gets less
        (log.error if status >= 500 else log.info)("request failed (%s, ref %s): %s", status, ref, exc)
        return JSONResponse({"detail": public_detail(exc, ref)}, status_code=status)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": internal_error_detail(log, "request failed", exc)}, status_code=500)


def _version() -> str:
    from .. import __version__

    return __version__


__all__ = ["MAX_BODY_BYTES", "ArticleIn", "BodyLimit", "BriefingRequest", "create_app"]
