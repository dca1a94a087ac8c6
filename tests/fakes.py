"""Test doubles shared by the surface tests (daily, Slack, HTTP service).

`answer(messages)` plays the model deterministically from the prompt itself: for an extraction prompt
it reads the article between the <article> delimiters and writes notes whose quotes are whole
sentences copied from it (so grounding keeps them); for a summary prompt it points key points at the
first numbered statements. `fake_model()` wraps it in a `FakeModel`. `OpenAIStub` is an OpenAI-compatible HTTP
endpoint on loopback that plays a script of replies (`Reply`, `DROP`) and then a default responder
(`OpenAIStub(default=answer)` serves `answer`), recording every request and when it arrived.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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


class Gate:
    """Model calls held open until `open()`: `FakeModel(default=gate)` answers like `fake_model()`, but each
    call first waits (async, cancellable) for the gate. Counts the calls `started` and `cancelled`, and
    `wait_for(...)` blocks (from any thread) until a count is reached, so a test never sleeps to guess."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.started = 0
        self.cancelled = 0
        self._cond = threading.Condition()

    async def __call__(self, messages: list[dict[str, str]], response_model: type) -> dict[str, Any]:
        import asyncio

        self._bump("started")
        try:
            while not self.opened.is_set():
                await asyncio.sleep(0.005)
        except asyncio.CancelledError:
            self._bump("cancelled")
            raise
        return answer(messages)

    def open(self) -> None:
        self.opened.set()

    def _bump(self, counter: str) -> None:
        with self._cond:
            setattr(self, counter, getattr(self, counter) + 1)
            self._cond.notify_all()

    def wait_for(self, counter: str, count: int = 1, timeout: float = 5.0) -> bool:
        """True once `counter` ("started" or "cancelled") reaches `count`; False after `timeout` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: getattr(self, counter) >= count, timeout)

    async def await_for(self, counter: str, count: int = 1, timeout: float = 5.0) -> bool:
        """`wait_for` from an event loop (in a thread, so the loop keeps running)."""
        import asyncio

        return await asyncio.to_thread(self.wait_for, counter, count, timeout)


def article_name(messages: list[dict[str, Any]]) -> str | None:
    """The source path an extraction prompt names, or None for a summary prompt."""
    m = re.search(r'<article source="([^"]*)"', messages[-1]["content"])
    return m.group(1) if m else None


# --------------------------------------------------------------------------- an OpenAI-compatible server


def completion(
    content: str,
    finish_reason: str = "stop",
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
    model: str = "m",
    completion_id: str = "x",
) -> dict[str, Any]:
    """A chat.completion body whose one choice says `content`."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def api_error(message: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error body."""
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}


@dataclass(frozen=True)
class Reply:
    """One scripted answer of `OpenAIStub`."""

    status: int = 200
    body: Any = None  # a str is sent as it is; anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


DROP = Reply(drop=True)

Responder = Callable[[list[dict[str, Any]]], Any]


class OpenAIStub:
    """A loopback OpenAI-compatible server (127.0.0.1, a free port) in a background thread.

    POST /v1/chat/completions plays the script (`will(*replies)`, in order); once the script is empty it
    answers with `default(messages)` (a str is the content as it is, anything else is sent as JSON
    content) or, without a default, with a 400 that the client does not retry, so an unscripted call
    fails the test at once. GET /v1/models lists `models`. Every chat request body is kept in
    `requests`, and its `time.monotonic()` arrival in `arrivals`.

    Use it as a context manager (`with OpenAIStub(default=answer) as stub:`); it serves sync and async
    clients alike, since it never runs on the test's event loop.
    """

    def __init__(self, default: Responder | None = None, models: Iterable[str] = ("alpha", "beta")) -> None:
        self.default = default
        self.models: list[str] = list(models)
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        # A short poll keeps `shutdown()` (which waits for the next poll) from adding 0.5 s to every test.
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def will(self, *replies: Reply) -> OpenAIStub:
        """Append replies to the script."""
        with self._lock:
            self.script.extend(replies)
        return self

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def articles_asked(self) -> list[str | None]:
        """The source each request's prompt extracts from, or None for a summary prompt."""
        return [article_name(r["messages"]) for r in list(self.requests)]

    # -- serving
    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.arrivals.append(time.monotonic())
            n = len(self.requests)
            if self.script:
                return self.script.pop(0)
        if self.default is None:
            return Reply(400, api_error("fake server: no reply scripted for this request"))
        try:
            content = self.default(body["messages"])
        except Exception as exc:  # a broken responder is a test bug: fail at once (400 is not retried)
            return Reply(400, api_error(f"fake server: the default responder failed: {exc!r}"))
        text = content if isinstance(content, str) else json.dumps(content)
        return Reply(
            200,
            completion(
                text,
                prompt_tokens=100,
                completion_tokens=20,
                model=body.get("model", "m"),
                completion_id=f"chatcmpl-{n}",
            ),
        )

    def _models(self) -> Reply:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in self.models]
        return Reply(200, {"object": "list", "data": data})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.split("?", 1)[0] == "/v1/models":
                    self._send(stub._models())
                else:
                    self.send_error(404)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.split("?", 1)[0] != "/v1/chat/completions":
                    self.send_error(404)
                    return
                self._send(stub._next_reply(json.loads(raw)))

            def _send(self, reply: Reply) -> None:
                if reply.drop:  # write nothing; the socket is closed when the handler returns
                    self.close_connection = True
                    return
                payload = (reply.body if isinstance(reply.body, str) else json.dumps(reply.body)).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


# --------------------------------------------------------------------------- servers on loopback


class ServerThread:
    """An ASGI app served by uvicorn on a free loopback port in a background thread (lifespan included)."""

    def __init__(self, app: Any, *, backlog: int = 2048, start_timeout: float = 10.0) -> None:
        import socket

        import uvicorn

        self.app = app
        self._start_timeout = start_timeout

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", backlog=backlog))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> ServerThread:
        import time

        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(self._start_timeout)
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


# A hostile article: markup, script, `javascript:` links, Slack control sequences and Markdown in its
# sentences, a character beyond U+FFFF (UTF-16 counts it twice) before the quotes the fake model cites.
HOSTILE_TITLE = "<script>window.__pwned = 'title'</script> Russia **moves** <!channel>"
HOSTILE = (
    "Latakia \U0001f680 <b>live</b>: <script>window.__pwned = 'head'</script>\n\n"
    "Russia deployed 500 troops to Latakia <script>window.__pwned = 'body'</script> on Monday. "
    "Sergei Lavrov said <img src=x onerror=\"window.__pwned = 'img'\"> Russia wants <!channel> to stop the "
    "collapse of the state. "
    "France conducted air strikes, see <a href=\"javascript:window.__pwned='link'\">this **map**</a> and "
    "[details](javascript:window.__pwned='md'). "
    "It is unclear whether <@U123> and <!here> will reply </script><script>window.__pwned = 'close'</script>.\n"
)


# Three short articles, one state acting in each: the fault and batch tests brief them against the stub
# (the `folder` fixture in conftest.py writes them).
ARTICLES = {
    "a.txt": (
        "Russia deployed 500 troops to Latakia on Monday, officials said. "
        "Foreign Minister Sergei Lavrov said the deployment was defensive. "
        "It is unclear whether the United States will respond to the move.\n"
    ),
    "b.txt": (
        "France sent two frigates to the eastern Mediterranean on Tuesday. "
        "President Emmanuel Macron said the ships would protect shipping lanes. "
        "It remains unclear how long the frigates may stay in the region.\n"
    ),
    "c.txt": (
        "Turkey moved tanks to its southern border on Wednesday, the army said. "
        "Prime Minister Ahmet Davutoglu said Turkey would defend its border. "
        "Whether the tanks will cross into Syria is not known.\n"
    ),
}


# A fake embedded-model server for `LocalServer` tests: args PORT ALIAS DELAY; it prints, waits DELAY seconds,
# then lists ALIAS at GET /v1/models.
FAKE_MODEL_SERVER = r"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
port, alias, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
print("fake server loading", flush=True)
time.sleep(delay)
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": alias, "object": "model"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def write_module(folder: Path, source: str) -> str:
    """Write `source` as a uniquely named module in `folder` (on a child's PYTHONPATH); its name."""
    name = f"fake_server_{uuid.uuid4().hex[:10]}"
    (folder / f"{name}.py").write_text(source)
    return name
