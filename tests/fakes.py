"""Test doubles shared by the surface tests (daily, Slack, HTTP service).

`answer(messages)` plays the model deterministically from the prompt itself: for an extraction prompt
it reads the article between the <article> delimiters and writes notes whose quotes are whole
sentences copied from it (so grounding keeps them); for a summary prompt it points key points at the
first numbered statements. `fake_model()` wraps it in a `FakeModel`; `OpenAIStub` serves it as an
OpenAI-compatible HTTP endpoint on loopback, recording every request.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from briefing.model.fake import FakeModel
from briefing.summarize import SummaryOut

ACTORS = {
    "Russia": ("state", "a state in the story"),
    "Sergei Lavrov": ("person", "Russian foreign minister"),
    "United States": ("state", "a state in the story"),
    "France": ("state", "a state in the story"),
    "Iran": ("state", "a state in the story"),
    "Turkey": ("state", "a state in the story"),
    "Islamic State": ("armed group", "armed group"),
}
MOVES = ("deployed", "sent", "conducted", "moved")
_ARTICLE = re.compile(r"<article[^>]*>\n(.*?)\n</article>", re.DOTALL)
_STATEMENT = re.compile(r"^\[(\d+)\] \([^)]*\) (.*)$", re.MULTILINE)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if len(s.strip()) >= 12]


def notes_for(article: str) -> dict[str, Any]:
    notes: dict[str, list[dict[str, str]]] = {
        k: [] for k in ("facts", "actors", "positions", "movements", "open_questions")
    }
    for s in sentences(article):
        names = [n for n in ACTORS if n in s]
        notes["facts"].append({"text": s, "quote": s})
        for n in names:
            kind, role = ACTORS[n]
            notes["actors"].append({"name": n, "kind": kind, "role": role, "quote": s})
        if names and " said " in s:
            notes["positions"].append({"actor": names[0], "stance": s.split(" said ", 1)[1], "quote": s})
        if names and any(w in s for w in MOVES):
            notes["movements"].append({"actor": names[0], "what": s, "where": "", "when": "", "scale": "", "quote": s})
        if "unclear" in s or s.endswith("?"):
            notes["open_questions"].append({"question": s.rstrip(".") + "?", "quote": s})
    return notes


def answer(messages: list[dict[str, str]]) -> dict[str, Any]:
    """The fake model's JSON answer to one prompt (extraction or summary)."""
    user = messages[-1]["content"]
    article = _ARTICLE.search(user)
    if article:
        return notes_for(article.group(1))
    statements = _STATEMENT.findall(user)
    return {"key_points": [{"text": text, "ids": [int(i)]} for i, text in statements[:3]], "disagreements": []}


def fake_model() -> FakeModel:
    def default(messages: list[dict[str, str]], response_model: type) -> dict[str, Any]:
        result = answer(messages)
        assert ("key_points" in result) == (response_model is SummaryOut), "prompt and schema disagree"
        return result

    return FakeModel(default=default)


def article_name(messages: list[dict[str, Any]]) -> str | None:
    """The source path an extraction prompt names, or None for a summary prompt."""
    m = re.search(r'<article source="([^"]*)"', messages[-1]["content"])
    return m.group(1) if m else None


class OpenAIStub:
    """A loopback OpenAI-compatible server answering /v1/chat/completions with `answer()`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                payload = json.dumps(
                    {
                        "id": f"chatcmpl-{len(stub.requests)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": json.dumps(answer(body["messages"]))},
                            }
                        ],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def articles_asked(self) -> list[str | None]:
        return [article_name(r["messages"]) for r in self.requests]


# --------------------------------------------------------------------------- servers on loopback


class ServerThread:
    """An ASGI app served by uvicorn on a free loopback port in a background thread (lifespan included)."""

    def __init__(self, app: Any) -> None:
        import socket

        import uvicorn

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> ServerThread:
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(10)
        self._sock.close()


class FakeSlack:
    """Slack's side on loopback: the Web API (`/api/<method>`), response_urls (`/response/<n>`), file
    uploads and a Socket Mode websocket. Everything the app sends is kept in `calls` as
    (path, parsed body); `wait_for(path_prefix)` blocks until such a call arrives."""

    def __init__(self) -> None:
        import asyncio

        self.calls: list[tuple[str, Any]] = []
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._sockets: list[Any] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.url = ""

    # -- lifecycle
    def __enter__(self) -> FakeSlack:
        import asyncio

        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{n}", self._response_url)
        app.router.add_post("/upload/{n}", self._upload)
        app.router.add_get("/ws", self._ws)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- recording
    def _record(self, path: str, body: Any) -> None:
        with self._cond:
            self.calls.append((path, body))
            self._cond.notify_all()

    def wait_for(self, prefix: str, count: int = 1, timeout: float = 5.0) -> list[Any]:
        """The bodies of the first `count` calls whose path starts with `prefix` (waits for them)."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.bodies(prefix)) >= count, timeout)
        assert ok, f"no {prefix} call within {timeout} s; calls so far: {[p for p, _ in self.calls]}"
        return self.bodies(prefix)[:count]

    def bodies(self, prefix: str) -> list[Any]:
        return [b for p, b in list(self.calls) if p.startswith(prefix)]

    @staticmethod
    async def _parsed(request: Any) -> Any:
        from urllib.parse import parse_qs

        raw = await request.read()
        query = dict(request.query)
        if request.content_type == "application/json":
            return query | json.loads(raw)
        if request.content_type == "application/x-www-form-urlencoded":
            return query | {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        return raw

    # -- handlers
    async def _api(self, request: Any) -> Any:
        from aiohttp import web

        method = request.match_info["method"]
        body = await self._parsed(request)
        self._record(f"api/{method}", body)
        answers = {
            "auth.test": {
                "ok": True,
                "url": "https://t.example/",
                "team": "T",
                "user": "briefing",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "B1",
                "is_enterprise_install": False,
            },
            "chat.postMessage": {"ok": True, "channel": "C1", "ts": "1.000"},
            "files.getUploadURLExternal": {"ok": True, "upload_url": f"{self.url}/upload/1", "file_id": "F1"},
            "files.completeUploadExternal": {"ok": True, "files": [{"id": "F1", "title": "briefing"}]},
            "apps.connections.open": {"ok": True, "url": self.url.replace("http://", "ws://") + "/ws"},
        }
        return web.json_response(answers.get(method, {"ok": False, "error": "unknown_method"}))

    async def _response_url(self, request: Any) -> Any:
        from aiohttp import web

        self._record(f"response/{request.match_info['n']}", await self._parsed(request))
        return web.Response(text="ok")

    async def _upload(self, request: Any) -> Any:
        from aiohttp import web

        self._record("upload", await request.read())
        return web.Response(text="OK")

    async def _ws(self, request: Any) -> Any:
        from aiohttp import WSMsgType, web

        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self._record("ws/connect", None)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self._record("ws/ack", json.loads(msg.data))
        return ws

    def send_ws(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected app."""
        import asyncio

        asyncio.run_coroutine_threadsafe(self._sockets[-1].send_str(json.dumps(envelope)), self._loop).result(5)
