"""`StubServer`: an OpenAI-compatible server on loopback for tests and benchmarks, with latency and faults.

    with StubServer(latency=0.05, faults=Faults.parse("429*2,drop,broken-json")) as stub:
        briefing = generate_briefing(["a.txt"], settings=Settings(base_url=stub.url, model="stub"))
    stub.served  # what each call got: "429", "drop", ..., "ok"

    python -m briefing.model.stub --port 8900 --latency 0.2 --faults "500*3" --fault-rate 0.1 --seed 1

A real HTTP/1.1 server (asyncio streams, keep-alive, stdlib only) bound to 127.0.0.1, never anything else.
`POST /v1/chat/completions` answers every call the project makes with a valid instance of the schema it
asks for: the one in `response_format` (`json_schema.schema`, or llama.cpp's `schema`), else the schema of
the project call the prompt is (notes on an `<article>`, key points over numbered statements). Strings are
filled with sentences copied from the prompt, so the quotes ground and the citations verify. A request
with no `response_format` at all (a plain chat call, e.g. LangChain's summarizer) is answered with text:
the first `TEXT_SENTENCES` sentences of its last message (`TEXT_MAX_WORDS` at most). `usage` counts tokens with the project's
tokenizer, so cost can be measured; `calls` keeps each answered call's usage and when it arrived and was
answered (benchmarks read it). `GET /v1/models` lists `models`.

The Batch API as OpenAI documents it: `POST /v1/files` (multipart `file` + `purpose`), `GET /v1/files/{id}`
and `/v1/files/{id}/content`; `POST /v1/batches` (`input_file_id`, `endpoint` "/v1/chat/completions",
`completion_window` "24h"), `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel`. A batch moves one
status along `batch_statuses` at each retrieve (validating -> in_progress -> finalizing -> completed by
default; end the list with "failed", "expired" or "cancelled" for those ends), and stays in_progress while
`batch_hold` is set. When it ends, each JSONL line is answered the way a live chat completion would be
(faults included: an HTTP fault becomes an error-file line with that status, a dropped or hung call an
error-file line with `error`, a bad answer a 200 line with that answer); an expired batch answers the
first `EXPIRED_SHARE` of its lines and lists the rest as `batch_expired` in its error file.

Faults (`FAULTS`) come from a schedule (the first calls, in arrival order), from a rule that always
fails calls whose prompt names a text (`always={"b.txt": "500"}`), or at random (`rate`, `kinds`, `seed`).
Nothing in the product imports this module (an import-linter contract says so); it is a test double.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("briefing.stub")

LOOPBACK = "127.0.0.1"

# The fault kinds, each a way an OpenAI-compatible endpoint fails in practice.
RATE_LIMIT = "429"  # 429 with a Retry-After header
SERVER_ERROR = "500"
UNAVAILABLE = "503"
DROP = "drop"  # the connection is closed without an answer
HANG = "hang"  # no answer at all until the client gives up (a timeout)
DRIP = "drip"  # a valid answer, one byte every `drip_interval` seconds
BROKEN_JSON = "broken-json"  # 200, but the content is not JSON
TRUNCATED = "truncated"  # 200, half the content, finish_reason "length"
EMPTY = "empty"  # 200, empty content
REFUSAL = "refusal"  # 200, content null and a `refusal` message
OVERSIZED = "oversized"  # 200, a valid answer padded to `oversized_bytes`, sent chunked (no Content-Length)
OK = "ok"  # no fault (a schedule entry that lets one call through)
FAULTS = (RATE_LIMIT, SERVER_ERROR, UNAVAILABLE, DROP, HANG, DRIP, BROKEN_JSON, TRUNCATED, EMPTY, REFUSAL, OVERSIZED)
TRANSPORT_FAULTS = (RATE_LIMIT, SERVER_ERROR, UNAVAILABLE, DROP, HANG, DRIP, OVERSIZED)
"""Faults a client retries as the same request; the others are answers it must re-ask about."""

BATCH_ENDPOINT = "/v1/chat/completions"
"""The one endpoint a batch may name here (the one the project uses)."""
BATCH_STATUSES = ("validating", "in_progress", "finalizing", "completed")
"""The statuses a batch goes through by default, one step per retrieve."""
BATCH_TERMINAL = ("completed", "failed", "expired", "cancelled")
EXPIRED_SHARE = 0.5
"""Of an expired batch's lines, the first this share are answered; the rest are `batch_expired` errors."""

DEFAULT_ITEMS = 3
"""Items in a list the schema does not size (within its minItems/maxItems)."""
TEXT_SENTENCES = 3
"""Sentences of a text answer (a request without `response_format`): a short summary's length."""
TEXT_MAX_WORDS = 100
"""Words of a text answer at most, whatever its sentences: a concise summary's length."""
MAX_REQUEST_BYTES = 32 << 20
"""A request body larger than this gets 413."""

_ARTICLE = re.compile(r"<article[^>]*>\n?(.*?)\n?</article>", re.DOTALL)
_STATEMENT = re.compile(r"^\[(\d+)\] \([^)]*\) (.+)$", re.MULTILINE)
_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+|\n\s*\n")
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:of\s+|al-\s*)?[A-Z][\w'’-]+)*")
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "It", "He", "She", "They", "This", "That", "But", "And", "If", "His"}
_NOT_NAMES |= {"Her", "Its", "Their", "We", "I", "You", "As", "After", "When", "While", "For", "With"}


class FaultSpecError(ValueError):
    """A fault schedule or kind that cannot be read."""


@dataclass
class Faults:
    """Which calls fail, and how. `schedule` applies to the first calls in arrival order; then `always`
    (prompt text -> fault) and, at `rate`, a kind from `kinds` drawn by a random generator seeded `seed`."""

    schedule: list[str] = field(default_factory=list)
    always: Mapping[str, str] = field(default_factory=dict)
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULTS
    seed: int = 0

    def __post_init__(self) -> None:
        for kind in [*self.schedule, *self.always.values(), *self.kinds]:
            if kind not in (*FAULTS, OK):
                raise FaultSpecError(f"unknown fault {kind!r}: use one of {', '.join(FAULTS)} or {OK}")
        if not 0.0 <= self.rate <= 1.0:
            raise FaultSpecError(f"fault rate must be between 0 and 1, got {self.rate}")

    @staticmethod
    def parse_schedule(spec: str) -> list[str]:
        """`"429*2,drop,ok,500"` -> ["429", "429", "drop", "ok", "500"]."""
        schedule: list[str] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            kind, _, count = part.partition("*")
            try:
                times = int(count) if count else 1
            except ValueError:
                raise FaultSpecError(f"bad repeat count in {part!r}: write e.g. 500*3") from None
            schedule += [kind.strip()] * times
        return schedule

    @classmethod
    def parse(cls, spec: str = "", **options: Any) -> Faults:
        return cls(schedule=cls.parse_schedule(spec), **options)


Responder = Callable[[dict[str, Any]], Any]


class StubServer:
    """An OpenAI-compatible server on 127.0.0.1 (a free port unless `port` is given), in a background
    thread with its own event loop, so sync and async clients alike can call it. Use it as a context
    manager, or `start()` / `stop()`; `python -m briefing.model.stub` runs it in the foreground.

    `latency` seconds pass before every answer (a fixed per-call cost, for benchmarks). `responder`
    replaces the structured answer (a callable of the request body returning content: a str, or
    anything JSON-serialisable). Every chat request body is kept in `requests`, what each call got
    (a fault kind or "ok") in `served`, and the calls whose client gave up before the answer ended
    (a hang, a drip) in `abandoned`. Batch API state: `files` (id -> file object), `file_data` (id -> bytes),
    `batches` (id -> batch object); the lines batches answered are in `requests` and `served` too, and
    counted in `batch_lines`.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        faults: Faults | None = None,
        retry_after: float = 1.0,
        drip_interval: float = 0.5,
        oversized_bytes: int = 4 << 20,
        models: Iterable[str] = ("stub",),
        api_key: str | None = None,
        responder: Responder | None = None,
        port: int = 0,
        batch_statuses: Sequence[str] = BATCH_STATUSES,
    ) -> None:
        self.latency = latency
        self.faults = faults or Faults()
        self.retry_after = retry_after
        self.drip_interval = drip_interval
        self.oversized_bytes = oversized_bytes
        self.models = list(models)
        self.api_key = api_key
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.served: list[str] = []
        self.calls: list[Call] = []
        self.abandoned = 0
        self.batch_statuses = list(batch_statuses)
        self.batch_hold = False  # while True, no batch gets past in_progress
        self.files: dict[str, dict[str, Any]] = {}
        self.file_data: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_lines = 0
        self._batch_state: dict[str, dict[str, Any]] = {}
        self._random = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL a client is given (ends in /v1)."""
        return f"http://{LOOPBACK}:{self.port}/v1"

    # -- lifecycle
    async def open(self) -> None:
        """Bind and listen on the running loop (what `start()` does on its own thread)."""
        self._server = await asyncio.start_server(self._connection, LOOPBACK, self._port, limit=1 << 20)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def start(self) -> StubServer:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="stub-server", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.open(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- which fault
    def _next_fault(self, body: dict[str, Any]) -> str:
        with self._lock:
            self.requests.append(body)
            n = len(self.requests)
            if n <= len(self.faults.schedule):
                kind = self.faults.schedule[n - 1]
            else:
                prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
                kind = next((k for text, k in self.faults.always.items() if text in prompt), OK)
                if kind == OK and self.faults.rate and self._random.random() < self.faults.rate:
                    kind = self._random.choice(self.faults.kinds)
            self.served.append(kind)
            return kind

    # -- HTTP
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:  # the server is stopping: end quietly (nothing awaits this task's result)
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and answer it; False when the connection is to be closed."""
        line = await reader.readline()
        if not line.strip():
            return False
        method, target, _version = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if length > MAX_REQUEST_BYTES:
            await _send(writer, 413, _error(f"request body over {MAX_REQUEST_BYTES} bytes"), close=True)
            return False
        raw = await reader.readexactly(length) if length else b""
        path = target.split("?", 1)[0]
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return await _send(writer, 401, _error("invalid API key", "invalid_api_key"))
        if method == "GET" and path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "stub"} for m in self.models]
            return await _send(writer, 200, {"object": "list", "data": data})
        if path.startswith(("/v1/files", "/v1/batches")):
            return await self._batch_api(method, path, headers.get("content-type", ""), raw, writer)
        if method != "POST" or path != "/v1/chat/completions":
            return await _send(writer, 404, _error(f"no route {method} {path}"))
        try:
            body = json.loads(raw)
            messages = body["messages"]
        except (ValueError, KeyError, TypeError):
            return await _send(writer, 400, _error("the body is not a chat completion request"))
        if not isinstance(messages, list):
            return await _send(writer, 400, _error("messages must be a list"))
        return await self._chat(body, reader, writer)

    async def _chat(self, body: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        arrived = time.monotonic()
        kind = self._next_fault(body)
        if self.latency:
            await asyncio.sleep(self.latency)
        if kind == DROP:
            writer.transport.abort()
            return False
        if kind == HANG:
            await reader.read(1)  # returns when the client closes the connection (or the server stops)
            self.abandoned += 1
            return False
        if kind in (RATE_LIMIT, SERVER_ERROR, UNAVAILABLE):
            extra = {"Retry-After": f"{self.retry_after:g}"} if kind == RATE_LIMIT else {}
            return await _send(writer, int(kind), _error(f"stub fault {kind}", "stub_fault"), extra)
        answer = self._answer(body, kind)
        usage = answer["usage"]  # counted before any padding
        self.calls.append(Call(arrived, time.monotonic(), usage["prompt_tokens"], usage["completion_tokens"], body))
        if kind == DRIP:
            return await self._drip(writer, reader, answer)
        if kind == OVERSIZED:
            return await _send_chunked(writer, answer)
        return await _send(writer, 200, answer)

    def _answer(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        """The chat.completion a call gets: the structured answer, spoiled the way an answer fault says."""
        content = self._content(body)
        finish, refusal = "stop", None
        if kind == BROKEN_JSON:
            content = content[: max(1, len(content) // 2)].rstrip("}] ") + ', "'
        elif kind == TRUNCATED:
            content, finish = content[: len(content) // 2], "length"
        elif kind == EMPTY:
            content = ""
        elif kind == REFUSAL:
            content, refusal = None, "I'm sorry, but I can't help with that."
        answer = completion(body, content, finish, refusal, request_number=len(self.requests))
        if kind == OVERSIZED:  # padded after counting: valid JSON still, only far too large
            message = answer["choices"][0]["message"]
            message["content"] += " " * max(0, self.oversized_bytes - len(message["content"]))
        return answer

    async def _drip(self, writer: asyncio.StreamWriter, reader: asyncio.StreamReader, answer: dict[str, Any]) -> bool:
        """The answer one byte at a time, until it is all sent or the client has gone."""
        payload = json.dumps(answer).encode()
        data = _head(200, {"Content-Type": "application/json", "Content-Length": str(len(payload))}) + payload
        try:
            for i in range(len(data)):
                if writer.is_closing() or reader.at_eof():
                    break
                writer.write(data[i : i + 1])
                await writer.drain()
                await asyncio.sleep(self.drip_interval)
            else:
                return True
        except ConnectionError:
            pass
        self.abandoned += 1
        return False

    # -- the Batch API
    async def _batch_api(
        self, method: str, path: str, content_type: str, raw: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        parts = path.strip("/").split("/")[1:]  # files[/id[/content]], batches[/id[/cancel]]
        if parts == ["files"] and method == "POST":
            status, body = self._upload(content_type, raw)
        elif parts[0] == "files" and len(parts) in (2, 3) and method == "GET":
            if parts[1] not in self.files or parts[2:] not in ([], ["content"]):
                status, body = 404, _error(f"No such File object: {parts[1]}")
            elif parts[2:] == ["content"]:
                return await _send_bytes(writer, self.file_data[parts[1]])
            else:
                status, body = 200, self.files[parts[1]]
        elif parts == ["batches"] and method == "POST":
            status, body = self._create_batch(raw)
        elif parts[0] == "batches" and len(parts) in (2, 3) and parts[1] in self.batches:
            if len(parts) == 2 and method == "GET":
                status, body = 200, self._retrieve_batch(parts[1])
            elif parts[2:] == ["cancel"] and method == "POST":
                status, body = self._cancel_batch(parts[1])
            else:
                status, body = 404, _error(f"no route {method} {path}")
        else:
            status, body = 404, _error(f"no route {method} {path}")
        return await _send(writer, status, body)

    def _upload(self, content_type: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        fields = _form_fields(raw, content_type)
        if "file" not in fields or "purpose" not in fields:
            return 400, _error("expected a multipart form with 'file' and 'purpose'")
        name, data = fields["file"]
        return 200, self._add_file(name or "upload.jsonl", data, fields["purpose"][1].decode())

    def _add_file(self, name: str, data: bytes, purpose: str) -> dict[str, Any]:
        file_id = f"file-stub-{len(self.files) + 1}"
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }
        self.file_data[file_id] = data
        return self.files[file_id]

    def _create_batch(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            asked = json.loads(raw)
            file_id = asked["input_file_id"]
        except (ValueError, KeyError, TypeError):
            return 400, _error("expected a JSON body with input_file_id, endpoint and completion_window")
        if file_id not in self.files or self.files[file_id]["purpose"] != "batch":
            return 400, _error(f"Invalid 'input_file_id': {file_id!r} is not a file uploaded with purpose 'batch'")
        if asked.get("endpoint") != BATCH_ENDPOINT:
            return 400, _error(f"Invalid 'endpoint': this stub batches {BATCH_ENDPOINT} only")
        if asked.get("completion_window") != "24h":
            return 400, _error("Invalid 'completion_window': only '24h' is supported")
        lines, problem = _batch_lines(self.file_data[file_id])
        now = int(time.time())
        batch_id = f"batch_stub_{len(self.batches) + 1}"
        plan = list(self.batch_statuses) if problem is None else ["validating", "failed"]
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": BATCH_ENDPOINT,
            "errors": None,
            "input_file_id": file_id,
            "completion_window": "24h",
            "status": plan[0],
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "in_progress_at": None,
            "expires_at": now + 86400,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": asked.get("metadata"),
        }
        self._batch_state[batch_id] = {"plan": plan, "step": 0, "lines": lines, "problem": problem}
        return 200, self.batches[batch_id]

    def _retrieve_batch(self, batch_id: str) -> dict[str, Any]:
        batch, state = self.batches[batch_id], self._batch_state[batch_id]
        held = self.batch_hold and batch["status"] == "in_progress"
        if batch["status"] not in BATCH_TERMINAL and not held and state["step"] + 1 < len(state["plan"]):
            state["step"] += 1
            self._enter(batch, state["plan"][state["step"]], state)
        return batch

    def _cancel_batch(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        batch, state = self.batches[batch_id], self._batch_state[batch_id]
        if batch["status"] in BATCH_TERMINAL:
            return 400, _error(f"Cannot cancel a batch with status {batch['status']!r}")
        state["plan"], state["step"] = ["cancelling", "cancelled"], 0
        self._enter(batch, "cancelling", state)
        return 200, batch

    def _enter(self, batch: dict[str, Any], status: str, state: dict[str, Any]) -> None:
        batch["status"] = status
        if f"{status}_at" in batch:
            batch[f"{status}_at"] = int(time.time())
        if status == "failed":
            problem = state["problem"] or "the stub was told to fail this batch"
            batch["errors"] = {"object": "list", "data": [{"code": "invalid_request", "message": problem}]}
        elif status in ("completed", "expired", "cancelled"):
            share = {"completed": 1.0, "expired": EXPIRED_SHARE, "cancelled": 0.0}[status]
            self._answer_lines(batch, state["lines"], int(len(state["lines"]) * share), f"batch_{status}")

    def _answer_lines(self, batch: dict[str, Any], lines: list[dict[str, Any]], answered: int, unfinished: str) -> None:
        """Answer the first `answered` lines as live calls would be; the rest go unanswered (`unfinished`)."""
        out: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i, line in enumerate(lines):
            head = {"id": f"batch_req_{batch['id']}_{i + 1}", "custom_id": line["custom_id"]}
            if i >= answered:
                errors.append(head | {"response": None, "error": {"code": unfinished, "message": "not run"}})
                continue
            kind = self._next_fault(line["body"])
            self.batch_lines += 1
            request_id = f"req_stub_{len(self.requests)}"
            if kind in (RATE_LIMIT, SERVER_ERROR, UNAVAILABLE):
                failed = {"status_code": int(kind), "request_id": request_id, "body": _error(f"stub fault {kind}")}
                errors.append(head | {"response": failed, "error": None})
            elif kind in (DROP, HANG, DRIP):
                errors.append(head | {"response": None, "error": {"code": "server_error", "message": f"stub {kind}"}})
            else:
                answer = {"status_code": 200, "request_id": request_id, "body": self._answer(line["body"], kind)}
                out.append(head | {"response": answer, "error": None})
        for rows, key, kind in ((out, "output_file_id", "output"), (errors, "error_file_id", "error")):
            if rows:
                data = "".join(json.dumps(r) + "\n" for r in rows).encode()
                batch[key] = self._add_file(f"{batch['id']}_{kind}.jsonl", data, "batch_output")["id"]
        batch["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(errors)}

    def _content(self, body: dict[str, Any]) -> str:
        if self.responder is not None:
            result = self.responder(body)
            return result if isinstance(result, str) else json.dumps(result)
        if "response_format" not in body:
            return text_answer(body)
        return json.dumps(structured_answer(body), ensure_ascii=False)


@dataclass(frozen=True)
class Call:
    """One answered chat call: when it arrived and was answered (`time.monotonic()`), its usage, its body."""

    arrived: float
    answered: float
    prompt_tokens: int
    completion_tokens: int
    body: dict[str, Any]


# --------------------------------------------------------------------------- answers


def completion(
    body: dict[str, Any], content: str | None, finish_reason: str, refusal: str | None = None, request_number: int = 0
) -> dict[str, Any]:
    """A chat.completion for `body` whose one choice says `content`, with usage counted in tokens."""
    from ..chunking import count_tokens  # the project's tokenizer (tiktoken, offline)

    prompt = sum(count_tokens(str(m.get("content") or "")) + 4 for m in body.get("messages", []))
    answered = count_tokens(content or refusal or "")
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    return {
        "id": f"chatcmpl-stub-{request_number}",
        "object": "chat.completion",
        "created": 0,
        "model": str(body.get("model") or "stub"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": answered, "total_tokens": prompt + answered},
    }


@dataclass(frozen=True)
class _Unit:
    """A piece of the prompt an answer item is built from: a sentence, or a numbered statement."""

    text: str
    id: int


def structured_answer(body: dict[str, Any]) -> Any:
    """A valid instance of the schema `body` asks for, its strings copied from the prompt."""
    messages = body.get("messages") or [{"content": ""}]
    prompt = str(messages[-1].get("content") or "")
    schema = requested_schema(body) or known_schema(prompt)
    if schema is None:
        return {"answer": _units(prompt)[0].text}
    return _Filler(schema, _units(prompt)).value(schema, "", 0)


def text_answer(body: dict[str, Any]) -> str:
    """A plain chat call's answer: the first `TEXT_SENTENCES` sentences of its last message's text, cut to
    `TEXT_MAX_WORDS` words."""
    messages = body.get("messages") or [{"content": ""}]
    content = messages[-1].get("content") or ""
    if isinstance(content, list):  # content parts: their text
        content = " ".join(str(p.get("text") or "") for p in content if isinstance(p, dict))
    sentences = [u.text for u in _units(str(content)) if not u.text.endswith(":")]  # not a lead-in line
    return " ".join(" ".join(sentences[:TEXT_SENTENCES]).split(" ")[:TEXT_MAX_WORDS])


def requested_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema in `response_format`: OpenAI's `json_schema.schema`, or llama.cpp's `schema`."""
    fmt = body.get("response_format") or {}
    if not isinstance(fmt, dict):
        return None
    schema = (fmt.get("json_schema") or {}).get("schema") if isinstance(fmt.get("json_schema"), dict) else None
    schema = schema or fmt.get("schema")
    return schema if isinstance(schema, dict) else None


@functools.cache
def _schema(model: Any) -> dict[str, Any]:
    """A response model's JSON schema, built once (pydantic builds it anew at every call: ~10 ms, which in a
    benchmark would be the stub's CPU time taken from the system it measures, in the same process)."""
    return model.model_json_schema()


def known_schema(prompt: str) -> dict[str, Any] | None:
    """The schema of the project call a prompt is, when the request does not send one (plain JSON mode)."""
    if _ARTICLE.search(prompt):
        from ..models import ChunkNotes

        return _schema(ChunkNotes)
    if _STATEMENT.search(prompt):
        from ..summarize import SummaryOut

        return _schema(SummaryOut)
    return None


def _units(prompt: str) -> list[_Unit]:
    statements = _STATEMENT.findall(prompt)
    if statements and not _ARTICLE.search(prompt):
        return [_Unit(text.strip(), int(n)) for n, text in statements]
    article = _ARTICLE.search(prompt)
    text = article.group(1) if article else prompt
    sentences = [s.strip() for s in _SENTENCE_BREAK.split(text) if len(s.split()) >= 4]
    return [_Unit(s, i + 1) for i, s in enumerate(sentences)] or [_Unit(text.strip() or "nothing", 1)]


class _Filler:
    """Builds a schema instance; item k of a list is made from unit k, strings by their field's name."""

    def __init__(self, schema: dict[str, Any], units: list[_Unit]) -> None:
        self.defs = schema.get("$defs") or schema.get("definitions") or {}
        self.units = units

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(s) for s in schema[key]]
                return next((s for s in options if s.get("type") != "null"), options[0])
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.resolve(schema["allOf"][0])
        return schema

    def value(self, schema: dict[str, Any], name: str, k: int) -> Any:
        schema = self.resolve(schema)
        unit = self.units[k % len(self.units)]
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((t for t in kind if t != "null"), "null")
        if kind == "object" or "properties" in schema:
            return {p: self.value(s, p, k) for p, s in (schema.get("properties") or {}).items()}
        if kind == "array":
            low, high = schema.get("minItems", 0), schema.get("maxItems", DEFAULT_ITEMS)
            if name == "ids":  # the statements an item is built from: its own
                count = max(low, 1)
                return [self.units[(k + i) % len(self.units)].id for i in range(count)][: max(high, 1)]
            count = max(low, min(high, DEFAULT_ITEMS, len(self.units)))
            return [self.value(schema.get("items") or {}, name, i) for i in range(count)]
        if kind == "integer":
            return max(unit.id, schema.get("minimum", unit.id))
        if kind == "number":
            return float(max(unit.id, schema.get("minimum", unit.id)))
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return self.string(name, unit)

    @staticmethod
    def string(name: str, unit: _Unit) -> str:
        if name in ("name", "actor"):
            names = [m for m in _NAME.findall(unit.text) if m.split()[0] not in _NOT_NAMES]
            return names[0] if names else unit.text.split()[0]
        if name == "question":
            return unit.text.rstrip(".!") + "?"
        if name in ("role", "where", "when", "scale"):
            return "" if name != "role" else "named in the article"
        return unit.text


# --------------------------------------------------------------------------- wire


def _error(message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "stub_error", "param": None, "code": code}}


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 413: "Payload Too Large"}
_REASONS |= {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def _head(status: int, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(
    writer: asyncio.StreamWriter, status: int, body: Any, extra: Mapping[str, str] | None = None, close: bool = False
) -> bool:
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(payload)), **(extra or {})}
    if close:
        headers["Connection"] = "close"
    writer.write(_head(status, headers) + payload)
    await writer.drain()
    return not close


async def _send_bytes(writer: asyncio.StreamWriter, data: bytes) -> bool:
    writer.write(_head(200, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}) + data)
    await writer.drain()
    return True


def _form_fields(raw: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body: name -> (file name or None, content)."""
    boundary = content_type.partition("boundary=")[2].split(";")[0].strip().strip('"')
    if not content_type.startswith("multipart/form-data") or not boundary:
        return {}
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in raw.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if name:
            fields[name.group(1)] = (filename.group(1) if filename else None, content)
    return fields


def _batch_lines(data: bytes) -> tuple[list[dict[str, Any]], str | None]:
    """The requests of a batch input file, or the problem that fails its validation."""
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, text in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            ok = isinstance(line["custom_id"], str) and line["method"] == "POST" and line["url"] == BATCH_ENDPOINT
            ok = ok and isinstance(line["body"].get("messages"), list)
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            return [], f"line {n}: expected custom_id, method POST, url {BATCH_ENDPOINT} and a chat completion body"
        if line["custom_id"] in seen:
            return [], f"line {n}: custom_id {line['custom_id']!r} is used twice"
        seen.add(line["custom_id"])
        lines.append(line)
    return lines, None if lines else "the input file holds no requests"


async def _send_chunked(writer: asyncio.StreamWriter, body: Any, piece: int = 64 << 10) -> bool:
    payload = json.dumps(body).encode()
    writer.write(_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
    for i in range(0, len(payload), piece):
        part = payload[i : i + piece]
        writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    return True


# --------------------------------------------------------------------------- python -m briefing.model.stub


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m briefing.model.stub", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900, help="port on 127.0.0.1 [8900]")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer [0]")
    parser.add_argument("--faults", default="", help='schedule for the first calls, e.g. "429*2,drop,ok,500"')
    parser.add_argument("--fault-rate", type=float, default=0.0, help="chance of a fault on any later call [0]")
    parser.add_argument("--fault-kinds", default=",".join(FAULTS), help="kinds drawn at --fault-rate [all]")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws [0]")
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of a 429, seconds [1]")
    parser.add_argument("--drip-interval", type=float, default=0.5, help="seconds between dripped bytes [0.5]")
    parser.add_argument("--model", action="append", dest="models", help="a model to list (repeatable) [stub]")
    args = parser.parse_args(argv)
    try:
        faults = Faults.parse(
            args.faults,
            rate=args.fault_rate,
            kinds=tuple(Faults.parse_schedule(args.fault_kinds)),
            seed=args.seed,
        )
    except FaultSpecError as exc:
        parser.error(str(exc))
    stub = StubServer(
        latency=args.latency,
        faults=faults,
        retry_after=args.retry_after,
        drip_interval=args.drip_interval,
        models=args.models or ["stub"],
        port=args.port,
    )
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")

    async def serve() -> None:
        await stub.open()
        log.info("serving an OpenAI-compatible stub on %s (Ctrl-C stops it)", stub.url)
        try:
            await asyncio.Event().wait()
        finally:
            await stub.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
