"""Stopping: SIGTERM to `briefing run`, `briefing daily` and `briefing serve` ends them within 10 s, cancelling running and
queued briefings and stopping the embedded model first.

Real processes throughout: the child is `python -m briefing.surfaces.cli ...` with nothing replaced but
the embedded model's server. A fake `llama_cpp.server` package on the child's PYTHONPATH is started by the
product's own `LocalServer` (through its watchdog bootstrap); it lists the model `local`, records each chat
call, and never answers one, so every briefing is held in its first model call until it is cancelled.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from briefing.model.local import _SERVER_MODULES, free_port
from briefing.surfaces.worker import SHUTTING_DOWN

ROOT = Path(__file__).resolve().parent.parent
STOP_WITHIN_SECONDS = 10
ARTICLE = "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia wants a settlement.\n"

FAKE_LLAMA_SERVER = r"""
import argparse, json, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int)
parser.add_argument("--model_alias", default="local")
args, _ = parser.parse_known_args()
marks = Path(os.environ["FAKE_LLAMA_MARKS"])
(marks / "pid").write_text(str(os.getpid()))

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": args.model_alias, "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        with open(marks / "calls", "a") as calls:
            calls.write(self.path + "\n")
        time.sleep(3600)  # never answers

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
"""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(condition, what: str, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Poll until `condition()` holds (start-up of real processes); fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `briefing` child whose embedded model is the never-answering fake."""
    fakes = tmp_path / "fakes"
    server = fakes / "llama_cpp" / "server"
    server.mkdir(parents=True)
    # The child module (`briefing.model.llama_serve`) patches `Llama` before it runs the server: give it one.
    (fakes / "llama_cpp" / "__init__.py").write_text(
        "class Llama:\n    def _init_sampler(self, **kwargs):\n        pass\n"
    )
    (fakes / "llama_cpp" / "_internals.py").write_text("")
    (fakes / "llama_cpp" / "llama_cpp.py").write_text("")
    (server / "__init__.py").write_text("")
    (server / "__main__.py").write_text(FAKE_LLAMA_SERVER)
    for module in _SERVER_MODULES:  # the server extra's other modules, only where not installed
        if module != "llama_cpp" and importlib.util.find_spec(module) is None:
            (fakes / f"{module}.py").write_text("")
    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF" + bytes(4096))
    (tmp_path / "marks").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_", "SLACK_"))}
    return env | {
        "PYTHONPATH": os.pathsep.join([str(fakes), str(ROOT)]),
        "BRIEFING_LOCAL_MODEL": str(model),
        "BRIEFING_LOCAL_THREADS": "1",
        "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
        "BRIEFING_NO_CACHE": "1",
        "FAKE_LLAMA_MARKS": str(tmp_path / "marks"),
    }


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "briefing.surfaces.cli", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def calls(marks: Path) -> int:
    path = marks / "calls"
    return len(path.read_text().splitlines()) if path.exists() else 0


def stop(child: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, then the exit status and stderr; a child still running after the limit fails the test."""
    child.send_signal(signal.SIGTERM)
    try:
        _, stderr = child.communicate(timeout=STOP_WITHIN_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail(f"still running {STOP_WITHIN_SECONDS} s after SIGTERM")
    return child.returncode, stderr


@pytest.mark.parametrize("command", ["run", "daily"])
def test_sigterm_stops_a_briefing_and_its_embedded_model(
    command: str, child_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text(ARTICLE)
    out = tmp_path / "out"
    marks = Path(child_env["FAKE_LLAMA_MARKS"])
    args = {
        "run": ["run", str(tmp_path / "articles"), "-o", str(out / "run.md")],
        "daily": ["daily", "--sources", str(tmp_path / "articles"), "--out-dir", str(out), "--date", "2024-05-01"],
    }[command]
    child = start([*args, "--quiet"], child_env)
    try:
        wait_until(lambda: calls(marks) >= 1, "the briefing's first model call")
        model_pid = int((marks / "pid").read_text())
        status, stderr = stop(child)
    finally:
        if child.poll() is None:
            child.kill()
    assert not pid_alive(model_pid), "the embedded model outlived the run"
    assert status == 128 + signal.SIGTERM
    assert stderr.strip().splitlines()[-1] == "briefing: stopped (SIGTERM)" and "Traceback" not in stderr
    assert not out.exists() or list(out.iterdir()) == []  # nothing half-written
    assert calls(marks) == 1


def test_sigterm_stops_briefing_serve_with_jobs_running_and_queued(child_env: dict[str, str]) -> None:
    """Three briefings: two run (each held in its first model call), one waits; SIGTERM answers all three
    with 503, stops the embedded model and exits."""
    marks = Path(child_env["FAKE_LLAMA_MARKS"])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    child = start(["serve", "--no-auth", "--port", str(port)], child_env)
    answers: list[httpx.Response | Exception] = []

    def post() -> None:
        body = {"articles": [{"name": "a.txt", "text": ARTICLE}]}
        try:
            answers.append(httpx.post(f"{url}/v1/briefings", json=body, timeout=60))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers.append(exc)

    def healthy() -> bool:
        assert child.poll() is None, child.communicate()[1]
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    clients = [threading.Thread(target=post) for _ in range(3)]
    try:
        wait_until(healthy, "the service answering /healthz")
        for client in clients:
            client.start()
        wait_until(lambda: calls(marks) >= 2, "two briefings in their first model call")
        model_pid = int((marks / "pid").read_text())
        status, stderr = stop(child)
    finally:
        if child.poll() is None:
            child.kill()
        for client in clients:
            client.join(10)
    assert not pid_alive(model_pid), "the embedded model outlived the service"
    assert status == 128 + signal.SIGTERM, stderr
    assert [a.status_code if isinstance(a, httpx.Response) else repr(a) for a in answers] == [503, 503, 503]
    assert {json.loads(a.text)["detail"] for a in answers if isinstance(a, httpx.Response)} == {SHUTTING_DOWN}
    assert calls(marks) == 2  # the waiting briefing never reached the model
