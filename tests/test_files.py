"""Atomic writes: the whole new file or the old one, with ordinary permissions."""

from __future__ import annotations

import os
import stat

from briefing.surfaces.files import write_atomic


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
