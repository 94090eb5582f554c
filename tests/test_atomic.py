"""Atomic writes give files colleagues can read: 0644 under a 022 umask (as ``open`` would),
never the owner-only 0600 of a temporary file; a failed write leaves nothing behind."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from matplotlib.figure import Figure

from hallplan.atomic import atomic_write, save_figure, write_csv, write_text


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _figure() -> Figure:
    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_have_the_usual_permissions(tmp_path, umask, mask, expected):
    umask(mask)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what a plain open() gives, for comparison
    paths = [
        write_text(tmp_path / "a.md", "# hello\n"),
        write_csv(tmp_path / "b.csv", pd.DataFrame({"x": [1, 2]})),
        save_figure(tmp_path / "c.png", _figure()),
        atomic_write(tmp_path / "sub" / "d.xlsx",
                     lambda p: pd.DataFrame({"x": [1]}).to_excel(p, index=False)),
    ]
    assert _mode(plain) == expected
    assert {p.name: _mode(p) for p in paths} == {p.name: expected for p in paths}


def test_overwriting_keeps_the_usual_permissions(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "t.txt"
    write_text(target, "one")
    write_text(target, "two")
    assert target.read_text() == "two"
    assert _mode(target) == 0o644


def test_a_failed_write_leaves_no_file(tmp_path):
    def broken(p):
        p.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(tmp_path / "x.csv", broken)
    assert list(tmp_path.iterdir()) == []
