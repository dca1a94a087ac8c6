"""Atomic writes: the whole new file or the old one, with ordinary permissions."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from briefing.model.cache import ResponseCache
from briefing.surfaces.files import LOCK_FILE, STALE_TEMP_AGE, write_atomic, write_together


def test_a_new_briefing_file_gets_the_usual_permissions_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "2015-09-28.md"
        write_atomic(target, "# Briefing\n")
    finally:
        os.umask(old)
    assert target.read_text() == "# Briefing\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["2015-09-28.md"]  # no temp file left


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "b.json"
    target.write_text("{}")
    target.chmod(0o640)
    write_atomic(target, '{"a": 1}')
    assert target.read_text() == '{"a": 1}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- durability, leftovers, locking


def test_the_folder_is_fsynced_after_the_rename_so_the_new_name_survives_a_power_cut(tmp_path, monkeypatch):
    import briefing.surfaces.files as files

    events: list[tuple[str, str]] = []
    real_replace, real_fsync = files.os.replace, files.os.fsync

    def replace(src, dst):
        real_replace(src, dst)
        events.append(("replace", Path(dst).name))

    def fsync(fd):
        real_fsync(fd)
        events.append(("fsync", "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"))

    monkeypatch.setattr(files.os, "replace", replace)
    monkeypatch.setattr(files.os, "fsync", fsync)
    write_together([(tmp_path / "a.md", "md"), (tmp_path / "a.json", "{}")])
    assert events == [
        ("fsync", "file"),
        ("fsync", "file"),
        ("replace", "a.md"),
        ("replace", "a.json"),
        ("fsync", "folder"),
    ]


def test_temp_files_left_by_a_killed_write_are_removed_by_the_next_write_once_stale(tmp_path):
    old = tmp_path / ".2024-05-01.json.k1ll3d.tmp"
    fresh = tmp_path / ".2024-05-01.md.wr1t1ng.tmp"  # another writer's, in progress
    for tmp in (old, fresh):
        tmp.write_text("half a briefi")
    then = time.time() - STALE_TEMP_AGE - 60
    os.utime(old, (then, then))
    write_atomic(tmp_path / "2024-05-02.md", "new")
    assert not old.exists() and fresh.exists()
    assert (tmp_path / "2024-05-02.md").read_text() == "new"


def test_a_days_files_are_written_under_an_exclusive_os_lock_on_the_folder(tmp_path, monkeypatch):
    """While the pair is renamed, another open of the lock file (as a second process would) cannot lock it."""
    import fcntl

    import briefing.surfaces.files as files

    seen: list[bool] = []
    real_replace = files.os.replace

    def replace(src, dst):
        fd = os.open(tmp_path / LOCK_FILE, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            seen.append(True)
        else:
            seen.append(False)
        finally:
            os.close(fd)
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    write_together([(tmp_path / "d.md", "md"), (tmp_path / "d.json", "{}")], lock=True)
    assert seen == [True, True]


def test_a_stored_day_is_served_with_markdown_rendered_from_its_json_never_a_mismatched_md(tmp_path):
    from datetime import UTC, datetime

    from briefing.models import Briefing
    from briefing.render import to_markdown
    from briefing.surfaces.daily import stored_briefing

    briefing = Briefing(title="Tuesday", generated_at=datetime(2024, 5, 1, tzinfo=UTC), date="2024-05-01")
    (tmp_path / "2024-05-01.json").write_text(briefing.model_dump_json())
    (tmp_path / "2024-05-01.md").write_text("# Monday\n\n(a run killed between the two renames left this)\n")
    stored, markdown = stored_briefing(tmp_path, "2024-05-01")
    assert stored == briefing and markdown == to_markdown(briefing)


CHILD = """
import json, sys
from pathlib import Path
from briefing.model.cache import ResponseCache
from briefing.surfaces.files import write_together

out, cache_path, writer = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
cache = ResponseCache(cache_path)
for i in range(int(sys.argv[4])):
    md = f"# {writer} {i}\\n" + "x" * 200_000 + f"\\nend {writer} {i}\\n"
    js = json.dumps({"writer": writer, "run": i, "pad": "y" * 200_000})
    write_together([(out / "2024-05-01.md", md), (out / "2024-05-01.json", js)], lock=True)
    cache.put(f"{writer}-{i}", endpoint="e", model="m", content="z" * 50_000)
    if i == 0:
        print("ready", flush=True)
"""


def _child(tmp_path: Path, out: Path, writer: str, rounds: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(CHILD)
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(
        [sys.executable, str(script), str(out), str(out / "cache.sqlite3"), writer, str(rounds)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        text=True,
    )


def _whole(out: Path) -> tuple[tuple[str, int], tuple[str, int]]:
    """(writer, run) of the .md and of the .json, each checked to be a whole file."""
    md = (out / "2024-05-01.md").read_text()
    head, _, rest = md.partition("\n")
    writer, run = head.removeprefix("# ").split()
    assert md == f"# {writer} {run}\n" + "x" * 200_000 + f"\nend {writer} {run}\n"
    js = json.loads((out / "2024-05-01.json").read_text())
    assert js["pad"] == "y" * 200_000
    return (writer, int(run)), (js["writer"], js["run"])


def test_killing_a_writer_at_random_moments_leaves_whole_files_and_a_usable_cache(tmp_path):
    """Real child processes write a day's pair and cache entries in a loop, each into its own folder, and
    get `kill -9` at seeded random moments after their first write; then both files are whole and the
    cache opens and passes SQLite's integrity check. (Started together: their imports overlap.)"""
    rng = random.Random(10)
    outs = [tmp_path / f"out{i}" for i in range(3)]
    for out in outs:
        out.mkdir()
    children = [_child(tmp_path, out, f"w{i}", 100_000) for i, out in enumerate(outs)]
    for child, out in zip(children, outs, strict=True):
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.08))  # picks the moment of the kill; nothing is asserted on timing
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        _whole(out)
        leftovers = list(out.glob(".*.tmp"))
        assert all(p.name.startswith((".2024-05-01.md.", ".2024-05-01.json.")) for p in leftovers)
        cache = ResponseCache(out / "cache.sqlite3")
        assert cache.usable and len(cache) >= 1
        assert cache._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        cache.close()
        # temp files a kill left are cleaned up by the next write once they are stale
        then = time.time() - STALE_TEMP_AGE - 1
        for tmp in leftovers:
            os.utime(tmp, (then, then))
        write_atomic(out / "2024-05-02.md", "next day")
        assert list(out.glob(".*.tmp")) == []


def test_two_processes_writing_the_same_day_leave_one_whole_matching_pair(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    children = [_child(tmp_path, out, writer, 20) for writer in ("A", "B")]
    for child in children:
        child.communicate()
        assert child.returncode == 0
    md, js = _whole(out)
    assert md == js and md[1] == 19  # the pair comes from one writer's last round, not a mix
