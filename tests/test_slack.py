"""The Slack surface over real HTTP on loopback: signed slash commands reach the Bolt app (uvicorn), a
fake Slack (aiohttp) stands in for the Web API, the response_url and Socket Mode, and captures what the
app sends. Plus the Block Kit renderer's limits and escaping on briefings built by hand."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.models.blocks import Block

from briefing.config import Settings
from briefing.errors import ConfigError, ModelError
from briefing.model.fake import FakeModel
from briefing.models import (
    Actor,
    Briefing,
    Changes,
    Citation,
    KeyPoint,
    OpenQuestion,
    Position,
    SourceRecord,
)
from briefing.render import to_markdown
from briefing.render.slack import MAX_BLOCKS, MAX_HEADER_CHARS, MAX_SECTION_CHARS, escape, split_text, to_slack
from briefing.surfaces.slack import create_app, create_asgi, parse_command, run_socket_mode

from .fakes import FakeSlack, ServerThread, fake_model

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DAY = (date.today() - timedelta(days=1)).isoformat()  # a day /briefing may be asked for (the last 30 days)
DAY1 = {
    "a.txt": "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia wants to prevent the "
    "collapse of the Syrian state. It remains unclear whether the troops will take part in ground combat.\n",
    "b.txt": "The United States said Assad must go before any settlement. France conducted air strikes against "
    "Islamic State near Raqqa.\n",
}


# --------------------------------------------------------------------------- plumbing


def signed(body: str, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(slack: FakeSlack, text: str = "", n: int = 1) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "t",
            "channel_id": "C9",
            "channel_name": "general",
            "user_id": "U1",
            "user_name": "analyst",
            "command": "/briefing",
            "text": text,
            "api_app_id": "A1",
            "response_url": f"{slack.url}/response/{n}",
            "trigger_id": "1.2.3",
        }
    )


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, slack: FakeSlack) -> Settings:
    slack.calls.clear()
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in DAY1.items():
        (articles / name).write_text(text, encoding="utf-8")
    return Settings(
        cache_dir=tmp_path / "cache",
        use_cache=False,
        sources_dir=articles,
        daily_dir=tmp_path / "out",
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-test",
        slack_api_url=slack.api_url,
    )


class Bot:
    """The Slack app served on loopback, with the fake model it uses."""

    def __init__(self, settings: Settings, model: FakeModel | None = None) -> None:
        self.model = model or fake_model()
        self.server = ServerThread(create_asgi(settings, client_factory=lambda _s: nullcontext(self.model)))

    def post(self, body: str, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{self.server.url}/slack/events", content=body, headers=headers, timeout=10)


@pytest.fixture
def bot(settings: Settings) -> Iterator[Bot]:
    b = Bot(settings)
    with b.server:
        yield b


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def assert_within_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for b in blocks:
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= MAX_HEADER_CHARS
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= MAX_SECTION_CHARS
        Block.parse(b).validate_json()  # slack_sdk's own checks (lengths, required fields)


# --------------------------------------------------------------------------- the slash command over HTTP


def test_a_signed_briefing_command_is_acked_at_once_and_the_briefing_arrives_at_the_response_url(
    bot: Bot, slack: FakeSlack, settings: Settings
) -> None:
    body = command_body(slack)
    started = time.monotonic()
    ack = bot.post(body, signed(body))
    ack_seconds = time.monotonic() - started
    assert ack.status_code == 200
    assert ack_seconds < 1.0, f"ack took {ack_seconds:.2f} s; Slack gives up after 3 s"
    today = date.today().isoformat()
    assert ack.json() == {
        "text": f"Working on the briefing for {today}… it arrives here when ready.",
        "response_type": "ephemeral",
    }

    [message] = slack.wait_for("response/1")
    assert message["response_type"] == "in_channel"
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    assert message["blocks"][0]["type"] == "header"
    assert "Russia" in message["blocks"][0]["text"]["text"]
    text = all_text(message["blocks"])
    assert "*Key points*" in text and "Russia deployed 500 troops to Latakia on Monday. [1]" in text
    assert "[1] a.txt (characters 0–47): “Russia deployed 500 troops to Latakia on Monday”" in text
    assert_within_limits(message["blocks"])
    assert slack.bodies("api/auth.test"), "the bot token is checked against SLACK_API_URL"
    assert not slack.bodies("api/chat.postMessage")  # no channel configured
    assert (settings.daily_dir / f"{today}.json").exists()  # today's run is the daily briefing


def test_a_forged_signature_gets_401_and_does_nothing(bot: Bot, slack: FakeSlack) -> None:
    body = command_body(slack)
    response = bot.post(body, signed(body, secret="not-the-secret"))
    assert response.status_code == 401
    time.sleep(0.3)
    assert slack.calls == [] and bot.model.history == []


def test_a_stale_request_gets_401_even_with_a_valid_signature(bot: Bot, slack: FakeSlack) -> None:
    body = command_body(slack)
    response = bot.post(body, signed(body, ts=int(time.time()) - 301))
    assert response.status_code == 401
    tampered = bot.post(body.replace("text=", "text=2024-05-01"), signed(body))
    assert tampered.status_code == 401
    time.sleep(0.3)
    assert slack.calls == [] and bot.model.history == []


def test_help_is_answered_in_the_ack_without_any_work(bot: Bot, slack: FakeSlack) -> None:
    body = command_body(slack, "help")
    ack = bot.post(body, signed(body))
    assert ack.status_code == 200
    assert ack.json()["response_type"] == "ephemeral"
    assert "`/briefing 2024-05-01` — that day's briefing" in ack.json()["text"]
    time.sleep(0.3)
    assert slack.bodies("response/") == [] and bot.model.history == []


@pytest.mark.parametrize(
    "text", ["../../etc/passwd", "2024-05-01/../../secret", "2024-02-30", "2024-05-01 now", "0001-01-01", "9999-12-31"]
)
def test_arguments_other_than_a_date_are_refused_and_never_touch_a_file(
    bot: Bot, slack: FakeSlack, settings: Settings, text: str
) -> None:
    body = command_body(slack, text)
    ack = bot.post(body, signed(body))
    assert ack.status_code == 200
    answer = ack.json()["text"]
    assert "2024-05-01" in answer and "*Usage*" in answer
    time.sleep(0.3)
    assert slack.bodies("response/") == [] and bot.model.history == []
    assert not settings.daily_dir.exists()


def test_only_the_allowed_channels_and_users_can_use_the_command(settings: Settings, slack: FakeSlack) -> None:
    b = Bot(settings.with_(slack_allowed_channels=("C1", "C9"), slack_allowed_users=("U7",)))
    with b.server:
        other_channel = command_body(slack, DAY, n=1).replace("channel_id=C9", "channel_id=C2")
        channel_ack = b.post(other_channel, signed(other_channel))
        other_user = command_body(slack, DAY, n=2)  # user U1 in an allowed channel
        user_ack = b.post(other_user, signed(other_user))
        allowed = command_body(slack, DAY, n=3).replace("user_id=U1", "user_id=U7")
        allowed_ack = b.post(allowed, signed(allowed))
        slack.wait_for("response/3")
    assert channel_ack.json() == {
        "text": "`/briefing` is not enabled in this channel; ask an admin which channels it answers in.",
        "response_type": "ephemeral",
    }
    assert user_ack.json()["text"].startswith("You are not on the list of people who may use `/briefing`")
    assert allowed_ack.json()["text"].startswith(f"Working on the briefing for {DAY}")
    assert slack.bodies("response/1") == slack.bodies("response/2") == []
    assert len(b.model.history) == 3  # one briefing: two articles and the summary


def test_a_replayed_request_or_a_slack_retry_is_acknowledged_but_not_run_again(bot: Bot, slack: FakeSlack) -> None:
    """Runs of one day take turns, so a replay that ran would answer at response/1 before response/3."""
    body = command_body(slack, n=1)
    headers = signed(body)
    first = bot.post(body, headers)
    slack.wait_for("response/1")
    replay = bot.post(body, headers)  # the same signed request again, inside the 5-minute window
    retried = command_body(slack, n=2)
    retry = bot.post(retried, signed(retried) | {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    fresh = command_body(slack, n=3)
    bot.post(fresh, signed(fresh))
    slack.wait_for("response/3")
    assert first.json()["text"].startswith("Working on the briefing")
    assert (replay.status_code, replay.text) == (200, "")
    assert (retry.status_code, retry.text) == (200, "")
    assert len(slack.bodies("response/1")) == 1 and slack.bodies("response/2") == []
    assert len(bot.model.history) == 6  # two runs of today's briefing (three calls each), not four


def test_the_day_asked_for_is_within_the_last_30_days() -> None:
    today = date(2024, 5, 31)
    assert parse_command("2024-05-01", today=today).kind == "day"  # 30 days back
    assert parse_command("2024-05-31", today=today).kind == "day"
    for outside in ("2024-04-30", "2024-06-01", "0001-01-01", "9999-12-31"):
        cmd = parse_command(outside, today=today)
        assert cmd.kind == "invalid"
        assert cmd.problem == (
            f"{outside} is not a day `/briefing` covers: give a date from 2024-05-01 to 2024-05-31 (the last 30 days)"
        )


def test_a_day_with_a_stored_briefing_is_served_from_the_file(bot: Bot, slack: FakeSlack, settings: Settings) -> None:
    stored = long_briefing(3).model_copy(update={"title": "Stored briefing of May 1st", "date": DAY})
    settings.daily_dir.mkdir()
    (settings.daily_dir / f"{DAY}.json").write_text(stored.model_dump_json(), encoding="utf-8")
    body = command_body(slack, DAY)
    assert bot.post(body, signed(body)).status_code == 200
    [message] = slack.wait_for("response/1")
    assert message["blocks"][0]["text"]["text"] == "Stored briefing of May 1st"
    assert bot.model.history == []  # nothing was generated


def test_with_a_public_url_the_answer_links_the_days_html_page(settings: Settings, slack: FakeSlack) -> None:
    settings = settings.with_(public_url="https://briefing.example")
    stored = long_briefing(3).model_copy(update={"date": DAY})
    settings.daily_dir.mkdir()
    (settings.daily_dir / f"{DAY}.json").write_text(stored.model_dump_json(), encoding="utf-8")
    b = Bot(settings)
    with b.server:
        body = command_body(slack, DAY)
        assert b.post(body, signed(body)).status_code == 200
        [message] = slack.wait_for("response/1")
    closing = message["blocks"][-1]["elements"][0]["text"]
    assert f"<https://briefing.example/v1/briefings/{DAY}?format=html|the full briefing>" in closing


def test_errors_reach_the_user_as_one_short_ephemeral_line(bot: Bot, slack: FakeSlack, settings: Settings) -> None:
    for f in settings.sources_dir.iterdir():
        f.unlink()
    body = command_body(slack, DAY)
    bot.post(body, signed(body))
    [message] = slack.wait_for("response/1")
    assert message["response_type"] == "ephemeral"
    assert message["text"].startswith(f":warning: The briefing for {DAY} could not be made: no article to brief")
    assert "Traceback" not in message["text"] and "blocks" not in message


def test_an_internal_error_is_a_reference_for_the_user_and_a_traceback_in_the_log(
    settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    broken = FakeModel(default=lambda *_: (_ for _ in ()).throw(RuntimeError("disk on fire")))
    b = Bot(settings, broken)
    with b.server, caplog.at_level("ERROR", logger="briefing.slack"):
        body = command_body(slack, DAY)
        b.post(body, signed(body))
        [message] = slack.wait_for("response/1")
    assert message["response_type"] == "ephemeral"
    assert "failed with an internal error (ref " in message["text"] and "disk on fire" not in message["text"]
    assert any("disk on fire" in (r.exc_text or "") for r in caplog.records)


def test_a_model_failure_reaches_the_channel_without_the_endpoint_or_the_model_log(
    settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    failure = ModelError("model call to http://10.1.2.3:8080/v1 failed after 4 attempt(s): HTTP 503; last lines: boom")
    b = Bot(settings, FakeModel(default=lambda *_: (_ for _ in ()).throw(failure)))
    with b.server, caplog.at_level("WARNING", logger="briefing.slack"):
        body = command_body(slack, DAY)
        b.post(body, signed(body))
        [message] = slack.wait_for("response/1")
    assert message["text"].startswith(f":warning: The briefing for {DAY} could not be made: ")
    assert "10.1.2.3" not in message["text"] and "boom" not in message["text"] and "(ref " in message["text"]
    assert any("10.1.2.3" in r.getMessage() for r in caplog.records)  # the operator's log keeps it


def test_article_text_cannot_ping_or_mention_anyone(bot: Bot, slack: FakeSlack, settings: Settings) -> None:
    (settings.sources_dir / "c.txt").write_text(
        "Iran sent advisers to Aleppo <!channel> and <@U024BE7LH> & <!here|here> today.\n", encoding="utf-8"
    )
    body = command_body(slack, DAY)
    bot.post(body, signed(body))
    [message] = slack.wait_for("response/1")
    text = all_text(message["blocks"])
    assert "&lt;!channel&gt;" in text and "&lt;@U024BE7LH&gt;" in text and " &amp; " in text
    for raw in ("<!channel>", "<@U024BE7LH>", "<!here", " & "):
        assert raw not in text
    assert all(b["text"].get("verbatim") for b in message["blocks"] if b["type"] == "section")


def test_a_long_briefing_is_cut_to_50_blocks_posted_to_the_channel_and_attached_in_full(
    settings: Settings, slack: FakeSlack
) -> None:
    settings = settings.with_(slack_channel="C42")
    long = long_briefing(400).model_copy(update={"date": DAY})
    settings.daily_dir.mkdir()
    (settings.daily_dir / f"{DAY}.json").write_text(long.model_dump_json(), encoding="utf-8")
    (settings.daily_dir / f"{DAY}.md").write_text(to_markdown(long), encoding="utf-8")
    b = Bot(settings)
    with b.server:
        body = command_body(slack, DAY)
        b.post(body, signed(body))
        [message] = slack.wait_for("response/1")
        [posted] = slack.wait_for("api/chat.postMessage")
        [uploaded] = slack.wait_for("upload")
        [completed] = slack.wait_for("api/files.completeUploadExternal")
    for blocks in (
        message["blocks"],
        json.loads(posted["blocks"]) if isinstance(posted["blocks"], str) else posted["blocks"],
    ):
        assert len(blocks) == MAX_BLOCKS
        assert_within_limits(blocks)
        note = blocks[-1]["elements"][0]["text"]
        assert note.startswith("Cut to fit Slack's 50-block limit: the rest of Citations.")
        assert f"Everything is in the file {DAY}.md posted with the channel copy." in note
    assert posted["channel"] == "C42"
    assert uploaded.decode() == to_markdown(long)  # the full Markdown, every citation
    assert completed.get("channel_id") == "C42", completed


async def test_socket_mode_acks_over_the_websocket_and_answers_at_the_response_url(
    settings: Settings, slack: FakeSlack
) -> None:
    settings = settings.with_(slack_signing_secret=None, slack_app_token="xapp-test")
    model = fake_model()
    stop = asyncio.Event()
    task = asyncio.create_task(run_socket_mode(settings, lambda _s: nullcontext(model), stop=stop))
    try:
        await asyncio.to_thread(slack.wait_for, "ws/connect")
        payload = dict(x.split("=", 1) for x in command_body(slack, DAY, n=7).split("&"))
        from urllib.parse import unquote_plus

        payload = {k: unquote_plus(v) for k, v in payload.items()}
        slack.send_ws(
            {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True, "payload": payload}
        )
        [ack] = await asyncio.to_thread(slack.wait_for, "ws/ack")
        assert ack["envelope_id"] == "env-1"
        assert ack["payload"]["text"].startswith(f"Working on the briefing for {DAY}")
        [message] = await asyncio.to_thread(slack.wait_for, "response/7")
        assert message["blocks"][0]["type"] == "header" and len(model.history) == 3
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert slack.bodies("api/apps.connections.open")


def test_missing_slack_settings_name_what_to_set(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="needs SLACK_SIGNING_SECRET"):
        create_app(settings.with_(slack_signing_secret=None))
    with pytest.raises(ConfigError, match=r"Socket Mode needs SLACK_APP_TOKEN \(xapp-"):
        create_app(settings, socket=True)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        create_app(settings.with_(slack_bot_token=None))


def test_constructing_the_app_calls_no_slack_api(settings: Settings, slack: FakeSlack) -> None:
    create_app(settings.with_(slack_api_url="http://127.0.0.1:9/api/"))  # nothing listens there
    assert slack.calls == []


@pytest.mark.parametrize(
    ("text", "kind", "day"),
    [
        ("", "today", date.today().isoformat()),
        (f"  {DAY} ", "day", DAY),
        ("HELP", "help", None),
        ("2024-05-01; rm -rf /", "invalid", None),
        ("../2024-05-01", "invalid", None),
    ],
)
def test_command_text_is_a_date_help_or_nothing(text: str, kind: str, day: str | None) -> None:
    cmd = parse_command(text)
    assert (cmd.kind, cmd.day) == (kind, day)


# --------------------------------------------------------------------------- the renderer


def long_briefing(n: int) -> Briefing:
    """A briefing with `n` positions, actors and questions, each with a long quote."""
    quote = "the minister told reporters that the plan " + "and its many details " * 8
    cites = [
        [Citation(source=f"articles/src{i % 7}.txt", start=i * 300, end=i * 300 + len(quote), quote=quote)]
        for i in range(n)
    ]
    return Briefing(
        title="A very long briefing title " * 10,
        generated_at="2024-05-01T06:00:00Z",
        summary=[KeyPoint(text=f"Key point {i} about the plan", citations=cites[i]) for i in range(min(n, 5))],
        actors=[Actor(name=f"Actor {i}", kind="person", role="minister " * 5, citations=cites[i]) for i in range(n)],
        positions=[
            Position(actor=f"Actor {i}", stance=f"stance {i} " + "with reasons " * 10, citations=cites[i])
            for i in range(n)
        ],
        open_questions=[OpenQuestion(question=f"Question {i}?", citations=cites[i]) for i in range(n)],
        sources=[SourceRecord(path=f"articles/src{i}.txt", status="briefed", chunks=1) for i in range(7)],
    )


def test_a_long_briefing_keeps_to_every_slack_limit_and_says_what_was_cut() -> None:
    message = to_slack(long_briefing(2000), link="https://briefing.example/v1/briefings/2024-05-01?format=markdown")
    assert_within_limits(message.blocks)
    assert len(message.blocks) == MAX_BLOCKS
    assert message.blocks[0]["text"]["text"].endswith("…")
    text = all_text(message.blocks)
    for part in ("Key points", "Actors", "Positions", "Open questions", "Sources", "Citations"):
        assert f'"*{part}*' in text, f"every part keeps at least its first section: {part}"
    assert message.cut == [
        "the rest of Actors",
        "the rest of Positions",
        "the rest of Open questions",
        "the rest of Citations",
    ]
    assert message.blocks[-1]["elements"][0]["text"] == (
        "Cut to fit Slack's 50-block limit: the rest of Actors, the rest of Positions, the rest of Open questions, "
        "the rest of Citations. Everything is in "
        "<https://briefing.example/v1/briefings/2024-05-01?format=markdown|the full briefing>."
    )


def test_a_short_briefing_is_not_cut_and_links_the_full_version() -> None:
    b = long_briefing(2).model_copy(update={"changes": Changes(previous_date="2024-04-30")})
    message = to_slack(b, where="2024-05-01.md in the daily folder")
    assert not message.truncated
    text = all_text(message.blocks)
    assert "*Since 2024-04-30*\\n_Nothing new since the previous briefing._" in text
    assert message.blocks[-1]["elements"][0]["text"] == (
        "Every citation with its exact words: 2024-05-01.md in the daily folder."
    )


def test_sections_split_on_line_boundaries_and_long_lines_on_spaces() -> None:
    lines = [f"line {i} " + "x" * 900 for i in range(10)] + ["word " * 1000]
    texts = split_text(lines)
    assert all(len(t) <= MAX_SECTION_CHARS for t in texts)
    assert texts[0].split("\n") == lines[:3]  # three 906-char lines fit, a fourth would not
    assert "".join(texts).replace("\n", "").replace(" ", "") == "".join(lines).replace(" ", "")


def test_escaping_defuses_mentions_broadcasts_and_links() -> None:
    assert escape("a <!channel> b <@U1> & <http://x|y> @here") == (
        "a &lt;!channel&gt; b &lt;@U1&gt; &amp; &lt;http://x|y&gt; @\u200bhere"
    )
    header = to_slack(long_briefing(1).model_copy(update={"title": "Alert <!channel> <@U1>"})).blocks[0]
    assert "<!" not in header["text"]["text"] and "<@" not in header["text"]["text"]
