"""Atomic writes give files colleagues can read: 0644 under a 022 umask (as ``open`` would),
never the owner-only 0600 of a temporary file; a failed write leaves nothing behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

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


# ---------------------------------------------------------------- run folders (swap in)


def test_a_run_folder_appears_only_when_the_run_is_complete(tmp_path):
    from hallplan.atomic import MANIFEST, read_manifest, run_folder

    out = tmp_path / "out"
    with run_folder(out, "simulate") as stage:
        write_text(stage / "summary.md", "# run 1\n")
        assert not out.exists()  # nothing under the real name while the run writes
    assert (out / "summary.md").read_text() == "# run 1\n"
    manifest = read_manifest(out)
    assert manifest["command"] == "simulate" and manifest["entries"] == ["summary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left
    assert (out / MANIFEST).exists()


def test_a_failed_or_interrupted_run_leaves_the_previous_run_as_it_was(tmp_path):
    from hallplan.atomic import run_folder

    out = tmp_path / "out"
    with run_folder(out, "simulate") as stage:
        write_text(stage / "customers.csv", "old\n")
        write_text(stage / "kpi_interval.csv", "old\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    def second_run(exc: BaseException) -> None:
        with run_folder(out, "simulate") as stage:
            write_text(stage / "customers.csv", "new\n")  # one file in, then it stops
            raise exc

    for exc in (KeyboardInterrupt(), RuntimeError("solver failed")):
        with pytest.raises(type(exc)):
            second_run(exc)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_planners_own_files_survive_and_the_previous_runs_files_go(tmp_path):
    from hallplan.atomic import run_folder

    out = tmp_path / "out"
    with run_folder(out, "plan") as stage:
        write_text(stage / "old_table.csv", "x\n")
        (stage / "charts").mkdir()
        write_text(stage / "charts" / "a.png", "png")
    (out / "my_budget.xlsx").write_bytes(b"the planner's")  # saved there between runs
    (out / "mine").mkdir()
    (out / "mine" / "notes.txt").write_text("mine")
    (out / ".report.html.hallplan-tmp-abcd1234.html").write_text("half")  # a killed write
    with run_folder(out, "plan") as stage:
        write_text(stage / "report.html", "new\n")
    assert sorted(p.name for p in out.iterdir()) == [
        "hallplan-run.json", "mine", "my_budget.xlsx", "report.html"]
    assert (out / "my_budget.xlsx").read_bytes() == b"the planner's"
    assert (out / "mine" / "notes.txt").read_text() == "mine"


def test_a_run_killed_between_the_two_renames_is_repaired_by_the_next(tmp_path):
    from hallplan.atomic import repair, run_folder

    out = tmp_path / "out"
    with run_folder(out, "plan") as stage:
        write_text(stage / "plan.json", "{}\n")
    # killed outright (SIGKILL) after moving the old run aside, before the new one moved in
    backup = tmp_path / ".out.hallplan-old-20260101T000000-p1-abc"
    os.replace(out, backup)
    (tmp_path / ".out.hallplan-new-20260101T000000-p999999-abc").mkdir()
    repair(out)
    assert (out / "plan.json").read_text() == "{}\n"  # the previous complete run is back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_that_cannot_take_a_run_is_a_clear_error(tmp_path, monkeypatch):
    from hallplan.atomic import OutputFolderError, check_output_folder

    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError, match="found the current folder"):
        check_output_folder(Path("."))
    with pytest.raises(OutputFolderError, match="found the current folder"):
        check_output_folder(tmp_path.parent)
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(OutputFolderError, match="expected a folder; found a file"):
        check_output_folder(tmp_path / "f.txt")
    assert check_output_folder(tmp_path / "new") == tmp_path / "new"


def test_temporaries_are_told_from_the_planners_hidden_files(tmp_path):
    from hallplan.atomic import is_temporary

    for name, ours in [(".plan.xlsx.hallplan-tmp-k2j3_4g5.xlsx", True),
                       (".plan.xlsx.k2j3h4g5.xlsx", True),  # before the mark
                       (".bashrc", False), (".notes.txt", False), ("plan.xlsx", False),
                       (".plan.xlsx.k2j3h4g5.csv", False)]:
        (tmp_path / name).write_text("x")
        assert is_temporary(tmp_path / name) is ours, name
