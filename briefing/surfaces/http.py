"""The HTTP service: the service function behind a small FastAPI app (`briefing serve`).

    POST /v1/briefings          inline articles {name, text} and/or paths under BRIEFING_SOURCES -> Briefing JSON
    GET  /v1/briefings/{date}   a stored daily briefing (JSON, ?format=markdown, or ?format=html: the page)
    GET  /                      an HTML index of the stored days, linking their pages
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
(`auth_required=False`, which `briefing serve --no-auth` allows on loopback only); /v1 and the index at /
need `Authorization: Bearer <token>`, checked before the body is read (a browser gets them through a
proxy that adds the header, or from `--no-auth` on loopback); pages are sent with a Content-Security-Policy
header that forbids everything but their own inline stylesheet and script; a request whose Host header is not one
of `allowed_hosts` (loopback names by default) gets 400, so a web page cannot reach a loopback service
through DNS rebinding; /docs and /openapi.json exist only with `docs=True`.

Bounded work: a request may name at most `settings.max_request_files` articles holding at most
`settings.max_request_bytes` of text (else 413, before any work); the `Briefer` queue answers 429 with
Retry-After when full and 504 past the job deadline; a client that disconnects cancels its briefing (the
remaining model calls never run); a service shutting down answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.trustedhost import TrustedHostMiddleware
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..api import open_model
from ..config import Settings
from ..errors import BriefingError, Busy, ConfigError, error_reference, missing_extra, outcome_of, public_detail
from ..model import ModelClient
from ..models import Briefing
from ..render.html import csp_header, index_csp_header, index_html
from ..sources import ARTICLE_SUFFIXES, MAX_PATH_CHARS, expand, os_reason
from .asgi import MAX_BODY_BYTES, BodyLimit, health, internal_error_detail, lifespan_of
from .daily import DAY_PATTERN, briefed_days, parse_date, read_briefing, read_html, stored_briefing
from .worker import Briefer, ClientFactory

log = logging.getLogger("briefing.service")

MAX_ARTICLES = 200
DATE_PATTERN = f"^{DAY_PATTERN}$"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
"""Host headers a loopback service answers; anything else is a page on another name (DNS rebinding)."""
INDEX_DAYS = 366
"""How many of the latest stored days the index page at / lists (each is read for its headline)."""


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
    app.add_middleware(BearerAuth, token=settings.api_token, prefix="/v1/", exact=("/",))
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
            413: {"description": "Request body, or the articles it names, too large"},
            429: {"description": "Too many briefings queued: retry after Retry-After seconds"},
            503: {"description": "The service is shutting down"},
            504: {"description": "The briefing passed the job deadline"},
            422: {"description": "Nothing to brief"},
            403: {"description": "A path outside the articles folder"},
        },
    )
    async def create_briefing(request: BriefingRequest, http: Request) -> Any:
        """Brief inline articles and/or files under the articles folder; returns the Briefing JSON."""
        files = await asyncio.to_thread(_resolve_paths, settings, request.paths) if request.paths else []
        articles = [(a.name, a.text) for a in request.articles]
        sizes = await asyncio.to_thread(_file_sizes, files)
        _check_request_size(settings, len(articles) + len(files), sum(len(t.encode()) for _, t in articles) + sizes)
        work = briefer.brief(files, articles=articles, title=request.title, date=request.date)
        briefing = await _unless_disconnected(http, work)
        return _relative(briefing, settings.sources_dir) if files and settings.sources_dir else briefing

    @app.get(
        "/v1/briefings/{day}",
        response_model=Briefing,
        dependencies=[Depends(authorized)],
        tags=["briefings"],
        responses={
            200: {"content": {"text/markdown": {}, "text/html": {}}},
            404: {"description": "No briefing that day"},
        },
    )
    async def get_briefing(
        day: Annotated[str, PathParam(pattern=DATE_PATTERN, description="YYYY-MM-DD")],
        format: Literal["json", "markdown", "html"] = "json",  # noqa: A002 - the query parameter's name
    ) -> Any:
        """A daily briefing written by `briefing daily` (or by Slack's /briefing): JSON, its Markdown, or
        its HTML page, where every citation opens the source with the cited words highlighted."""
        day = parse_date(day)
        daily_dir = _daily_dir(settings)
        if format == "html":
            page = await asyncio.to_thread(read_html, daily_dir, day, sources_dir=settings.sources_dir)
            if page is None:
                raise _no_briefing(day, daily_dir)
            return HTMLResponse(page, headers=page_headers(csp_header()))
        stored = await asyncio.to_thread(stored_briefing, daily_dir, day)
        if stored is None:
            raise _no_briefing(day, daily_dir)
        briefing, markdown = stored
        if format == "markdown":
            return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
        return briefing

    @app.get("/", response_class=HTMLResponse, dependencies=[Depends(authorized)], include_in_schema=False)
    async def index() -> HTMLResponse:
        """The stored days, newest first, each linking its HTML page."""
        page = await asyncio.to_thread(_index_page, _daily_dir(settings))
        return HTMLResponse(page, headers=page_headers(index_csp_header()))

    return app


def page_headers(csp: str) -> dict[str, str]:
    """Headers of an HTML page: its Content-Security-Policy, no sniffing, no referrer, not stored by caches."""
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _daily_dir(settings: Settings) -> Path:
    if settings.daily_dir is None:
        raise HTTPException(503, "this server has no daily folder: set BRIEFING_DAILY_DIR")
    return settings.daily_dir


def _no_briefing(day: str, daily_dir: Path) -> HTTPException:
    return HTTPException(
        404,
        f"no briefing for {day}: run `briefing daily --date {day}` on the server, "
        f"or list the days that exist in {daily_dir.name}/",
    )


def _index_page(daily_dir: Path) -> str:
    """The index: the latest `INDEX_DAYS` stored days with their headlines (an unreadable one says so)."""
    days = []
    for day in reversed(briefed_days(daily_dir)[-INDEX_DAYS:]):
        try:
            briefing = read_briefing(daily_dir, day)
            headline = briefing.title if briefing else "(no briefing)"
        except BriefingError as exc:
            headline = f"(unreadable: {exc})"
        days.append((day, headline, f"v1/briefings/{day}?format=html"))
    return index_html(days)


class BearerAuth:
    """ASGI middleware: paths under `prefix`, and the `exact` ones, need `Authorization: Bearer <token>`,
    checked before the app reads the body (a malformed or oversized body from a stranger gets 401, not a
    parse)."""

    def __init__(self, app: Any, token: str | None, prefix: str, exact: Sequence[str] = ()) -> None:
        self.app, self.token, self.prefix, self.exact = app, token, prefix, tuple(exact)

    def _protected(self, path: str) -> bool:
        return path.startswith(self.prefix) or path in self.exact

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.token is None or scope["type"] != "http" or not self._protected(scope["path"]):
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
        if resolved.is_file() and resolved.suffix.lower() not in ARTICLE_SUFFIXES:
            raise HTTPException(
                403, f"path {shown!r} is not an article: only .txt, .md, .html, .htm and .pdf files are read"
            )
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


def _file_sizes(files: list[str]) -> int:
    total = 0
    for f in files:
        try:
            total += Path(f).stat().st_size
        except OSError:
            pass  # loading reports it as skipped
    return total


def _check_request_size(settings: Settings, count: int, size: int) -> None:
    """413 when a request names more articles, or more text, than one request may brief."""
    if count > settings.max_request_files:
        raise HTTPException(
            413,
            f"this request names {count:,} articles (inline and under `paths`); at most "
            f"{settings.max_request_files:,} may be briefed per request: split it into several requests",
        )
    if size > settings.max_request_bytes:
        raise HTTPException(
            413,
            f"the articles in this request hold {size:,} bytes of text; at most {settings.max_request_bytes:,} "
            "may be briefed per request: split it into several requests",
        )


async def _unless_disconnected(request: Request, work: Any) -> Any:
    """Await `work`, cancelling it when the client goes away (the briefing's remaining model calls then
    never run). The server signals that by answering `receive()` with `http.disconnect`."""

    async def gone() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    job = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait({job, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        job.cancel()  # a no-op once it is done
    if not job.cancelled() and job.done():
        return job.result()
    with contextlib.suppress(BaseException):
        await job
    log.info("the client went away: its briefing was cancelled")
    return Response(status_code=CLIENT_CLOSED_REQUEST)


CLIENT_CLOSED_REQUEST = 499
"""The status logged for a request whose client left before the answer (nginx's convention); nobody reads it."""


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
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
        return JSONResponse({"detail": public_detail(exc, ref)}, status_code=status, headers=headers)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": internal_error_detail(log, "request failed", exc)}, status_code=500)


def _version() -> str:
    from .. import __version__

    return __version__


__all__ = ["MAX_BODY_BYTES", "ArticleIn", "BodyLimit", "BriefingRequest", "create_app"]
