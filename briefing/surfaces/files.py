"""Writing outputs atomically: a temp file in the same folder, fsync, rename, then fsync the folder.

A run killed at any moment leaves either the old file or the new one, never half a briefing, and once a
write returns, the rename itself survives a power cut (the folder's entry is on disk too). A kill can
leave a temp file (`.NAME.XXXX.tmp`) behind: the next write in that folder removes those older than
`STALE_TEMP_AGE`. Files that belong together (a day's `.md` and `.json`) are written by `write_together`
under an OS lock on the folder (`fcntl.flock` of `LOCK_FILE`), so two processes writing the same folder
take turns instead of mixing their files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

STALE_TEMP_AGE = 15 * 60
"""Seconds after which a temp file left in an output folder is a leftover of a killed write (a live write
takes milliseconds) and is removed by the next write there."""
LOCK_FILE = ".briefing.lock"
"""The file in an output folder that `write_together` locks; it stays there, empty."""


def _default_mode() -> int:
    """What a plainly created file would get: 0o666 less the process umask (read without changing it
    for long: set and restored at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, text: str) -> None:
    """Write one file atomically (see the module docstring)."""
    write_together([(path, text)])


def write_together(files: Sequence[tuple[Path, str]], *, lock: bool = False) -> None:
    """Write files that belong together: every temp file written and fsynced first, then renamed in the
    order given, then their folders fsynced. With `lock`, all of it runs under an exclusive `flock` on
    the first file's folder, so another process doing the same waits its turn."""
    folders = list(dict.fromkeys(path.parent for path, _ in files))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    with _folder_lock(folders[0]) if lock else contextlib.nullcontext():
        for folder in folders:
            remove_stale_temps(folder)
        temps: list[tuple[str, Path]] = []
        try:
            for path, text in files:
                temps.append((_write_temp(path, text), path))
            for tmp, path in temps:
                os.replace(tmp, path)
        finally:
            for tmp, _ in temps:
                Path(tmp).unlink(missing_ok=True)  # only those not renamed: a failed write leaves no temp
        for folder in folders:
            fsync_folder(folder)


def _write_temp(path: Path, text: str) -> str:
    # mkstemp makes 0600 files; a briefing keeps the mode of the file it replaces, else the usual one.
    mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX: the folder's own entry list must be fsynced)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(folder: Path, *, older_than: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temp files (`.NAME.XXXX.tmp`) a killed write left in `folder`; returns what was removed."""
    cutoff = time.time() - older_than
    removed = []
    for tmp in folder.glob(".*.tmp"):
        try:
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # another process cleaned it first, or it is not ours to remove
    return removed


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive OS lock on `folder`'s LOCK_FILE for the duration (released by the OS if killed)."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
