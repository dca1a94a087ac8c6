"""The Slack surface: the `/briefing` slash command on slack_bolt (asyncio), HTTP mode or Socket Mode.

    /briefing              today's briefing over BRIEFING_SOURCES (run now; cached answers make it cheap)
    /briefing 2024-05-01   that day's file from the daily folder, or generated when there is none
    /briefing help         usage

Slack wants an answer within 3 s, so the command is acknowledged at once (with a short ephemeral
"working on it" or, for help and bad input, the whole answer) and the briefing is made by a lazy
listener on the shared `Briefer` (off the serving event loop). The result goes back through the
command's response_url as Block Kit (`render.slack`, which keeps to Slack's limits), and, when
BRIEFING_SLACK_CHANNEL is set, to that channel with `chat.postMessage`, with the full Markdown
attached when the message had to be cut.

The argument is only ever a date checked by `daily.parse_date`, within the last `DAYS_BACK` days (never
in the future), so it can never name a path nor make the bot write briefings for any day it likes. When
BRIEFING_SLACK_ALLOWED_CHANNELS / _USERS are set, other channels and users get a one-line refusal and
nothing runs. Request signatures are always verified in HTTP mode (Bolt answers 401 to forged or stale
requests), and a verified request seen before (a replay inside Slack's 5-minute window, or a Slack retry
marked X-Slack-Retry-Num) is answered 200 and does nothing. Messages go out with link and media unfurling
off. Failures reach the user as one short ephemeral line; the details go to the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Any, Literal

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ..api import open_model
from ..config import Settings
from ..errors import BriefingError, ConfigError, error_reference, outcome_of, public_detail
from ..models import Briefing
from ..render.slack import SlackMessage, escape, to_slack
from .asgi import MAX_BODY_BYTES, BodyLimit, health, internal_error_detail, lifespan_of
from .daily import parse_date, stored_briefing
from .worker import Briefer, ClientFactory

log = logging.getLogger("briefing.slack")

SLACK_API_URL = "https://slack.com/api/"
COMMAND = "/briefing"
DAYS_BACK = 30
"""`/briefing <date>` takes today or one of the `DAYS_BACK` days before it; anything else is refused."""
REPLAY_WINDOW_SECONDS = 300
"""Slack's (and Bolt's) limit on a signed request's age; a signature seen again within it is a replay."""
MAX_REMEMBERED_REQUESTS = 10_000
"""Signatures remembered for replay detection (the oldest are forgotten first)."""
USAGE = (
    "*Usage*\n"
    "• `/briefing` — today's briefing over the configured articles folder\n"
    "• `/briefing 2024-05-01` — that day's briefing (from the daily folder, or made now)\n"
    "• `/briefing help` — this message"
)


_REPLY = {"replace_original": False, "unfurl_links": False, "unfurl_media": False}
"""Every answer to a slash command is a new message and never unfurls a link it quotes (an article's URL
would otherwise be fetched by Slack and previewed in the channel)."""


@dataclass(frozen=True)
class Command:
    """What the text after `/briefing` asks for."""

    kind: Literal["help", "today", "day", "invalid"]
    day: str | None = None
    problem: str | None = None


def parse_command(text: str | None, today: Date | None = None) -> Command:
    today = today or Date.today()
    words = (text or "").split()
    if not words:
        return Command("today", today.isoformat())
    if len(words) == 1 and words[0].lower() in {"help", "-h", "--help", "?"}:
        return Command("help")
    if len(words) == 1:
        try:
            day = parse_date(words[0])
        except ConfigError as exc:
            return Command("invalid", problem=str(exc))
        first = today - timedelta(days=DAYS_BACK)
        if not first.isoformat() <= day <= today.isoformat():
            return Command(
                "invalid",
                problem=f"{day} is not a day `/briefing` covers: give a date from {first} to {today} "
                f"(the last {DAYS_BACK} days)",
            )
        return Command("day", day)
    return Command("invalid", problem="`/briefing` takes at most one argument: a date like 2024-05-01, or help")


def refusal(settings: Settings, command: dict[str, Any]) -> str | None:
    """Why this channel or user may not use `/briefing` (the allow-lists in Settings), or None."""
    channels, users = settings.slack_allowed_channels, settings.slack_allowed_users
    if channels and command.get("channel_id") not in channels:
        return "`/briefing` is not enabled in this channel; ask an admin which channels it answers in."
    if users and command.get("user_id") not in users:
        return "You are not on the list of people who may use `/briefing`; ask an admin to add you."
    return None


class Replays:
    """Signed requests already seen, by signature, for `REPLAY_WINDOW_SECONDS` (at most `limit` of them)."""

    def __init__(self, window: float = REPLAY_WINDOW_SECONDS, limit: int = MAX_REMEMBERED_REQUESTS) -> None:
        self.window, self.limit = window, limit
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, signature: str, now: float | None = None) -> bool:
        """True when `signature` was seen within the window; remembers it either way."""
        now = time.monotonic() if now is None else now
        while self._seen and (len(self._seen) >= self.limit or next(iter(self._seen.values())) < now - self.window):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return True
        self._seen[signature] = now
        return False


def api_url(settings: Settings) -> str:
    """Slack's Web API base URL (SLACK_API_URL, default Slack's own), with the trailing slash slack_sdk needs."""
    return (settings.slack_api_url or SLACK_API_URL).rstrip("/") + "/"


def check_settings(settings: Settings, *, socket: bool) -> None:
    """Fail early, naming the variables to set."""
    missing = []
    if not settings.slack_bot_token:
        missing.append("SLACK_BOT_TOKEN (xoxb-…, OAuth & Permissions page)")
    if socket and not settings.slack_app_token:
        missing.append("SLACK_APP_TOKEN (xapp-… with connections:write, Basic Information page)")
    if not socket and not settings.slack_signing_secret:
        missing.append("SLACK_SIGNING_SECRET (Basic Information page)")
    if missing:
        mode = "Socket Mode" if socket else "the Slack HTTP endpoint"
        raise ConfigError(f"{mode} needs {' and '.join(missing)}")


def create_app(
    settings: Settings,
    client_factory: ClientFactory = open_model,
    *,
    briefer: Briefer | None = None,
    socket: bool = False,
) -> AsyncApp:
    """The Bolt app. `client_factory(settings)` opens the model client (tests pass a fake); `briefer`
    shares a running worker (the HTTP service passes its own). Constructing it calls no Slack API:
    the bot token is checked with `auth.test` at SLACK_API_URL on the first request."""
    check_settings(settings, socket=socket)
    briefer = briefer or Briefer(settings, client_factory=client_factory)
    web = AsyncWebClient(token=settings.slack_bot_token, base_url=api_url(settings))
    app = AsyncApp(
        name="briefing",
        client=web,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,  # ack, answer Slack, then run the lazy listener
        logger=log,
    )
    sender = _Sender(settings)
    replays = Replays()

    @app.middleware
    async def once(
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[None]],  # noqa: A002 - Bolt passes arguments by these names
    ) -> BoltResponse:
        """After Bolt verified the signature: a Slack retry or a replayed request is acknowledged, not run."""
        retry = req.headers.get("x-slack-retry-num", [None])[0]
        signature = req.headers.get("x-slack-signature", [None])[0]
        if (retry is not None and not socket) or (signature and replays.seen_before(signature)):
            log.info("ignored a %s of an earlier request", "retry" if retry is not None else "replay")
            return BoltResponse(status=200, body="")
        await next()
        return resp

    async def acknowledge(ack: Callable[..., Awaitable[Any]], command: dict[str, Any]) -> None:
        cmd = parse_command(command.get("text"))
        refused = refusal(settings, command)
        if refused:
            await ack(text=refused, response_type="ephemeral")
        elif cmd.kind == "help":
            await ack(text=USAGE, response_type="ephemeral")
        elif cmd.kind == "invalid":
            await ack(text=f"{escape(cmd.problem or 'Unknown argument')}.\n{USAGE}", response_type="ephemeral")
        else:
            await ack(
                text=f"Working on the briefing for {cmd.day}… it arrives here when ready.", response_type="ephemeral"
            )

    async def deliver(command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        cmd = parse_command(command.get("text"))
        if cmd.kind not in ("today", "day") or cmd.day is None or refusal(settings, command):
            return
        try:
            briefing, markdown = await _briefing_for(briefer, settings, cmd)
        except Exception as exc:
            if outcome_of(exc).internal:
                detail = internal_error_detail(log, f"/briefing {cmd.day}", exc)
                await sender.respond_error(respond, f"The briefing for {cmd.day} failed with an {detail}.")
            else:
                ref = error_reference()  # the log keeps the whole message; the channel gets no endpoint or log tail
                log.warning("/briefing %s failed (ref %s): %s", cmd.day, ref, exc)
                shown = public_detail(exc, ref) if isinstance(exc, BriefingError) else str(exc)
                await sender.respond_error(respond, f"The briefing for {cmd.day} could not be made: {shown}")
            return
        await sender.deliver(briefing, markdown, cmd.day, respond, client)

    app.command(COMMAND)(ack=acknowledge, lazy=[deliver])
    return app


async def _briefing_for(briefer: Briefer, settings: Settings, cmd: Command) -> tuple[Briefing, str]:
    """Today: run the daily briefing now. Another day: its file when there is one, else run it."""
    assert cmd.day is not None
    if cmd.kind == "day" and settings.daily_dir is not None:
        stored = await asyncio.to_thread(stored_briefing, settings.daily_dir, cmd.day)
        if stored is not None:
            return stored
    run = await briefer.daily(cmd.day)
    return run.briefing, run.markdown


class _Sender:
    """Delivery to Slack: the response_url first, then the configured channel; failures are logged."""

    MAX_ERROR_CHARS = 500

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _where(self, day: str) -> tuple[str | None, str | None]:
        """(link, where) naming the full briefing for the renderer's closing note."""
        s = self.settings
        if s.public_url:
            return f"{s.public_url}/v1/briefings/{day}?format=html", None
        if s.slack_channel:
            return None, f"the file {day}.md posted with the channel copy"
        if s.daily_dir is not None:
            return None, f"{day}.md in the daily briefing folder on the server"
        return None, None

    async def respond_error(self, respond: Any, text: str) -> None:
        text = text if len(text) <= self.MAX_ERROR_CHARS else text[: self.MAX_ERROR_CHARS - 1] + "…"
        try:
            await respond(text=f":warning: {escape(text)}", response_type="ephemeral", **_REPLY)
        except Exception:
            log.exception("could not send the error message to Slack's response_url")

    async def deliver(self, briefing: Briefing, markdown: str, day: str, respond: Any, client: AsyncWebClient) -> None:
        link, where = self._where(day)
        message = to_slack(briefing, link=link, where=where)
        await self._respond(respond, message)
        if self.settings.slack_channel:
            await self._post(client, message, markdown, day)

    async def _respond(self, respond: Any, message: SlackMessage) -> None:
        try:
            sent = await respond(blocks=message.blocks, text=message.text, response_type="in_channel", **_REPLY)
        except Exception:
            log.exception("could not reach Slack's response_url")
            return
        if sent.status_code != 200:
            log.error("Slack refused the briefing at the response_url: HTTP %s %s", sent.status_code, sent.body)
            await self.respond_error(respond, f"Slack refused the briefing message ({sent.body or sent.status_code}).")

    async def _post(self, client: AsyncWebClient, message: SlackMessage, markdown: str, day: str) -> None:
        channel = self.settings.slack_channel
        try:
            await client.chat_postMessage(
                channel=channel, blocks=message.blocks, text=message.text, unfurl_links=False, unfurl_media=False
            )
            if message.truncated:
                await client.files_upload_v2(
                    channel=channel,
                    content=markdown,
                    filename=f"{day}.md",
                    title=f"Briefing {day} (full, with citations)",
                )
        except SlackApiError as exc:
            log.error("posting the briefing to %s failed: %s", channel, exc.response.get("error", exc))
        except Exception:
            log.exception("posting the briefing to %s failed", channel)


# --------------------------------------------------------------------------- running it


def events_endpoint(settings: Settings, briefer: Briefer) -> Callable[[Any], Awaitable[Any]]:
    """The `/slack/events` handler (a Starlette endpoint) over the Bolt app sharing `briefer`."""
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

    handler = AsyncSlackRequestHandler(create_app(settings, briefer=briefer))

    async def events(request: Any) -> Any:
        return await handler.handle(request)

    return events


def create_asgi(settings: Settings, client_factory: ClientFactory = open_model):  # -> starlette.Starlette
    """HTTP mode: `/slack/events` (signed requests only) and `/healthz`, with the worker's lifetime."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    briefer = Briefer(settings, client_factory=client_factory)

    async def healthz(request: Request) -> Response:
        return JSONResponse(health(settings, slack=True))

    routes = [Route("/slack/events", events_endpoint(settings, briefer), methods=["POST"]), Route("/healthz", healthz)]
    app = Starlette(routes=routes, lifespan=lifespan_of(briefer))
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.state.briefer = briefer  # `briefing slack serve` cancels its jobs on SIGTERM
    return app


async def run_socket_mode(settings: Settings, client_factory: ClientFactory = open_model, *, stop=None) -> None:
    """Socket Mode until `stop` (an asyncio.Event) is set, or forever."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    check_settings(settings, socket=True)
    async with Briefer(settings, client_factory=client_factory) as briefer:
        app = create_app(settings, briefer=briefer, socket=True)
        handler = AsyncSocketModeHandler(app, settings.slack_app_token)
        await handler.connect_async()
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            await handler.close_async()


__all__ = [
    "COMMAND",
    "USAGE",
    "Command",
    "api_url",
    "create_app",
    "create_asgi",
    "events_endpoint",
    "parse_command",
    "refusal",
    "run_socket_mode",
]
