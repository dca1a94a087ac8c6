"""Secrets and server details stay on the server: an API key, Slack tokens, the signing secret, the service
token, the model's base URL and where the articles live never reach a briefing, an HTTP answer, a log line,
a repr, the response cache or a cassette."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from briefing.api import open_model
from briefing.config import Settings
from briefing.surfaces.daily import arun_daily
from briefing.surfaces.http import create_app

from .fakes import OpenAIStub, Reply, answer, api_error

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-planted-KEY-0123456789abcdefABCDEF"
BOT = "xoxb-planted-BOT-0123456789"
APP = "xapp-planted-APP-0123456789"
SIGNING = "planted-SIGNING-secret-0123456789"
TOKEN = "planted-SERVICE-token-0123456789"
SECRETS = (KEY, BOT, APP, SIGNING)
ARTICLE = "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia backs the Syrian state.\n"
OTHER = "The United States said Assad must go before any settlement. France conducted air strikes near Raqqa.\n"


def leaked(text: str, *also: str) -> list[str]:
    return [s for s in (*SECRETS, *also) if s in text]


def test_cassettes_hold_no_credentials() -> None:
    cassettes = sorted((ROOT / "cassettes").glob("*.yaml"))
    assert cassettes
    for cassette in cassettes:
        text = cassette.read_text(encoding="utf-8")
        assert not re.search(r"(?i)authorization|api-key|cookie|\bBearer\b|sk-[A-Za-z0-9]|xox[abpr]-|xapp-", text), (
            cassette.name
        )


def test_settings_never_show_a_secret_in_their_repr() -> None:
    env = {
        "OPENAI_API_KEY": KEY,
        "SLACK_BOT_TOKEN": BOT,
        "SLACK_APP_TOKEN": APP,
        "SLACK_SIGNING_SECRET": SIGNING,
        "BRIEFING_API_TOKEN": TOKEN,
    }
    settings = Settings.from_env(env)
    assert leaked(repr(settings) + str(settings), TOKEN) == []
    assert settings.api_key == KEY and settings.api_token == TOKEN  # held, only not shown


@pytest.mark.model_requests
async def test_no_secret_url_or_server_path_reaches_answers_stored_briefings_logs_or_the_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    root = tmp_path / "articles"
    (root / "2024-05-01").mkdir(parents=True)
    (root / "2024-05-01" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "b.txt").write_text(OTHER, encoding="utf-8")
    with OpenAIStub(default=answer) as stub:
        env = {
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": stub.url,
            "BRIEFING_MODEL": "alpha",
            "SLACK_BOT_TOKEN": BOT,
            "SLACK_APP_TOKEN": APP,
            "SLACK_SIGNING_SECRET": SIGNING,
            "BRIEFING_API_TOKEN": TOKEN,
            "BRIEFING_SOURCES": str(root),
            "BRIEFING_DAILY_DIR": str(tmp_path / "out"),
            "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
        }
        # Slack stays unmounted here (mounting it calls Slack's API); its secrets are still in the settings.
        settings = Settings.from_env(env).with_(max_attempts=1)
        async with open_model(settings) as client:
            daily = await arun_daily(settings, day="2024-05-01", client=client)
        app = create_app(settings.with_(slack_signing_secret=None), allowed_hosts=("service",))
        answers: list[httpx.Response] = []
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(transport=transport, base_url="http://service", headers=headers) as http:
                body = {"articles": [{"name": "wire.txt", "text": ARTICLE}], "paths": ["b.txt", "2024-05-01"]}
                answers.append(await http.post("/v1/briefings", json=body))
                answers.append(await http.get("/v1/briefings/2024-05-01"))
                answers.append(await http.get("/v1/briefings/2024-05-01?format=markdown"))
                stub.will(Reply(503, api_error("overloaded")))  # a new article: the model fails for good
                failing = {"articles": [{"name": "new.txt", "text": OTHER.replace("France", "Turkey")}]}
                answers.append(await http.post("/v1/briefings", json=failing))
    assert [a.status_code for a in answers] == [200, 200, 200, 502]
    assert re.fullmatch(
        r"no chunk could be summarized; first error: model call to the endpoint failed after 1 attempt\(s\): "
        r"HTTP 503: Error code: 503 - overloaded \(ref [0-9a-f]{8}; the details are in the server log\)",
        answers[3].json()["detail"],
    )
    assert answers[0].json()["usage"]["endpoint"] == "custom endpoint"
    where = (stub.url, f"127.0.0.1:{stub.port}", str(tmp_path))
    for a in answers:
        assert leaked(a.text, TOKEN, *where) == [], a.text
    stored = [p.read_text(encoding="utf-8") for p in daily.outputs]
    assert len(stored) == 3 and all(leaked(text, TOKEN, *where) == [] for text in stored)  # .md, .html, .json
    assert leaked(daily.markdown + daily.briefing.model_dump_json(), TOKEN, *where) == []
    # the server log has the details (the endpoint for the 502) but never a credential
    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert stub.url in logs
    assert leaked(logs, TOKEN) == []
    cache = b"".join(p.read_bytes() for p in (tmp_path / "cache").glob("responses.sqlite3*"))  # with the WAL
    assert len(cache) > 0 and not [s for s in (*SECRETS, TOKEN) if s.encode() in cache]
