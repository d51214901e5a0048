"""Atomic writes: whole files or none, readable like any file the user writes."""

from __future__ import annotations

import stat

import pytest

from zhen.files import write_atomic


def test_an_atomic_write_has_the_permissions_of_a_plain_one(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"x")
    atomic = tmp_path / "atomic.txt"
    write_atomic(atomic, b"x")
    assert stat.S_IMODE(atomic.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "out.md"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):  # the write fails half-way (here: text where bytes belong)
        write_atomic(target, "new")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]
